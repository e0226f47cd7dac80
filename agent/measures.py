"""Metrics over the measures the user's file brings (profit, quantity, discount, cost …; `MeasureDef`).

Each measure gives metric ids the engine runs like any registry metric, over the won lines whose close date
falls in the period (for order-line data, every order line; Superstore's Sales and Profit are per line):

- `<measure>__sum`  — Σ measure (a blank value adds nothing);
- `<measure>__mean` — Σ measure ÷ the number of lines where it is filled;
- `<measure>__margin` — for a profit-like money measure only: Σ measure ÷ Σ amount over the lines where both
  are filled (profit margin = Σ profit ÷ Σ sales).

The definitions are built from the `MeasureDef`s of the data this process has opened (`register`), so
`REGISTRY[...]` (agent/metrics.py) resolves them like the built-in metrics, evidence ids included
(`metric:profit__sum:2017:region=West`).
"""

from __future__ import annotations

import re
from typing import Literal

from agent.metric_def import WON, MetricDef
from fupan.dimensions import DimensionRegistry, MeasureDef

MeasureAggregation = Literal["sum", "mean", "margin"]
AGGREGATIONS: tuple[MeasureAggregation, ...] = ("sum", "mean", "margin")
_SEP = "__"
_KNOWN: dict[str, MeasureDef] = {}  # the measures of the data opened in this process, by id
_LOWER_IS_BETTER = re.compile(r"cost|discount|freight|tax|expense|fee|days|成本|折扣|运费|税|费用|天", re.I)


def register(registry: DimensionRegistry) -> None:
    """Make the measures of this data resolvable as metrics (idempotent; cheap)."""
    for m in registry.measures:
        if _KNOWN.get(m.id) != m:
            _KNOWN[m.id] = m


def metric_id(measure_id: str, aggregation: str) -> str:
    return f"{measure_id}{_SEP}{aggregation}"


def parse(metric: str) -> tuple[str, MeasureAggregation] | None:
    """(measure id, aggregation) of a measure metric id; None for any other metric."""
    measure, sep, agg = metric.rpartition(_SEP)
    if not sep or agg not in AGGREGATIONS or not measure:
        return None
    return measure, agg  # type: ignore[return-value]


def is_measure_metric(metric: str | None) -> bool:
    return bool(metric) and parse(metric or "") is not None


def metrics_of(m: MeasureDef) -> list[str]:
    """The metric ids a measure offers: sum and mean, and margin for a profit-like money measure."""
    return [metric_id(m.id, a) for a in AGGREGATIONS if a != "margin" or m.margin]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def definition(m: MeasureDef, aggregation: str) -> MetricDef | None:
    """The MetricDef of one aggregation of a measure (None for a margin of a measure that has none)."""
    col = m.id
    filled = f"{WON} AND {col} IS NOT NULL"
    lower = bool(_LOWER_IS_BETTER.search(" ".join([m.header, m.name_en, m.name_zh])))
    source = f"“{m.header}”" if m.derived is None else f"“{m.header}” ({m.derived})"
    if aggregation == "sum":
        plain_sum = m.aggregation == "sum"
        return MetricDef(
            id=metric_id(col, "sum"),
            name_zh=m.name_zh if plain_sum else f"{m.name_zh}合计",
            name_en=_cap(m.name_en) if plain_sum else f"Total {m.name_en}",
            definition_zh=f"期间内赢单（订单行）的{source}列合计。",
            definition_en=f"Sum of the column {source} over the won lines (order lines) closed in the period.",
            unit=m.unit if m.unit not in ("ratio",) else "number",  # type: ignore[arg-type]
            higher_is_better=not lower,
            aggregation="sum",
            numerator_sql=f"sum({col}) FILTER (WHERE {WON})",
        )
    if aggregation == "mean":
        return MetricDef(
            id=metric_id(col, "mean"),
            name_zh=f"平均{m.name_zh}",
            name_en=f"Average {m.name_en}",
            definition_zh=f"期间内赢单（订单行）的{source}列平均值（有值的行）。",
            definition_en=f"Mean of the column {source} over the won lines (order lines) closed in the period "
            "that have a value.",
            unit=m.unit,  # type: ignore[arg-type]
            higher_is_better=not lower,
            aggregation="mean",
            numerator_sql=f"sum({col}) FILTER (WHERE {filled})",
            denominator_sql=f"count({col}) FILTER (WHERE {filled})",
        )
    if aggregation == "margin" and m.margin:
        both = f"{filled} AND amount IS NOT NULL"
        return MetricDef(
            id=metric_id(col, "margin"),
            name_zh=f"{m.name_zh}率",
            name_en=f"{_cap(m.name_en)} margin",
            definition_zh=f"{m.name_zh}合计 ÷ 赢单金额合计（同一批订单行）。",
            definition_en=f"Sum of {m.name_en} ÷ sum of the amount (sales) over the same won lines.",
            unit="ratio",
            higher_is_better=True,
            aggregation="ratio",
            numerator_sql=f"sum({col}) FILTER (WHERE {both})",
            denominator_sql=f"sum(amount) FILTER (WHERE {both})",
        )
    return None


def metric_def(metric: str) -> MetricDef | None:
    """The MetricDef of a measure metric id of the data opened in this process; None otherwise."""
    parsed = parse(metric)
    if parsed is None or parsed[0] not in _KNOWN:
        return None
    return definition(_KNOWN[parsed[0]], parsed[1])
