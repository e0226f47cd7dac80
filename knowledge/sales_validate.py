"""Validation in DuckDB: every staged row converted and checked in a few set-based passes, never row by row.

`check` turns the staged text (`_stage`, or `_stage_long` for wide targets) into `_checked`: one row per source
row with the converted fields, the dimension columns, a reason per field when its value cannot be read, and
`_bad` when any field failed. Dates, stages, periods and metrics are converted once per *distinct* value in
Python (knowledge/dates.py, the stage map) and joined back; amounts are read by SQL (`amount_sql`), with exactly
the rules of `column_profile.clean_number`: plain numbers cast in the row pass, the rest once per distinct value
(`_money_map`). The report (`_tally`) is one aggregate pass over the view; the write is the other. The issues are the same as a row-by-row check's (tests/import_reference.py
is that check; the tests compare the two): each rejected row names file, row (line, header = 1), column, value,
and reason, ordered by row and then by field.

Rules: a blank amount is accepted on an open deal (its amount is unknown) and rejected on a won or lost one;
a blank date is NULL; amounts keep at most 4 decimals (more is reported); a stage must be in the stage map. A
measure (profit, quantity …) that is not a number does not reject its row: the row is kept with the measure
unknown and the cell is reported as a warning (file, row, column, value), so adding measures never changes
which rows are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pyarrow as pa

from fupan.errors import InputError
from knowledge.column_profile import MONEY_NOISE, NUMBER, clean_number
from knowledge.dates import STRIP, DateOrder, DateRuling, date_token, parse_date, rule_column
from knowledge.import_report import Issue
from knowledge.mapping import CANONICAL_STAGES, DEFAULT_TARGET_METRIC, TARGET_METRICS, norm
from knowledge.sales_source import blank_sql, clean_sql

CHECKED = "_checked"
MAX_LISTED = 10_000  # rejected rows listed one by one; beyond that, counted per reason
MAX_WARNED = 500  # rows listed per row-level warning
_STRIP_SQL = " || ".join(f"chr({ord(c)})" for c in STRIP)


def lit(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def trim_sql(expr: str) -> str:
    return f"trim({expr}, {_STRIP_SQL})"


def amount_sql(cell: str) -> tuple[str, str, str]:
    """(fast value, slow value, whether the slow reading is a number) for a staged cell: plain numbers are cast
    directly (DECIMAL(18,4)); the rest are trimmed and cleaned of currency signs and separators first."""
    fast = f"(CASE WHEN strpos({cell}, '_') = 0 THEN TRY_CAST({cell} AS DECIMAL(18,4)) END)"
    t = trim_sql(cell)
    neg = f"({t} LIKE '(%)')"
    body = f"CASE WHEN {neg} THEN substr({t}, 2, length({t}) - 2) ELSE {t} END"
    fw = f"translate({body}, '０１２３４５６７８９．，－＋', '0123456789.,-+')"
    x = f"regexp_replace({fw}, {lit(MONEY_NOISE)}, '', 'g')"
    signed = f"CASE WHEN {neg} AND NOT starts_with({x}, '-') THEN '-' || ltrim({x}, '+') ELSE {x} END"
    ok = f"regexp_full_match({x}, {lit(NUMBER)})"
    return fast, f"CASE WHEN {ok} THEN TRY_CAST({signed} AS DECIMAL(18,4)) END", ok


def read_amount(value: str) -> Decimal:
    """The Python reading of one amount, as `amount_sql` reads it; ValueError with the reason otherwise."""
    number = clean_number(value)
    if number is None:
        raise ValueError("not a number")
    amount = Decimal(number).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if abs(amount) >= Decimal(10) ** 14:
        raise ValueError("number too large (at most 14 digits before the point)")
    return amount


@dataclass
class FieldSpec:
    """One canonical field: where its text comes from and how it is read."""

    field: str
    expr: str  # SQL over the source relation: a staged column (c3), `_value`, or a literal for constants
    label: str  # the user's column header (or SQL giving it per row when label_sql)
    kind: str = "text"  # text, date, money, number (a measure), stage, period, metric, year
    label_sql: bool = False
    constant: bool = False


@dataclass
class CheckInput:
    file: str
    kind: str
    layout: str
    fields: list[FieldSpec]
    dims: list[tuple[str, str]]  # (dimension id, staged column)
    source: str  # SQL relation with _line and the staged columns
    stage_map: dict[str, str] = field(default_factory=dict)
    formats: tuple[str, ...] = ()
    orders: dict[str, DateOrder | None] = field(default_factory=dict)  # date column label -> forced order
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    year_expr: str | None = None  # targets: a year column for yearless periods
    sheet_year: int | None = None
    fiscal_year_start_month: int = 1
    unreadable: dict[int, str] = field(default_factory=dict)
    clean: frozenset[str] = frozenset()  # staged columns whose every distinct cell is already clean (no trim)


def cleaned(ci: CheckInput, column: str, expr: str) -> str:
    """A text cell as stored: `clean_sql`, or the cell itself when every distinct cell of its column is known to
    be clean already (listed before the check: trimmed and non-empty), which is the same value for every row."""
    return expr if column in ci.clean else clean_sql(expr)


@dataclass
class Checked:
    rejected: list[Issue]
    warnings: list[Issue]
    notes: list[str]
    rulings: list[DateRuling]
    rows: int
    accepted: int
    rejected_rows: int


# ---- the conversion maps -----------------------------------------------------------------------------------
def _register_map(con: duckdb.DuckDBPyConnection, name: str, rows: list[tuple[str, object, str | None]], typ: str) -> None:
    keys = pa.array([r[0] for r in rows], type=pa.string())
    if typ == "DATE":
        vals = pa.array([r[1] for r in rows], type=pa.date32())
    else:
        vals = pa.array([None if r[1] is None else str(r[1]) for r in rows], type=pa.string())
    reasons = pa.array([r[2] for r in rows], type=pa.string())
    con.register(f"{name}_arrow", pa.table({"k": keys, "v": vals, "r": reasons}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _date_map(con: duckdb.DuckDBPyConnection, ci: CheckInput, spec: FieldSpec, name: str) -> DateRuling:
    key = spec.expr  # the raw cell; Python reads its date token
    rows = con.execute(f"SELECT {key} AS k, count(*) FROM {ci.source} WHERE {key} IS NOT NULL GROUP BY ALL").fetchall()
    tokens = [(*date_token(k), n) for k, n in rows]
    ruling = rule_column(spec.label, tokens, ci.orders.get(spec.label), ci.formats)
    parsed: dict[str, tuple[str, object, str | None]] = {}
    for k, _ in rows:
        if not k.strip(STRIP):
            parsed[k] = (k, None, None)  # blank: no date
            continue
        try:
            parsed[k] = (k, parse_date(k, ruling), None)
        except ValueError as exc:
            parsed[k] = (k, None, str(exc))
    _register_map(con, name, list(parsed.values()), "DATE")
    return ruling


_TOO_LARGE = "'number too large (at most 14 digits before the point)'"


def _money_map(con: duckdb.DuckDBPyConnection, ci: CheckInput, spec: FieldSpec, name: str) -> None:
    """The amounts a plain cast cannot read (`¥1,234`, `(12.00)`, blanks, words), read once per distinct value.
    Plain numbers, nearly every cell, are cast in the row pass and never look at this map: reading every cell
    with the slow expression (trim, translate, regexp_replace) cost more than the rest of the check together."""
    cell = spec.expr
    fast_cell, _, _ = amount_sql(cell)
    _, slow, ok = amount_sql("k")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT k, {slow} AS v, {blank_sql('k')} AS b, "
        f"CASE WHEN {blank_sql('k')} THEN NULL WHEN NOT {ok} THEN 'not a number' WHEN {slow} IS NULL "
        f"THEN {_TOO_LARGE} END AS r "
        f"FROM (SELECT DISTINCT {cell} AS k FROM {ci.source} WHERE {cell} IS NOT NULL AND {fast_cell} IS NULL)"
    )


def _text_map(con: duckdb.DuckDBPyConnection, ci: CheckInput, spec: FieldSpec, name: str, convert) -> None:  # type: ignore[no-untyped-def]
    t = spec.expr
    year = spec.kind == "period" and ci.year_expr
    key = f"coalesce({t}, '')" + (f" || '|' || coalesce({ci.year_expr}, '')" if year else "")
    rows = con.execute(f"SELECT DISTINCT {key} FROM {ci.source}").fetchall()
    out: list[tuple[str, object, str | None]] = []
    for (k,) in rows:
        try:
            out.append((k, convert(k), None))
        except ValueError as exc:
            out.append((k, None, str(exc)))
    _register_map(con, name, out, "VARCHAR")


def _stage_reader(stages: dict[str, str]):  # type: ignore[no-untyped-def]
    def convert(value: str) -> str:
        value = value.strip(STRIP)
        if not value:
            raise ValueError("blank stage")
        stage = stages.get(norm(value))
        if stage is None:
            raise ValueError(f"unknown stage (known: {', '.join(CANONICAL_STAGES)}; add it to the stage map)")
        return stage

    return convert


def _period_reader(ci: CheckInput):  # type: ignore[no-untyped-def]
    from knowledge.target_periods import period_label

    def convert(key: str) -> str:
        value, _, year_text = key.partition("|")
        value, year_text = value.strip(STRIP), year_text.strip(STRIP)
        if not value:
            raise ValueError("blank period")
        year = int(year_text) if year_text.isdigit() else ci.sheet_year
        label = period_label(value, year, ci.fiscal_year_start_month)
        if label is None:
            if period_label(value, 2000) is not None:
                raise ValueError("period without a year (pass --year, or add a year column)")
            raise ValueError("cannot read the period (use e.g. 2026Q3, 2026-07, 2026H1, Q3, 7月)")
        return label

    return convert


def check(con: duckdb.DuckDBPyConnection, ci: CheckInput) -> Checked:
    """Define the `_checked` view over the source, and collect the issues in one pass over it (`_tally`): the
    counts, and the first rejected and warned rows with their cells. The write reads the same view."""
    selects = ["s._line AS _line"]
    joins: list[str] = []
    reasons: list[tuple[int, FieldSpec, str]] = []
    rulings: list[DateRuling] = []
    stage_value = _stage_value(ci)
    for pos, spec in enumerate(ci.fields):
        value, reason = _field_sql(con, ci, spec, pos, joins, rulings, stage_value)
        selects.append(f"{value} AS {spec.field}")
        if reason is not None and spec.kind == "number":  # a measure: the row is kept, the value reported
            selects += [f"{reason} AS _n{pos}", f"s.{spec.expr} AS _nv{pos}"]
        elif reason is not None:
            raw = spec.expr if spec.constant else f"s.{spec.expr}"
            label = f"s.{spec.label}" if spec.label_sql else lit(spec.label)
            selects += [f"{reason} AS _r{pos}", f"{raw} AS _v{pos}", f"{label} AS _c{pos}"]
            reasons.append((pos, spec, f"_r{pos}"))
    for dim_id, column in ci.dims:
        selects.append(f"{cleaned(ci, column, 's.' + column)} AS {dim_id}")
    unreadable = ""
    if ci.unreadable:
        lines = ", ".join(str(x) for x in sorted(ci.unreadable))
        unreadable = f" OR s._line IN ({lines})"
    bad = " OR ".join(f"{col} IS NOT NULL" for _, _, col in reasons) or "false"
    selects.append(f"({bad}{unreadable}) AS _bad")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {CHECKED} AS SELECT {', '.join(selects)} FROM {ci.source} s "
        + " ".join(joins)
    )
    checks = _warning_checks(ci)
    tally = _tally(con, ci, reasons, checks)
    rejected, bad_rows = _rejections(ci, reasons, tally)
    rows = int(tally["rows"])  # type: ignore[call-overload]
    warnings, blank_amounts = _row_warnings(ci, checks, tally)
    warnings += _decimal_warnings(con, ci)
    notes, date_warnings = _ruling_notes(ci, rulings)
    if blank_amounts:
        notes.append(
            f"{blank_amounts:,} open deal(s) have no amount yet: they are kept with the amount unknown, count in "
            "deal counts and the funnel, and add nothing to amounts"
        )
    return Checked(rejected, warnings + date_warnings, notes, rulings, rows, rows - bad_rows, bad_rows)


def _ruling_notes(ci: CheckInput, rulings: list[DateRuling]) -> tuple[list[str], list[Issue]]:
    notes: list[str] = []
    warnings: list[Issue] = []
    described = set()
    for r in rulings:
        if r.column in described:
            continue
        described.add(r.column)
        notes.append(r.describe())
        if r.basis == "default" and r.ambiguous:
            warnings.append(
                Issue(
                    file=ci.file,
                    column=r.column,
                    reason=f"{r.ambiguous:,} date(s) like 5/7/2003 could be month or day first and nothing in the "
                    "column tells; they are read month first (set date_order: day_first in a mapping if wrong)",
                )
            )
        if r.conflicting:
            warnings.append(
                Issue(
                    file=ci.file,
                    column=r.column,
                    reason=f"the column mixes month-first ({r.month_first_only:,}) and day-first "
                    f"({r.day_first_only:,}) dates; {r.ambiguous:,} ambiguous value(s) are read "
                    f"{'month' if r.order == 'month_first' else 'day'} first",
                )
            )
    return notes, warnings


def _stage_value(ci: CheckInput) -> str | None:
    """SQL for the row's canonical stage (for the blank-amount rule), once the stage map is joined."""
    for pos, spec in enumerate(ci.fields):
        if spec.field == "stage" and spec.constant:
            try:
                return lit(_stage_reader(ci.stage_map)(spec.expr.strip("'")))
            except ValueError as exc:
                raise InputError(f"the mapping's constant stage {spec.expr}: {exc}") from None
        if spec.field == "stage":
            return f"_m{pos}.v"
    return None


def _field_sql(  # noqa: PLR0911 - one branch per field type
    con: duckdb.DuckDBPyConnection,
    ci: CheckInput,
    spec: FieldSpec,
    pos: int,
    joins: list[str],
    rulings: list[DateRuling],
    stage_value: str | None,
) -> tuple[str, str | None]:
    raw = spec.expr if spec.constant else f"s.{spec.expr}"
    t = raw  # the cell as in the file: maps are keyed on it (Python trims), stored text is cleaned
    blank = blank_sql(t)
    name = f"_m{pos}"
    if spec.kind == "date":
        rulings.append(_date_map(con, ci, spec, name))
        joins.append(f"LEFT JOIN {name} ON {name}.k = {t}")
        return f"{name}.v", f"{name}.r"
    if spec.kind in ("money", "number"):  # number: a measure column, read like an amount; blank = unknown
        fast, slow, ok = amount_sql(t)
        if spec.constant:
            reason = (
                f"CASE WHEN {fast} IS NOT NULL THEN NULL WHEN {blank} THEN {_blank_money(ci, spec, stage_value)} "
                f"WHEN NOT {ok} THEN 'not a number' WHEN {slow} IS NULL THEN {_TOO_LARGE} END"
            )
            return f"coalesce({fast}, {slow})", reason
        _money_map(con, ci, spec, name)
        joins.append(f"LEFT JOIN {name} ON {name}.k = {t}")
        reason = (
            f"CASE WHEN {fast} IS NOT NULL THEN NULL WHEN {t} IS NULL OR {name}.b "
            f"THEN {_blank_money(ci, spec, stage_value)} ELSE {name}.r END"
        )
        return f"coalesce({fast}, {name}.v)", reason
    if spec.kind == "stage":
        if spec.constant:
            return lit(_stage_reader(ci.stage_map)(spec.expr.strip("'"))), None
        _text_map(con, ci, spec, name, _stage_reader(ci.stage_map))
        joins.append(f"LEFT JOIN {name} ON {name}.k = coalesce({t}, '')")
        return f"{name}.v", f"{name}.r"
    if spec.kind == "period":
        if spec.label_sql:  # wide targets: already a canonical label
            return raw, None
        _text_map(con, ci, spec, name, _period_reader(ci))
        key = f"coalesce({t}, '')" + (f" || '|' || coalesce(s.{ci.year_expr}, '')" if ci.year_expr else "")
        joins.append(f"LEFT JOIN {name} ON {name}.k = {key}")
        return f"{name}.v", f"{name}.r"
    if spec.kind == "metric":
        return _metric_sql(cleaned(ci, spec.expr, t)), None
    return _text_sql(cleaned(ci, spec.expr, t) if not spec.constant else t, ci.value_map.get(spec.field, {})), None


def _blank_money(ci: CheckInput, spec: FieldSpec, stage_value: str | None) -> str:
    if spec.field == "list_price" or spec.kind == "number":
        return "NULL"
    if spec.field == "target":
        return "'blank target'" if ci.layout != "targets_wide" else "NULL"
    if stage_value is None:
        return "'blank amount'"
    return (
        f"CASE WHEN {stage_value} IN ('won', 'lost') THEN 'blank amount on a ' || {stage_value} || ' deal' "
        f"WHEN {stage_value} IS NULL THEN 'blank amount' END"
    )


def _metric_sql(t: str) -> str:
    cases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in TARGET_METRICS.items())
    normed = f"lower(regexp_replace({t}, '[\\s_\\-]+', ' ', 'g'))"
    return f"CASE WHEN {t} IS NULL THEN {lit(DEFAULT_TARGET_METRIC)} ELSE CASE {normed} {cases} ELSE {t} END END"


def _text_sql(t: str, renames: dict[str, str]) -> str:
    if not renames:
        return t
    cases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in renames.items())
    return f"CASE {t} {cases} ELSE {t} END"


# ---- issues ------------------------------------------------------------------------------------------------
def _rejections(ci: CheckInput, reasons: list[tuple[int, FieldSpec, str]], tally: dict[str, object]) -> tuple[list[Issue], int]:
    """Every rejected cell (up to MAX_LISTED rows, then counts per reason), and the number of rejected rows."""
    issues: list[tuple[int, int, Issue]] = [
        (line, -1, Issue(file=ci.file, row=line, reason=f"cannot read the row: {why}"))
        for line, why in ci.unreadable.items()
    ]
    rows: list[dict[str, object]] = list(tally["bad_rows"] or [])  # type: ignore[call-overload]
    for row in rows[:MAX_LISTED]:
        line = int(row["_line"])  # type: ignore[call-overload]
        for pos, _, _ in reasons:
            reason, value, column = row[f"_r{pos}"], row[f"_v{pos}"], row[f"_c{pos}"]
            if reason is not None:
                issues.append((line, pos, Issue(file=ci.file, row=line, column=column, value=value or "", reason=reason)))  # type: ignore[arg-type]
    issues.sort(key=lambda t: (t[0], t[1]))
    out = [i for _, _, i in issues]
    bad = int(tally["bad"])  # type: ignore[call-overload]
    if bad <= MAX_LISTED:
        return out, bad
    summary = "; ".join(
        f"{spec.label}: {n:,}" for pos, spec, _ in reasons if (n := int(tally[f"_n{pos}"]))  # type: ignore[call-overload]
    )
    out.append(Issue(file=ci.file, reason=f"only the first {MAX_LISTED:,} rejected rows are listed; by column: {summary}"))
    return out, bad


def _has(ci: CheckInput, *fields: str) -> bool:
    names = {s.field for s in ci.fields}
    return all(f in names for f in fields)


def _spec(ci: CheckInput, name: str) -> FieldSpec | None:
    return next((s for s in ci.fields if s.field == name), None)


Check = tuple[str, str, str, str]  # (condition, column label, value SQL, reason SQL)


def _warning_checks(ci: CheckInput) -> list[Check]:
    """Row warnings on accepted rows: negative amount, close before create, won/lost without close date."""
    checks: list[Check] = []
    amount = _spec(ci, "amount")
    if amount:
        checks.append(("amount < 0", amount.label, "CAST(amount AS VARCHAR)", "'negative amount'"))
    close, created = _spec(ci, "close_date"), _spec(ci, "created_date")
    if close and created and created.label != close.label:
        checks.append(
            ("close_date < created_date", close.label, "CAST(close_date AS VARCHAR)",
             "'close date before create date ' || CAST(created_date AS VARCHAR)")
        )
    if ci.kind == "opportunities" and _has(ci, "stage"):
        cond = "stage IN ('won', 'lost')" + (" AND close_date IS NULL" if close else "")
        checks.append((cond, close.label if close else "close date", "''", "stage || ' deal without a close date'"))
    for pos, spec in enumerate(ci.fields):  # a measure value that is not a number: kept as unknown, reported
        if spec.kind == "number" and not spec.constant:
            keep = lit(f"; the row is kept with {spec.label} unknown")
            checks.append((f"_n{pos} IS NOT NULL", spec.label, f"_nv{pos}", f"_n{pos} || {keep}"))
    return checks


def _tally(
    con: duckdb.DuckDBPyConnection, ci: CheckInput, reasons: list[tuple[int, FieldSpec, str]], checks: list[Check]
) -> dict[str, object]:
    """One aggregate pass over `_checked`, nothing materialised: the rows, the rejected rows (the first
    MAX_LISTED + 1 with their cells, and per field how many), the accepted open deals without an amount, and
    per row warning how many accepted rows have it and the first MAX_WARNED of them. (The view is read in a
    subquery so that each row is converted once, however often `_bad` is referenced.)"""
    cells = "".join(f", _r{pos}, _v{pos}, _c{pos}" for pos, _, _ in reasons)
    warned = "".join(
        f", coalesce({c}, false) AS _w{k}, CASE WHEN {c} THEN {v} END AS _wv{k}, CASE WHEN {c} THEN {r} END AS _wr{k}"
        for k, (c, _, v, r) in enumerate(checks)
    )
    blank = "amount IS NULL" if _spec(ci, "amount") and ci.kind == "opportunities" else "false"
    fields = "".join(f", _r{pos} := _r{pos}, _v{pos} := _v{pos}, _c{pos} := _c{pos}" for pos, _, _ in reasons)
    aggs = [
        "count(*) AS rows",
        "count(*) FILTER (WHERE _bad) AS bad",
        f"min_by(struct_pack(_line := _line{fields}), _line, {MAX_LISTED + 1}) FILTER (WHERE _bad) AS bad_rows",
        *(f"count(*) FILTER (WHERE _bad AND _r{pos} IS NOT NULL) AS _n{pos}" for pos, _, _ in reasons),
        "count(*) FILTER (WHERE NOT _bad AND _blank) AS blank",
    ]
    for k in range(len(checks)):
        aggs += [
            f"count(*) FILTER (WHERE NOT _bad AND _w{k}) AS _wn{k}",
            f"min_by(struct_pack(_line := _line, v := _wv{k}, r := _wr{k}), _line, {MAX_WARNED}) "
            f"FILTER (WHERE NOT _bad AND _w{k}) AS _wl{k}",
        ]
    cur = con.execute(
        f"SELECT {', '.join(aggs)} FROM (SELECT _line, _bad{cells}{warned}, {blank} AS _blank FROM {CHECKED})"
    )
    names = [d[0] for d in cur.description or ()]
    return dict(zip(names, cur.fetchone() or (), strict=True))


def _row_warnings(ci: CheckInput, checks: list[Check], tally: dict[str, object]) -> tuple[list[Issue], int]:
    """The row warnings in row order (up to MAX_WARNED of each kind), and the accepted open deals without an
    amount."""
    found: list[tuple[int, int, Issue]] = []
    for k, (_, label, _, _) in enumerate(checks):
        total = int(tally[f"_wn{k}"])  # type: ignore[call-overload]
        if not total:
            continue
        rows: list[dict[str, object]] = list(tally[f"_wl{k}"] or [])  # type: ignore[call-overload]
        for row in rows:
            line = int(row["_line"])  # type: ignore[call-overload]
            found.append((line, k, Issue(file=ci.file, row=line, column=label, value=str(_num(row["v"])), reason=row["r"])))  # type: ignore[arg-type]
        if total > len(rows):
            found.append(
                (1 << 62, k, Issue(file=ci.file, column=label, reason=f"{total:,} rows in all (first {len(rows)} listed)"))
            )
    found.sort(key=lambda t: (t[0], t[1]))
    return [i for _, _, i in found], int(tally["blank"] or 0)  # type: ignore[call-overload]


def amount_text(value: Decimal) -> str:
    """An amount as the report shows it: no trailing zeros, no exponent (-5.0000 → -5, 1000.0000 → 1000)."""
    return format(value.normalize(), "f")


def _num(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return amount_text(Decimal(value))
    return value


def _decimal_warnings(con: duckdb.DuckDBPyConnection, ci: CheckInput) -> list[Issue]:
    out = []
    for spec in ci.fields:
        if spec.kind not in ("money", "number") or spec.constant:
            continue
        c = f"s.{spec.expr}"
        # a match needs a point with 5 characters after it: cells without one skip the regexp (nearly every cell)
        more = (
            f"CASE WHEN strpos({c}, '.') = 0 THEN false WHEN length({c}) - strpos({c}, '.') < 5 THEN false "
            f"ELSE regexp_matches({c}, '[.][0-9]{{5}}') END"
        )
        row = con.execute(f"SELECT count(*), min(s._line) FROM {ci.source} s WHERE {more}").fetchone()
        if row and row[0]:
            out.append(
                Issue(
                    file=ci.file,
                    column=spec.label,
                    reason=f"{row[0]:,} value(s) have more than 4 decimals and are stored rounded to 4 "
                    f"(first on row {row[1]})",
                )
            )
    return out
