"""Engine figures for tests of the drafter's parts: a MetricValue with the evidence id the engine would give it."""

from __future__ import annotations

from agent.metric_values import MetricValue


def metric_value(metric: str, period: str, value: float | None, unit: str = "CNY", **dims: str) -> MetricValue:
    key = ":".join(f"{k}={v}" for k, v in sorted(dims.items()))
    return MetricValue(
        metric=metric,
        period=period,
        dims=dims,
        value=value,
        unit=unit,
        evidence_id=f"metric:{metric}:{period}" + (f":{key}" if key else ""),
    )
