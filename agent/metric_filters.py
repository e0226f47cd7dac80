"""Engine filters as SQL: `dim = 'v'`, or an exclusion (`dim!`, fupan/query.py) as `not in` with blank values
kept; the literals they are written with."""

from __future__ import annotations

from datetime import date

from fupan.query import excluded, filter_dimension


def sql_literal(value: object) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def filter_condition(key: str, value: str) -> str:
    """One engine filter as SQL: `dim = 'v'`, or for an exclusion (`dim!`, fupan/query.py) the rows whose
    value is none of the left-out ones, blank values kept."""
    out = excluded(key, value)
    if out is None:
        return f"{key} = {sql_literal(value)}"
    dim, values = out
    return f"({dim} IS NULL OR {dim} NOT IN ({', '.join(sql_literal(v) for v in values)}))"


def filter_dims(filters: dict[str, str]) -> set[str]:
    """The dimensions the filters are on (an exclusion's too)."""
    return {filter_dimension(k) for k in filters}


def where_clause(filters: dict[str, str]) -> str:
    conds = [filter_condition(k, v) for k, v in sorted(filters.items())]
    return (" WHERE " + " AND ".join(conds)) if conds else ""
