"""The deterministic review drafter: engine figures + note signals + the playbook → a ReviewDraft."""

from __future__ import annotations

from typing import Any

from agent import tools
from agent.ask import Collector
from agent.draft_chains import (
    action_for,
    align_moves,
    build_chain,
    choose_cause,
    failure_lesson,
    find_anomalies,
    find_problems,
    find_successes,
    replicate_action,
    success_lessons,
)
from agent.draft_goals import charts, goal_rows
from agent.draft_notes import load_notes, owner_for
from agent.numbers import fmt
from agent.playbook import load_playbook
from agent.router_periods import shift_quarter
from agent.signals import Note, looks_like_injection, mine_signals, notes_from_text, top_competitor
from agent.wording import segment_label
from fupan.deps import Deps
from fupan.errors import NotFound
from fupan.evidence import Evidence
from fupan.report import Finding, ReviewDraft

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


def _summary(draft: ReviewDraft, lang: str) -> str:
    head = draft.goals[0] if draft.goals else None
    parts = []
    if head and head.achievement is not None:
        who = segment_label(draft.scope, lang) if draft.scope or lang == "zh" else "The company"
        parts.append(
            _t(
                lang,
                f"{who} {draft.period} 销售额 {fmt(head.actual, head.unit, lang)}，目标 {fmt(head.target, head.unit, lang)}，达成率 {fmt(head.achievement, 'ratio', lang)}。",
                f"{who} booked {fmt(head.actual, head.unit, lang)} in {draft.period} against {fmt(head.target, head.unit, lang)}: {fmt(head.achievement, 'ratio', lang)} of target.",
            )
        )
    if draft.chains:
        top = draft.chains[0]
        parts.append(
            _t(
                lang,
                f"最大的问题在{segment_label(top.segment, lang)}，根因是{top.root_cause.split('：', 1)[-1]}",
                f"The largest problem is {segment_label(top.segment, lang)}; root cause: {top.root_cause.split(': ', 1)[-1]}",
            )
        )
        if len(draft.chains) > 1:
            others = "、".join(segment_label(c.segment, lang) for c in draft.chains[1:3])
            parts.append(_t(lang, f"其次是{others}。", f" Next come {others.replace('、', ', ')}."))
    parts.append(
        _t(
            lang,
            f"本报告提出 {len(draft.actions)} 项行动，均有责任人、期限和可衡量的目标。",
            f" The report sets {len(draft.actions)} actions, each with an owner, a deadline and a measurable target.",
        )
    )
    return "".join(parts) if lang == "zh" else " ".join(p.strip() for p in parts)


def _regions(engine: Any, scope: dict[str, str]) -> list[str]:
    return [scope["region"]] if "region" in scope else sorted(engine.dimension_values("region"))


def build_draft(
    deps: Deps, period: str, *, scope: dict[str, str], notes: str | None, language: str
) -> ReviewDraft:
    engine = tools.engine_for(deps)
    available = list(engine.periods_available())
    if period not in available:
        raise NotFound(
            f"no sales data for {period}", hint=f"periods with data: {', '.join(available) or 'none'}"
        )
    lang, col = language, Collector(language)
    regions = _regions(engine, scope)
    all_notes = load_notes(deps, period, scope) + (
        notes_from_text(notes, **_pasted_segment(scope), names=_names(engine)) if notes else []
    )
    signals = mine_signals(all_notes)
    set_aside = [n for n in all_notes if looks_like_injection(n.text)]
    competitor = top_competitor(signals)
    problems = find_problems(engine, period, scope, regions)
    total = sum(p.shortfall for p in problems if p.kind == "gap") or sum(p.shortfall for p in problems) or 0.0
    # revenue by rep against last quarter: read once, for the success lessons and the Pareto chart
    rep_rows = engine.compare(
        "won_revenue", period, shift_quarter(period, -1), by=["rep"], filters=scope or None
    ).rows
    missed = [p for p in problems if p.kind == "gap"]
    covered = {p.segment.get("region", "") for p in missed}
    successes = find_successes(engine, period, scope, regions)
    # what a manager reads first: the missed targets (largest gap first), then reps off pace, then what
    # worked, then the remaining declines by product or rep
    ordered = (
        missed
        + find_anomalies(engine, period, scope, covered)
        + sorted(successes, key=lambda p: -(p.headline.value or 0))[:1]
        + [p for p in problems if p.kind != "gap"]
    )
    chains, lessons, actions, used = [], [], [], set()
    weakest = max(missed, key=lambda p: p.shortfall).segment if missed else None
    for problem in ordered:
        if len(chains) >= MAX_CHAINS:
            break
        cause, sigs = choose_cause(problem, signals, used)
        align_moves(problem, cause, engine, period)
        if problem.kind != "success":
            used.add(cause.id)
        chain = build_chain(len(chains), problem, cause, sigs, period, total, lang, col, competitor)
        chains.append(chain)
        if problem.kind == "success":
            if weakest and weakest != problem.segment:
                actions.append(
                    replicate_action(
                        len(actions),
                        chain,
                        problem,
                        cause,
                        engine,
                        period,
                        weakest,
                        owner_for(deps, weakest),
                        lang,
                        col,
                    )
                )
            continue
        lessons.append(failure_lesson(len(lessons), chain, cause, lang))
        actions.append(
            action_for(len(actions), chain, cause, engine, period, owner_for(deps, chain.segment), lang, col)
        )
    lessons = success_lessons(engine, period, successes, rep_rows, lang, col) + lessons
    gap_rows = (
        [] if "region" in scope else engine.compute("gap", period, by=["region"], filters=scope or None).rows
    )
    for row in gap_rows:
        col.cite(row)
    # Pareto of the reps whose revenue fell against last quarter, largest drop first (one dimension only)
    pareto = [
        (segment_label({**scope, **row.dims}, lang), row)
        for row in sorted((r for r in rep_rows if (r.change or 0) < 0), key=lambda r: r.change)
    ]
    for _, row in pareto:
        col.cite(row.current)
        col.cite(row.base)
    quarters = sorted(p for p in available if "Q" in p and p <= period)[-5:]
    draft = ReviewDraft(
        period=period,
        language=lang,
        scope=scope,
        title=_t(
            lang,
            f"{segment_label(scope, lang)} {period} 销售复盘报告",
            f"{segment_label(scope, lang) if scope else 'Company'} {period} sales review",
        ),
        goals=goal_rows(engine, period, scope, regions if "region" not in scope else [], col),
        chains=chains,
        lessons=lessons,
        actions=actions,
        charts=charts(engine, period, scope, regions, quarters, col, gap_rows, pareto),
        snapshot_id=deps.sales.current_snapshot_id(),
        writer="deterministic",
        prompt_version=f"playbook-v{load_playbook().version}",
    )
    draft.evidence = {
        **col.evidence,
        **{k: v for k, v in _note_evidence(all_notes).items() if _cited(k, draft)},
    }
    draft.summary = _summary(draft, lang)
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


def _cited(evidence_id: str, draft: ReviewDraft) -> bool:
    return any(evidence_id in c.evidence for c in draft.chains) or any(
        evidence_id in lesson.evidence for lesson in draft.lessons
    )


def _names(engine: Any) -> dict[str, dict[str, str]]:
    """Words that name a segment in pasted notes: data values plus the regions' English aliases."""
    from knowledge.workspace_aliases import load_aliases

    names = {
        dim: {str(v): str(v) for v in engine.dimension_values(dim)} for dim in ("region", "rep", "product")
    }
    for region, words in load_aliases(engine.store.settings).values.get("region", {}).items():
        if region in names["region"]:
            names["region"].update({w: region for w in words if " " in w or len(w) > 5})
    return names


def _pasted_segment(scope: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in scope.items() if k in {"region", "rep"}}


__all__ = ["build_draft", "shift_quarter"]
