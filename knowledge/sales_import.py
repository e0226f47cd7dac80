"""Importing one sales table, up to the write: the staged source, its recognised columns, the checked rows and
the validation report. `SalesStore.import_file` runs it and writes the result in one transaction.

    staged (knowledge/sales_source.py) → profiled (column_profile) → recognised (recognize, targets_import)
    → checked in DuckDB (sales_validate) → whole-table warnings (here) → report

Nothing here reads the file into Python whole: all passes over the rows are SQL over the staged table.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from fupan.dimensions import (
    CORE_IDS,
    LOSS_REASON,
    STAGE_NAME,
    DimensionDef,
    MeasureDef,
    loss_reason_dimension,
    stage_dimension,
)
from knowledge.column_profile import CURRENCY_SIGNS, profile
from knowledge.dates import STRIP
from knowledge.import_report import DimensionFound, ImportReport, Issue, MeasureFound
from knowledge.learned_dimensions import core_with_header, learned
from knowledge.mapping import STAGE_MAP, SYNONYMS, Mapping, norm
from knowledge.recognize import CORE_FIELDS, SIDE_KEYS, TYPES, Recognized, recognize
from knowledge.sales_source import STAGE, Staged, blank_sql, clean_sql
from knowledge.sales_validate import (
    CheckInput,
    FieldSpec,
    check,
    lit,
)

__all__ = ["ImportReport", "Issue", "Prepared", "prepare", "near_duplicates"]



@dataclass
class DimColumn:
    """A dimension the import keeps: its definition, the staged column it is read from, and the stored column."""

    definition: DimensionDef
    staged: str | None
    stored: str


@dataclass
class MeasureColumn:
    """A measure the import keeps: its definition and the staged column it is read from (stored as its id)."""

    definition: MeasureDef
    staged: str
    days_from: str | None = None  # a derived days measure: the checked date field it counts from (close_date)
    date_field: str | None = None  # … and the checked field of the second date column


@dataclass
class Prepared:
    kind: str
    layout: str
    staged: Staged
    mapping: Mapping
    recognized: Recognized
    report: ImportReport
    dims: list[DimColumn] = field(default_factory=list)
    dedupe_key: str | None = None  # the id column whose duplicates exist (the last accepted row wins)
    order_key: bool = False
    date_orders: dict[str, str] = field(default_factory=dict)  # date column -> month_first/day_first as read
    measures: list[MeasureColumn] = field(default_factory=list)


# ---- the whole preparation ---------------------------------------------------------------------------------
def prepare(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    *,
    kind: str | None,
    mapping: Mapping | None,
    preset: str | None,
    max_values: int,
    fiscal_year_start_month: int = 1,
    currency: str | None = None,
    default_currency: str = "auto",
    year: int | None = None,
    taken_ids: Callable[[str], set[str]] | None = None,
) -> Prepared:
    """Recognise and check a staged source. `taken_ids(kind)`: ids of learned dimensions other kinds already
    use (a new dimension never takes one)."""
    if year is not None:
        mapping = (mapping or Mapping()).model_copy(update={"year": year})
    profiles = profile(con, staged, {norm(k) for k in STAGE_MAP})
    rec = recognize(
        staged.headers,
        profiles,
        kind=kind,
        mapping=mapping,
        preset=preset,
        max_values=max_values,
        staged=staged,
        fy=fiscal_year_start_month,
    )
    m = rec.mapping
    source = f"(SELECT rowid + {staged.first_line} AS _line, * FROM {STAGE})"
    if rec.layout == "targets_wide":
        from knowledge.targets_import import blank_cells, stage_long

        source = stage_long(con, staged, m)
        blank = blank_cells(con, staged, m)
        cells = staged.rows * len(m.periods) - blank
        rec.notes.append(
            f"{cells:,} target(s) from {staged.rows:,} row(s) × {len(m.periods)} period column(s)"
            + (f"; {blank:,} blank cell(s): no target for those periods" if blank else "")
        )
    dims = _dimensions(rec, staged, profiles, taken_ids(rec.kind) if taken_ids else set())
    fields = _field_specs(rec, staged)
    measures = _measures(con, rec, staged, {d.definition.id for d in dims} | {d.stored for d in dims} | (
        taken_ids(rec.kind) if taken_ids else set()
    ))
    for mc in measures:
        if mc.date_field:  # a derived days measure: its second date column read like the other dates
            fields.append(FieldSpec(mc.date_field, mc.staged, mc.definition.header, "date"))
        else:
            fields.append(FieldSpec(mc.definition.id, mc.staged, mc.definition.header, "number"))
    year_col = staged.column(m.columns["year"]) if rec.kind == "targets" and "year" in m.columns else None
    distinct = _distinct_cells(con, staged, _category_headers(rec, dims), profiles)
    clean = _clean_columns(staged, distinct, profiles) if rec.layout != "targets_wide" else frozenset()
    ci = CheckInput(
        file=staged.name,
        kind=rec.kind,
        layout=rec.layout,
        fields=fields,
        dims=[(d.stored, d.staged) for d in dims if d.staged and d.stored not in {f.field for f in fields}],
        source=source,
        stage_map={norm(k): v for k, v in {**STAGE_MAP, **m.stage_map}.items()},
        formats=m.formats(),
        orders={c: m.order_for(c) for c in staged.headers},
        value_map=m.value_map,
        year_expr=year_col,
        sheet_year=m.year,
        fiscal_year_start_month=fiscal_year_start_month,
        unreadable=staged.unreadable,
        clean=clean,
    )
    checked = check(con, ci)
    report = ImportReport(
        file=staged.name,
        kind=rec.kind,
        kind_basis=rec.kind_basis,
        layout=rec.layout,
        encoding=staged.encoding,
        delimiter=staged.delimiter,
        rows_read=checked.rows,
        rows_accepted=checked.accepted,
        rows_rejected=checked.rejected_rows,
        rejected=checked.rejected,
        columns={f: c for f, c in m.columns.items()},
        matches=rec.matches,
        unused=rec.unused,
    )
    report.currency, report.currency_basis = detect_currency(rec, profiles, currency, default_currency)
    report.warnings += _scaled_amounts(rec, staged.name)
    dedupe, table_warnings = _table_warnings(con, staged, rec, dims, profiles, distinct, clean)
    report.warnings = staged.issues + table_warnings + checked.warnings
    report.notes = [f"kind: {rec.kind} ({rec.kind_basis})", *rec.notes, *checked.notes]
    if m.value_map:
        renamed = ", ".join(f"{f}: {len(v)}" for f, v in m.value_map.items())
        report.notes.append(f"spellings replaced as the mapping's value_map says ({renamed})")
    report.dimensions = _found(con, staged, dims, profiles, distinct)
    report.measures = [
        MeasureFound(**m.definition.model_dump(include={"id", "header", "name_zh", "name_en", "unit", "aggregation", "derived"}))
        for m in measures
    ]
    return Prepared(
        kind=rec.kind,
        layout=rec.layout,
        staged=staged,
        mapping=m,
        recognized=rec,
        report=report,
        dims=dims,
        dedupe_key=dedupe,
        order_key=bool(m.order_id),
        date_orders={r.column: r.order for r in checked.rulings if r.basis in ("values", "default", "mapping")},
        measures=measures,
    )


def _measures(con: duckdb.DuckDBPyConnection, rec: Recognized, staged: Staged, taken: set[str]) -> list[MeasureColumn]:
    """The numeric columns kept as measures (knowledge/learned_measures.py), with their value range read in one
    pass (a discount between 0 and 1 is a ratio)."""
    from knowledge.learned_measures import learned_measure
    from knowledge.sales_validate import amount_sql

    out: list[MeasureColumn] = []
    used = set(taken) | set(CORE_IDS)
    if not rec.measure_columns:
        return _days_measure(rec, staged, used)
    cols = []
    for header in rec.measure_columns:
        fast, slow, _ = amount_sql(staged.column(header))
        cols.append(f"min(coalesce({fast}, {slow})), max(coalesce({fast}, {slow}))")
    row = con.execute(f"SELECT {', '.join(cols)} FROM {STAGE}").fetchone() or ()
    for k, header in enumerate(rec.measure_columns):
        low, high = row[2 * k], row[2 * k + 1]
        m = learned_measure(
            header, taken=used, low=None if low is None else float(low), high=None if high is None else float(high)
        )
        used.add(m.id)
        out.append(MeasureColumn(m, staged.column(header)))
    return out + _days_measure(rec, staged, used)


def _days_measure(rec: Recognized, staged: Staged, used: set[str]) -> list[MeasureColumn]:
    """Days from the close (order) date to the one other date column of a deal file (Ship Date − Order Date):
    derived only when that is unambiguous — exactly one date column left unused and a close date mapped."""
    from knowledge.learned_measures import days_measure

    close = rec.mapping.columns.get("close_date")
    dates = [h for h, why in rec.unused.items() if why == "dates"]
    if rec.kind != "opportunities" or not close or len(dates) != 1:
        return []
    m = days_measure(dates[0], close, taken=used)
    used.add(m.id)
    rec.unused.pop(dates[0], None)
    return [MeasureColumn(m, staged.column(dates[0]), days_from="close_date", date_field=f"_date_{m.id}")]


# ---- fields and dimensions ---------------------------------------------------------------------------------
def _field_specs(rec: Recognized, staged: Staged) -> list[FieldSpec]:
    m = rec.mapping
    order = [f for f in SYNONYMS[rec.kind] if f != "year"]
    specs: list[FieldSpec] = []
    if rec.layout == "targets_wide":
        specs.append(FieldSpec("period", "_period", "_col", "period", label_sql=True))
        for f in ("region", "rep", "product", "metric"):
            if f in m.columns:
                specs.append(FieldSpec(f, staged.column(m.columns[f]), m.columns[f], TYPES.get(f, "text")))
        specs.append(FieldSpec("target", "_value", "_col", "money", label_sql=True))
    else:
        for f in order:
            if f in m.columns and f != "order_id":
                specs.append(FieldSpec(f, staged.column(m.columns[f]), m.columns[f], TYPES.get(f, "text")))
    for f, value in m.constants.items():
        if f in {s.field for s in specs}:
            continue
        specs.append(FieldSpec(f, lit(value), f, TYPES.get(f, "text"), constant=True))
    if rec.kind == "opportunities" and "opportunity_id" not in m.columns:
        specs.append(FieldSpec("opportunity_id", "'L' || s._line", "opportunity_id", "text", constant=True))
    if rec.kind == "opportunities" and m.order_id:
        specs.append(FieldSpec("order_id", staged.column(m.order_id), m.order_id, "text"))
    return specs


def _dimensions(rec: Recognized, staged: Staged, profiles, taken: set[str]) -> list[DimColumn]:  # type: ignore[no-untyped-def]
    counts = {p.header: p.distinct for p in profiles}
    out: list[DimColumn] = []
    used = set(CORE_IDS) | taken
    if rec.kind == "opportunities":
        for f in CORE_FIELDS:
            header = rec.mapping.columns.get(f)
            if header:
                out.append(DimColumn(core_with_header(f, header), None, f))
        out += _crm_columns(rec, staged)
    if rec.kind == "team":
        for f in ("region", "manager"):
            header = rec.mapping.columns.get(f)
            if header:
                out.append(DimColumn(core_with_header(f, header), None, f))
    key = SIDE_KEYS.get(rec.kind)
    by_column = {c: f for f, c in rec.mapping.columns.items()}
    for header, _origin in rec.dimension_columns:
        canonical = by_column.get(header)
        d = learned(header, taken=used, key=key, field=canonical, values=counts.get(header))
        used.add(d.id)
        stored = canonical if canonical else d.id
        out.append(DimColumn(d, staged.column(header), stored))
    return out


def _crm_columns(rec: Recognized, staged: Staged) -> list[DimColumn]:
    """The export's own stage names, kept beside the canonical stage (stored as `stage_name`), and its loss
    reasons: dimensions a manager groups open deals and losses by."""
    out = []
    stage = rec.mapping.columns.get("stage")
    if stage and stage in staged.headers:
        out.append(DimColumn(stage_dimension(stage), staged.column(stage), STAGE_NAME))
    reason = rec.mapping.columns.get("loss_reason")
    if reason:
        out.append(DimColumn(loss_reason_dimension(reason), None, LOSS_REASON))
    return out


def _found(  # type: ignore[no-untyped-def]
    con: duckdb.DuckDBPyConnection, staged: Staged, dims: list[DimColumn], profiles, distinct: dict[str, list[str]]
) -> list[DimensionFound]:
    """The dimensions kept, with their number of distinct values: counted exactly for the columns with a
    few thousand at most (from the distinct cells already listed, or in one pass), estimated for the others."""
    approx = {p.header: p.distinct for p in profiles}
    small = sorted({h for d in dims if (h := d.definition.header or "") in approx and approx[h] <= 5000})
    exact: dict[str, int] = {h: sum(1 for v in distinct[h] if v is not None) for h in small if h in distinct}
    small = [h for h in small if h not in exact]
    if small:
        cols = [staged.column(h) for h in small]
        row = con.execute(f"SELECT {', '.join(f'count(DISTINCT {c})' for c in cols)} FROM {STAGE}").fetchone()
        exact.update(zip(small, (int(n) for n in row or ()), strict=True))
    return [
        DimensionFound(
            id=d.definition.id,
            header=d.definition.header or "",
            name_zh=d.definition.name_zh,
            name_en=d.definition.name_en,
            origin=d.definition.origin,
            key=d.definition.key,
            values=exact.get(d.definition.header or "", approx.get(d.definition.header or "", 0)),
        )
        for d in dims
    ]


# ---- currency ----------------------------------------------------------------------------------------------
def detect_currency(rec: Recognized, profiles, given: str | None, default: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(ISO code or '', why): --currency, the mapping, symbols in the amounts, the amount header, the setting,
    Chinese headers (CNY); else unknown (amounts are then shown without a symbol)."""
    if given:
        return given.upper(), "given"
    if rec.mapping.currency:
        return rec.mapping.currency.upper(), "the mapping"
    money_field = {"opportunities": "amount", "targets": "target", "products": "list_price"}.get(rec.kind)
    if money_field is None or (money_field not in rec.mapping.columns and not rec.mapping.periods):
        return "", "no amounts in this table"
    column = rec.mapping.columns.get(money_field or "")
    p = next((p for p in profiles if p.header == column), None)
    if p and p.currencies:
        code, n = max(p.currencies.items(), key=lambda kv: kv[1])
        return code, f"{n:,} amounts carry its sign"
    if column:
        for sign, code in {**CURRENCY_SIGNS, "美元": "USD", "人民币": "CNY", "万元": "CNY"}.items():
            if sign.lower() in column.lower() and (sign.isupper() or not sign.isascii() or sign in "$€£¥"):
                return code, f"the header {column!r} says so"
    if default and default != "auto":
        return default.upper(), "the currency setting"
    if any(re.search(r"[\u4e00-\u9fff]", p.header) for p in profiles):
        return "CNY", "assumed from the Chinese headers (pass --currency if not)"
    return "", "unknown: no currency sign in the data (pass --currency, e.g. USD)"


def _scaled_amounts(rec: Recognized, file: str) -> list[Issue]:
    """An amount header in 万元/千元/thousands: the numbers are stored as written, which the user must know."""
    out = []
    for money in ("amount", "target", "list_price"):
        header = rec.mapping.columns.get(money, "")
        if re.search(r"万元|千元|百万|\(k\)|in thousands|\bk\$|000s", header, re.I):
            out.append(
                Issue(
                    file=file,
                    column=header,
                    reason="the header gives the amounts in a larger unit; they are stored as written (12.5 stays "
                    "12.5, not 125,000): export plain amounts for figures in the currency's own unit",
                )
            )
    return out


# ---- whole-table warnings ----------------------------------------------------------------------------------
def _table_warnings(  # type: ignore[no-untyped-def]
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    rec: Recognized,
    dims: list[DimColumn],
    profiles,
    distinct: dict[str, list[str]],
    clean: frozenset[str] = frozenset(),
) -> tuple[str | None, list[Issue]]:
    """Duplicate ids, identical rows, blank cells in filled columns, near-duplicate category values."""
    out: list[Issue] = []
    m = rec.mapping
    file = staged.name
    dedupe = None
    key_field = {"opportunities": "opportunity_id", **{k: v for k, v in SIDE_KEYS.items()}}.get(rec.kind)
    id_header = m.columns.get(key_field or "")
    if rec.kind == "opportunities" and id_header == m.row_id:
        id_header = None
    if id_header:
        dups = _duplicate_ids(con, staged, id_header, clean)
        if dups:
            dedupe = key_field
        last_wins = "the last row wins" if rec.kind == "opportunities" else "the last row wins"
        for value, lines in dups:
            out.append(
                Issue(
                    file=file,
                    row=lines[-1],
                    column=id_header,
                    value=value,
                    reason=f"duplicate id on rows {', '.join(map(str, lines))}; {last_wins}",
                )
            )
    # identical rows have the same id: with no duplicate id, only rows without an id can be identical
    unique = staged.column(id_header) if id_header and id_header != m.row_id and not dedupe else None
    out += _identical_rows(con, staged, m.row_id, without=unique)
    out += _blank_cells(con, staged, profiles)
    for header in _category_headers(rec, dims):
        if header in distinct:  # the cells as stored: trimmed, blanks dropped, in DuckDB's order (code points)
            values = sorted({c for v in distinct[header] if v is not None and (c := v.strip(STRIP))})
        else:
            col = staged.column(header)
            values = [r[0] for r in con.execute(
                f"SELECT DISTINCT v FROM (SELECT {clean_sql(col)} AS v FROM {STAGE}) WHERE v IS NOT NULL "
                f"ORDER BY 1 LIMIT {NEAR_DUPLICATE_VALUES + 1}"
            ).fetchall()]
        if len(values) <= NEAR_DUPLICATE_VALUES:
            out += near_duplicates(values, header, file)
    return dedupe, out


NEAR_DUPLICATE_VALUES = 5000  # columns with more distinct values are not searched for near-duplicates
LISTED_CELLS = 200_000  # columns estimated to hold more distinct cells are not listed whole


def _distinct_cells(  # type: ignore[no-untyped-def]
    con: duckdb.DuckDBPyConnection, staged: Staged, headers: list[str], profiles
) -> dict[str, list[str]]:
    """The distinct cells (as in the file, NULL included) of the category columns, all columns in one pass: the
    near-duplicate search and the dimensions' value counts read them (trimming a few thousand values in Python
    instead of every cell in SQL, one scan instead of one per column). Columns estimated to hold more than
    LISTED_CELLS distinct cells are left out (they are searched apart)."""
    approx = {p.header: p.distinct for p in profiles}
    listed = [h for h in dict.fromkeys(headers) if approx.get(h, LISTED_CELLS + 1) <= LISTED_CELLS]
    if not listed:
        return {}
    row = con.execute(
        f"SELECT {', '.join(f'list(DISTINCT {staged.column(h)})' for h in listed)} FROM {STAGE}"
    ).fetchone() or ()
    return {h: list(v or []) for h, v in zip(listed, row, strict=True)}


def _clean_columns(staged: Staged, distinct: dict[str, list[str]], profiles) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """The columns none of whose cells needs cleaning (no edge whitespace, no empty text), known from their
    listed distinct cells or the profile's count: stored and compared as they are, without the per-row trim
    test (the same values; the test was a third of the write's cost on ten text columns)."""
    listed = {
        staged.column(h)
        for h, values in distinct.items()
        if all(v is None or (v != "" and v == v.strip(STRIP)) for v in values)
    }
    return frozenset(listed | {p.column for p in profiles if p.dirty == 0})


def _category_headers(rec: Recognized, dims: list[DimColumn]) -> list[str]:
    headers = [rec.mapping.columns[f] for f in CORE_FIELDS if f in rec.mapping.columns]
    headers += [d.definition.header for d in dims if d.staged and d.definition.header not in headers]  # type: ignore[misc]
    return [h for h in headers if h]


def _duplicate_ids(
    con: duckdb.DuckDBPyConnection, staged: Staged, header: str, clean: frozenset[str] = frozenset()
) -> list[tuple[str, list[int]]]:
    col = staged.column(header)
    t = col if col in clean else clean_sql(col)  # a column with no cell to trim is compared as it is
    # the hashes that occur more than once, found by sorting them (equal neighbours): grouping 10M nearly unique
    # ids in a hash table cost twice as much (3.4 against 1.5 CPU-s at 10M rows)
    rows = con.execute(
        f"WITH s AS (SELECT hash({t}) AS k FROM {STAGE} WHERE {t} IS NOT NULL), "
        "h AS (SELECT DISTINCT k FROM (SELECT k, lag(k) OVER (ORDER BY k) AS p FROM s) WHERE k = p) "
        f"SELECT {t}, list(rowid + {staged.first_line} ORDER BY rowid) FROM {STAGE} "
        f"WHERE hash({t}) IN (SELECT k FROM h) AND {t} IS NOT NULL GROUP BY 1 HAVING count(*) > 1 "
        f"ORDER BY min(rowid)"
    ).fetchall()
    return [(str(v), [int(x) for x in lines]) for v, lines in rows]


def _identical_rows(
    con: duckdb.DuckDBPyConnection, staged: Staged, row_id: str | None, without: str | None = None
) -> list[Issue]:
    """Rows identical in every column but the line-number column (if any): never rows whose ids differ.
    `without`: an id column known to have no duplicate value, so only rows with a blank id are compared."""
    cols = [f"c{i}" for i, h in enumerate(staged.headers) if h != row_id]
    if not cols:
        return []
    body = ", ".join(cols)
    key = f"hash({body})"
    where = f" WHERE {blank_sql(without)}" if without else ""
    rows = con.execute(
        f"WITH s AS (SELECT {key} AS k FROM {STAGE}{where}), "
        "h AS (SELECT DISTINCT k FROM (SELECT k, lag(k) OVER (ORDER BY k) AS p FROM s) WHERE k = p) "
        f"SELECT list(rowid + {staged.first_line} ORDER BY rowid) FROM {STAGE} "
        f"WHERE {key} IN (SELECT k FROM h) GROUP BY {body} HAVING count(*) > 1 ORDER BY min(rowid)"
    ).fetchall()
    out = []
    for (lines,) in rows:
        lines = [int(x) for x in lines]
        out.append(
            Issue(
                file=staged.name,
                row=lines[-1],
                reason=f"rows {', '.join(map(str, lines))} are identical"
                + (f" except {row_id}" if row_id else "")
                + "; all are kept",
            )
        )
    return out


def _blank_cells(con: duckdb.DuckDBPyConnection, staged: Staged, profiles) -> list[Issue]:  # type: ignore[no-untyped-def]
    """Columns mostly filled but with some blank cells (counted by the profile's pass over all rows)."""
    if not staged.headers or not staged.rows:
        return []
    cols = [f"c{i}" for i in range(len(staged.headers))]
    counts = [p.blanks for p in profiles]
    out = []
    for header, col, n in zip(staged.headers, cols, counts, strict=True):
        if 0 < n < staged.rows / 2:
            lines = [int(r[0]) for r in con.execute(
                f"SELECT rowid + {staged.first_line} FROM {STAGE} WHERE {blank_sql(col)} ORDER BY rowid LIMIT 51"
            ).fetchall()]
            shown = ", ".join(map(str, lines[:50])) + (" ..." if n > 50 else "")
            out.append(Issue(file=staged.name, column=header, value="", reason=f"{n} blank value(s) on rows {shown}"))
    return out


def _fold(value: str) -> str:
    v = re.sub(r"\s+", "", value).lower()
    return re.sub(r"(区|地区|大区|省|市|公司|有限公司|region)$", "", v) or v


def near_duplicates(values: list[str], column: str, file: str) -> list[Issue]:
    groups: dict[str, list[str]] = defaultdict(list)
    for v in values:
        groups[_fold(v)].append(v)
    return [
        Issue(
            file=file,
            column=column,
            value=" / ".join(vs),
            reason=f"values look like the same thing spelled differently: {', '.join(repr(v) for v in vs)}",
        )
        for vs in groups.values()
        if len(vs) > 1
    ]


# ---- snapshot id -------------------------------------------------------------------------------------------
def snapshot_id(prep: Prepared) -> str:
    h = hashlib.sha256()
    h.update(prep.kind.encode())
    h.update(prep.staged.content_hash.encode())
    h.update(json.dumps(prep.mapping.model_dump(), sort_keys=True, ensure_ascii=False).encode())
    h.update(json.dumps([d.definition.model_dump() for d in prep.dims], sort_keys=True, ensure_ascii=False).encode())
    if prep.measures:
        h.update(json.dumps([m.definition.model_dump() for m in prep.measures], sort_keys=True, ensure_ascii=False).encode())
    h.update(prep.report.currency.encode())
    return f"{prep.kind[:3]}-{h.hexdigest()[:12]}"

