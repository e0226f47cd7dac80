"""Targets as teams keep them: long (`期间,区域,指标,目标值`) or wide (`区域,1月,…,12月`, `Region,Q1,Q2,Q3,Q4`,
`销售,2024Q1,2024Q2`), in Chinese or English.

A wide sheet has one row per segment and one column per period; it is read as one target per non-blank cell.
Period names without a year take the sheet's year (knowledge/target_periods.py). With no metric column, the
metric is the one the target header names (`目标销售额` → won revenue, `新客户目标` → new customers), else won
revenue; the report says which. After an import, `coverage` says what the targets cover (periods × segments ×
metric) and warns about segments the sales data does not have.
"""

from __future__ import annotations

import duckdb

from fupan.errors import InputError
from knowledge.column_profile import ColumnProfile
from knowledge.field_matching import Recognized, assign, candidates, target_metric_of
from knowledge.import_report import FieldMatch, Issue
from knowledge.mapping import DEFAULT_TARGET_METRIC, SYNONYMS, Mapping
from knowledge.sales_source import blank_sql
from knowledge.target_periods import is_period_name, is_total, period_label, sheet_year, yearless

SEGMENTS = ("region", "rep", "product")
LONG = "_stage_long"
_METRIC_NAMES = {
    "won_revenue": "won revenue (销售额)", "won_deals": "won deals (赢单数)", "new_customers": "new customers (新客户数)",
    "pipeline_created": "pipeline created (新增商机金额)", "win_rate": "win rate (赢单率)",
}  # fmt: skip


def recognize_targets(headers, profiles: list[ColumnProfile], given: Mapping, basis: str, staged, fy: int):  # type: ignore[no-untyped-def]

    fixed = {f: c for f, c in given.columns.items()}
    periods = dict(given.periods) or {
        h: h for h in headers if is_period_name(h) and h not in fixed.values() and not is_total(h)
    }
    wide = given.layout == "targets_wide" or (given.layout is None and len(periods) >= 2)
    notes: list[str] = []
    usable = [p for p in profiles if p.header not in given.ignore and p.header not in periods]
    if wide:
        labels, year, where = _wide_periods(periods, given, staged, fy)
        if where:
            notes.append(f"period columns without a year are read as {year} (from the {where})")
        cands = [c for c in candidates("targets", usable) if c[1] in (*SEGMENTS, "metric")]
        matches = assign(cands, fixed)
        columns = {f: m.column for f, m in matches.items() if m.column}
        layout = "targets_wide"
        notes.append(
            f"layout: wide targets, one row per {', '.join(f for f in SEGMENTS if f in columns) or 'sheet'} and "
            f"one column per period ({', '.join(list(labels)[:3])}{'…' if len(labels) > 3 else ''})"
        )
        mapping = given.model_copy(update={"periods": labels, "year": year or given.year})
    else:
        cands = candidates("targets", usable)
        matches = assign(cands, fixed)
        if "period" not in matches and "year" in matches:  # yearly targets: the year column is the period
            matches["period"] = matches.pop("year").model_copy(update={"field": "period"})
        columns = {f: m.column for f, m in matches.items() if m.column}
        layout = "targets_long"
        missing = [f for f in ("period", "target") if f not in columns]
        if missing:
            raise InputError(
                f"no column found for {', '.join(missing)} in targets (headers: {', '.join(headers)})",
                hint="a period column (期间/季度/月份/Quarter/Month) and a target column (目标/目标值/Quota/Target), "
                "or one column per period (1月…12月, Q1…Q4); or name them in a --mapping file",
            )
        year, where = given.year, "mapping"
        if year is None and "year" not in columns and _yearless_values(profiles, columns["period"]):
            year, where = sheet_year(("title", staged.title), ("sheet", staged.sheet or ""), ("file name", staged.name))
            if year:
                notes.append(f"periods without a year are read as {year} (from the {where})")
        mapping = given.model_copy(update={"year": year})
    constants = dict(given.constants)
    if "metric" not in columns and "metric" not in constants:
        header = columns.get("target") or staged.title or (staged.sheet or "")
        metric = target_metric_of(header) or target_metric_of(staged.title) or DEFAULT_TARGET_METRIC
        constants["metric"] = metric
        said = f"the header {header!r} names it" if target_metric_of(header) else "no metric column"
        notes.append(f"metric: {_METRIC_NAMES.get(metric, metric)} ({said})")
    found = [m for m in matches.values()]
    found += [FieldMatch(field=f, constant=v, why="constant") for f, v in constants.items()]
    if wide:
        found += [FieldMatch(field="target", column=h, why=f"period {lab}") for h, lab in mapping.periods.items()]
    mapping = mapping.model_copy(
        update={"kind": "targets", "layout": layout, "columns": columns, "constants": constants}
    )
    rec = Recognized("targets", basis, layout, mapping, found, notes=notes)  # type: ignore[arg-type]
    for h in headers:
        if is_total(h):
            rec.unused[h] = "a total (the periods are imported, not their total)"
    return rec


def _wide_periods(periods: dict[str, str], given: Mapping, staged, fy: int) -> tuple[dict[str, str], int | None, str]:  # type: ignore[no-untyped-def]
    year, where = given.year, "mapping" if given.year else ""
    if year is None and any(yearless(v) for v in periods.values()):
        year, where = sheet_year(("title", staged.title), ("sheet", staged.sheet or ""), ("file name", staged.name))
        if year is None:
            raise InputError(
                f"the period columns ({', '.join(list(periods)[:4])}) have no year, and neither does the sheet's "
                "title or the file name",
                file=staged.name,
                hint="pass --year 2024 (or year: 2024 in a mapping file)",
            )
    labels: dict[str, str] = {}
    for header, name in periods.items():
        label = period_label(name, year, fy)
        if label is None:
            raise InputError(f"cannot read the period column {header!r}", file=staged.name)
        labels[header] = label
    return labels, year, where


def _yearless_values(profiles: list[ColumnProfile], column: str) -> bool:
    p = next((p for p in profiles if p.header == column), None)
    return bool(p and any(yearless(v) for v in p.top))


def stage_long(con: duckdb.DuckDBPyConnection, staged, mapping: Mapping) -> str:  # type: ignore[no-untyped-def]
    """Unpivot a wide sheet into `_stage_long` (one row per non-blank cell); returns the source relation."""
    keep = [staged.column(c) for c in mapping.columns.values()]
    parts = []
    for k, (header, label) in enumerate(mapping.periods.items()):
        col = staged.column(header)
        lits = ", ".join([f"'{header.replace(chr(39), chr(39) * 2)}' AS _col", f"'{label}' AS _period", f"{k} AS _k"])
        cols = "".join(f"{c}, " for c in keep)
        parts.append(
            f"SELECT rowid + {staged.first_line} AS _line, {cols}{lits}, {col} AS _value FROM _stage "
            f"WHERE NOT {blank_sql(col)}"
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {LONG} AS {' UNION ALL '.join(parts)} ORDER BY _line, _k")
    return f"(SELECT * FROM {LONG})"


def blank_cells(con: duckdb.DuckDBPyConnection, staged, mapping: Mapping) -> int:  # type: ignore[no-untyped-def]
    total = staged.rows * len(mapping.periods)
    (n,) = con.execute(f"SELECT count(*) FROM {LONG}").fetchone()  # type: ignore[misc]
    return total - int(n)


def coverage(con: duckdb.DuckDBPyConnection, file: str) -> tuple[list[str], list[Issue]]:
    """What the current targets cover, and segments they name that the sales data does not have."""
    notes: list[str] = []
    warnings: list[Issue] = []
    periods = [r[0] for r in con.execute("SELECT DISTINCT period FROM targets ORDER BY 1").fetchall()]
    if not periods:
        return notes, warnings
    metrics = [r[0] for r in con.execute("SELECT DISTINCT metric FROM targets ORDER BY 1").fetchall()]
    segs = []
    for seg in SEGMENTS:
        values = [r[0] for r in con.execute(f"SELECT DISTINCT {seg} FROM targets WHERE {seg} IS NOT NULL ORDER BY 1").fetchall()]
        if values:
            shown = ", ".join(values[:6]) + ("…" if len(values) > 6 else "")
            segs.append(f"{seg} ({len(values)}: {shown})")
            have = con.execute("SELECT count(*) FROM opportunities").fetchone()[0]  # type: ignore[index]
            if have:
                known = {r[0] for r in con.execute(f"SELECT DISTINCT {seg} FROM opportunities").fetchall()}
                for v in values:
                    if v not in known:
                        warnings.append(
                            Issue(file=file, column=seg, value=v, reason=f"targets name {seg} {v!r}, which no deal in the sales data has")
                        )
    span = periods[0] if len(periods) == 1 else f"{periods[0]} … {periods[-1]}"
    notes.append(
        f"targets cover {span} ({len(periods)} period(s)) × {' × '.join(segs) or 'the whole company'} × "
        f"{', '.join(_METRIC_NAMES.get(m, m) for m in metrics)}"
    )
    from knowledge.mapping import TARGET_METRICS

    for m in metrics:
        if m not in set(TARGET_METRICS.values()):
            warnings.append(Issue(file=file, column="metric", value=m, reason="not a metric Fupan computes; these targets are kept but no answer uses them"))
    return notes, warnings


__all__ = ["recognize_targets", "stage_long", "coverage", "blank_cells", "SYNONYMS"]
