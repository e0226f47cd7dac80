"""5-Why chains whose every link says what supports it.

A chain walks down from the result (a missed target, a decline, a rep off pace, a success) through the
quantitative tree (agent/draft_tree.py) — computed figures — to what customers and reps recorded: call and visit
notes, and the CRM's loss reasons. Those records can confirm a playbook cause; then the root cause is stated,
with the records cited. When nothing records it, the cause that fits the figures best is a *hypothesis to
check*: worded as a question, with what would confirm it (the notes, the CRM field, or the person to ask), and
the root cause says only what the data show and asks the question. The deeper "whys" of the playbook are
always questions: no note can show that "we were single-threaded with the user department".
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.draft_context import DraftContext
from agent.draft_problems import Problem
from agent.draft_tree import Step, change_text, cite_row
from agent.numbers import fmt
from agent.playbook import Cause, best_causes
from agent.signals import Signal, link_signals
from fupan.report import RootCauseChain, WhyLink

MAX_LINKS = 5


@dataclass
class CauseChoice:
    """The playbook cause a chain concludes with, and what records support it."""

    cause: Cause
    notes: list[Signal]
    loss_reasons: bool

    @property
    def confirmed(self) -> bool:
        return bool(self.notes) or self.loss_reasons


def _signal_counts(signals: list[Signal]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for s in signals:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    return counts


def choose_cause(problem: Problem, signals: list[Signal], used: set[str]) -> CauseChoice:
    """The cause that best fits the tree's figures, the segment's notes and its loss reasons."""
    linked = link_signals(signals, problem.segment)
    moved = {r.current.metric: ("up" if (r.change or 0) > 0 else "down") for r in problem.moves}
    own = _signal_counts([s for s in linked if s.segment])
    counts = {
        k: own.get(k, 0) + 0.3 * v for k, v in _signal_counts([s for s in linked if not s.segment]).items()
    }
    counts = {**own, **counts}
    records = set(problem.tree.supported_causes)
    findings = problem.tree.findings
    if problem.kind == "success":
        cause = best_causes(moved, counts, success=True, findings=findings)[0]
    else:
        cause = best_causes(moved, counts, findings=findings, records=records)[0]
        if cause.id in used and not any(own.get(kind) for kind in cause.signals) and cause.id not in records:
            # without notes or loss reasons, prefer a cause not yet used
            cause = best_causes(moved, counts, exclude=used, findings=findings, records=records)[0]
    return CauseChoice(cause, _supporting(linked, cause), cause.id in records)


def _supporting(linked: list[Signal], cause: Cause) -> list[Signal]:
    """Up to three distinct notes whose signals fit the cause; notes naming the segment first."""
    evidence: list[Signal] = []

    def fit(s: Signal) -> tuple[bool, int]:
        text = s.excerpt.lower()
        return (not s.segment, -sum(1 for k in cause.keywords if k.lower() in text))

    for s in sorted(linked, key=fit):
        if s.kind in cause.signals and s.evidence_id not in {e.evidence_id for e in evidence}:
            evidence.append(s)
    return evidence[:3]


# ---- the links ------------------------------------------------------------------------------------------
def headline_link(ctx: DraftContext, problem: Problem) -> WhyLink:
    who, period = ctx.who(problem.segment), ctx.period
    if problem.kind in ("gap", "success") and getattr(problem.headline, "metric", "") in (
        "gap",
        "achievement_rate",
    ):
        ctx.cite(problem.headline)
        if problem.kind == "gap":
            claim = ctx.t(
                f"{who} {period} 未完成销售额目标，缺口 {fmt(problem.shortfall, ctx.money, ctx.lang)}。",
                f"{who} missed its {period} revenue target by {fmt(problem.shortfall, ctx.money, ctx.lang)}.",
            )
        else:
            ach = fmt(problem.headline.value, "ratio", ctx.lang)
            claim = ctx.t(
                f"{who} {period} 超额完成销售额目标，达成率 {ach}。",
                f"{who} beat its {period} revenue target: {ach} of target.",
            )
        return WhyLink(claim=claim, evidence=[problem.headline.evidence_id], grade="figure")
    row = problem.headline
    if problem.kind == "anomaly":
        peer, region = problem.peer, problem.segment.get("region", "")
        peer_text = ""
        ids = cite_row(ctx, row)
        if peer is not None and peer.value is not None and region:
            where = ctx.who({"region": region})
            peer_text = ctx.t(
                f"，同期{where}整体为 {fmt(peer.value, peer.unit, ctx.lang)}",
                f", against {fmt(peer.value, peer.unit, ctx.lang)} for {where} as a whole",
            )
            ids += ctx.cite(peer)
        return WhyLink(
            claim=ctx.t(
                f"{who} 的{change_text(ctx, row)}{peer_text}，明显偏离团队水平。",
                f"For {who}, {change_text(ctx, row)}{peer_text}: well off the team's pace.",
            ),
            evidence=ids,
            grade="figure",
        )
    if problem.kind == "success":
        return WhyLink(
            claim=ctx.t(
                f"{who} 的{change_text(ctx, row)}，是本期增长最多的部分。",
                f"For {who}, {change_text(ctx, row)}, the largest growth this period.",
            ),
            evidence=cite_row(ctx, row),
            grade="figure",
        )
    whole = ctx.engine.compare("won_revenue", ctx.period, ctx.base, filters=ctx.scope or None).rows[0]
    if (whole.change or 0) < 0:
        said = ctx.t("，是销售额下滑的主要来源之一。", ", one of the main sources of the revenue decline.")
    else:  # the whole did not fall: this fall is the largest part that did, not a source of a decline
        said = ctx.t("，是本期下滑最多的部分（整体销售额未下滑）。", ", the largest fall this period (revenue as a whole did not fall).")
    return WhyLink(
        claim=ctx.t(f"{who} 的{change_text(ctx, row)}{said}", f"For {who}, {change_text(ctx, row)}{said}"),
        evidence=cite_row(ctx, row),
        grade="figure",
    )


def _step_link(ctx: DraftContext, step: Step) -> WhyLink:
    return WhyLink(
        claim=ctx.t(f"为什么？{step.claim}", f"Why? {step.claim}"), evidence=step.evidence, grade=step.grade
    )  # type: ignore[arg-type]


def _notes_link(ctx: DraftContext, choice: CauseChoice, competitor: str | None) -> WhyLink:
    sigs, cause = choice.notes, choice.cause
    quote = (
        "；".join(f"“{s.excerpt}”" for s in sigs[:2])
        if ctx.lang == "zh"
        else "; ".join(f'"{s.excerpt}"' for s in sigs[:2])
    )
    named = competitor if competitor and "competitor" in cause.signals else None
    who_comp = ctx.t(f"（{named}）", f" ({named})") if named else ""
    return WhyLink(
        claim=ctx.t(
            f"为什么？客户记录指向{cause.title.zh}{who_comp}：{quote}",
            f"Why? Customer notes point to {cause.title.en.lower()}{who_comp}: {quote}",
        ),
        evidence=[s.evidence_id for s in sigs],
        grade="record",
    )


def how_to_check(ctx: DraftContext, cause: Cause, *, has_notes: bool, has_reasons: bool, owner: str) -> str:
    """What would confirm the cause: the playbook's check, the data the workspace lacks, the person to ask."""
    missing = []
    if not has_reasons:
        missing.append(
            ctx.t(
                "数据中没有丢单原因字段，建议在 CRM 中补录",
                "the export has no loss-reason column; record it in the CRM",
            )
        )
    if not has_notes:
        missing.append(ctx.t("本期尚无拜访或通话记录可查", "no call or visit notes of the period are loaded"))
    tail = ctx.t(f"；负责核实：{owner}", f"; to confirm with: {owner}") if owner else ""
    gaps = ctx.t(f"（{'；'.join(missing)}）", f" ({'; '.join(missing)})") if missing else ""
    return f"{cause.check.get(ctx.lang)}{gaps}{tail}"


def _hypothesis_link(ctx: DraftContext, choice: CauseChoice, check: str) -> WhyLink:
    cause = choice.cause
    questions = cause.hypotheses[ctx.lang]
    asked = questions if choice.confirmed else [cause.question.get(ctx.lang), questions[0]]
    text = "".join(asked) if ctx.lang == "zh" else " ".join(asked)
    return WhyLink(
        claim=ctx.t(f"待核实的假设：{text}", f"Hypothesis to check: {text}"),
        evidence=[],
        grade="hypothesis",
        check=check[:600],
    )


def _finding(ctx: DraftContext, problem: Problem, shown: list[Step]) -> str:
    """What the data show at the deepest figure level the chain reached: the phrase the root cause starts from."""
    figures = [s for s in shown if s.grade == "figure"]
    deep = next((s for s in figures if s.kind in ("source", "mix", "customers", "funnel", "focus")), None)
    step = deep or (figures[0] if figures and problem.kind != "anomaly" else None)
    if step is not None:
        return step.short
    row = problem.headline
    if hasattr(row, "current"):
        return change_text(ctx, row)
    return ctx.t("本期结果与计划不符", "the result differs from plan")


def build_chain(
    ctx: DraftContext,
    index: int,
    problem: Problem,
    choice: CauseChoice,
    total: float,
    competitor: str | None,
    *,
    has_notes: bool,
    has_reasons: bool,
    owner: str,
) -> RootCauseChain:
    links = [headline_link(ctx, problem)]
    cause, who = choice.cause, ctx.who(problem.segment)
    tail = [_notes_link(ctx, choice, competitor)] if choice.notes else []
    check = how_to_check(ctx, cause, has_notes=has_notes, has_reasons=has_reasons, owner=owner)
    tail.append(_hypothesis_link(ctx, choice, check))
    room = MAX_LINKS - 1 - len(tail)
    steps = problem.tree.steps
    # records that support the chosen cause first among the figures' room, then the figures in tree order
    records = [s for s in steps if s.grade == "record" and cause.id in s.causes]
    figures = [s for s in steps if s not in records and s.grade == "figure"]
    chosen = (figures[:1] + records + figures[1:])[: max(room, 1)]
    links += [_step_link(ctx, s) for s in chosen] + tail
    finding = _finding(ctx, problem, chosen)
    root, verification = (
        confirmed_cause(ctx, who, choice)
        if choice.confirmed
        else cause_to_check(ctx, who, cause, finding, check)
    )
    ids = sorted({e for link in links for e in link.evidence})
    return RootCauseChain(
        id=f"C{index + 1}",
        problem=links[0].claim[:400],
        category=cause.category,
        segment=problem.segment,
        links=links[:MAX_LINKS],
        root_cause=root[:600],
        kind=problem.kind,  # type: ignore[arg-type]
        cause_id=cause.id,
        gap_share=(
            round(problem.shortfall / total, 4) if total and 0 < problem.shortfall <= total * 1.0001 else None
        ),
        finding=finding[:400],
        verification=verification[:1000],
        hypothesis=not choice.confirmed,
        check=check[:600],
        evidence=ids,
    )


def confirmed_cause(ctx: DraftContext, who: str, choice: CauseChoice) -> tuple[str, str]:
    """The root cause and how it was verified, when notes or loss reasons confirm it."""
    cause = choice.cause
    root = ctx.t(
        f"{who}：{cause.title.zh}——{cause.why['zh'][0]}。",
        f"{who}: {cause.title.en} — {cause.why['en'][0][:1].lower()}{cause.why['en'][0][1:]}.",
    )
    sources = []
    if choice.notes:
        sources.append(ctx.t(f"{len(choice.notes)} 条客户记录", f"{len(choice.notes)} customer notes"))
    if choice.loss_reasons:
        sources.append(ctx.t("CRM 丢单原因", "the CRM's loss reasons"))
    verification = ctx.t(
        f"指标逐层下钻（销售额 → 驱动指标 → 结构/销售）与 {'、'.join(sources)}相互印证。",
        f"The metric drill-down (revenue → driver → mix/rep) and {' and '.join(sources)} agree.",
    )
    return root, verification


def cause_to_check(ctx: DraftContext, who: str, cause: Cause, finding: str, check: str) -> tuple[str, str]:
    """The root cause as a hypothesis to check, when nothing but the figures supports it."""
    low = finding[:1].lower() + finding[1:] if ctx.lang == "en" else finding
    root = ctx.t(
        f"{who}：{finding}。原因待核实——{cause.question.zh}",
        f"{who}: {low}. The cause is still to check — {cause.question.en}",
    )
    verification = ctx.t(
        f"数据只说明到“{finding}”为止；尚无客户记录或丢单原因佐证，原因是待核实的假设。核实方法：{check}",
        f"The data show only that {low}; no customer note or loss reason supports a cause yet, so it is "
        f"a hypothesis. To confirm: {check}",
    )
    return root, verification


__all__ = ["CauseChoice", "build_chain", "choose_cause", "headline_link", "how_to_check"]
