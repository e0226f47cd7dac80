"""Revenue targets for a period: the sum of the targets of every month, quarter, half and year inside it.

A target split by a dimension the targets table has no column for (or holds no value of) is unknown, never 0.
"""

from __future__ import annotations

from typing import Any

from agent.metric_cache import Slot
from agent.metric_filters import filter_condition, sql_literal
from fupan.periods import Period, make_period


def target_labels(p: Period, fy: int) -> list[str]:
    """The labels of the target periods that lie inside `p`."""
    labels = []
    for grain, count in (("month", 12), ("quarter", 4), ("half", 2), ("year", 1)):
        for year in range(p.start.year - 1, p.end.year + 1):
            for i in range(1, count + 1):
                q = make_period(year, grain, i, fy)  # type: ignore[arg-type]
                if q.start >= p.start and q.end <= p.end:
                    labels.append(q.label)
    return sorted(set(labels))


def target_rows(
    con: Any, p: Period, by: list[str], filters: dict[str, str], fy: int, target_dims: set[str]
) -> tuple[Slot, str]:
    """{group: (target, None)} and the SQL that sums them; empty when a dimension has no targets."""
    labels = ", ".join(sql_literal(x) for x in target_labels(p, fy))
    conds = ["metric = 'won_revenue'", f"period IN ({labels})"]
    conds += [filter_condition(k, v) for k, v in sorted(filters.items())]
    group = ", ".join(by)
    sql = (
        f"SELECT {group + ', ' if group else ''}sum(target) AS num, NULL AS den FROM targets "
        f"WHERE {' AND '.join(conds)}" + (f" GROUP BY {group}" if group else "")
    )
    if any(d not in target_dims for d in by + list(filters)):
        return {}, sql
    out: Slot = {}
    for row in con.execute(sql).fetchall():
        keys = tuple(zip(by, ("" if v is None else str(v) for v in row[: len(by)]), strict=True))
        if by and any(v == "" for _, v in keys):
            continue
        n = row[len(by)]
        out[keys] = (None if n is None else float(n), None)
    return out, sql
