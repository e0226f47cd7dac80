"""The drafter's chains, lessons and actions (agent/draft_chains.py) on their own, over the 7-deal fixture of
tests/fixtures/sales with the real metric engine. Expected values are derived by hand in the comments.

2026Q3 won revenue by region: 华东 100 (O1) against a target of 300, 华南 300 (O3) against 200, 华北 nothing
against 100. 华东's win rate is 1 won / 2 decided = 0.5 in Q3 and 0 won / 1 decided (O7) in Q2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.ask import Collector
from agent.draft_chains import _round_target, action_for, failure_lesson, find_problems
from agent.metric_engine import MetricEngine
from agent.playbook import load_playbook
from fupan.report import RootCauseChain, WhyLink
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore

FIX = Path(__file__).parent / "fixtures" / "sales"
REGIONS = ["华东", "华南", "华北"]
EAST_WIN_RATE = "metric:win_rate:2026Q3:region=华东"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricEngine]:
    store = SalesStore(load_settings(workspace=tmp_path_factory.mktemp("ws")))
    store.import_file(FIX / "opportunities_en.csv", "opportunities")
    store.import_file(FIX / "targets.csv", "targets")
    yield MetricEngine(store)
    store.close()


def _chain() -> RootCauseChain:
    return RootCauseChain(
        id="C1",
        problem="East missed its target",
        category="product_market",
        segment={"region": "华东"},
        links=[WhyLink(claim="win rate fell", evidence=[EAST_WIN_RATE])],
        root_cause="a competitor cut prices",
        evidence=[EAST_WIN_RATE],
    )


def test_problems_are_the_regions_that_missed_largest_shortfall_first(engine: MetricEngine) -> None:
    problems = find_problems(engine, "2026Q3", {}, REGIONS)
    gaps = [(p.segment, p.shortfall) for p in problems if p.kind == "gap"]
    assert gaps == [({"region": "华东"}, 200.0), ({"region": "华北"}, 100.0)]  # 华南 beat its target
    assert [p.shortfall for p in problems] == sorted((p.shortfall for p in problems), reverse=True)
    assert all(p.shortfall > 0 for p in problems)


def test_a_scoped_draft_looks_only_inside_its_scope(engine: MetricEngine) -> None:
    problems = find_problems(engine, "2026Q3", {"region": "华东"}, REGIONS)
    assert problems and all(p.segment.get("region") == "华东" for p in problems)


def test_an_action_is_measured_on_the_driver_its_chain_explained(engine: MetricEngine) -> None:
    cause = next(c for c in load_playbook().causes if c.id == "competitor_price_cut")
    col = Collector("en")
    item = action_for(0, _chain(), cause, engine, "2026Q3", "张三", "en", col)
    # win rate 0.5 now, 0 the quarter before (nothing to recover): the target is 10% better, 0.55
    assert (item.metric, item.baseline, item.target) == ("win_rate", 0.5, 0.55)
    assert (item.period, item.deadline) == ("2026Q4", dt.date(2026, 12, 31))
    assert item.segment == {"region": "华东"} and item.owner == "张三"
    assert item.evidence == [EAST_WIN_RATE] and EAST_WIN_RATE in col.evidence
    assert "2026Q4" in item.action and "reviewed by 2026-12-31" in item.checkpoint


def test_the_same_action_in_chinese_carries_the_same_numbers(engine: MetricEngine) -> None:
    cause = next(c for c in load_playbook().causes if c.id == "competitor_price_cut")
    en = action_for(0, _chain(), cause, engine, "2026Q3", "张三", "en", Collector("en"))
    zh = action_for(0, _chain(), cause, engine, "2026Q3", "张三", "zh", Collector("zh"))
    assert (zh.metric, zh.baseline, zh.target, zh.deadline) == (en.metric, en.baseline, en.target, en.deadline)
    assert zh.action != en.action and "2026Q4" in zh.action


def test_a_failure_lesson_names_the_segment_and_keeps_the_chain_evidence() -> None:
    cause = next(c for c in load_playbook().causes if c.id == "competitor_price_cut")
    lesson = failure_lesson(1, _chain(), cause, "en")
    assert (lesson.id, lesson.type) == ("F2", "failure")
    assert lesson.content.startswith(cause.lesson.en) and "competitor price cuts" in lesson.content
    assert lesson.scenario == cause.lesson.scenario.en and lesson.evidence == [EAST_WIN_RATE]


@pytest.mark.parametrize(
    ("value", "unit", "better", "expected"),
    [
        (7.2, "count", True, 8.0),  # a count aimed up rounds up, aimed down rounds down
        (7.8, "count", False, 7.0),
        (0.55555, "ratio", True, 0.556),
        (1_234_567.0, "CNY", True, 1_235_000.0),  # money to the thousand
        (63.46, "days", False, 63.5),
    ],
)
def test_targets_are_rounded_for_their_unit(value: float, unit: str, better: bool, expected: float) -> None:
    assert _round_target(value, unit, better) == expected
