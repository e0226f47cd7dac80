"""The deterministic review drafter: engine figures + note signals + the playbook → a ReviewDraft.

It reads every figure up front (agent/draft_context.py: three packs), finds what to explain
(agent/draft_problems.py), walks the quantitative tree under each (agent/draft_tree.py), ends each chain in a cause
confirmed by notes or loss reasons or in a hypothesis to check (agent/draft_chains.py), answers each cause once
(agent/draft_actions.py, agent/draft_merge.py) and writes a summary that reads true (agent/draft_summary.py).
"""

from __future__ import annotations

from typing import Any

from agent import tools
from agent.ask import Collector
from agent.draft_actions import action_for, failure_lessons, replicate_action, success_lessons
from agent.draft_chains import build_chain, choose_cause
from agent.draft_comparable import Comparability, DataSpan, data_span
from agent.draft_context import DraftContext, make_plan, prefetch
from agent.draft_goals import charts, goal_rows
from agent.draft_merge import merge_actions, unique_lessons
from agent.draft_notes import load_notes, owner_for
from agent.draft_problems import find_anomalies, find_problems, find_successes
from agent.draft_summary import write_summary
from agent.playbook import load_playbook
from agent.signals import Note, looks_like_injection, mine_signals, notes_from_text, top_competitor
from agent.wording import segment_label
from fupan.errors import NotFound
from fupan.evidence import Evidence
from fupan.periods import parse_period, same_period_last_year
from fupan.report import Finding, ReviewDraft
from knowledge.deps import Deps

MAX_CHAINS = 6


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


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
    key = f"data_span:{deps.sales.current_snapshot_id()}"
    cache = deps._cache  # noqa: SLF001 — per-snapshot values live in the Deps service cache
    if key not in cache:
        cache[key] = data_span(deps.sales.connection)
    return cache[key]


def _regions(engine: Any, scope: dict[str, str], span: DataSpan) -> list[str]:
    if "region" in scope:
        return [scope["region"]]
    return sorted(engine.dimension_values("region")) if span.distinct.get("region") else []


def build_draft(
    deps: Deps, period: str, *, scope: dict[str, str], notes: str | None, language: str
) -> ReviewDraft:
    engine = tools.engine_for(deps)
    available = list(engine.periods_available())
    if period not in available:
        raise NotFound(
            f"no sales data for {period}", hint=f"periods with data: {', '.join(available) or 'none'}"
        )
    lang, fy = language, deps.settings.fiscal_year_start_month
    span = span_for(deps)
    quarters = sorted(p for p in available if "Q" in p and p <= period)[-5:]
    plan = make_plan(period, scope, span, quarters, fy)
    prefetch(engine, plan)
    ctx = DraftContext(
        engine, plan, Comparability(span, engine, fy), Collector(lang), deps.sales.dimensions()
    )
    regions = _regions(engine, scope, span)
    all_notes = load_notes(deps, period, scope) + (
        notes_from_text(notes, **_pasted_segment(scope), names=_names(engine, span)) if notes else []
    )
    signals = mine_signals(all_notes)
    set_aside = [n for n in all_notes if looks_like_injection(n.text)]
    competitor = top_competitor(signals)
    problems = find_problems(ctx, regions)
    missed = [p for p in problems if p.kind == "gap"]
    # the share of a chain: of the missed targets' gap, or without targets, of the revenue the scope lost
    whole = engine.compare("won_revenue", period, plan.base, filters=scope or None).rows[0]
    total = sum(p.shortfall for p in missed) or max(-(whole.change or 0.0), 0.0)
    rep_rows = (
        engine.compare("won_revenue", period, plan.base, by=["rep"], filters=scope or None).rows
        if plan.has({}, ["rep"])
        else []
    )
    successes = find_successes(ctx, regions)
    covered = {p.segment.get("region", "") for p in missed}
    # what a manager reads first: the missed targets (largest gap first), then reps off pace, then what
    # worked, then the remaining declines by product or rep
    ordered = (
        missed
        + find_anomalies(ctx, covered)
        + sorted(successes, key=_success_rank)[:1]
        + [p for p in problems if p.kind != "gap"]
    )
    chains, actions, used = [], [], set()
    weakest = max(missed, key=lambda p: p.shortfall).segment if missed else None
    for problem in ordered[:MAX_CHAINS]:
        choice = choose_cause(problem, signals, used)
        if problem.kind != "success":
            used.add(choice.cause.id)
        owner = owner_for(deps, problem.segment, lang)
        chain = build_chain(
            ctx,
            len(chains),
            problem,
            choice,
            total,
            competitor,
            has_notes=bool(all_notes),
            has_reasons=span.loss_reasons > 0,
            owner=owner,
        )
        chains.append(chain)
        if problem.kind == "success":
            if weakest and weakest != problem.segment:
                actions.append(
                    replicate_action(
                        ctx, len(actions), chain, problem, choice, weakest, owner_for(deps, weakest, lang)
                    )
                )
            continue
        actions.append(
            action_for(ctx, len(actions), chain, choice.cause, owner, check_first=not choice.confirmed)
        )
    actions = merge_actions(ctx, actions, chains)
    lessons = unique_lessons(success_lessons(ctx, successes, rep_rows) + failure_lessons(ctx, chains))
    col = ctx.col
    gap_rows = (
        []
        if "region" in scope or not regions
        else engine.compute("gap", period, by=["region"], filters=scope or None).rows
    )
    for row in gap_rows:
        col.cite(row)
    # Pareto of the reps whose revenue fell against last quarter, largest drop first (one dimension only)
    pareto = [
        (segment_label({**scope, **row.dims}, lang), row)
        for row in sorted(
            (r for r in rep_rows if r.dims.get("rep") and (r.change or 0) < 0 and ctx.cmp.row(r).ok),
            key=lambda r: r.change,
        )
    ]
    for _, row in pareto:
        col.cite(row.current)
        col.cite(row.base)
    yoy = same_period_last_year(parse_period(period, fy)).label
    draft = ReviewDraft(
        period=period,
        language=lang,
        scope=scope,
        title=_t(
            lang,
            f"{segment_label(scope, lang)} {period} 销售复盘报告",
            f"{segment_label(scope, lang) if scope else 'Company'} {period} sales review",
        ),
        goals=goal_rows(
            engine, period, scope, regions if "region" not in scope else [], col, ctx.cmp, (plan.base, yoy)
        ),
        chains=chains,
        lessons=lessons,
        actions=actions,
        charts=charts(engine, period, scope, regions, quarters, col, gap_rows, pareto, ctx.cmp),
        snapshot_id=deps.sales.current_snapshot_id(),
        writer="deterministic",
        prompt_version=f"playbook-v{load_playbook().version}",
    )
    draft.evidence = {
        **col.evidence,
        **{k: v for k, v in _note_evidence(all_notes).items() if _cited(k, draft)},
    }
    targets = any(g.target is not None for g in draft.goals)
    draft.summary = write_summary(ctx, draft, regions=regions, targets=targets)
    draft.findings = [
        Finding(
            check="injection",
            severity="warning",
            location="notes",
            message=_t(
                lang,
                "该记录含有针对系统的指令性文字，已作为数据处理，未用作证据",
                "this note contains instruction-like text; it was treated as data and not used as evidence",
            ),
            value=n.evidence_id,
        )
        for n in set_aside
    ]
    return draft


def _success_rank(problem: Any) -> float:
    """Successes against target by achievement, then growth against last period by its size."""
    head = problem.headline
    return -(head.change or 0) if hasattr(head, "current") else -(head.value or 0)


def _cited(evidence_id: str, draft: ReviewDraft) -> bool:
    return any(evidence_id in c.evidence for c in draft.chains) or any(
        evidence_id in lesson.evidence for lesson in draft.lessons
    )


def _names(engine: Any, span: DataSpan) -> dict[str, dict[str, str]]:
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
