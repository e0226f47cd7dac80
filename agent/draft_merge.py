"""No repeats: actions that share the cause (and so the playbook's remedy) become one, with their segments and
owners combined. (Failure lessons are written once per cause in the first place: agent/draft_actions.py.)

Two chains can end in the same cause — North missed its target and one of North's reps slowed down, both on
tighter budgets. A director wants one action for it, owned by both people, not the same paragraph twice. The
merged action keeps the first (largest) segment's metric, baseline and target, so it stays measurable; the
other segments are named in the action and their chains listed.
"""

from __future__ import annotations

from agent.draft_context import DraftContext
from fupan.report import ActionItem, Lesson, RootCauseChain


def action_key(item: ActionItem, chains: dict[str, RootCauseChain]) -> str:
    """Actions answer the same thing when their chains conclude with the same cause (and kind of play)."""
    causes = sorted({chains[c].cause_id for c in item.chains if c in chains})
    kind = "replicate" if any(chains[c].kind == "success" for c in item.chains if c in chains) else "fix"
    return f"{kind}:{','.join(causes)}"


def _prefix(ctx: DraftContext, who: str) -> str:
    return ctx.say("actions.prefix", who=who)


def merge_actions(
    ctx: DraftContext, actions: list[ActionItem], chains: list[RootCauseChain]
) -> list[ActionItem]:
    by_id = {c.id: c for c in chains}
    groups: dict[str, list[ActionItem]] = {}
    for item in actions:
        groups.setdefault(action_key(item, by_id), []).append(item)
    merged = []
    for items in groups.values():
        first = items[0].model_copy(deep=True)
        if len(items) > 1:
            whos = list(dict.fromkeys(ctx.who(i.segment) for i in items))
            old = _prefix(ctx, whos[0])
            if first.action.startswith(old):
                first.action = (
                    _prefix(ctx, ctx.say("draft.clause_sep").join(whos)) + first.action[len(old) :]
                )[:600]
            first.owner = ctx.say("draft.list_sep").join(dict.fromkeys(i.owner for i in items))[:120]
            first.chains = list(dict.fromkeys(c for i in items for c in i.chains))
            first.evidence = list(dict.fromkeys(e for i in items for e in i.evidence))
            first.check_first = any(i.check_first for i in items)
        merged.append(first)
    for n, item in enumerate(merged, start=1):
        item.id = f"A{n}"
    return merged


def unique_lessons(lessons: list[Lesson]) -> list[Lesson]:
    """Drop a lesson whose text repeats an earlier one (keeping its evidence), and number them S1.., F1.."""
    seen: dict[tuple[str, str], Lesson] = {}
    for lesson in lessons:
        key = (lesson.type, lesson.content)
        if key in seen:
            seen[key].evidence = list(dict.fromkeys(seen[key].evidence + lesson.evidence))
        else:
            seen[key] = lesson.model_copy(deep=True)
    counts = {"success": 0, "failure": 0}
    out = list(seen.values())
    for lesson in out:
        counts[lesson.type] += 1
        lesson.id = f"{'S' if lesson.type == 'success' else 'F'}{counts[lesson.type]}"
    return out
