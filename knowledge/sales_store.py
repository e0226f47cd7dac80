"""The canonical sales tables in DuckDB: opportunities, targets and side tables, each import a snapshot."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from fupan.dimensions import DimensionRegistry
from fupan.errors import ImportRefused, InputError
from fupan.settings import Settings
from knowledge.mapping import KINDS, Mapping, load_mapping, resolve_mapping
from knowledge.sales_import import ImportReport, read_table, table_warnings, validate_frame
from knowledge.sales_snapshots import (
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
_SIDE_KEYS = {"rep": "team", "product": "products", "account": "accounts"}
_GENERATIONS: dict[str, int] = {}  # database file -> write counter, shared by every store on that file


def _table(kind: str) -> str:
    return f"{kind}_data"


class SalesStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        path = settings.sales_db_path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(str(path))
        self._db_key = str(path.resolve())
        self._snapshot_cache: tuple[int, str | None] | None = None
        self._derived_checked: int | None = None
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        con = self.connection
        con.execute(
            "CREATE TABLE IF NOT EXISTS snapshots (snapshot_id VARCHAR, kind VARCHAR, file VARCHAR, "
            "rows INTEGER, imported_at TIMESTAMP, is_current BOOLEAN)"
        )
        for kind, cols in _COLUMNS.items():
            body = ", ".join(f"{n} {t}" for n, t in cols)
            head = ", deal_head BOOLEAN" if kind == "opportunities" else ""
            con.execute(f"CREATE TABLE IF NOT EXISTS {_table(kind)} ({body}, snapshot_id VARCHAR{head})")
        con.execute(
            "CREATE OR REPLACE VIEW opportunities AS SELECT o.opportunity_id, o.order_id, o.name, o.account, "
            "o.rep, coalesce(o.manager, t.manager) AS manager, coalesce(o.region, t.region) AS region, "
            "o.product, o.lead_source, o.stage, o.amount, o.created_date, o.engaged_date, o.close_date, "
            "o.loss_reason, o.snapshot_id, o.deal_head FROM opportunities_data o LEFT JOIN team_data t ON o.rep = t.rep"
        )
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
        con.execute(
            "CREATE OR REPLACE VIEW targets AS SELECT period, region, rep, product, metric, target "
            "FROM targets_data"
        )
        for kind in ("team", "products", "accounts"):
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM {_table(kind)}")

    def current_snapshot_id(self) -> str | None:
        """The combined id of the current imports; cached until this store (or any store on the same file)
        writes, so the metric engine can check it on every call for free."""
        generation = _GENERATIONS.get(self._db_key, 0)
        if self._snapshot_cache is None or self._snapshot_cache[0] != generation:
            self._snapshot_cache = (generation, self._read_snapshot_id())
        return self._snapshot_cache[1]

    def dimensions(self) -> DimensionRegistry:
        """The dimensions of the current data: the core six, plus those learned at import."""
        return DimensionRegistry()

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

    def import_file(
        self,
        path: Path | str,
        kind: str,
        *,
        mapping: Mapping | Path | str | None = None,
        preset: str | None = None,
        sheet: str | None = None,
        strict: bool = False,
        replace: bool = False,
    ) -> ImportReport:
        """Validate the file and make it the kind's current snapshot. Refused as a whole (ImportRefused,
        nothing changed) when no row is accepted, when `strict` finds any issue, or when it would remove more
        than `import_max_removed_share` of the current rows and `replace` is not set."""
        path = Path(path)
        if kind not in KINDS:
            raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
        if mapping is not None and not isinstance(mapping, Mapping):
            mapping = load_mapping(Path(mapping))
        frame, encoding, delimiter = read_table(path, sheet)
        resolved = resolve_mapping(kind, list(frame.columns), mapping, preset)
        file = path.name
        checked = validate_frame(frame, kind, resolved, file)
        warnings = table_warnings(frame, kind, resolved, file) + checked.warnings
        warnings += self._side_table_warnings(kind, checked.frame, resolved, file)
        report = ImportReport(
            file=file,
            kind=kind,
            encoding=encoding,
            delimiter=delimiter,
            rows_read=len(frame),
            rows_rejected=len({i.row for i in checked.rejected}),
            rejected=checked.rejected,
            warnings=warnings,
            columns=resolved.columns,
        )
        if strict and warnings:
            report.rejected = report.rejected + [
                w.model_copy(update={"reason": f"(strict) {w.reason}"}) for w in warnings
            ]
        if strict and report.rejected:
            report.rows_rejected = len(frame)
            raise ImportRefused(
                f"--strict: {len(report.rejected)} issues, so nothing was imported; "
                f"the current {kind} data is unchanged",
                file=file,
                hint="fix the rows listed in the report, or import without --strict",
                report=report,
            )
        if checked.frame.empty:
            refuse_empty(report, kind)
        report.snapshot_id = _snapshot_id(kind, path, resolved, sheet)
        report.rows_accepted = len(checked.frame)
        report.unchanged = self._write(kind, checked.frame, report, replace=replace)
        return report

    def undo_import(self, kind: str | None = None) -> UndoReport:
        """Restore the snapshot the last import of `kind` (default: the last import of any kind) replaced;
        the replaced one is kept, so a second undo is a redo."""
        con = self.connection
        kind = kind or last_changed_kind(con)
        if kind is None:
            raise InputError("there is no earlier import to restore", hint="import a file first")
        if kind not in KINDS:
            raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
        con.execute("BEGIN TRANSACTION")
        try:
            result = swap_previous(con, kind)
            if kind in ("opportunities", "team"):
                build_derived(con)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            self.invalidate()
        return result

    def _write(
        self, kind: str, accepted: pd.DataFrame, report: ImportReport, *, replace: bool = False
    ) -> bool:
        con = self.connection
        current = con.execute(
            "SELECT snapshot_id FROM snapshots WHERE kind = ? AND is_current", [kind]
        ).fetchall()
        if current and current[0][0] == report.snapshot_id:
            return True
        cols = [n for n, _ in _COLUMNS[kind]]
        blank = pd.Series(None, index=accepted.index, dtype=object)
        frame = pd.DataFrame({c: accepted[c] if c in accepted else blank for c in cols}, columns=cols)
        key = _KEYS.get(kind)
        if key and len(frame):
            frame = frame[~(frame[key].notna() & frame[key].duplicated(keep="last"))]
        select = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in _COLUMNS[kind])
        con.register("_incoming", _arrow(frame))
        try:
            share = self.settings.import_max_removed_share
            check_removal(con, kind, "_incoming", report, replace=replace, share=share)
        except Exception:
            con.unregister("_incoming")
            raise
        con.execute("BEGIN TRANSACTION")
        try:
            keep_previous(con, kind)
            con.execute(f"DELETE FROM {_table(kind)}")
            names = ", ".join(c for c, _ in _COLUMNS[kind])
            con.execute(
                f"INSERT INTO {_table(kind)} ({names}, snapshot_id) SELECT {select}, ? FROM _incoming",
                [report.snapshot_id],
            )
            if kind in ("opportunities", "team"):
                build_derived(con)
            con.execute("UPDATE snapshots SET is_current = false WHERE kind = ?", [kind])
            con.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, true)",
                [report.snapshot_id, kind, report.file, len(frame), datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_incoming")
            self.invalidate()
        return False

    def _side_table_warnings(self, kind: str, accepted: pd.DataFrame, mapping: Mapping, file: str) -> list:
        from knowledge.sales_import import Issue

        if kind != "opportunities":
            return []
        out = []
        for field, side in _SIDE_KEYS.items():
            known = {r[0] for r in self.connection.execute(f"SELECT {field} FROM {_table(side)}").fetchall()}
            if not known:
                continue
            if field not in accepted:
                continue
            values = pd.unique(accepted[field].dropna())
            missing = sorted({str(v) for v in values if v and v not in known})
            for value in missing:
                out.append(
                    Issue(
                        file=file,
                        column=mapping.columns.get(field),
                        value=value,
                        reason=f"not found in the {side} table",
                    )
                )
        return out

    def close(self) -> None:
        self.connection.close()


_WON_DEAL_COLUMNS = (  # what the metric pack reads: every dimension and the columns of the registry's SQL
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
_DERIVED_KEY = (  # v2: the derived tables' layout; a new layout rebuilds them in existing workspaces
    "SELECT 'v3|' || coalesce((SELECT snapshot_id FROM opportunities_data LIMIT 1), '') || '|' || "
    "coalesce((SELECT snapshot_id FROM team_data LIMIT 1), '')"
)


def build_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Per-snapshot tables the metric engine reads, rebuilt whenever opportunities or team are replaced:
    the deal_head marks, each account's first won close date (over all rows of the snapshot), and the
    monthly cube (rows and amount per close month, created month, stage, deal head, rep, manager, region,
    product; manager and region as the `opportunities` view fills them from the team table), and `won_deals`
    (the won rows of that view with first_won, sorted by close date so period windows skip most of the file)."""
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
    con.execute(
        f"CREATE OR REPLACE TABLE won_deals AS SELECT {', '.join('o.' + c for c in _WON_DEAL_COLUMNS)}, "
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


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """Text columns as Arrow strings, which DuckDB scans much faster than Python objects."""
    return pa.Table.from_pandas(frame.astype({c: "str" for c in frame.columns}), preserve_index=False)


def _snapshot_id(kind: str, path: Path, mapping: Mapping, sheet: str | None) -> str:
    h = hashlib.sha256()
    h.update(kind.encode())
    h.update(path.read_bytes())
    h.update(json.dumps(mapping.model_dump(), sort_keys=True, ensure_ascii=False).encode())
    h.update(str(sheet).encode())
    return f"{kind[:3]}-{h.hexdigest()[:12]}"
