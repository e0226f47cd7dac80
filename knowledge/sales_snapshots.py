"""Imports never destroy. Before a kind's rows are replaced, the replacement is checked and the current rows are
kept as the previous snapshot, so an import can be undone:

- an import that accepts no rows changes nothing (`refuse_empty`);
- an import that would remove more than `import_max_removed_share` of the current rows (rows whose key is not
  in the new file) is refused unless the caller says `replace` (`check_removal`);
- inside the import's transaction the current rows and their snapshot record become `<kind>_previous`
  (`keep_previous`), so `undo` can swap them back; undoing twice is a redo, nothing is ever lost by undo.

Every function here runs on the caller's DuckDB connection; `keep_previous` and `swap_previous` expect to be
inside the caller's transaction, so the data, the snapshot records and the previous copy change together.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
from pydantic import BaseModel, Field

from fupan.errors import ImportRefused, InputError

# what identifies a row of each kind: a row of the current data is "removed" when no new row has its key
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "opportunities": ("opportunity_id",),
    "targets": ("period", "region", "rep", "product", "metric"),
    "team": ("rep",),
    "products": ("product",),
    "accounts": ("account",),
}
_SNAPSHOT_FIELDS = "snapshot_id, kind, file, rows, imported_at, currency"


class UndoReport(BaseModel):
    """What `fupan import --undo` (POST /data/sales/undo) did."""

    kind: str
    restored_snapshot_id: str = Field(..., description="the snapshot that is current again")
    restored_file: str = ""
    rows: int = Field(0, description="rows of the restored snapshot")
    replaced_snapshot_id: str = Field(
        "", description="the snapshot it replaced, now kept as the previous one"
    )


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS previous_snapshots (snapshot_id VARCHAR, kind VARCHAR, file VARCHAR, "
        "rows INTEGER, imported_at TIMESTAMP)"
    )
    con.execute("ALTER TABLE previous_snapshots ADD COLUMN IF NOT EXISTS currency VARCHAR")


def refuse_empty(report: object, kind: str) -> None:
    """No accepted rows: refuse, naming why (every row rejected, or none in the file)."""
    read = int(getattr(report, "rows_read", 0))
    why = {0: "the file has no data rows", 1: "its one row was rejected"}.get(
        read, f"all {read} rows were rejected"
    )
    raise ImportRefused(
        f"nothing to import: {why}; the current {kind} data is unchanged",
        file=str(getattr(report, "file", "")) or None,
        hint="fix the rows listed in the report and import again"
        if read
        else "export the file again with its data rows (only a header was found)",
        report=report,
    )


def removed_rows(con: duckdb.DuckDBPyConnection, kind: str, incoming: str) -> tuple[int, int]:
    """(current rows, current rows whose key is not among the rows of the registered relation `incoming`)."""
    table = f"{kind}_data"
    keys = ROW_KEYS[kind]
    match = " AND ".join(f"i.{k} IS NOT DISTINCT FROM CAST(c.{k} AS VARCHAR)" for k in keys)
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {incoming} i WHERE {match})) "
        f"FROM {table} c"
    ).fetchall()
    return (int(row[0][0]), int(row[0][1])) if row else (0, 0)


def check_removal(
    con: duckdb.DuckDBPyConnection, kind: str, incoming: str, report: object, *, replace: bool, share: float
) -> None:
    """Refuse an import that would remove more than `share` of the current rows, unless `replace`."""
    if replace:
        return
    current, removed = removed_rows(con, kind, incoming)
    if not current or removed / current <= share:
        return
    report.snapshot_id = ""  # type: ignore[attr-defined]  # it did not become a snapshot
    raise ImportRefused(
        f"importing it would remove {removed:,} of the {current:,} current {kind} rows "
        f"({removed / current:.0%}, more than the {share:.0%} allowed); nothing was changed",
        file=str(getattr(report, "file", "")) or None,
        hint="if the file is meant to replace them, import again with --replace (API: replace=true); "
        "'fupan import --undo' brings the previous data back afterwards",
        report=report,
    )


def keep_previous(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """The current rows and snapshot record become the previous snapshot (inside the import's transaction).
    The table is renamed, not copied (10M rows stay where they are); the caller then creates `<kind>_data`."""
    con.execute(f"DROP TABLE IF EXISTS {kind}_previous")
    con.execute(f"ALTER TABLE {kind}_data RENAME TO {kind}_previous")
    con.execute("DELETE FROM previous_snapshots WHERE kind = ?", [kind])
    con.execute(
        f"INSERT INTO previous_snapshots ({_SNAPSHOT_FIELDS}) SELECT {_SNAPSHOT_FIELDS} FROM snapshots "
        "WHERE kind = ? AND is_current",
        [kind],
    )


def last_changed_kind(con: duckdb.DuckDBPyConnection) -> str | None:
    """The kind whose current snapshot became current last (what a bare `--undo` undoes)."""
    row = con.execute(
        "SELECT kind FROM snapshots WHERE is_current AND kind IN (SELECT kind FROM previous_snapshots) "
        "ORDER BY imported_at DESC LIMIT 1"
    ).fetchall()
    return str(row[0][0]) if row else None


def swap_previous(con: duckdb.DuckDBPyConnection, kind: str) -> UndoReport:
    """Make the previous snapshot current and keep the current one as the previous (inside a transaction)."""
    previous = _one(con, f"SELECT {_SNAPSHOT_FIELDS} FROM previous_snapshots WHERE kind = ?", [kind])
    if previous is None:
        raise InputError(
            f"there is no earlier {kind} import to restore",
            hint="undo restores the data a later import replaced; import a file first",
        )
    current = _one(con, f"SELECT {_SNAPSHOT_FIELDS} FROM snapshots WHERE kind = ? AND is_current", [kind])
    # swapped by renaming: the two snapshots may have different learned columns
    con.execute(f"ALTER TABLE {kind}_data RENAME TO {kind}_undo_swap")
    con.execute(f"ALTER TABLE {kind}_previous RENAME TO {kind}_data")
    con.execute(f"ALTER TABLE {kind}_undo_swap RENAME TO {kind}_previous")
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("UPDATE snapshots SET is_current = false WHERE kind = ?", [kind])
    con.execute(
        "INSERT INTO snapshots (snapshot_id, kind, file, rows, imported_at, is_current, currency) "
        "VALUES (?, ?, ?, ?, ?, true, ?)",
        [*previous[:4], now, previous[5]],
    )
    con.execute("DELETE FROM previous_snapshots WHERE kind = ?", [kind])
    if current is not None:
        con.execute(f"INSERT INTO previous_snapshots ({_SNAPSHOT_FIELDS}) VALUES (?, ?, ?, ?, ?, ?)", list(current))
    return UndoReport(
        kind=kind,
        restored_snapshot_id=str(previous[0]),
        restored_file=str(previous[2] or ""),
        rows=int(previous[3] or 0),
        replaced_snapshot_id=str(current[0]) if current else "",
    )


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> tuple | None:
    """The first row, with the result read to the end (DuckDB refuses new work over an unfinished result)."""
    rows = con.execute(sql, params).fetchall()
    return tuple(rows[0]) if rows else None
