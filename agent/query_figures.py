"""Which figures a query reads, so that they are computed together: one pass of the metric pack
(agent/metric_pack.py) over exactly those metrics, periods and groupings, instead of one scan per figure.

Only what the answer shows is planned: an explanation of won revenue reads the revenue drivers (won and lost
deals, win rate, deal size) by total, rep, product and region, not every metric of the registry. Sums and counts
come from the per-snapshot monthly cube; the engine keeps every figure for the snapshot, so a figure already in
memory is not read again (`MetricEngine.prefetch`). The numbers, and the SQL each value cites, are the
single-figure ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.metric_pack import CUBE_DIMS
from fupan.query import MetricQuery

DRIVERS = ("won_revenue", "won_deals", "lost_deals", "win_rate", "avg_deal_size")  # what a revenue change splits into
_DEALS_SIZE = ("won_revenue", "won_deals", "avg_deal_size")
_FUNNEL = ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")
_MOVERS = ("rep", "product", "region")  # the groupings an explanation names its largest movers by


@dataclass(frozen=True)
class FigurePlan:
    metrics: tuple[str, ...]
    periods: tuple[str, ...]
    bys: tuple[tuple[str, ...], ...]

    @property
    def size(self) -> int:
        return len(self.metrics) * len(self.periods) * len(self.bys)


def prefetch_for(engine: Any, q: MetricQuery) -> None:
    """Read the figures `q` needs in one pass when it needs several (see the module docstring)."""
    try:
        plan = plan_for(engine, q)
        if plan is None or plan.size < 2:
            return
        engine.prefetch(list(plan.periods), [list(b) for b in plan.bys], q.single_filters() or None,
                        metrics=list(plan.metrics))  # fmt: skip
    except Exception:  # noqa: BLE001 — a grouping or period the pack cannot read: figures are computed one by one
        return


def plan_for(engine: Any, q: MetricQuery) -> FigurePlan | None:
    """The metrics × periods × groupings the operation of `q` reads (None: nothing worth reading together)."""
    if any(len(v) != 1 for v in q.filters.values()) or not (q.period or q.periods):
        return None
    op, metric, group = q.operation, q.metric or "won_revenue", tuple(q.group_by)
    if op == "trend" or (op == "rank" and q.grain and not q.group_by):
        return FigurePlan((metric,), tuple(dict.fromkeys(q.periods)), ((),))
    if not q.period:
        return None
    base = _base_label(engine, q)
    periods: tuple[str, ...] = (q.period,) if base is None or base == "target" else (q.period, base)
    if op in ("compare", "rank_change"):
        metrics = ("won_revenue",) if base == "target" else (metric,)
        return FigurePlan(metrics, periods, (group,))
    if op == "contribution":
        metrics = ("won_revenue",) if base == "target" else (metric,)
        return FigurePlan(metrics, periods, tuple(dict.fromkeys([(), group])))
    if op == "share" and q.group_by:
        return FigurePlan((metric,), (q.period,), ((), group))
    if op == "funnel":
        return FigurePlan(_FUNNEL, (q.period,), ((),))
    if op == "decompose":
        if q.decomposition == "mix_rate":
            return FigurePlan((q.metric or "win_rate",), periods, (group or ("region",),))
        return FigurePlan(DRIVERS if q.decomposition == "drivers" else _DEALS_SIZE, periods, ((),))
    if op == "why":
        prev = _base_label(engine, q.model_copy(update={"base": "previous"}))
        periods = tuple(dict.fromkeys([q.period, *(p for p in (base, prev) if p and p != "target")]))
        metrics = tuple(dict.fromkeys([metric, *(DRIVERS if metric == "won_revenue" else ())]))
        known = set(engine.store.dimensions().ids())  # targets are set by region, rep or product: movers cover them
        bys = ((), *((d,) for d in _MOVERS if d not in q.filters and d in known and d in CUBE_DIMS))
        return FigurePlan(metrics, periods, bys)
    return None


def _base_label(engine: Any, q: MetricQuery) -> str | None:
    if q.base is None or not q.period:
        return None
    if q.base == "target":
        return "target"
    b = engine.base_period(engine.period(q.period), q.base)
    return b.label if b is not None else "target"
