"""The SMART check for action items: owner, deadline after the review period, a registry metric,
numeric baseline and target in the direction the metric improves."""

from __future__ import annotations

import datetime as dt
import math

from fupan.periods import parse_period
from fupan.report import ActionItem, Finding

_PLACEHOLDER_OWNERS = {"tbd", "todo", "待定", "未定", "n/a", "na", "-", "—", "?", "someone", "某人"}


def _finding(location: str, message: str, value: object = None) -> Finding:
    return Finding(
        check="smart", location=location, message=message, value=None if value is None else str(value)
    )


def period_end(period: str) -> dt.date:
    """Last day of a period label (2026Q3 → 2026-09-30)."""
    return parse_period(period).end - dt.timedelta(days=1)


def _check_metric(item: ActionItem, location: str) -> list[Finding]:
    from agent.wording import higher_is_better, registry

    if item.metric not in registry():
        return [_finding(location, "metric is not in the registry", item.metric)]
    if not all(math.isfinite(v) for v in (item.baseline, item.target)):
        return [_finding(location, "baseline and target must be finite numbers")]
    better = higher_is_better(item.metric)
    if item.target == item.baseline:
        return [_finding(location, "target equals the baseline: nothing to improve", item.target)]
    if (item.target > item.baseline) != better:
        word = "above" if better else "below"
        return [_finding(location, f"target must be {word} the baseline for {item.metric}", item.target)]
    return []


def check_action(item: ActionItem, period: str, *, location: str = "") -> list[Finding]:
    """SMART findings for one action item drafted in the review of `period`."""
    where = location or f"actions[{item.id}]"
    findings: list[Finding] = []
    if item.owner.strip().lower() in _PLACEHOLDER_OWNERS:
        findings.append(_finding(where, "owner is missing", item.owner))
    end = period_end(period)
    if item.deadline <= end:
        findings.append(
            _finding(where, f"deadline must be after the review period ends ({end})", item.deadline)
        )
    elif item.deadline > end + dt.timedelta(days=366):
        findings.append(_finding(where, "deadline is more than a year after the period", item.deadline))
    if not item.action.strip() or not item.checkpoint.strip():
        findings.append(_finding(where, "action and checkpoint (deliverable) must be stated"))
    findings += _check_metric(item, where)
    return findings
