"""The document/chunk catalogue in SQLite: the source of truth BM25 is rebuilt from and deletes go through."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, kind TEXT, hash TEXT, source TEXT, doc_json TEXT);
CREATE TABLE IF NOT EXISTS chunks (
  pos INTEGER PRIMARY KEY AUTOINCREMENT, evidence_id TEXT UNIQUE, doc_id TEXT, n INTEGER, text TEXT,
  kind TEXT, region TEXT, rep TEXT, customer TEXT, product TEXT, day INTEGER, meta_json TEXT, tokens TEXT,
  language TEXT);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
CHUNK_COLUMNS = (
    "evidence_id",
    "doc_id",
    "n",
    "text",
    "kind",
    "region",
    "rep",
    "customer",
    "product",
    "day",
    "meta_json",
    "tokens",
    "language",
)


class Catalogue:
    """Documents by id with their content hash, and chunks in insertion order (the BM25 positions)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(chunks)")}
        for name in ("tokens", "language"):  # catalogues written before these columns existed
            if name not in columns:
                self._db.execute(f"ALTER TABLE chunks ADD COLUMN {name} TEXT")
        if "language" not in columns:
            self._db.execute("UPDATE chunks SET language = json_extract(meta_json, '$.language')")

    def doc_hash(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT hash FROM docs WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    def doc_kind(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT kind FROM docs WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [
            r[0]
            for r in self._db.execute("SELECT evidence_id FROM chunks WHERE doc_id = ? ORDER BY n", [doc_id])
        ]

    def replace(self, docs: list[tuple[str, str, str, str, str]], chunks: list[tuple[Any, ...]]) -> None:
        """Atomically swap in documents (doc_id, kind, hash, source, json) and their chunks."""
        with self._transaction():
            for doc in docs:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc[0]])
                self._db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)", doc)
            self._db.executemany(
                f"INSERT INTO chunks ({', '.join(CHUNK_COLUMNS)}) VALUES ({', '.join('?' * len(CHUNK_COLUMNS))})",
                chunks,
            )
            self._bump()

    def delete(self, doc_id: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc_id])
            self._db.execute("DELETE FROM docs WHERE doc_id = ?", [doc_id])
            self._bump()

    def _transaction(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return _Tx(self._db)  # type: ignore[return-value]

    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO state VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def state(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def set_state(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def generation(self) -> str:
        row = self._db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        return str(row[0]) if row else "0"

    def chunk(self, evidence_id: str) -> dict[str, Any] | None:
        cur = self._db.execute(
            f"SELECT {', '.join(CHUNK_COLUMNS)} FROM chunks WHERE evidence_id = ?", [evidence_id]
        )
        row = cur.fetchone()
        return _row(row) if row else None

    def chunks_by_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT {', '.join(CHUNK_COLUMNS)} FROM chunks WHERE evidence_id IN ({', '.join('?' * len(part))})"
            out.update({r[0]: _row(r) for r in self._db.execute(sql, part)})
        return out

    def all_chunks(self) -> list[tuple[Any, ...]]:
        """(evidence_id, text, kind, region, rep, customer, product, day, tokens, language) in BM25 order."""
        sql = (
            "SELECT evidence_id, text, kind, region, rep, customer, product, day, tokens, language"
            " FROM chunks ORDER BY pos"
        )
        return self._db.execute(sql).fetchall()

    def count_chunks(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(CHUNK_COLUMNS, row, strict=True))
    record["meta"] = json.loads(record.pop("meta_json") or "{}")
    record.pop("tokens", None)
    record.pop("language", None)
    return record


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
