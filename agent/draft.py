"""The deterministic review drafter: engine figures + note signals + the playbook → a ReviewDraft.

It reads every figure up front (agent/draft_context.py: three packs), finds what to explain
(agent/draft_problems.py), walks the quantitative tree under each (agent/draft_tree.py), ends each chain in a cause
confirmed by notes or loss reasons or in a hypothesis to check (agent/draft_chains.py), answers each cause once
(agent/draft_actions.py, agent/draft_merge.py) and writes a summary that reads true (agent/draft_summary.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent import tools
from agent.draft_actions import action_for, failure_lessons, replicate_action, success_lessons
from agent.draft_chains import build_chain, choose_cause, headline_figures
from agent.draft_comparable import Comparability, DataSpan, data_span
from agent.draft_context import DraftContext, DraftPlan, evidence_of, make_plan, prefetch
from agent.draft_goals import charts, goal_rows
from agent.draft_merge import merge_actions, unique_lessons
from agent.draft_notes import load_notes, owner_for
from agent.draft_problems import Problem, find_anomalies, find_problems, find_successes
from agent.draft_steps import row_figures
from agent.draft_summary import write_summary
from agent.metric_values import ComparisonRow, MetricValue
from agent.playbook import load_playbook
from agent.signals import Note, Signal, looks_like_injection, mine_signals, notes_from_text, top_competitor
from agent.wording import segment_label
from fupan.errors import NotFound
from fupan.evidence import Evidence
from fupan.messages import say
from fupan.periods import Period, parse_period, quarters_through
from fupan.report import ActionItem, Finding, ReviewDraft, RootCauseChain
from knowledge.deps import Deps

if TYPE_CHECKING:
    from agent.metric_engine import MetricEngine

MAX_CHAINS = 6


def _note_evidence(notes: list[Note]) -> dict[str, Evidence]:
    return {
        n.evidence_id: Evidence(
            id=n.evidence_id,
            kind="note",
            text=n.text[:1000],
            label=f"{n.rep} {n.date}".strip(),
            metadata={k: v for k in ("rep", "region", "customer", "date") if (v := getattr(n, k))},
        )
        for n in notes
    }


def span_for(deps: Deps) -> DataSpan:
    """What the data cover (dates, stages, dimensions), read once per snapshot."""
    snapshot = str(deps.sales.current_snapshot_id())
    return deps.cached_for("data_span", snapshot, lambda: data_span(deps.sales.connection))


def _regions(engine: MetricEngine, scope: dict[str, str], span: DataSpan) -> list[str]:
    if "region" in scope:
        return [scope["region"]]
    return sorted(engine.dimension_values("region")) if span.distinct.get("region") else []


def build_draft(
    deps: Deps, period: str, *, scope: dict[str, str], notes: str | None, language: str
) -> ReviewDraft:
    engine = tools.engine_for(deps)
    lang, fy = language, deps.settings.fiscal_year_start_month
    span = span_for(deps)
    quarters = recent_quarters(available_periods(engine, period), parse_period(period, fy))
    plan = make_plan(period, scope, span, quarters, fy)
    prefetch(engine, plan)
    ctx = DraftContext(engine, plan, Comparability(span, engine, fy), lang, deps.sales.dimensions())
    regions = _regions(engine, scope, span)
    all_notes = review_notes(deps, engine, span, period, scope, notes)
    signals = mine_signals(all_notes)
    problems, problem_figs = find_problems(ctx, regions)
    missed = [p for p in problems if p.kind == "gap"]
    total = chain_share_base(engine, period, plan.base, scope, missed)
    rep_rows = rep_changes(engine, period, plan, scope)
    successes, success_figs = find_successes(ctx, regions)
    ordered, anomaly_figs = problems_in_reading_order(ctx, problems, missed, successes)
    evidence = ChainEvidence(signals, top_competitor(signals), bool(all_notes), span.loss_reasons > 0)
    chains, actions, chain_figs = chains_and_actions(deps, ctx, ordered[:MAX_CHAINS], missed, evidence, total)
    actions = merge_actions(ctx, actions, chains)
    successes_learnt, lesson_figs = success_lessons(ctx, successes, rep_rows)
    lessons = unique_lessons(successes_learnt + failure_lessons(ctx, chains))
    gap_rows = region_gaps(ctx, scope, regions)
    pareto = rep_pareto(ctx, scope, rep_rows)
    goals, goal_figs = goal_rows(
        engine, period, scope, regions if "region" not in scope else [], lang, ctx.cmp, (plan.base, plan.yoy)
    )
    specs, chart_figs = charts(engine, period, scope, regions, quarters, lang, gap_rows, pareto, ctx.cmp)
    draft = ReviewDraft(
        period=period,
        language=lang,
        scope=scope,
        title=title(scope, period, lang),
        goals=goals,
        chains=chains,
        lessons=lessons,
        actions=actions,
        charts=specs,
        snapshot_id=deps.sales.current_snapshot_id(),
        writer="deterministic",
        prompt_version=f"playbook-v{load_playbook().version}",
    )
    # every figure cited, in the order it was read: trees, chains and actions, lessons, gaps and reps, goals, charts
    figures = [*problem_figs, *success_figs, *anomaly_figs, *chain_figs, *lesson_figs, *gap_rows]
    figures += [*pareto_figures(pareto), *goal_figs, *chart_figs]
    draft.evidence = {**evidence_of(figures, lang), **cited_note_evidence(all_notes, draft)}
    targets = any(g.target is not None for g in draft.goals)
    draft.summary = write_summary(ctx, draft, regions=regions, targets=targets)
    draft.findings = injection_findings([n for n in all_notes if looks_like_injection(n.text)], lang)
    return draft


def available_periods(engine: MetricEngine, period: str) -> list[str]:
    """The periods with sales data; `NotFound` when the one asked for is not among them."""
    available = list(engine.periods_available())
    if period not in available:
        raise NotFound(
            f"no sales data for {period}", hint=f"periods with data: {', '.join(available) or 'none'}"
        )
    return available


def recent_quarters(available: list[str], period: Period) -> list[str]:
    """The last five quarters with data that end by the end of the period: the trend chart's categories."""
    return [q.label for q in quarters_through(available, period)][-5:]


def review_notes(
    deps: Deps, engine: MetricEngine, span: DataSpan, period: str, scope: dict[str, str], pasted: str | None
) -> list[Note]:
    """The stored notes of the period and scope, then the notes pasted for this review."""
    stored = load_notes(deps, period, scope)
    if not pasted:
        return stored
    return stored + notes_from_text(pasted, **_pasted_segment(scope), names=_names(engine, span))


def chain_share_base(
    engine: MetricEngine, period: str, base: str, scope: dict[str, str], missed: list[Problem]
) -> float:
    """What a chain's share is of: the missed targets' gap, or without targets, the revenue the scope lost."""
    whole = engine.compare("won_revenue", period, base, filters=scope or None).rows[0]
    return sum(p.shortfall for p in missed) or max(-(whole.change or 0.0), 0.0)


def rep_changes(
    engine: MetricEngine, period: str, plan: DraftPlan, scope: dict[str, str]
) -> list[ComparisonRow]:
    """Each rep's revenue against the base period, when the data name reps."""
    if not plan.has({}, ["rep"]):
        return []
    return engine.compare("won_revenue", period, plan.base, by=["rep"], filters=scope or None).rows


def problems_in_reading_order(
    ctx: DraftContext, problems: list[Problem], missed: list[Problem], successes: list[Problem]
) -> tuple[list[Problem], list[MetricValue]]:
    """What a manager reads first: the missed targets (largest gap first), then reps off pace, then what
    worked, then the remaining declines by product or rep; with the figures the reps' trees cited."""
    covered = {p.segment.get("region", "") for p in missed}
    anomalies, figures = find_anomalies(ctx, covered)
    ordered = (
        missed
        + anomalies
        + sorted(successes, key=_success_rank)[:1]
        + [p for p in problems if p.kind != "gap"]
    )
    return ordered, figures


@dataclass(frozen=True)
class ChainEvidence:
    """What the chains can draw on besides the figures: the notes' signals and top competitor, and whether
    the review has notes and the data loss reasons at all."""

    signals: list[Signal]
    competitor: str | None
    has_notes: bool
    has_reasons: bool


def chains_and_actions(
    deps: Deps,
    ctx: DraftContext,
    problems: list[Problem],
    missed: list[Problem],
    evidence: ChainEvidence,
    total: float,
) -> tuple[list[RootCauseChain], list[ActionItem], list[MetricValue]]:
    """One chain per problem, each ending in a cause no earlier problem took; an action per problem (a
    success's action replicates it in the weakest segment); and the figures they cite, in order."""
    chains: list[RootCauseChain] = []
    actions: list[ActionItem] = []
    figures: list[MetricValue] = []
    used: set[str] = set()
    weakest = max(missed, key=lambda p: p.shortfall).segment if missed else None
    for problem in problems:
        choice = choose_cause(problem, evidence.signals, used)
        if problem.kind != "success":
            used = used | {choice.cause.id}
        owner = owner_for(deps, problem.segment, ctx.lang)
        chain = build_chain(
            ctx,
            len(chains),
            problem,
            choice,
            total,
            evidence.competitor,
            has_notes=evidence.has_notes,
            has_reasons=evidence.has_reasons,
            owner=owner,
        )
        chains = [*chains, chain]
        figures += headline_figures(problem)
        if problem.kind != "success":
            action, cited = action_for(
                ctx, len(actions), chain, choice.cause, owner, check_first=not choice.confirmed
            )
        elif weakest and weakest != problem.segment:
            weakest_owner = owner_for(deps, weakest, ctx.lang)
            action, cited = replicate_action(
                ctx, len(actions), chain, problem, choice, weakest, weakest_owner
            )
        else:
            continue
        actions = [*actions, action]
        figures += cited
    return chains, actions, figures


def region_gaps(ctx: DraftContext, scope: dict[str, str], regions: list[str]) -> list[MetricValue]:
    """Each region's gap to target (company-wide reviews only): the gap chart's figures, each cited."""
    if "region" in scope or not regions:
        return []
    return list(ctx.engine.compute("gap", ctx.period, by=["region"], filters=scope or None).rows)


def rep_pareto(
    ctx: DraftContext, scope: dict[str, str], rep_rows: list[ComparisonRow]
) -> list[tuple[str, ComparisonRow]]:
    """The reps whose revenue fell against the base period, largest drop first, with their labels: the Pareto
    chart's figures (`pareto_figures`)."""
    falling = (r for r in rep_rows if r.dims.get("rep") and (r.change or 0) < 0 and ctx.cmp.row(r).ok)
    pareto = [
        (segment_label({**scope, **row.dims}, ctx.lang), row)
        for row in sorted(falling, key=lambda r: r.change)
    ]
    return pareto


def pareto_figures(pareto: list[tuple[str, ComparisonRow]]) -> list[MetricValue]:
    """The values the Pareto chart cites: each falling rep's revenue now and in the base period."""
    return row_figures(*(row for _, row in pareto))


def title(scope: dict[str, str], period: str, lang: str) -> str:
    return say(
        "draft.title",
        lang,
        scope=segment_label(scope, lang) if scope else say("draft.company", lang),
        period=period,
    )


def cited_note_evidence(notes: list[Note], draft: ReviewDraft) -> dict[str, Evidence]:
    """The notes a chain or a lesson cites, as evidence."""
    return {k: v for k, v in _note_evidence(notes).items() if _cited(k, draft)}


def injection_findings(set_aside: list[Note], lang: str) -> list[Finding]:
    """A warning per note that carries instruction-like text: it was read as data, never as evidence."""
    return [
        Finding(
            check="injection",
            severity="warning",
            location="notes",
            message=say("draft.injection", lang),
            value=n.evidence_id,
        )
        for n in set_aside
    ]


def _success_rank(problem: Problem) -> float:
    """Successes against target by achievement, then growth against last period by its size."""
    head = problem.headline
    return -(head.change or 0) if hasattr(head, "current") else -(head.value or 0)


def _cited(evidence_id: str, draft: ReviewDraft) -> bool:
    return any(evidence_id in c.evidence for c in draft.chains) or any(
        evidence_id in lesson.evidence for lesson in draft.lessons
    )


def _names(engine: MetricEngine, span: DataSpan) -> dict[str, dict[str, str]]:
    """Words that name a segment in pasted notes: data values plus the regions' English aliases."""
    from knowledge.workspace_aliases import load_aliases

    names = {
        dim: {str(v): str(v) for v in engine.dimension_values(dim)}
        for dim in ("region", "rep", "product")
        if span.distinct.get(dim)
    }
    region_aliases = load_aliases(engine.store.settings).values.get("region", {}) if "region" in names else {}
    for region, words in region_aliases.items():
        if region in names["region"]:
            names["region"].update({w: region for w in words if " " in w or len(w) > 5})
    return names


def _pasted_segment(scope: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in scope.items() if k in {"region", "rep"}}


__all__ = ["build_draft"]
