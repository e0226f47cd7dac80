"""The one artefact rule (agent/draft_comparable.py), case by case: what may be reported as a finding, and why
not otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.draft_comparable import MIN_BASE, MIN_SHARE_BASE, Comparability, DataSpan
from agent.metric_engine import MetricValue

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
