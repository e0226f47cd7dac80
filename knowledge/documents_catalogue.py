"""The document/chunk catalogue in SQLite: the source of truth BM25 is rebuilt from and deletes go through.

Vectors live in Chroma under a *vector id* (`<evidence id>@<content hash>`), so a changed document's new
vectors never overwrite the old ones before the catalogue switches to them. Every vector write is journaled
here first (`vector_journal`: `new` = written to Chroma, not yet committed here; `old` = committed away,
still to delete from Chroma), so a kill at any moment leaves a journal that `DocumentIndex.recover` replays:
no orphan vectors, no duplicates, and the catalogue never names a vector that is not there.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.documents import FILTER_FIELDS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, kind TEXT, hash TEXT, source TEXT, doc_json TEXT);
CREATE TABLE IF NOT EXISTS chunks (
  pos INTEGER PRIMARY KEY AUTOINCREMENT, evidence_id TEXT UNIQUE, doc_id TEXT, n INTEGER, text TEXT,
  kind TEXT, region TEXT, rep TEXT, customer TEXT, product TEXT, day INTEGER, meta_json TEXT, tokens TEXT,
  language TEXT);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS vector_journal (vector_id TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS field_values (name TEXT, value TEXT, vector BLOB, PRIMARY KEY (name, value));
"""
_ADDED_COLUMNS = ("tokens", "language", "outcome", "stage", "loss_reason", "vector_id")
CHUNK_COLUMNS = (
    "evidence_id",
    "doc_id",
    "n",
    "text",
    "kind",
    *FILTER_FIELDS,
    "day",
    "meta_json",
    "tokens",
    "language",
    "vector_id",
)
# what the in-memory search columns read, in this order (see all_chunks)
SEARCH_COLUMNS = (
    "evidence_id",
    "text",
    "kind",
    *FILTER_FIELDS,
    "day",
    "tokens",
    "language",
    "vector_id",
    "doc_id",
)


class Catalogue:
    """Documents by id with their content hash, and chunks in insertion order (the BM25 positions)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(chunks)")}
        for name in _ADDED_COLUMNS:  # catalogues written before these columns existed
            if name not in columns:
                self._db.execute(f"ALTER TABLE chunks ADD COLUMN {name} TEXT")
        if "language" not in columns:
            self._db.execute("UPDATE chunks SET language = json_extract(meta_json, '$.language')")
        if "vector_id" not in columns:  # vectors written before versioned ids are stored by evidence id
            self._db.execute("UPDATE chunks SET vector_id = evidence_id")

    def doc_hash(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT hash FROM docs WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    def doc_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(doc_ids)
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT doc_id, hash FROM docs WHERE doc_id IN ({', '.join('?' * len(part))})"
            out.update(dict(self._db.execute(sql, part).fetchall()))
        return out

    def doc_kind(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT kind FROM docs WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [
            r[0]
            for r in self._db.execute("SELECT evidence_id FROM chunks WHERE doc_id = ? ORDER BY n", [doc_id])
        ]

    def vector_ids(self, doc_ids: Iterable[str]) -> list[str]:
        ids = list(doc_ids)
        out: list[str] = []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT vector_id FROM chunks WHERE doc_id IN ({', '.join('?' * len(part))})"
            out += [r[0] for r in self._db.execute(sql, part) if r[0]]
        return out

    def journal_new(self, vector_ids: list[str]) -> None:
        """Record vectors about to be written to Chroma (before they are)."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO vector_journal VALUES (?, 'new')", [[v] for v in vector_ids]
            )

    def journal(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._db.execute("SELECT vector_id, state FROM vector_journal")]

    def clear_journal(self, vector_ids: list[str]) -> None:
        with self._transaction():
            self._db.executemany("DELETE FROM vector_journal WHERE vector_id = ?", [[v] for v in vector_ids])

    def replace(
        self,
        docs: list[tuple[str, str, str, str, str]],
        chunks: list[tuple[Any, ...]],
        *,
        field_vectors: dict[tuple[str, str], np.ndarray] | None = None,
    ) -> list[str]:
        """Atomically swap in documents (doc_id, kind, hash, source, json) and their chunks (CHUNK_COLUMNS);
        their vectors leave the journal, the replaced chunks' vectors enter it as `old`. Returns those."""
        with self._transaction():
            ids = [d[0] for d in docs]
            stale = set(self.vector_ids(ids)) - {c[-1] for c in chunks}
            for doc in docs:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc[0]])
                self._db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)", doc)
            self._db.executemany(
                f"INSERT INTO chunks ({', '.join(CHUNK_COLUMNS)}) VALUES ({', '.join('?' * len(CHUNK_COLUMNS))})",
                chunks,
            )
            self._db.executemany("DELETE FROM vector_journal WHERE vector_id = ?", [[c[-1]] for c in chunks])
            self._db.executemany(
                "INSERT OR REPLACE INTO vector_journal VALUES (?, 'old')", [[v] for v in stale]
            )
            for (name, value), vector in (field_vectors or {}).items():
                self._db.execute(
                    "INSERT OR REPLACE INTO field_values VALUES (?, ?, ?)",
                    [name, value, np.asarray(vector, dtype=np.float32).tobytes()],
                )
            self._bump()
        return sorted(stale)

    def delete(self, doc_id: str) -> list[str]:
        """Remove a document and its chunks; their vectors enter the journal as `old`. Returns those."""
        with self._transaction():
            stale = self.vector_ids([doc_id])
            self._db.executemany(
                "INSERT OR REPLACE INTO vector_journal VALUES (?, 'old')", [[v] for v in stale]
            )
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc_id])
            self._db.execute("DELETE FROM docs WHERE doc_id = ?", [doc_id])
            self._bump()
        return stale

    def field_vectors(self) -> dict[tuple[str, str], np.ndarray]:
        rows = self._db.execute("SELECT name, value, vector FROM field_values")
        return {(r[0], r[1]): np.frombuffer(r[2], dtype=np.float32) for r in rows if r[2] is not None}

    def known_field_values(self) -> set[tuple[str, str]]:
        return {(r[0], r[1]) for r in self._db.execute("SELECT name, value FROM field_values")}

    def _transaction(self) -> _Tx:
        self._db.execute("BEGIN IMMEDIATE")
        return _Tx(self._db)

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

    def documents(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        """doc id → {kind, source, doc (the stored Document JSON as a dict), chunks (count)}."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(doc_ids), 500):
            part = doc_ids[i : i + 500]
            marks = ", ".join("?" * len(part))
            sql = (
                f"SELECT d.doc_id, d.kind, d.source, d.doc_json, (SELECT count(*) FROM chunks c"
                f" WHERE c.doc_id = d.doc_id) FROM docs d WHERE d.doc_id IN ({marks})"
            )
            for doc_id, kind, source, doc_json, count in self._db.execute(sql, part):
                out[doc_id] = {"kind": kind, "source": source, "doc": json.loads(doc_json), "chunks": count}
        return out

    def all_chunks(self) -> list[tuple[Any, ...]]:
        """SEARCH_COLUMNS of every chunk in BM25 order."""
        columns = [f"COALESCE({c}, '')" if c in FILTER_FIELDS else c for c in SEARCH_COLUMNS]
        columns[-2] = "COALESCE(vector_id, evidence_id)"
        return self._db.execute(f"SELECT {', '.join(columns)} FROM chunks ORDER BY pos").fetchall()

    def count_chunks(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def count_docs(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(CHUNK_COLUMNS, row, strict=True))
    record["meta"] = json.loads(record.pop("meta_json") or "{}")
    for name in ("tokens", "language", "vector_id"):
        record.pop(name, None)
    return record


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
