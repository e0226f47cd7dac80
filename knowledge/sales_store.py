"""The canonical sales tables in DuckDB: opportunities, targets and side tables, each import a snapshot.

Each kind's table has the canonical columns below plus one VARCHAR column per dimension learned from the user's
file (opportunities: `country`, `status`…; side tables: an account's `sector`, a rep's `office`). The definitions
of those dimensions are stored per snapshot in `dimension_defs`; `dimensions()` returns the registry of the
current data, and the `opportunities` view carries every dimension as a column (side-table attributes joined on
their key), so the metric engine can filter and group by any of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from fupan.dimensions import CORE_DIMENSIONS, DimensionDef, DimensionRegistry, MeasureDef
from fupan.errors import ImportRefused, InputError
from fupan.settings import Settings
from knowledge.import_report import ImportReport
from knowledge.mapping import KINDS, Mapping, load_mapping
from knowledge.sales_snapshots import (
    ROW_KEYS,
    UndoReport,
    check_removal,
    keep_previous,
    last_changed_kind,
    refuse_empty,
    swap_previous,
)
from knowledge.sales_snapshots import ensure_schema as _ensure_snapshot_schema

_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "opportunities": [
        ("opportunity_id", "VARCHAR"),
        ("order_id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("account", "VARCHAR"),
        ("rep", "VARCHAR"),
        ("manager", "VARCHAR"),
        ("region", "VARCHAR"),
        ("product", "VARCHAR"),
        ("lead_source", "VARCHAR"),
        ("stage", "VARCHAR"),
        ("amount", "DECIMAL(18,4)"),
        ("created_date", "DATE"),
        ("engaged_date", "DATE"),
        ("close_date", "DATE"),
        ("loss_reason", "VARCHAR"),
    ],
    "targets": [
        ("period", "VARCHAR"),
        ("region", "VARCHAR"),
        ("rep", "VARCHAR"),
        ("product", "VARCHAR"),
        ("metric", "VARCHAR"),
        ("target", "DECIMAL(18,4)"),
    ],
    "team": [("rep", "VARCHAR"), ("manager", "VARCHAR"), ("region", "VARCHAR")],
    "products": [("product", "VARCHAR"), ("product_line", "VARCHAR"), ("list_price", "DECIMAL(18,4)")],
    "accounts": [("account", "VARCHAR"), ("industry", "VARCHAR"), ("tier", "VARCHAR"), ("region", "VARCHAR")],
}
_KEYS = {"opportunities": "opportunity_id", "team": "rep", "products": "product", "accounts": "account"}
_ALIAS = {"team": "t", "accounts": "acc", "products": "prod"}
_KIND_ORDER = {"opportunities": 0, "team": 1, "products": 2, "accounts": 3, "targets": 4}
_GENERATIONS: dict[str, int] = {}  # database file -> write counter, shared by every store on that file
Progress = Callable[[str, float], None]


def _table(kind: str) -> str:
    return f"{kind}_data"


class SalesStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        path = settings.sales_db_path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            from fupan.server_marker import workspace_busy

            raise workspace_busy(settings, path, exc) from None
        self._db_key = str(path.resolve())
        self._snapshot_cache: tuple[int, str | None] | None = None
        self._dims_cache: tuple[int, DimensionRegistry] | None = None
        self._currency_cache: tuple[int, str] | None = None
        self._derived_checked: int | None = None
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        con = self.connection
        con.execute(
            "CREATE TABLE IF NOT EXISTS snapshots (snapshot_id VARCHAR, kind VARCHAR, file VARCHAR, "
            "rows INTEGER, imported_at TIMESTAMP, is_current BOOLEAN)"
        )
        con.execute("ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS currency VARCHAR")
        con.execute(
            "CREATE TABLE IF NOT EXISTS dimension_defs (snapshot_id VARCHAR, kind VARCHAR, position INTEGER, "
            "stored VARCHAR, definition VARCHAR)"
        )
        con.execute(
            "CREATE TABLE IF NOT EXISTS measure_defs (snapshot_id VARCHAR, kind VARCHAR, position INTEGER, "
            "definition VARCHAR)"
        )
        for kind, cols in _COLUMNS.items():
            body = ", ".join(f"{n} {t}" for n, t in cols)
            head = ", deal_head BOOLEAN" if kind == "opportunities" else ""
            con.execute(f"CREATE TABLE IF NOT EXISTS {_table(kind)} ({body}, snapshot_id VARCHAR{head})")
        con.execute(
            "CREATE TABLE IF NOT EXISTS account_first_won (account VARCHAR, first_won DATE, snapshot_id VARCHAR)"
        )
        con.execute(
            "CREATE TABLE IF NOT EXISTS opportunity_cube (rep VARCHAR, manager VARCHAR, region VARCHAR, "
            "product VARCHAR, stage VARCHAR, deal_head BOOLEAN, close_date DATE, created_date DATE, n BIGINT, "
            "amount DECIMAL(38,4))"
        )
        con.execute("CREATE TABLE IF NOT EXISTS derived_state (snapshot_id VARCHAR)")
        _ensure_snapshot_schema(con)
        build_views(con)

    def current_snapshot_id(self) -> str | None:
        """The combined id of the current imports; cached until this store (or any store on the same file)
        writes, so the metric engine can check it on every call for free."""
        generation = _GENERATIONS.get(self._db_key, 0)
        if self._snapshot_cache is None or self._snapshot_cache[0] != generation:
            self._snapshot_cache = (generation, self._read_snapshot_id())
        return self._snapshot_cache[1]

    def data_version(self) -> tuple[int, str | None]:
        """(writes to this database file in this process, current snapshot id): changes with every import and
        every direct write followed by `invalidate()`, so a cache keyed by it is never served stale data."""
        return _GENERATIONS.get(self._db_key, 0), self.current_snapshot_id()

    def dimensions(self) -> DimensionRegistry:
        """The dimensions of the current data: the core six (named by the user's headers where the data has
        them), then those learned at import, in the order of the user's files."""
        generation = _GENERATIONS.get(self._db_key, 0)
        if self._dims_cache is None or self._dims_cache[0] != generation:
            self._dims_cache = (generation, read_dimensions(self.connection))
        return self._dims_cache[1]

    def currency(self) -> str:
        """ISO code of the amounts in the current data ('' when unknown): the deals', else the targets'."""
        generation = _GENERATIONS.get(self._db_key, 0)
        if self._currency_cache is None or self._currency_cache[0] != generation:
            rows = dict(
                self.connection.execute(
                    "SELECT kind, currency FROM snapshots WHERE is_current AND kind IN ('opportunities', 'targets')"
                ).fetchall()
            )
            self._currency_cache = (generation, str(rows.get("opportunities") or rows.get("targets") or ""))
        return self._currency_cache[1]

    def invalidate(self) -> None:
        """Call after writing the tables directly over `connection` (imports do it themselves)."""
        _GENERATIONS[self._db_key] = _GENERATIONS.get(self._db_key, 0) + 1

    def ensure_derived(self) -> None:
        """Rebuild the derived tables if opportunities_data was written without them (e.g. directly)."""
        if self._derived_checked == _GENERATIONS.get(self._db_key, 0):
            return
        if not derived_is_current(self.connection):
            self.connection.execute("BEGIN TRANSACTION")
            try:
                build_derived(self.connection)
                self.connection.execute("COMMIT")
            except Exception:
                self.connection.execute("ROLLBACK")
                raise
        self._derived_checked = _GENERATIONS.get(self._db_key, 0)

    def _read_snapshot_id(self) -> str | None:
        rows = self.connection.execute(
            "SELECT kind, snapshot_id FROM snapshots WHERE is_current ORDER BY kind"
        ).fetchall()
        if not rows:
            return None
        if len(rows) == 1:
            return str(rows[0][1])
        digest = hashlib.sha256("|".join(f"{k}={s}" for k, s in rows).encode()).hexdigest()
        return f"snap-{digest[:12]}"

    # ---- imports -------------------------------------------------------------------------------------------
    def import_file(
        self,
        path: Path | str,
        kind: str | None = None,
        *,
        mapping: Mapping | Path | str | None = None,
        preset: str | None = None,
        sheet: str | None = None,
        strict: bool = False,
        replace: bool = False,
        dry_run: bool = False,
        currency: str | None = None,
        year: int | None = None,
        mapping_out: Path | str | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a CSV/XLSX/Parquet file (`kind` None or "auto": recognised from the headers) and make it the
        kind's current snapshot. Refused as a whole (ImportRefused, nothing changed) when no row is accepted,
        when `strict` finds any issue, or when it would remove more than `import_max_removed_share` of the
        current rows and `replace` is not set. `dry_run` only reports (and writes the proposed mapping to
        `mapping_out`)."""
        from knowledge.sales_source import stage_file

        path = Path(path)

        def stage(con: duckdb.DuckDBPyConnection):  # type: ignore[no-untyped-def]
            return stage_file(con, path, sheet, progress)

        try:
            return self._import(
                stage, kind, mapping=mapping, preset=preset, strict=strict, replace=replace, dry_run=dry_run,
                currency=currency, year=year, mapping_out=mapping_out, progress=progress,
            )
        except InputError as exc:
            if exc.file or type(exc) is not InputError:
                raise
            raise InputError(exc.message, file=path.name, hint=exc.hint) from None  # every error names the file

    def import_database(
        self,
        url: str,
        kind: str | None = None,
        *,
        table: str | None = None,
        query: str | None = None,
        mapping: Mapping | Path | str | None = None,
        strict: bool = False,
        replace: bool = False,
        dry_run: bool = False,
        currency: str | None = None,
        mapping_out: Path | str | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a table (`table`) or a query's rows (`query`) from a database URL (postgresql://…), checked
        and kept as a snapshot exactly like a file."""
        from knowledge.sales_database import stage_database

        def stage(con: duckdb.DuckDBPyConnection):  # type: ignore[no-untyped-def]
            return stage_database(con, url, table=table, query=query)

        return self._import(
            stage, kind, mapping=mapping, preset=None, strict=strict, replace=replace, dry_run=dry_run,
            currency=currency, year=None, mapping_out=mapping_out, progress=progress,
        )

    def _import(  # noqa: PLR0913 - the import options, passed through
        self,
        stage: Callable[[duckdb.DuckDBPyConnection], object],
        kind: str | None,
        *,
        mapping: Mapping | Path | str | None,
        preset: str | None,
        strict: bool,
        replace: bool,
        dry_run: bool,
        currency: str | None,
        year: int | None,
        mapping_out: Path | str | None,
        progress: Progress | None,
    ) -> ImportReport:
        from knowledge.mapping_file import mapping_text, write_atomic
        from knowledge.sales_import import prepare, snapshot_id
        from knowledge.side_tables import check_against_deals

        if kind in (None, "", "auto"):
            kind = None
        elif kind not in KINDS:
            raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)} (or leave it out)")
        if mapping is not None and not isinstance(mapping, Mapping):
            mapping = load_mapping(Path(mapping))
        con = self.connection
        step = progress or (lambda _phase, _done: None)
        con.execute(f"SET memory_limit = '{self.settings.import_memory_mb}MB'")
        con.execute("SET enable_progress_bar = true")  # tracked for query_progress() (the CLI's bar) …
        con.execute("SET enable_progress_bar_print = false")  # … but never printed by DuckDB itself
        try:
            step("reading", 0.0)
            staged = stage(con)
            step("checking", 0.3)
            prep = prepare(
                con,
                staged,  # type: ignore[arg-type]
                kind=kind,
                mapping=mapping,
                preset=preset,
                max_values=self.settings.dimension_max_values,
                fiscal_year_start_month=self.settings.fiscal_year_start_month,
                currency=currency,
                default_currency=self.settings.currency,
                year=year,
                taken_ids=self._other_dimension_ids,
            )
            report = prep.report
            side, suggested = check_against_deals(con, prep.kind, report.file, prep.mapping.columns)
            report.warnings += side
            report.suggested_value_map = suggested
            report.warnings += self._currency_warnings(prep.kind, report)
            if dry_run:
                report.dry_run = True
                if mapping_out is not None:
                    write_atomic(Path(mapping_out), mapping_text(prep.mapping, report, prep.date_orders))
                    report.mapping_file = str(mapping_out)
                return report
            if strict and (report.warnings or report.rejected):
                report.rejected = report.rejected + [
                    w.model_copy(update={"reason": f"(strict) {w.reason}"}) for w in report.warnings
                ]
                report.rows_rejected, report.rows_accepted = report.rows_read, 0
                raise ImportRefused(
                    f"--strict: {len(report.rejected)} issues, so nothing was imported; "
                    f"the current {prep.kind} data is unchanged",
                    file=report.file,
                    hint="fix the rows listed in the report, or import without --strict",
                    report=report,
                )
            if not report.rows_accepted:
                refuse_empty(report, prep.kind)
            step("writing", 0.7)
            report.snapshot_id = snapshot_id(prep)
            report.unchanged = self._write(prep, replace=replace)
            if prep.kind in ("targets", "opportunities"):
                from knowledge.targets_import import coverage

                notes, warnings = coverage(con, report.file)
                if prep.kind == "targets":
                    report.notes += notes
                    report.warnings += warnings
                else:
                    report.warnings += [w for w in warnings if "no deal" in w.reason]
            step("done", 1.0)
            return report
        finally:
            drop_temporaries(con)
            con.execute("RESET memory_limit")

    def undo_import(self, kind: str | None = None) -> UndoReport:
        """Restore the snapshot the last import of `kind` (default: the last import of any kind) replaced;
        the replaced one is kept, so a second undo is a redo. Its learned dimensions come back with it."""
        con = self.connection
        kind = kind or last_changed_kind(con)
        if kind is None:
            raise InputError("there is no earlier import to restore", hint="import a file first")
        if kind not in KINDS:
            raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
        con.execute("BEGIN TRANSACTION")
        try:
            result = swap_previous(con, kind)
            build_views(con)
            if kind != "targets":
                build_derived(con)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            self.invalidate()
        return result

    def _other_dimension_ids(self, kind: str) -> set[str]:
        """Ids of the learned dimensions of the other kinds' current snapshots."""
        return {d.id for d, k in _current_defs(self.connection) if k != kind and d.origin != "core"}

    def _currency_warnings(self, kind: str, report: ImportReport) -> list:  # type: ignore[type-arg]
        from knowledge.import_report import Issue

        other = {"opportunities": "targets", "targets": "opportunities"}.get(kind)
        if not other or not report.currency:
            return []
        row = self.connection.execute(
            "SELECT currency FROM snapshots WHERE is_current AND kind = ?", [other]
        ).fetchone()
        if row and row[0] and row[0] != report.currency:
            return [
                Issue(
                    file=report.file,
                    reason=f"amounts are in {report.currency} but the current {other} are in {row[0]}; "
                    "figures that compare them (achievement, gap) would mix currencies",
                )
            ]
        return []

    def _write(self, prep, *, replace: bool = False) -> bool:  # type: ignore[no-untyped-def]
        """Replace the kind's data with the accepted rows, in one transaction, the current rows kept as the
        previous snapshot; True when nothing changed (the same file again)."""
        con = self.connection
        kind = prep.kind
        snap = prep.report.snapshot_id
        current = con.execute(
            "SELECT snapshot_id FROM snapshots WHERE kind = ? AND is_current", [kind]
        ).fetchall()
        if current and current[0][0] == snap:
            return True
        if _count(con, _table(kind)):  # nothing to remove from an empty table (and no pass over the rows)
            keys = ", ".join(ROW_KEYS[kind])
            incoming = f"(SELECT {keys} FROM _checked WHERE NOT _bad)"
            share = self.settings.import_max_removed_share
            check_removal(con, kind, incoming, prep.report, replace=replace, share=share)
        select = _accepted_sql(con, prep, snap)
        # the rows need no particular order unless the SELECT sorts them (ORDER BY is still honoured; the file's
        # row order was not kept by the parallel write either): the threads write as they finish, with less
        # buffering (10M rows, two threads: 26.1 → 25.2 CPU-s at the import's memory limit, 22.7 → 20.6 without)
        con.execute("SET preserve_insertion_order = false")
        con.execute("BEGIN TRANSACTION")
        try:
            keep_previous(con, kind)
            con.execute(f"CREATE OR REPLACE TABLE {_table(kind)} AS {select}")
            _record_definitions(con, prep, snap)
            con.execute("UPDATE snapshots SET is_current = false WHERE kind = ?", [kind])
            con.execute(
                "INSERT INTO snapshots (snapshot_id, kind, file, rows, imported_at, is_current, currency) "
                "VALUES (?, ?, ?, ?, ?, true, ?)",
                [
                    snap,
                    kind,
                    prep.report.file,
                    _count(con, _table(kind)),
                    datetime.now(UTC).replace(tzinfo=None),
                    prep.report.currency,
                ],
            )
            build_views(con)
            if kind != "targets":
                build_derived(con, mark=False)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("RESET preserve_insertion_order")
            self.invalidate()
        return False

    def close(self) -> None:
        self.connection.close()


def drop_temporaries(con: duckdb.DuckDBPyConnection) -> None:
    """The import's temporary view and tables (the staged rows, the conversion maps)."""
    con.execute("DROP VIEW IF EXISTS _checked")
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND (table_name LIKE '\\_%' ESCAPE '\\')"
    ).fetchall():
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def _accepted_sql(con: duckdb.DuckDBPyConnection, prep, snap: str) -> str:  # type: ignore[no-untyped-def]
    """SELECT of the accepted rows as the kind's table: canonical columns, learned columns, snapshot id."""
    kind = prep.kind
    have = {r[0] for r in con.execute("DESCRIBE _checked").fetchall()}
    core = [n for n, _ in _COLUMNS[kind]]
    cols = [
        f"CAST({n} AS {t}) AS {n}" if n in have else f"CAST(NULL AS {t}) AS {n}" for n, t in _COLUMNS[kind]
    ]
    extra = [d.stored for d in prep.dims if d.staged and d.stored not in core and d.stored in have]
    cols += [f"{c}" for c in dict.fromkeys(extra)]
    for m in prep.measures:
        if m.date_field and m.date_field in have and m.days_from in have:  # Ship Date − Order Date, in days
            cols.append(f"CAST(date_diff('day', {m.days_from}, {m.date_field}) AS DECIMAL(18,4)) AS {m.definition.id}")
        elif m.definition.id in have:
            cols.append(f"CAST({m.definition.id} AS DECIMAL(18,4)) AS {m.definition.id}")
    cols.append(f"'{snap}' AS snapshot_id")
    key = _KEYS.get(kind)
    where = "NOT _bad"
    qualify = ""
    if key and prep.dedupe_key == key:
        qualify = f" QUALIFY {key} IS NULL OR row_number() OVER (PARTITION BY {key} ORDER BY _line DESC) = 1"
    if kind == "opportunities":
        head = (
            "order_id IS NULL OR opportunity_id = min(opportunity_id) OVER (PARTITION BY order_id)"
            if prep.order_key
            else "true"
        )
        inner = f"SELECT * FROM _checked WHERE {where}{qualify}"
        order = " ORDER BY _line" if qualify or prep.order_key else ""  # windows lose the file's order
        return f"SELECT {', '.join(cols)}, ({head}) AS deal_head FROM ({inner}){order}"
    order = " ORDER BY _line" if qualify else ""
    return f"SELECT {', '.join(cols)} FROM _checked WHERE {where}{qualify}{order}"


def _current_defs(con: duckdb.DuckDBPyConnection) -> list[tuple[DimensionDef, str]]:
    rows = con.execute(
        "SELECT d.kind, d.definition FROM dimension_defs d JOIN snapshots s "
        "ON s.snapshot_id = d.snapshot_id AND s.kind = d.kind WHERE s.is_current ORDER BY d.position"
    ).fetchall()
    out = [(DimensionDef.model_validate_json(text), kind) for kind, text in rows]
    return sorted(out, key=lambda p: _KIND_ORDER.get(p[1], 9))


def _stored_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, DimensionDef]]:
    """(kind, stored column, dimension id, definition) of the current learned dimensions and attributes."""
    rows = con.execute(
        "SELECT d.kind, d.stored, d.definition FROM dimension_defs d JOIN snapshots s "
        "ON s.snapshot_id = d.snapshot_id AND s.kind = d.kind WHERE s.is_current ORDER BY d.position"
    ).fetchall()
    out = []
    for kind, stored, text in rows:
        d = DimensionDef.model_validate_json(text)
        if d.origin != "core":
            out.append((kind, stored, d.id, d))
    return sorted(out, key=lambda r: _KIND_ORDER.get(r[0], 9))


def read_dimensions(con: duckdb.DuckDBPyConnection) -> DimensionRegistry:
    """The registry of the current snapshots (see SalesStore.dimensions)."""
    core = {d.id: d for d in CORE_DIMENSIONS}
    learned: list[DimensionDef] = []
    view = {r[0] for r in con.execute("DESCRIBE opportunities").fetchall()}
    for d, kind in _current_defs(con):
        if d.origin == "core" and d.id in core:
            prev = core[d.id]
            words = tuple(dict.fromkeys([*d.words, *prev.words]))
            if kind == "opportunities" or prev.header is None:
                core[d.id] = d.model_copy(update={"words": words})
            else:
                core[d.id] = prev.model_copy(update={"words": tuple(dict.fromkeys([*prev.words, *d.words]))})
        elif d.id in view and d.id not in core:
            learned.append(d)
    taken = set(core) | {d.id for d in learned}
    measures = [m for m in read_measures(con) if m.id in view and m.id not in taken]
    return DimensionRegistry([*core.values(), *learned], measures)


def read_measures(con: duckdb.DuckDBPyConnection) -> list[MeasureDef]:
    """The learned measures of the current deals snapshot, in the file's order."""
    rows = con.execute(
        "SELECT m.definition FROM measure_defs m JOIN snapshots s ON s.snapshot_id = m.snapshot_id "
        "AND s.kind = m.kind WHERE s.is_current AND m.kind = 'opportunities' ORDER BY m.position"
    ).fetchall()
    return [MeasureDef.model_validate_json(text) for (text,) in rows]


def build_views(con: duckdb.DuckDBPyConnection) -> None:
    """The `opportunities` view: the deals with manager/region filled from the team table, their learned
    columns, and every side-table attribute joined on its key; plus the targets and side-table views."""
    core = [n for n, _ in _COLUMNS["opportunities"]]
    have = {kind: {r[0] for r in con.execute(f"DESCRIBE {_table(kind)}").fetchall()} for kind in _COLUMNS}
    cols = [
        "coalesce(o.manager, t.manager) AS manager" if c == "manager" else
        "coalesce(o.region, t.region) AS region" if c == "region" else f"o.{c}"
        for c in core
    ]
    cols += ["o.snapshot_id", "o.deal_head"]
    seen = set(core) | {"snapshot_id", "deal_head"}
    learned = _stored_columns(con)
    for kind, stored, dim_id, _ in learned:
        if kind == "opportunities" and stored in have["opportunities"] and dim_id not in seen:
            cols.append(f"o.{stored} AS {dim_id}")
            seen.add(dim_id)
    for m in read_measures(con):
        if m.id in have["opportunities"] and m.id not in seen:
            cols.append(f"o.{m.id}")
            seen.add(m.id)
    joins = ["LEFT JOIN team_data t ON o.rep = t.rep"]
    for kind, stored, dim_id, d in learned:
        if kind in _ALIAS and stored in have[kind] and dim_id not in seen and d.key:
            alias = _ALIAS[kind]
            cols.append(f"{alias}.{stored} AS {dim_id}")
            seen.add(dim_id)
            join = f"LEFT JOIN {_table(kind)} {alias} ON o.{d.key} = {alias}.{d.key}"
            if join not in joins:
                joins.append(join)
    con.execute(f"CREATE OR REPLACE VIEW opportunities AS SELECT {', '.join(cols)} FROM opportunities_data o {' '.join(joins)}")
    con.execute(
        "CREATE OR REPLACE VIEW targets AS SELECT period, region, rep, product, metric, target FROM targets_data"
    )
    for kind in ("team", "products", "accounts"):
        con.execute(f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM {_table(kind)}")


_WON_DEAL_COLUMNS = (  # what the metric pack reads: the core dimensions and the columns of the registry's SQL
    "account",
    "rep",
    "manager",
    "region",
    "product",
    "lead_source",
    "stage",
    "amount",
    "created_date",
    "engaged_date",
    "close_date",
    "deal_head",
)
_NOT_IN_WON_DEALS = {"opportunity_id", "order_id", "name", "loss_reason", "snapshot_id"}
_DERIVED_KEY = (  # v4: the derived tables' layout; a new layout rebuilds them in existing workspaces
    "SELECT 'v4|' || coalesce((SELECT snapshot_id FROM opportunities_data LIMIT 1), '') || '|' || "
    "coalesce((SELECT snapshot_id FROM team_data LIMIT 1), '') || '|' || "
    "coalesce((SELECT snapshot_id FROM accounts_data LIMIT 1), '') || '|' || "
    "coalesce((SELECT snapshot_id FROM products_data LIMIT 1), '')"
)


def build_derived(con: duckdb.DuckDBPyConnection, *, mark: bool = True) -> None:
    """Per-snapshot tables the metric engine reads, rebuilt whenever opportunities or team are replaced:
    the deal_head marks, each account's first won close date (over all rows of the snapshot), and the
    monthly cube (rows and amount per close month, created month, stage, deal head, rep, manager, region,
    product; manager and region as the `opportunities` view fills them from the team table), and `won_deals`
    (the won rows of that view with every dimension and first_won, sorted by close date so period windows skip
    most of the file). Imports set deal_head themselves (`mark=False`)."""
    if mark:
        mark_deal_heads(con)
    con.execute("DELETE FROM opportunity_cube")
    con.execute(
        "INSERT INTO opportunity_cube SELECT rep, manager, region, product, stage, deal_head, "
        "date_trunc('month', close_date)::DATE, date_trunc('month', created_date)::DATE, count(*), sum(amount) "
        "FROM opportunities GROUP BY ALL"
    )
    con.execute("DELETE FROM account_first_won")
    con.execute(
        "INSERT INTO account_first_won SELECT account, min(close_date), any_value(snapshot_id) "
        "FROM opportunities_data WHERE stage = 'won' AND close_date IS NOT NULL AND account IS NOT NULL "
        "GROUP BY account"
    )
    view = [r[0] for r in con.execute("DESCRIBE opportunities").fetchall()]
    cols = [*_WON_DEAL_COLUMNS, *(c for c in view if c not in _WON_DEAL_COLUMNS and c not in _NOT_IN_WON_DEALS)]
    con.execute(
        f"CREATE OR REPLACE TABLE won_deals AS SELECT {', '.join('o.' + c for c in cols)}, "
        "f.first_won FROM opportunities o LEFT JOIN account_first_won f ON o.account = f.account "
        "WHERE o.stage = 'won' ORDER BY o.close_date"
    )
    con.execute("DELETE FROM derived_state")
    con.execute(f"INSERT INTO derived_state {_DERIVED_KEY}")


def derived_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables were built from the opportunities rows now stored."""
    row = con.execute(
        f"SELECT (SELECT max(snapshot_id) FROM derived_state) IS NOT DISTINCT FROM ({_DERIVED_KEY})"
    ).fetchone()
    return bool(row and row[0])


def mark_deal_heads(con: duckdb.DuckDBPyConnection) -> None:
    """One line per deal counts as the deal: every CRM row, or the first line of each order (order data)."""
    con.execute(
        "UPDATE opportunities_data SET deal_head = order_id IS NULL OR opportunity_id IN "
        "(SELECT min(opportunity_id) FROM opportunities_data WHERE order_id IS NOT NULL GROUP BY order_id)"
    )


def _record_definitions(con, prep, snap: str) -> None:  # type: ignore[no-untyped-def]
    """The snapshot's dimension definitions (with the value counts the report found) and measure definitions."""
    kind = prep.kind
    found = {d.id: d.values for d in prep.report.dimensions}
    for pos, d in enumerate(prep.dims):
        definition = d.definition.model_copy(update={"cardinality": found.get(d.definition.id)})
        con.execute(
            "INSERT INTO dimension_defs VALUES (?, ?, ?, ?, ?)", [snap, kind, pos, d.stored, definition.model_dump_json()]
        )
    con.execute("DELETE FROM measure_defs WHERE snapshot_id = ? AND kind = ?", [snap, kind])
    for pos, m in enumerate(prep.measures):
        con.execute("INSERT INTO measure_defs VALUES (?, ?, ?, ?)", [snap, kind, pos, m.definition.model_dump_json()])
