"""The summary a director reads first: the result, then the problems (largest first, with what the data show
and whether the cause is confirmed or still to check), then what went well, then the actions. When nothing was
missed it says so, and a success is never called a problem."""

from __future__ import annotations

from typing import Any

from agent.draft_context import DraftContext
from agent.numbers import fmt
from fupan.report import GoalResult, ReviewDraft, RootCauseChain


def _result(ctx: DraftContext, draft: ReviewDraft) -> str:
    head: GoalResult | None = draft.goals[0] if draft.goals else None
    who = ctx.who(draft.scope) if draft.scope else ctx.t("全公司", "The company")
    if head is None or head.actual is None:
        return ctx.t(
            f"{who} {draft.period} 没有可报告的销售额。",
            f"{who} has no revenue to report for {draft.period}.",
        )
    actual = fmt(head.actual, head.unit or ctx.money, ctx.lang)
    if head.achievement is not None and head.target is not None:
        return ctx.t(
            f"{who} {draft.period} 销售额 {actual}，目标 {fmt(head.target, head.unit or ctx.money, ctx.lang)}，达成率 {fmt(head.achievement, 'ratio', ctx.lang)}。",
            f"{who} booked {actual} in {draft.period} against {fmt(head.target, head.unit or ctx.money, ctx.lang)}: "
            f"{fmt(head.achievement, 'ratio', ctx.lang)} of target.",
        )
    note = f"（{head.note}）" if head.note and ctx.lang == "zh" else (f" ({head.note})" if head.note else "")
    return ctx.t(
        f"{who} {draft.period} 销售额 {actual}{note}；未导入该期目标。",
        f"{who} booked {actual} in {draft.period}{note}; no target was imported for it.",
    )


def _cause_phrase(ctx: DraftContext, chain: RootCauseChain) -> str:
    from agent.playbook import load_playbook

    cause = load_playbook().cause(chain.cause_id)
    if chain.hypothesis:
        return ctx.t(
            f"原因待核实（{cause.question.zh}）", f"the cause is still to check ({cause.question.en})"
        )
    return ctx.t(
        f"原因是{cause.title.zh}（有记录佐证）", f"the cause is {cause.title.en.lower()} (records confirm it)"
    )


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
        ctx.t("本期没有明显的下滑。", "Nothing declined markedly this period.")
        if not missed and not declines and coverage.ok
        else None,
        actions_set(ctx, draft),
    ]
    said = [p for p in parts if p is not None]
    return "".join(said) if ctx.lang == "zh" else " ".join(p.strip() for p in said)


def coverage_note(ctx: DraftContext, coverage: Any) -> str | None:
    """An incomplete period: said before anyone reads a shortfall into it."""
    if coverage.ok:
        return None
    return ctx.t(
        f"注意：{coverage.text('zh')}，本期结果暂不与目标或上季度比较。",
        f"Note: {coverage.text('en')}, so this period is not compared with its target or the last one yet.",
    )


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
    where = ctx.dims.label("region", ctx.lang) if regions else ""
    if targets and not missed and complete:
        return ctx.t(
            f"各{where or '部分'}均完成了目标，本期没有未完成的目标。",
            f"Every {where or 'segment'} met its target: nothing was missed this period.",
        )
    if not missed:
        return None
    names = ctx.t("、", ", ").join(
        ctx.who(c.segment)
        + ctx.t(
            f"（缺口 {fmt(_gap(draft, c), ctx.money, ctx.lang)}）",
            f" (short by {fmt(_gap(draft, c), ctx.money, ctx.lang)})",
        )
        for c in missed
    )
    if len(regions) > 1 and len(missed) == len(regions):
        return ctx.t(
            f"全部 {len(regions)} 个{where}均未完成目标：{names}。",
            f"All {len(regions)} {where}s missed target: {names}.",
        )
    return ctx.t(f"未完成目标的有：{names}。", f"Missed target: {names}.")


def first_concern(ctx: DraftContext, first: RootCauseChain | None) -> str | None:
    """The largest gap (or the main decline), what the data show and whether its cause is confirmed."""
    if first is None:
        return None
    finding = _finding(first)
    lead = ctx.t(
        "最大的缺口在" if first.kind == "gap" else "最需要关注的是",
        "The largest gap is in" if first.kind == "gap" else "The main concern is",
    )
    if finding:
        return ctx.t(
            f"{lead}{ctx.who(first.segment)}：{finding}；{_cause_phrase(ctx, first)}。",
            f"{lead} {ctx.who(first.segment)}: {finding}; {_cause_phrase(ctx, first)}.",
        )
    return ctx.t(
        f"{lead}{ctx.who(first.segment)}，{_cause_phrase(ctx, first)}。",
        f"{lead} {ctx.who(first.segment)}; {_cause_phrase(ctx, first)}.",
    )


def next_concerns(ctx: DraftContext, others: list[RootCauseChain]) -> str | None:
    if not others:
        return None
    return ctx.t(
        f"其次需要关注：{'、'.join(ctx.who(c.segment) for c in others)}。",
        f"Next: {', '.join(ctx.who(c.segment) for c in others)}.",
    )


def what_went_well(ctx: DraftContext, wins: list[RootCauseChain]) -> str | None:
    if not wins:
        return None
    win = wins[0]
    finding = _finding(win)
    return ctx.t(
        f"做得好的：{ctx.who(win.segment)}" + (f"，{finding}" if finding else "") + "。",
        f"What went well: {ctx.who(win.segment)}" + (f", {finding}" if finding else "") + ".",
    )


def actions_set(ctx: DraftContext, draft: ReviewDraft) -> str:
    """How many actions the report sets, and how many start by checking their cause."""
    if not draft.actions:
        return ctx.t("本报告没有需要跟进的行动。", "The report sets no action.")
    checks = sum(1 for a in draft.actions if a.check_first)
    return ctx.t(
        f"本报告提出 {len(draft.actions)} 项行动"
        + (f"（其中 {checks} 项需先核实原因）" if checks else "")
        + "，均有责任人、期限和可衡量的目标。",
        f"The report sets {len(draft.actions)} action{'' if len(draft.actions) == 1 else 's'}"
        + (f" ({checks} start{'s' if checks == 1 else ''} by checking {'its' if checks == 1 else 'their'} cause)" if checks else "")
        + ", each with an owner, a deadline and a measurable target.",
    )


def _gap(draft: ReviewDraft, chain: RootCauseChain) -> float:
    """The gap a missed-target chain's first link cites."""
    ev = next((draft.evidence[e] for e in chain.links[0].evidence if e in draft.evidence), None)
    return abs(ev.value or 0.0) if ev is not None else 0.0
