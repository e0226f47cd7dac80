"""Which segments a query's result lists, beyond the groups the engine returns: a blank value is its own row
('(blank)' / '（空）', never merged or dropped, so a breakdown adds up to its total); a rep of the team table with
no deal in the period is listed and marked, never silently missing; an open-deal breakdown lists the segments
with open deals (a won or lost stage is not an open one at 0)."""

from __future__ import annotations

from typing import Any

from agent.metric_def import OPEN_METRICS
from agent.metric_filters import filter_condition, filter_dims
from agent.query_result import QueryResult, Row
from fupan.dimensions import blank_label
from fupan.query import MetricQuery


def blank_segments(res: QueryResult) -> None:
    """Rows whose group-by value is blank are their own segment, labelled '(blank)' / '（空）', so a
    breakdown still adds up to its total; one that adds nothing (no figure, no change) is left out."""
    by = res.query.group_by
    if not by:
        return
    kept = []
    for r in res.rows:
        if all(r.dims.get(d) for d in by):
            kept.append(r)
            continue
        if _adds_nothing(r):
            continue
        r.label = " · ".join(r.dims.get(d) or blank_label(res.query.language) for d in by)
        kept.append(r)
    res.rows = kept


def _adds_nothing(r: Row) -> bool:
    return all(not (mv is not None and mv.value) for mv in (r.value, r.base)) and not r.change


def open_only(engine: Any, q: MetricQuery, rows: list[Row], f: dict[str, str]) -> list[Row]:
    """An open-deal figure by segment lists the segments with open deals (never a won or lost stage as 0)."""
    if not q.group_by or not set(q.metrics) & set(OPEN_METRICS):
        return rows
    counts = engine.compute("open_deals", q.period, by=q.group_by, filters=f or None).rows
    keep = {tuple(r.dims.get(d, "") for d in q.group_by) for r in counts if r.value}
    return [r for r in rows if tuple(r.dims.get(d, "") for d in q.group_by) in keep]


def team_reps_without_deals(engine: Any, q: MetricQuery, rows: list[Row], f: dict[str, str]) -> list[Row]:
    """Reps of the team table (on the manager's team, in the region asked about) with no deal in the period:
    rows of their own, marked `no_deals`, so a team ranking never leaves them out silently. Their figure is the
    engine's over no deals (0 for a sum or count, none for a rate). Only for a ranking by rep filtered, if at
    all, by the team table's own columns."""
    if q.group_by != ["rep"] or q.grain or q.metric in OPEN_METRICS or not filter_dims(f) <= {"manager", "region"}:
        return []
    where = " AND ".join(filter_condition(k, v) for k, v in sorted(f.items())) or "true"
    try:
        names = [str(r[0]) for r in engine.con.execute(f"SELECT DISTINCT rep FROM team WHERE rep IS NOT NULL AND {where}").fetchall()]
    except Exception:  # noqa: BLE001 — no team table (or none with these columns): nothing to add
        return []
    have = {r.dims.get("rep") for r in rows}
    metric = q.metric or "won_revenue"
    out = []
    for name in sorted(set(names) - have):
        mv = engine.value(metric, q.period, {**f, "rep": name})
        out.append(Row(label=name, dims={"rep": name}, period=q.period or "", value=mv, no_deals=True))
    return out
