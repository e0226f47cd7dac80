"""`run(engine, query)`: one `MetricQuery` computed by the metric engine into a `QueryResult`.

Every figure is a `MetricValue` of the engine (value, unit, evidence id, SQL); this module only picks which
ones a query needs and orders them. Operations are described in `fupan/query.py`.

Coverage is checked, never assumed: a period or a segment with no deal in it is reported in `empty`
("no data for 2016Q4") and its figures are left out, so an empty quarter is never compared as ¥0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.decompose import CENT, _dec, driver_decomposition, mix_rate, shapley
from agent.metric_values import MetricValue
from agent.metrics import get_metric
from agent.query_coverage import active_segments, guard_order_counts, has_rows
from agent.query_figures import prefetch_for
from agent.query_result import Part, QueryResult, Row
from agent.query_segments import blank_segments, open_only, team_reps_without_deals
from fupan.errors import InputError
from fupan.query import MetricQuery, excluded

__all__ = ["Part", "QueryResult", "Row", "active_segments", "has_rows", "prefetch_for", "run"]


def run(engine: Any, query: MetricQuery, *, prefetch: bool = True) -> QueryResult:
    """Compute `query` (see the module docstring). `prefetch=False` when the caller already read the periods
    in one pass (an explanation runs several queries over the same periods)."""
    op = query.operation
    runner = _RUNNERS.get(op)
    if runner is None:
        raise InputError(f"operation {op!r} is not computed by the metric engine")
    _known_dimensions(engine, query)
    guard_order_counts(engine, query)
    if prefetch:
        prefetch_for(engine, query)
    res = runner(engine, query)
    blank_segments(res)
    return res


def _known_dimensions(engine: Any, q: MetricQuery) -> None:
    """Only the data's dimensions reach SQL (a query can come from the API as it is)."""
    known = {*engine.store.dimensions().ids(), "loss_reason"}  # a plain column the engine groups by (metric_engine)
    for dim in [*q.filters, *q.exclude, *q.group_by, *q.part]:
        if dim not in known:
            raise InputError(f"unknown dimension {dim!r}", hint=f"dimensions in the data: {', '.join(sorted(known))}")


# ---- helpers ------------------------------------------------------------------------------------------------


def _filters(q: MetricQuery) -> dict[str, str]:
    multi = [d for d, v in q.filters.items() if len(v) != 1]
    if multi:
        raise InputError(
            f"several values of {multi[0]} at once are not supported yet",
            hint="ask about one value at a time",
        )
    return q.single_filters() | q.exclusions()


def _keep_active(engine: Any, rows: list[Row], periods: list[str], by: list[str], f: dict[str, str]) -> list[Row]:
    if not by:
        return rows
    active = active_segments(engine, periods, by, f)
    return [r for r in rows if tuple((d, r.dims.get(d, "")) for d in by) in active and not _no_reason(r, by)]


def _no_reason(row: Row, by: list[str]) -> bool:
    """A row of deals with no loss reason and no figure: the won deals, not a reason of their own."""
    blank = "loss_reason" in by and not row.dims.get("loss_reason", "").strip()
    return blank and (row.value is None or not row.value.value)


def _segment_note(period: str, filters: dict[str, str]) -> str:
    seg = " · ".join(v if excluded(k, v) is None else f"≠ {v}" for k, v in filters.items())
    return f"{seg} {period}".strip()


def _check(engine: Any, q: MetricQuery, periods: list[str], filters: dict[str, str]) -> list[str]:
    return [_segment_note(p, filters) for p in periods if not has_rows(engine, p, filters)]


def _base_label(engine: Any, q: MetricQuery) -> str | None:
    if q.base is None:
        return None
    if q.base == "target":
        return "target"
    p = engine.period(q.period)
    b = engine.base_period(p, q.base)
    return b.label if b is not None else "target"


def _key(dims: dict[str, str], by: list[str]) -> str:
    return " · ".join(dims.get(d, "") for d in by)


# ---- operations ---------------------------------------------------------------------------------------------


def _value(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    empty = _check(engine, q, [q.period or ""], f)
    res = QueryResult(query=q, period=q.period or "", empty=empty)
    if empty:
        return res
    values = [engine.value(m, q.period, f or None) for m in q.metrics]
    res.total = Row(period=q.period or "", dims=f, value=values[0])
    res.extra = values[1:]
    return res


def _compare(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    base = _base_label(engine, q) or "previous"
    res = QueryResult(query=q, period=q.period or "", base_label=base)
    needed = [q.period or ""] + ([base] if base != "target" else [])
    res.empty = _check(engine, q, needed, f)
    if res.empty:
        return res
    metric = q.metric or "won_revenue"
    if base == "target" and metric not in {"won_revenue", "gap", "achievement_rate", "target"}:
        raise InputError(f"{metric} has no target", hint="targets are set for won revenue")
    if base == "target" and metric != "won_revenue":
        metric = "won_revenue"
    cmp = engine.compare(metric, q.period, base, by=q.group_by or None, filters=f or None)
    rows = [
        Row(label=_key(r.dims, q.group_by), dims=r.dims, period=cmp.period, value=r.current, base=r.base,
            change=r.change, pct_change=r.pct_change)  # fmt: skip
        for r in cmp.rows
    ]
    if q.group_by:
        periods = [q.period or ""] + ([base] if base != "target" else [])
        rows = _keep_active(engine, rows, periods, q.group_by, f)
        res.rows = sorted(rows, key=lambda r: (r.change is None, -(r.change or 0.0), r.label))
    else:
        res.total = rows[0] if rows else None
        if base == "target":
            res.extra = [engine.value(m, q.period, f or None) for m in ("achievement_rate", "gap")]
    return res


def _ranked_values(engine: Any, q: MetricQuery, f: dict[str, str]) -> list[Row]:
    metric = q.metric or "won_revenue"
    if q.grain and not q.group_by:
        values = [engine.value(metric, p, f or None) for p in q.periods if has_rows(engine, p, f)]
        return [Row(label=v.period, period=v.period, dims=f, value=v) for v in values]
    result = engine.compute(metric, q.period, by=q.group_by, filters=f or None)
    return [Row(label=_key(r.dims, q.group_by), dims=r.dims, period=result.period, value=r) for r in result.rows]


def _rank(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    res = QueryResult(query=q, period=q.period or "")
    res.empty = [] if q.grain else _check(engine, q, [q.period or ""], f)
    if res.empty:
        return res
    rows = [r for r in _ranked_values(engine, q, f) if r.value is not None and r.value.value is not None]
    if not q.grain:
        rows = open_only(engine, q, _keep_active(engine, rows, [q.period or ""], q.group_by, f), f)
    idle = team_reps_without_deals(engine, q, rows, f)
    rows += [r for r in idle if r.value is not None and r.value.value is not None]  # 0 won: ranked as 0
    rows.sort(key=lambda r: ((r.value.value or 0.0) * (1 if q.order == "asc" else -1), r.label))  # type: ignore[union-attr]
    res.rows = rows + [r for r in idle if r.value is None or r.value.value is None]  # a rate of no deals: listed last
    return res


def _breakdown(engine: Any, q: MetricQuery) -> QueryResult:
    from agent.wording import higher_is_better

    picked = {d: set(v) for d, v in q.filters.items() if d in q.group_by and len(v) > 1}  # 'A vs B' side by side
    f = _filters(q.model_copy(update={"filters": {d: v for d, v in q.filters.items() if d not in picked}}))
    res = QueryResult(query=q, period=q.period or "")
    res.empty = _check(engine, q, [q.period or ""], f)
    if res.empty:
        return res
    metric = q.metric or "won_revenue"
    result = engine.compute(metric, q.period, by=q.group_by, filters=f or None)
    rows = [Row(label=_key(r.dims, q.group_by), dims=r.dims, period=result.period, value=r) for r in result.rows]
    rows = [r for r in rows if all(str(r.dims.get(d)) in v for d, v in picked.items())]
    rows = open_only(engine, q, _keep_active(engine, rows, [q.period or ""], q.group_by, f), f)
    rows += team_reps_without_deals(engine, q, rows, f)
    sign = -1 if higher_is_better(metric) else 1
    rows.sort(key=lambda r: (r.value is None or r.value.value is None, sign * ((r.value and r.value.value) or 0.0), r.label))
    res.rows = rows
    return res


def _rank_change(engine: Any, q: MetricQuery) -> QueryResult:
    res = _compare(engine, q.model_copy(update={"operation": "compare"}))
    res.query = q
    rows = [r for r in res.rows if r.change is not None]
    rows.sort(key=lambda r: ((r.change or 0.0) * (1 if q.order == "asc" else -1), r.label))
    res.rows = rows
    return res


def _share(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    metric = q.metric or "won_revenue"
    if get_metric(metric).aggregation not in {"sum", "count"}:
        raise InputError(f"a share of {metric} is not meaningful", hint="shares are of amounts and counts")
    res = QueryResult(query=q, period=q.period or "")
    if q.group_by:
        res.empty = _check(engine, q, [q.period or ""], f)
        if res.empty:
            return res
        whole = engine.value(metric, q.period, f or None)
        result = engine.compute(metric, q.period, by=q.group_by, filters=f or None)
        res.total = Row(period=q.period or "", dims=f, value=whole, share=1.0 if whole.value else None)
        rows = [
            Row(label=_key(r.dims, q.group_by), dims=r.dims, period=result.period, value=r,
                share=(r.value or 0.0) / whole.value if whole.value else None)  # fmt: skip
            for r in result.rows
        ]
        rows = open_only(engine, q, _keep_active(engine, rows, [q.period or ""], q.group_by, f), f)
        res.rows = sorted(rows, key=lambda r: (-(r.share or 0.0), r.label))
        return res
    if q.base and q.base not in {"previous", "yoy", "target"}:  # a period's share of a wider period
        res.base_label = q.base
        res.empty = _check(engine, q, [q.period or "", q.base], f)
        if res.empty:
            return res
        part, whole = engine.value(metric, q.period, f or None), engine.value(metric, q.base, f or None)
    else:
        part_dims = q.part or list(f)
        context = {d: v for d, v in f.items() if d not in part_dims}
        res.empty = _check(engine, q, [q.period or ""], context)
        if res.empty:
            return res
        part, whole = engine.value(metric, q.period, f or None), engine.value(metric, q.period, context or None)
    share = (part.value or 0.0) / whole.value if whole.value else None
    res.total = Row(period=q.period or "", dims=f, value=part, base=whole, share=share)
    return res


def _trend(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    metric = q.metric or "won_revenue"
    res = QueryResult(query=q, period=q.period or "")
    rows = []
    for p in q.periods:
        if not has_rows(engine, p, f):
            res.gaps.append(_segment_note(p, f))
            continue
        v = engine.value(metric, p, f or None)
        rows.append(Row(label=v.period, period=v.period, dims=f, value=v))
    while rows and rows[0].value is not None and rows[0].value.value is None:  # the data starts later
        res.gaps.append(rows.pop(0).label)
    while rows and rows[-1].value is not None and rows[-1].value.value is None:
        res.gaps.append(rows.pop().label)
    res.rows = rows
    if not rows:
        res.empty = res.gaps or [_segment_note(q.periods[0] if q.periods else "", f)]
    return res


def _contribution(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    metric = q.metric or "won_revenue"
    base = _base_label(engine, q) or "previous"
    res = QueryResult(query=q, period=q.period or "", base_label=base)
    needed = [q.period or ""] + ([base] if base != "target" else [])
    res.empty = _check(engine, q, needed, f)
    if res.empty:
        return res
    if base == "target":
        metric = "won_revenue"
    cmp = engine.compare(metric, q.period, base, by=q.group_by, filters=f or None)
    total = engine.compare(metric, q.period, base, filters=f or None).rows[0]
    res.total = Row(period=cmp.period, dims=f, value=total.current, base=total.base, change=total.change,
                    pct_change=total.pct_change)  # fmt: skip
    rows = [
        Row(label=_key(r.dims, q.group_by), dims=r.dims, period=cmp.period, value=r.current, base=r.base,
            change=r.change, pct_change=r.pct_change)  # fmt: skip
        for r in cmp.rows
        if r.change is not None
    ]
    if base != "target":
        rows = _keep_active(engine, rows, [q.period or "", base], q.group_by, f)
    if base == "target":
        gaps = {tuple(sorted(g.dims.items())): g for g in engine.compute("gap", q.period, by=q.group_by, filters=f or None).rows}
        for r in rows:
            r.delta = gaps.get(tuple(sorted(r.dims.items())))
        res.total.delta = engine.value("gap", q.period, f or None)
    falling = (total.change or 0.0) < 0
    rows.sort(key=lambda r: (_weighted(r) * (1 if falling else -1), r.label))
    res.rows = rows
    return res


def _weighted(row: Row) -> float:
    """A segment's pull on the total change: the level change for sums, change × volume for rates."""
    if row.value is not None and row.value.unit in {"ratio", "days"}:
        weight = row.value.denominator or (row.base.denominator if row.base else None) or 1.0
        return (row.change or 0.0) * float(weight)
    return row.change or 0.0


def _decompose(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    base = _base_label(engine, q) or "previous"
    if base == "target":
        raise InputError("a decomposition needs a base period, not the target")
    res = QueryResult(query=q, period=q.period or "", base_label=base)
    res.empty = _check(engine, q, [q.period or "", base], f)
    if res.empty:
        return res
    cur = engine.value("won_revenue", q.period, f or None)
    old = engine.value("won_revenue", base, f or None)
    res.total = Row(period=cur.period, dims=f, value=cur, base=old,
                    change=None if cur.value is None or old.value is None else cur.value - old.value)  # fmt: skip
    if q.decomposition == "drivers":
        d = driver_decomposition(engine, res.period, base, filters=f or None)
        res.parts = [Part(name=p.driver, base=p.base, current=p.current, effect=float(p.effect)) for p in d.parts]
        res.extra = [
            engine.value(m, label, f or None)
            for m in ("won_deals", "lost_deals", "win_rate", "avg_deal_size")
            for label in (res.period, base)
        ]
        return res
    if q.decomposition == "mix_rate":
        m = mix_rate(engine, res.period, base, q.group_by or ["region"], metric=q.metric or "win_rate", filters=f or None)
        res.parts = [Part(name="mix", effect=m.mix_effect), Part(name="rate", effect=m.rate_effect)]
        return res
    res.parts, res.extra = _deals_size(engine, res.period, base, f)
    return res


def _deals_size(engine: Any, period: str, base: str, f: dict[str, str]) -> tuple[list[Part], list[MetricValue]]:
    """won revenue = won deals × average deal size; exact Shapley (midpoint) split, in cents, sums to the change."""
    n1, n0 = engine.value("won_deals", period, f or None), engine.value("won_deals", base, f or None)
    a1, a0 = engine.value("avg_deal_size", period, f or None), engine.value("avg_deal_size", base, f or None)
    r1, r0 = engine.value("won_revenue", period, f or None), engine.value("won_revenue", base, f or None)
    effects = shapley([n0.value or 0.0, a0.value or 0.0], [n1.value or 0.0, a1.value or 0.0])
    total = _dec(r1.value) - _dec(r0.value)
    cents = [_dec(x) for x in effects]
    cents[-1] += total - sum(cents, Decimal("0"))
    parts = [
        Part(name="won_deals", base=n0.value, current=n1.value, effect=float(cents[0].quantize(CENT)), evidence=[n1, n0]),
        Part(name="avg_deal_size", base=a0.value, current=a1.value, effect=float(cents[1].quantize(CENT)), evidence=[a1, a0]),
    ]  # fmt: skip
    return parts, [n1, n0, a1, a0]


def _funnel(engine: Any, q: MetricQuery) -> QueryResult:
    f = _filters(q)
    res = QueryResult(query=q, period=q.period or "")
    res.empty = _check(engine, q, [q.period or ""], f)
    if res.empty:
        return res
    res.funnel = engine.funnel(q.period, f or None)
    res.extra = [
        engine.value(m, q.period, f or None)
        for m in ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")
    ]
    return res


_RUNNERS = {
    "value": _value,
    "compare": _compare,
    "rank": _rank,
    "rank_change": _rank_change,
    "share": _share,
    "breakdown": _breakdown,
    "trend": _trend,
    "contribution": _contribution,
    "decompose": _decompose,
    "funnel": _funnel,
}
