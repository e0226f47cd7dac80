"""SMART validation of action items."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.smart import check_action, period_end
from fupan.report import ActionItem


def item(**changes: object) -> ActionItem:
    base = dict(
        id="A1",
        action="经理每周陪访",
        owner="王强",
        deadline=dt.date(2026, 12, 31),
        metric="win_rate",
        baseline=0.31,
        target=0.36,
        checkpoint="月末复核赢单率",
    )
    base.update(changes)
    return ActionItem.model_validate(base)


def test_period_end() -> None:
    assert period_end("2026Q3") == dt.date(2026, 9, 30)
    assert period_end("2026Q4") == dt.date(2026, 12, 31)


def test_a_complete_item_passes() -> None:
    assert check_action(item(), "2026Q3") == []


def test_lower_is_better_metric_needs_a_lower_target() -> None:
    assert check_action(item(metric="sales_cycle_median", baseline=48.0, target=40.0), "2026Q3") == []
    assert check_action(item(metric="sales_cycle_median", baseline=48.0, target=55.0), "2026Q3")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"owner": "待定"}, "owner"),
        ({"owner": "TBD"}, "owner"),
        ({"deadline": dt.date(2026, 9, 30)}, "after the review period"),
        ({"deadline": dt.date(2026, 8, 1)}, "after the review period"),
        ({"deadline": dt.date(2028, 1, 1)}, "more than a year"),
        ({"metric": "happiness"}, "not in the registry"),
        ({"target": 0.25}, "above the baseline"),
        ({"target": 0.31}, "equals the baseline"),
        ({"baseline": float("nan")}, "finite"),
        ({"checkpoint": ""}, "checkpoint"),
    ],
)
def test_each_broken_rule_is_named(changes: dict[str, object], message: str) -> None:
    findings = check_action(item(**changes), "2026Q3")
    assert findings and all(f.check == "smart" for f in findings)
    assert any(message in f.message for f in findings), findings
