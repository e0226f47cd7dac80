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
from agent.draft_steps import Step, change_text, row_figures
from agent.metric_values import ComparisonRow, MetricValue
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
def headline_figures(problem: Problem) -> list[MetricValue]:
    """The engine values a chain's first link cites: the gap or achievement against target; else the
    comparison, and for a rep off pace the region's figure beside it."""
    if isinstance(problem.headline, MetricValue):  # the gap or achievement against target
        return [problem.headline]
    figures = row_figures(problem.headline)
    peer = problem.peer
    if (
        problem.kind == "anomaly"
        and peer is not None
        and peer.value is not None
        and problem.segment.get("region")
    ):
        figures.append(peer)
    return figures


def headline_link(ctx: DraftContext, problem: Problem) -> WhyLink:
    who, period = ctx.who(problem.segment), ctx.period
    ids = ctx.cite(*headline_figures(problem))
    row = problem.headline
    if isinstance(row, MetricValue):  # the gap or achievement against target
        if problem.kind == "gap":
            gap = fmt(problem.shortfall, ctx.money, ctx.lang)
            claim = ctx.say("chain.missed_target", who=who, period=period, gap=gap)
        else:
            ach = fmt(row.value, "ratio", ctx.lang)
            claim = ctx.say("chain.beat_target", who=who, period=period, achievement=ach)
        return WhyLink(claim=claim, evidence=ids, grade="figure")
    if problem.kind == "anomaly":
        peer, region = problem.peer, problem.segment.get("region", "")
        peer_text = ""
        if peer is not None and peer.value is not None and region:
            where = ctx.who({"region": region})
            peer_text = ctx.say("chain.peer", where=where, value=fmt(peer.value, peer.unit, ctx.lang))
        return WhyLink(
            claim=ctx.say("chain.anomaly", who=who, change=change_text(ctx, row), peer=peer_text),
            evidence=ids,
            grade="figure",
        )
    if problem.kind == "success":
        return WhyLink(
            claim=ctx.say("chain.largest_growth", who=who, change=change_text(ctx, row)),
            evidence=ids,
            grade="figure",
        )
    whole = ctx.engine.compare("won_revenue", ctx.period, ctx.base, filters=ctx.scope or None).rows[0]
    # when the whole did not fall, this fall is the largest part that did, not a source of a decline
    said = ctx.say("chain.main_source" if (whole.change or 0) < 0 else "chain.largest_fall")
    return WhyLink(
        claim=ctx.say("chain.decline", who=who, change=change_text(ctx, row), said=said),
        evidence=ids,
        grade="figure",
    )


def _step_link(ctx: DraftContext, step: Step) -> WhyLink:
    return WhyLink(
        claim=ctx.say("chain.why_step", claim=step.claim), evidence=step.evidence, grade=step.grade
    )  # type: ignore[arg-type]


def _notes_link(ctx: DraftContext, choice: CauseChoice, competitor: str | None) -> WhyLink:
    sigs, cause = choice.notes, choice.cause
    quotes = ctx.say("draft.clause_sep").join(ctx.say("chain.quote", text=s.excerpt) for s in sigs[:2])
    named = competitor if competitor and "competitor" in cause.signals else None
    who_comp = ctx.say("chain.named", name=named) if named else ""
    return WhyLink(
        claim=ctx.say(
            "chain.notes_point_to", title=cause.title.inline(ctx.lang), named=who_comp, quotes=quotes
        ),
        evidence=[s.evidence_id for s in sigs],
        grade="record",
    )


def how_to_check(ctx: DraftContext, cause: Cause, *, has_notes: bool, has_reasons: bool, owner: str) -> str:
    """What would confirm the cause: the playbook's check, the data the workspace lacks, the person to ask."""
    missing = []
    if not has_reasons:
        missing.append(ctx.say("chain.no_loss_reasons"))
    if not has_notes:
        missing.append(ctx.say("chain.no_notes"))
    tail = ctx.say("chain.confirm_with", owner=owner) if owner else ""
    gaps = ctx.say("chain.missing", text=ctx.say("draft.clause_sep").join(missing)) if missing else ""
    return f"{cause.check.get(ctx.lang)}{gaps}{tail}"


def _hypothesis_link(ctx: DraftContext, choice: CauseChoice, check: str) -> WhyLink:
    cause = choice.cause
    questions = cause.hypotheses[ctx.lang]
    asked = questions if choice.confirmed else [cause.question.get(ctx.lang), questions[0]]
    return WhyLink(
        claim=ctx.say("chain.hypothesis", text=ctx.say("chain.question_sep").join(asked)),
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
    if isinstance(row, ComparisonRow):
        return change_text(ctx, row)
    return ctx.say("chain.result_off_plan")


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
    why = ctx.inline(cause.why[ctx.lang][0])
    root = ctx.say("chain.confirmed_root", who=who, title=cause.title.get(ctx.lang), why=why)
    sources = []
    if choice.notes:
        sources.append(ctx.say("chain.n_notes", n=len(choice.notes)))
    if choice.loss_reasons:
        sources.append(ctx.say("chain.crm_loss_reasons"))
    verification = ctx.say("chain.confirmed_check", sources=ctx.say("chain.source_sep").join(sources))
    return root, verification


def cause_to_check(ctx: DraftContext, who: str, cause: Cause, finding: str, check: str) -> tuple[str, str]:
    """The root cause as a hypothesis to check, when nothing but the figures supports it."""
    low = ctx.inline(finding)
    root = ctx.say("chain.root_to_check", who=who, finding=low, question=cause.question.get(ctx.lang))
    verification = ctx.say("chain.check_to_check", finding=low, check=check)
    return root, verification


__all__ = ["CauseChoice", "build_chain", "choose_cause", "headline_figures", "headline_link", "how_to_check"]
