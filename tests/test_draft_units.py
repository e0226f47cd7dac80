"""The drafter's tree, chains and actions on their own (agent/draft_tree.py, agent/draft_chains.py,
agent/draft_actions.py), each given a small context: a scripted engine of a few figures and a comparability
rule that accepts them. Every function returns the figures it cites; nothing is registered on the side. The
draft as a whole is tested on the sample company (tests/test_draft_sample.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from engine_figures import metric_value as _mv

from agent.draft_actions import action_for, failure_lessons
from agent.draft_chains import CauseChoice, build_chain, headline_figures
from agent.draft_comparable import Verdict
from agent.draft_context import DraftContext, DraftPlan, evidence_of
from agent.draft_problems import Problem
from agent.draft_steps import Step, Tree, change_text, cite_row, row_figures
from agent.draft_tree import funnel_step
from agent.metric_values import ComparisonRow, MetricValue
from agent.playbook import load_playbook

P, B = "2026Q3", "2026Q2"


def _row(metric: str, now: float, before: float, unit: str = "ratio", **dims: str) -> ComparisonRow:
    return ComparisonRow(
        dims=dims,
        current=_mv(metric, P, now, unit, **dims),
        base=_mv(metric, B, before, unit, **dims),
        change=now - before,
        pct_change=(now - before) / before if before else None,
    )


@dataclass
class _Rows:
    rows: list[ComparisonRow]


class _Engine:
    """Answers `value` and `compare` from the figures it was given; anything else has no value."""

    money = "CNY"

    def __init__(self, rows: list[ComparisonRow]) -> None:
        self.by_metric = {r.current.metric: r for r in rows}

    def value(self, metric: str, period: str, filters: dict[str, str] | None = None) -> MetricValue:
        row = self.by_metric.get(metric)
        if row is None:
            return _mv(metric, period, None)
        return row.current if period == P else row.base

    def compare(self, metric: str, period: str, base: str, **_: Any) -> _Rows:
        return _Rows([self.by_metric.get(metric) or _row(metric, 0.0, 0.0)])


class _Comparable:
    """Every figure compares (the artefact rule is tested in tests/test_draft_comparable.py)."""

    fy = 1

    def row(self, _: Any) -> Verdict:
        return Verdict(True)

    def value(self, _: Any) -> Verdict:
        return Verdict(True)


def _ctx(lang: str, rows: list[ComparisonRow] | None = None) -> DraftContext:
    plan = DraftPlan(P, B, "2025Q3", [], {}, [[]], [], [])
    return DraftContext(_Engine(rows or []), plan, _Comparable(), lang)  # type: ignore[arg-type]


# ---- the tree -----------------------------------------------------------------------------------------
def test_a_change_is_worded_once_in_the_language_asked() -> None:
    fell, rose = _row("win_rate", 0.284, 0.438), _row("win_rate", 0.5, 0.4)
    zh, en = change_text(_ctx("zh"), fell), change_text(_ctx("en"), fell)
    assert "降至" in zh and "43.8%" in zh and "28.4%" in zh and "fell" not in zh
    assert en.startswith("win rate fell from 43.8% to 28.4%")
    assert " rose from " in change_text(_ctx("en"), rose) and "升至" in change_text(_ctx("zh"), rose)


def test_citing_names_ids_in_order_and_registers_nothing() -> None:
    ctx, row = _ctx("en"), _row("won_deals", 30, 40, "count")
    assert row_figures(row) == [row.current, row.base]
    assert cite_row(ctx, row) == [row.current.evidence_id, row.base.evidence_id]
    assert not hasattr(ctx, "col")  # no collector rides on the context any more


def test_a_funnel_step_returns_the_figures_its_evidence_names() -> None:
    rows = [
        _row("pipeline_created", 80, 100, "count"),
        _row("conversion_lead_to_opportunity", 0.2, 0.3),
        _row("conversion_opportunity_to_order", 0.5, 0.4),  # moved the good way: not part of a fall
    ]
    step = funnel_step(_ctx("en", rows), {}, good=False)
    assert step is not None and step.kind == "funnel"
    assert step.figures == row_figures(rows[0], rows[1])
    assert step.evidence == [f.evidence_id for f in step.figures]
    assert step.claim.startswith("The funnel: ") and "conversion" not in step.short


# ---- the chains ---------------------------------------------------------------------------------------
def _gap_problem() -> Problem:
    drivers = _row("win_rate", 0.284, 0.438)
    step = Step(
        claim="the win rate fell.",
        short="the win rate fell",
        evidence=[drivers.current.evidence_id, drivers.base.evidence_id],
        kind="drivers",
        figures=row_figures(drivers),
    )
    gap = _mv("gap", P, -1200000.0, region="华东")
    return Problem(
        {"region": "华东"}, 1200000.0, gap, "gap", Tree(moves=[drivers], steps=[step], main="win_rate")
    )


@pytest.mark.parametrize(("lang", "word"), [("zh", "待核实"), ("en", "to check")])
def test_a_chain_without_records_ends_in_a_hypothesis_to_check(lang: str, word: str) -> None:
    problem = _gap_problem()
    cause = load_playbook().cause("competitor_price_cut")
    chain = build_chain(
        _ctx(lang),
        0,
        problem,
        CauseChoice(cause, notes=[], loss_reasons=False),
        total=problem.shortfall,
        competitor=None,
        has_notes=False,
        has_reasons=False,
        owner="Ana",
    )
    assert chain.hypothesis and chain.links[-1].grade == "hypothesis" and word in chain.root_cause
    assert chain.links[0].evidence == ["metric:gap:2026Q3:region=华东"] and chain.gap_share == 1.0
    assert chain.evidence == sorted({e for link in chain.links for e in link.evidence})
    assert "Ana" in chain.check  # who confirms it
    assert headline_figures(problem) == [problem.headline]


def test_a_rep_off_pace_cites_the_regions_figure_beside_its_own() -> None:
    row = _row("win_rate", 0.2, 0.5, rep="Li", region="华东")
    peer = _mv("win_rate", P, 0.45, "ratio", region="华东")
    tree = Tree(moves=[], steps=[])
    in_region = Problem({"region": "华东", "rep": "Li"}, 0.0, row, "anomaly", tree, peer=peer)
    no_region = Problem({"rep": "Li"}, 0.0, row, "anomaly", tree, peer=peer)
    assert headline_figures(in_region) == [row.current, row.base, peer]
    assert headline_figures(no_region) == [row.current, row.base]


# ---- the actions --------------------------------------------------------------------------------------
def test_an_action_is_measurable_and_returns_the_figure_it_cites() -> None:
    rows = [_row("win_rate", 0.284, 0.438)]
    chain = build_chain(
        _ctx("en", rows),
        0,
        _gap_problem(),
        CauseChoice(load_playbook().cause("competitor_price_cut"), notes=[], loss_reasons=False),
        total=1.0,
        competitor=None,
        has_notes=True,
        has_reasons=True,
        owner="Ana",
    )
    item, figures = action_for(
        _ctx("en", rows), 0, chain, load_playbook().cause(chain.cause_id), "Ana", check_first=True
    )
    assert figures == [rows[0].current] and item.evidence == ["metric:win_rate:2026Q3"]
    assert item.metric == "win_rate" and item.baseline == pytest.approx(0.284) and item.target > item.baseline
    assert item.action.startswith("[") and "First, within two weeks, check the cause" in item.action
    assert str(item.deadline) == "2026-12-31" and item.period == "2026Q4"


def test_failure_lessons_name_each_segment_once_per_cause_and_say_if_confirmed() -> None:
    problem = _gap_problem()
    cause = load_playbook().cause("competitor_price_cut")
    chains = [
        build_chain(
            _ctx("en"),
            i,
            problem.__class__(seg, 1.0, problem.headline, "gap", problem.tree),
            CauseChoice(cause, notes=[], loss_reasons=False),
            total=2.0,
            competitor=None,
            has_notes=False,
            has_reasons=False,
            owner="",
        )
        for i, seg in enumerate([{"region": "华东"}, {"region": "华南"}])
    ]
    [lesson] = failure_lessons(_ctx("en"), chains)
    assert lesson.type == "failure" and lesson.content.startswith("If competitor price cuts is confirmed")
    assert "华东, 华南" in lesson.content


def test_the_drafts_evidence_keeps_each_figure_once_where_it_was_first_cited() -> None:
    a, b = _mv("won_revenue", P, 1.0), _mv("won_revenue", B, 2.0)
    assert list(evidence_of([a, b, a], "en")) == [a.evidence_id, b.evidence_id]
    zh, en = (evidence_of([a], lang)[a.evidence_id].label for lang in ("zh", "en"))
    assert zh.startswith(P) and en.startswith(P) and zh != en  # labelled in the draft's language
