"""The summary a director reads first: the result, then the problems (largest first, with what the data show
and whether the cause is confirmed or still to check), then what went well, then the actions. When nothing was
missed it says so, and a success is never called a problem."""

from __future__ import annotations

from typing import Any

from agent.draft_context import DraftContext
from agent.numbers import fmt
from fupan.messages import say
from fupan.report import GoalResult, ReviewDraft, RootCauseChain


def _result(ctx: DraftContext, draft: ReviewDraft) -> str:
    head: GoalResult | None = draft.goals[0] if draft.goals else None
    lang = ctx.lang
    who = ctx.who(draft.scope) if draft.scope else say("draft.company_subject", lang)
    if head is None or head.actual is None:
        return say("draft.no_revenue", lang, who=who, period=draft.period)
    actual = fmt(head.actual, head.unit or ctx.money, lang)
    if head.achievement is not None and head.target is not None:
        target = fmt(head.target, head.unit or ctx.money, lang)
        achievement = fmt(head.achievement, "ratio", lang)
        return say(
            "draft.result_vs_target", lang, who=who, period=draft.period, actual=actual, target=target,
            achievement=achievement,
        )  # fmt: skip
    note = say("draft.in_brackets", lang, text=head.note) if head.note else ""
    return say("draft.result_no_target", lang, who=who, period=draft.period, actual=actual, note=note)


def _cause_phrase(ctx: DraftContext, chain: RootCauseChain) -> str:
    from agent.playbook import load_playbook

    cause = load_playbook().cause(chain.cause_id)
    if chain.hypothesis:
        return say("draft.cause_to_check", ctx.lang, question=cause.question.get(ctx.lang))
    title = cause.title.zh if ctx.lang == "zh" else cause.title.en.lower()  # inside an English sentence
    return say("draft.cause_confirmed", ctx.lang, title=title)


def _finding(chain: RootCauseChain) -> str:
    """The chain's figure-level finding, to go inside a sentence."""
    text = chain.finding.rstrip("。.")
    return text[:1].lower() + text[1:] if text[:1].isascii() else text


def write_summary(ctx: DraftContext, draft: ReviewDraft, *, regions: list[str], targets: bool) -> str:
    coverage = ctx.cmp.value(ctx.engine.value("won_revenue", ctx.period, ctx.scope or None))
    missed = [c for c in draft.chains if c.kind == "gap"]
    declines = [c for c in draft.chains if c.kind in ("decline", "anomaly")]
    wins = [c for c in draft.chains if c.kind == "success"]
    first = (missed or declines)[0] if (missed or declines) else None
    parts = [
        _result(ctx, draft),
        coverage_note(ctx, coverage),
        missed_targets(ctx, draft, missed, regions, targets=targets, complete=coverage.ok),
        first_concern(ctx, first),
        next_concerns(ctx, [c for c in missed + declines if c is not first][:3]),
        what_went_well(ctx, wins),
        say("draft.nothing_declined", ctx.lang) if not missed and not declines and coverage.ok else None,
        actions_set(ctx, draft),
    ]
    said = [p for p in parts if p is not None]
    return "".join(said) if ctx.lang == "zh" else " ".join(p.strip() for p in said)


def coverage_note(ctx: DraftContext, coverage: Any) -> str | None:
    """An incomplete period: said before anyone reads a shortfall into it."""
    if coverage.ok:
        return None
    return say("draft.incomplete_period", ctx.lang, coverage=coverage.text(ctx.lang))


def missed_targets(
    ctx: DraftContext,
    draft: ReviewDraft,
    missed: list[RootCauseChain],
    regions: list[str],
    *,
    targets: bool,
    complete: bool,
) -> str | None:
    """Who missed target and by how much, or that every segment met it."""
    lang = ctx.lang
    where = ctx.dims.label("region", lang) if regions else ""
    if targets and not missed and complete:
        return say("draft.all_met", lang, where=where or say("draft.segment_word", lang))
    if not missed:
        return None
    names = say("draft.list_sep", lang).join(
        ctx.who(c.segment) + say("draft.short_by", lang, gap=fmt(_gap(draft, c), ctx.money, lang)) for c in missed
    )
    if len(regions) > 1 and len(missed) == len(regions):
        return say("draft.all_missed", lang, n=len(regions), where=where, names=names)
    return say("draft.missed", lang, names=names)


def first_concern(ctx: DraftContext, first: RootCauseChain | None) -> str | None:
    """The largest gap (or the main decline), what the data show and whether its cause is confirmed."""
    if first is None:
        return None
    finding = _finding(first)
    lead = say("draft.lead_gap" if first.kind == "gap" else "draft.lead_concern", ctx.lang)
    who, cause = ctx.who(first.segment), _cause_phrase(ctx, first)
    if finding:
        return say("draft.first_with_finding", ctx.lang, lead=lead, who=who, finding=finding, cause=cause)
    return say("draft.first_plain", ctx.lang, lead=lead, who=who, cause=cause)


def next_concerns(ctx: DraftContext, others: list[RootCauseChain]) -> str | None:
    if not others:
        return None
    names = say("draft.list_sep", ctx.lang).join(ctx.who(c.segment) for c in others)
    return say("draft.next_concerns", ctx.lang, names=names)


def what_went_well(ctx: DraftContext, wins: list[RootCauseChain]) -> str | None:
    if not wins:
        return None
    finding = _finding(wins[0])
    then = say("draft.then_clause", ctx.lang, text=finding) if finding else ""
    return say("draft.went_well", ctx.lang, who=ctx.who(wins[0].segment), finding=then)


def actions_set(ctx: DraftContext, draft: ReviewDraft) -> str:
    """How many actions the report sets, and how many start by checking their cause."""
    n = len(draft.actions)
    if not n:
        return say("draft.no_action", ctx.lang)
    checks = sum(1 for a in draft.actions if a.check_first)
    first = say("draft.checks_one" if checks == 1 else "draft.checks_many", ctx.lang, n=checks) if checks else ""
    return say("draft.actions_one" if n == 1 else "draft.actions_many", ctx.lang, n=n, checks=first)


def _gap(draft: ReviewDraft, chain: RootCauseChain) -> float:
    """The gap a missed-target chain's first link cites."""
    ev = next((draft.evidence[e] for e in chain.links[0].evidence if e in draft.evidence), None)
    return abs(ev.value or 0.0) if ev is not None else 0.0
