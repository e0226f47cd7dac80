"""Coverage checks of a query: which periods and segments have deals at all, and which counts are safe.

A period or segment with no deal in it is reported as "no data for …", never as 0 (agent/query_engine.py).
Each check reads the data once per snapshot (`MetricEngine.snapshot_fact`): asked again, it is a lookup, and an
import makes it read the new data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.metric_filters import filter_condition, filter_dims, sql_literal
from fupan.errors import InputError
from fupan.periods import Period
from fupan.query import MetricQuery

_CUBE_DIMS = {"rep", "manager", "region", "product"}
_DEAL_COUNTS = {"won_deals", "lost_deals", "win_rate", "avg_deal_size"}


def guard_order_counts(engine: Any, q: MetricQuery) -> None:
    """Order-line data counts an order once, on its first line. Split by a dimension whose value changes
    inside an order (a product category), that would count orders under one of their lines only: refused
    rather than answered wrong."""
    counting = _DEAL_COUNTS & set(q.metrics) or (q.operation in {"decompose", "why"})
    dims = [d for d in [*q.filters, *q.exclude, *q.group_by] if d]
    if not counting or not dims:
        return
    for dim in dims:
        if varies_within_orders(engine, dim):
            raise InputError(
                f"order counts by {dim} are not supported yet: an order with lines in several {dim} values "
                "is counted under its first line only",
                hint="ask for revenue by this dimension, or for order counts by a dimension an order has one value of",
            )


def varies_within_orders(engine: Any, dim: str) -> bool:
    def read() -> bool:
        row = engine.con.execute(
            f"SELECT count(*) FROM (SELECT order_id FROM opportunities WHERE order_id IS NOT NULL "
            f"GROUP BY order_id HAVING count(DISTINCT {dim}) > 1 LIMIT 1)"
        ).fetchone()
        return bool(row and row[0])

    return bool(engine.snapshot_fact(("varies_within_orders", dim), read))


def source(engine: Any, dims: set[str]) -> str:
    """The monthly cube (one row per month, stage and segment) when it has every dimension asked about,
    else the deals themselves. Periods start on the 1st of a month, so month-truncated dates compare right."""
    if dims <= _CUBE_DIMS:
        try:
            engine.store.ensure_derived()
            return "opportunity_cube"
        except Exception:  # noqa: BLE001 — a store without the cube: read the deals
            return "opportunities"
    return "opportunities"


def has_rows(engine: Any, period: str, filters: dict[str, str]) -> bool:
    """Whether any deal of the segment was created or closed in the period."""
    p: Period = engine.period(period)
    months = months_with_rows(engine, filters)
    d = p.start
    while d < p.end:
        if d in months:
            return True
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return False


def months_with_rows(engine: Any, filters: dict[str, str]) -> frozenset[date]:
    """The months in which the segment has a deal created or closed (one query per segment and snapshot)."""

    def read() -> frozenset[date]:
        where = " AND ".join(filter_condition(k, v) for k, v in sorted(filters.items())) or "true"
        table = source(engine, filter_dims(filters))
        rows = engine.con.execute(
            f"SELECT DISTINCT date_trunc('month', close_date)::DATE FROM {table} WHERE {where} AND close_date IS NOT NULL "
            f"UNION SELECT DISTINCT date_trunc('month', created_date)::DATE FROM {table} WHERE {where} "
            "AND created_date IS NOT NULL"
        ).fetchall()
        return frozenset(r[0] for r in rows)

    return engine.snapshot_fact(("months_with_rows", tuple(sorted(filters.items()))), read)


def active_segments(engine: Any, periods: list[str], by: list[str], filters: dict[str, str]) -> frozenset[tuple]:
    """The segments of `by` with a deal created or closed in any of the periods: a segment with no deal there
    is left out of a list, not shown as 0."""
    ps = [engine.period(p) for p in periods if p]

    def read() -> frozenset[tuple]:
        windows = " OR ".join(
            f"(close_date >= {sql_literal(p.start)} AND close_date < {sql_literal(p.end)}) OR "
            f"(created_date >= {sql_literal(p.start)} AND created_date < {sql_literal(p.end)})"
            for p in ps
        )
        conds = [filter_condition(k, v) for k, v in sorted(filters.items())] + [f"({windows or 'true'})"]
        table = source(engine, set(by) | filter_dims(filters))
        rows = engine.con.execute(f"SELECT DISTINCT {', '.join(by)} FROM {table} WHERE {' AND '.join(conds)}").fetchall()
        return frozenset(tuple(zip(by, ("" if v is None else str(v) for v in r), strict=True)) for r in rows)

    key = ("active_segments", tuple(p.label for p in ps), tuple(by), tuple(sorted(filters.items())))
    return engine.snapshot_fact(key, read)
