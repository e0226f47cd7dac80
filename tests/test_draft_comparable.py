"""The one artefact rule (agent/draft_comparable.py), case by case: what may be reported as a finding, and why
not otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.draft_comparable import (
    MIN_BASE,
    MIN_MATERIAL_SHARE,
    MIN_SHARE_BASE,
    MIN_SHARE_POINTS,
    Comparability,
    DataSpan,
)
from agent.metric_engine import ComparisonRow, MetricValue

SPAN = DataSpan(
    first=dt.date(2025, 6, 15),
    last=dt.date(2026, 9, 30),
    first_won=dt.date(2025, 7, 11),
    stages=frozenset({"lead", "qualified", "won", "lost"}),
    cycle_days=34.0,
    cycles_all_zero=False,
)
ORDERS = DataSpan(
    first=dt.date(2016, 1, 3),
    last=dt.date(2019, 12, 30),
    first_won=dt.date(2016, 1, 3),
    stages=frozenset({"won"}),
    cycle_days=0.0,
    cycles_all_zero=True,
)


class _Won:
    """Stands in for the engine: the won deals behind a cycle figure."""

    def __init__(self, won: float) -> None:
        self.won = won

    def value(self, metric: str, period: str, dims: object = None) -> MetricValue:
        return _mv("won_deals", period, self.won)


def _mv(metric: str, period: str, value: float | None, den: float | None = None) -> MetricValue:
    return MetricValue(
        metric=metric,
        period=period,
        value=value,
        unit="",
        evidence_id=f"metric:{metric}:{period}",
        numerator=value,
        denominator=den,
    )


@pytest.mark.parametrize(
    ("span", "value", "code"),
    [
        (SPAN, _mv("win_rate", "2026Q3", 0.42, 257), ""),
        (SPAN, _mv("win_rate", "2026Q3", 0.5, MIN_BASE - 1), "tiny_base"),
        (SPAN, _mv("won_revenue", "2025Q2", 1e6), "partial"),  # the data start mid-June
        (SPAN, _mv("won_revenue", "2024Q3", 0.0), "no_data"),
        (SPAN, _mv("repurchase_rate", "2025Q3", 0.0, 80), "no_history"),  # nothing won before July 2025
        (SPAN, _mv("new_customers", "2025Q4", 60), ""),
        (SPAN, _mv("conversion_opportunity_to_order", "2026Q3", 0.24, 200), "immature"),  # cohort still open
        (SPAN, _mv("conversion_opportunity_to_order", "2026Q2", 0.47, 200), ""),
        (ORDERS, _mv("win_rate", "2019Q4", 1.0, 500), "untracked_lost"),
        (ORDERS, _mv("conversion_lead_to_opportunity", "2019Q4", 1.0, 500), "untracked_lead"),
        (ORDERS, _mv("conversion_opportunity_to_order", "2019Q4", 1.0, 500), "untracked_open"),
        (ORDERS, _mv("pipeline_created", "2019Q4", 280054.0), "untracked_open"),  # orders: the revenue again
        (SPAN, _mv("pipeline_created", "2026Q3", 5e6), ""),
        (ORDERS, _mv("sales_cycle_median", "2019Q4", 0.0), "untracked_cycle"),
        (ORDERS, _mv("won_revenue", "2019Q4", 280054.0), ""),  # the export ends Dec 30: within a week's slack
    ],
)
def test_value_verdicts(span: DataSpan, value: MetricValue, code: str) -> None:
    verdict = Comparability(span).value(value)
    assert (verdict.ok, verdict.code) == (not code, code)
    assert bool(verdict.text("zh")) == bool(code) and bool(verdict.text("en")) == bool(code)


def test_a_cycle_rests_on_the_won_deals_behind_it() -> None:
    cycle = _mv("sales_cycle_median", "2026Q3", 82.0)
    assert Comparability(SPAN, _Won(MIN_BASE)).value(cycle).ok
    tiny = Comparability(SPAN, _Won(MIN_BASE - 1)).value(cycle)
    assert (
        tiny.code == "tiny_base" and tiny.text("en") == f"only {MIN_BASE - 1} in 2026Q3, too few to compare"
    )


def test_a_change_is_comparable_only_when_both_values_are() -> None:
    rule = Comparability(SPAN)
    now, before = _mv("repurchase_rate", "2026Q3", 0.5375, 80), _mv("repurchase_rate", "2025Q3", 0.0, 75)
    verdict = rule.change(now, before)
    assert not verdict.ok and verdict.text("zh") == "2025Q3 之前没有赢单记录，无法判断新老客户"
    assert rule.change(now, _mv("repurchase_rate", "2026Q2", 0.4779, 113)).ok
    missing = rule.change(_mv("win_rate", "2026Q3", 0.4, 50), _mv("win_rate", "2026Q2", None, 0))
    assert missing.code in ("no_data", "tiny_base")


def test_shares_need_a_larger_base_than_rates() -> None:
    rule = Comparability(SPAN)
    assert not rule.base_ok(MIN_SHARE_BASE - 1) and rule.base_ok(MIN_SHARE_BASE) and not rule.base_ok(None)
    assert MIN_SHARE_BASE > MIN_BASE


def _row(metric: str, now: float, before: float) -> ComparisonRow:
    return ComparisonRow(
        dims={}, current=_mv(metric, "2026Q3", now), base=_mv(metric, "2026Q2", before),
        change=now - before, pct_change=None,
    )


def test_a_count_trend_needs_a_base_in_one_of_its_periods() -> None:
    rule = Comparability(SPAN)
    tiny = rule.row(_row("new_customers", 2, 3))  # "new customers fell from 3 to 2" is one customer
    assert (tiny.ok, tiny.code) == (False, "tiny_base")
    assert rule.row(_row("new_customers", 2, MIN_SHARE_BASE)).ok  # from 10 to 2 is a fall
    assert rule.row(_row("won_revenue", 2.0, 3.0)).ok  # amounts are judged by the deals behind them
    # the same count inside a share is judged by the share's base, not as a trend of its own
    assert rule.change(_mv("won_deals", "2026Q3", 2), _mv("won_deals", "2026Q2", 3)).ok


def test_a_mix_shift_moves_enough_points() -> None:
    rule = Comparability(SPAN)
    assert not rule.share_move_ok(0.0, 0.01) and not rule.share_move_ok(0.167, 0.186)
    assert rule.share_move_ok(0.25, 0.61) and rule.share_move_ok(0.30, 0.30 - MIN_SHARE_POINTS - 1e-9)


def test_one_segments_fall_is_a_finding_only_when_material_and_on_enough_deals() -> None:
    rule = Comparability(SPAN)
    fall = _row("won_revenue", 1794.0, 6458.0)  # one binder among 1,800 products
    deals = (_mv("won_deals", "2026Q3", 2), _mv("won_deals", "2026Q2", 4))
    assert rule.segment_move(fall, 196_252.0, deals).code == "tiny_base"
    many = (_mv("won_deals", "2026Q3", 40), _mv("won_deals", "2026Q2", 60))
    assert rule.segment_move(fall, 196_252.0, many).code == "immaterial"  # 2.4% of the whole
    big = _row("won_revenue", 100_000.0, 100_000.0 + MIN_MATERIAL_SHARE * 1e6)
    assert rule.segment_move(big, 1e6, many).ok
    assert not rule.segment_move(big, None, many).ok
