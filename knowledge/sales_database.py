"""Rows staged from a database: a table or a query read through SQLAlchemy in batches (a server-side cursor) into
the same text stage (`_stage`) a file lands in, so that it is validated and snapshotted like a file."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from typing import Any

import duckdb

from fupan.errors import InputError
from knowledge.sales_source import STAGE, Staged, append_rows, clean_headers, raw


def stage_database(
    con: duckdb.DuckDBPyConnection,
    url: str,
    *,
    table: str | None = None,
    query: str | None = None,
    batch_rows: int = 50_000,
) -> Staged:
    """Stage a table or a query's rows from any SQLAlchemy database, in batches (server-side cursor)."""
    import sqlalchemy as sa

    if bool(table) == bool(query):
        raise InputError("name either --table or --query to import from a database")
    engine = sa.create_engine(_sqlalchemy_url(url))
    try:
        with engine.connect() as db:
            selectable: sa.Select[Any] | sa.TextClause
            if table:
                schema, _, name = table.rpartition(".")
                selectable = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=db).select()
            else:
                selectable = sa.text(str(query))
            result = db.execution_options(stream_results=True, yield_per=batch_rows).execute(selectable)
            headers = clean_headers(list(result.keys()))
            width = len(headers)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} ({', '.join(f'c{k} VARCHAR' for k in range(width))})")
            for part in result.partitions():
                append_rows(con, [[raw(_text(v)) for v in row] for row in part], width)
    except sa.exc.NoSuchTableError:
        raise InputError(f"no table {table!r} in the database", hint="check --table (schema.table)") from None
    except sa.exc.SQLAlchemyError as exc:
        raise InputError(f"the database refused: {str(exc).splitlines()[0][:300]}") from None
    finally:
        engine.dispose()
    rows = int(con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0])  # type: ignore[index]
    cols = ", ".join(f"c{k}" for k in range(width)) or "NULL"
    # a table's rows have no order: hash them order-free (xor and sum, so identical rows do not cancel)
    digest = con.execute(f"SELECT bit_xor(h), sum(h >> 20) FROM (SELECT hash({cols}) AS h FROM {STAGE})").fetchone()
    label = f"table {table}" if table else "query"
    content = hashlib.sha256(f"{_safe_url(url)}|{table}|{query}|{rows}|{digest}".encode()).hexdigest()
    return Staged(name=label, headers=headers, encoding="database", rows=rows, content_hash=content)


def _sqlalchemy_url(url: str) -> str:
    """postgresql://… uses psycopg 3 (the driver Fupan installs for PostgreSQL records)."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _safe_url(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//", url)


def _text(value: object) -> str | None:
    """A database value as text: dates ISO (2026-07-01), date-times with a space, numbers as written."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def is_database_url(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+]*://", text))
