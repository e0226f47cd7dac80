"""Keep an edited report true: what a person changes by hand is checked before it is saved.

    report, findings = review_edit(before, after, today=date.today())

- **Figures follow their field.** When an action's target or baseline changes, every sentence of that action
  (its text and its checkpoint) that states the old figure is rewritten with the new one, rendered the way the
  report renders it ("36.1%" → "35%", "¥1,200" → "¥1,500", "120万" → "150万"). A figure that still matches
  neither the baseline, the target nor any evidence is flagged for rewording.
- **Deadlines are in the future.** A deadline set or changed to a day before `today` is refused (`InputError`
  naming the action and the date); an unchanged old deadline is left alone.
- **Edited text is grounding-checked.** Every changed sentence (title, summary, goal notes, chains, lessons,
  actions) goes through the same check as generated text (agent/grounding.py); a figure that matches no
  evidence becomes a warning finding on the draft (location and value, `origin: "edit"`), so the reviewer sees
  it; when the figure was typed in this edit (the sentence did not hold it before) it is `blocking`: approval
  waits until someone confirms it (`confirm_figures`, see knowledge/records.py).

Findings from earlier edits at locations this edit changed are replaced; the others are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from agent.grounding import check_grounding
from agent.numbers import fmt, parse_figures
from fupan.errors import InputError
from fupan.report import ActionItem, Finding, ReviewDraft

EDIT_MESSAGE = "edited text: this figure matches no evidence; reword it or cite the figure it comes from"


def _unit(item: ActionItem, report: ReviewDraft) -> str:
    """The unit of an action's metric: from its cited evidence, else the registry."""
    for evidence_id in item.evidence:
        ev = report.evidence.get(evidence_id)
        if ev is not None and ev.unit:
            return ev.unit
    try:
        from agent.metrics import get_metric

        return get_metric(item.metric).unit
    except Exception:  # noqa: BLE001 - an unknown metric id: plain numbers
        return ""


def _replace_figure(text: str, old: float, new: float, unit: str, lang: str) -> str:
    """Rewrite every figure in `text` that renders `old` (within its rounding) as `new`."""
    if old == new:
        return text
    rendered = fmt(new, unit, lang)
    out, last = [], 0
    for fig in parse_figures(text):
        same_kind = (fig.kind == "percent") == (unit == "ratio") and fig.kind != "points"
        if same_kind and abs(abs(fig.value) - abs(old)) <= fig.tolerance + 1e-9 * max(1.0, abs(old)):
            end = fig.start + len(fig.raw)
            out.append(text[last : fig.start])
            out.append(rendered)
            last = end
    out.append(text[last:])
    return "".join(out)


def _follow_numbers(before: ActionItem, after: ActionItem, unit: str, lang: str) -> ActionItem:
    changes: dict[str, str] = {}
    for field in ("action", "checkpoint"):
        text = getattr(after, field)
        if text != getattr(before, field):
            continue  # the person rewrote this sentence: theirs stands (and is grounding-checked)
        for old, new in ((before.target, after.target), (before.baseline, after.baseline)):
            text = _replace_figure(text, old, new, unit, lang)
        if text != getattr(after, field):
            changes[field] = text
    return after.model_copy(update=changes) if changes else after


def _check_deadlines(before: ReviewDraft, after: ReviewDraft, today: dt.date) -> None:
    old = {a.id: a.deadline for a in before.actions}
    for item in after.actions:
        if item.deadline < today and old.get(item.id) != item.deadline:
            raise InputError(
                f"the deadline of {item.id} is {item.deadline.isoformat()}, which has passed",
                column=f"actions.{item.id}.deadline",
                value=item.deadline.isoformat(),
                hint=f"choose {today.isoformat()} or later",
            )


def _texts(report: ReviewDraft) -> Iterator[tuple[str, str]]:
    """(location, text) of every sentence a person can edit."""
    yield "title", report.title
    yield "summary", report.summary
    for i, goal in enumerate(report.goals):
        yield f"goals[{i}].note", goal.note
    for c in report.chains:
        yield f"chains[{c.id}].problem", c.problem
        for i, link in enumerate(c.links):
            yield f"chains[{c.id}].links[{i}].claim", link.claim
        yield f"chains[{c.id}].root_cause", c.root_cause
    for x in report.lessons:
        yield f"lessons[{x.id}].content", x.content
        yield f"lessons[{x.id}].scenario", x.scenario
    for a in report.actions:
        yield f"actions[{a.id}].action", a.action
        yield f"actions[{a.id}].checkpoint", a.checkpoint
        yield f"actions[{a.id}].resources", a.resources


def _own_figures(location: str, report: ReviewDraft) -> list[float]:
    """An action's sentences may state its own baseline and target (proposals, not evidence)."""
    if not location.startswith("actions["):
        return []
    item_id = location[len("actions[") : location.index("]")]
    item = next((a for a in report.actions if a.id == item_id), None)
    return [] if item is None else [item.baseline, item.target]


def _is_own(finding: Finding, own: list[float]) -> bool:
    figures = parse_figures(finding.value or "")
    return bool(figures) and any(
        abs(abs(figures[0].value) - abs(v)) <= figures[0].tolerance + 1e-9 for v in own
    )


def _typed(finding: Finding, old_text: str) -> bool:
    """Whether the finding's figure was typed in this edit: it is not among the figures the text had before
    (a figure the writer put there, in a sentence that changed around it, is not hand-typed)."""
    figures = parse_figures(finding.value or "")
    if not figures:
        return True
    new = figures[0]
    return not any(
        old.kind == new.kind and abs(old.value - new.value) <= max(old.tolerance, new.tolerance) + 1e-9
        for old in parse_figures(old_text)
    )


def review_edit(
    before: ReviewDraft, after: ReviewDraft, *, today: dt.date
) -> tuple[ReviewDraft, list[Finding]]:
    """The edited report with figures that follow their fields, and the findings it now carries."""
    _check_deadlines(before, after, today)
    old_actions = {a.id: a for a in before.actions}
    actions = [
        _follow_numbers(old_actions[a.id], a, _unit(a, after), after.language) if a.id in old_actions else a
        for a in after.actions
    ]
    report = after.model_copy(update={"actions": actions})
    old_texts = dict(_texts(before))
    changed = {loc: text for loc, text in _texts(report) if old_texts.get(loc) != text}
    fresh = [
        f.model_copy(
            update={
                "severity": "warning",
                "message": EDIT_MESSAGE,
                "origin": "edit",
                "blocking": _typed(f, old_texts.get(f.location, "")),
            }
        )
        if f.severity == "error"
        else f.model_copy(update={"origin": "edit"})
        for f in check_grounding(changed, report.evidence)
        if not _is_own(f, _own_figures(f.location, report))
    ]
    kept = [f for f in before.findings if f.location not in changed]
    findings = kept + fresh
    return report.model_copy(update={"findings": findings}), findings
