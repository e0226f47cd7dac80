"""The records database itself: engines, sessions, migrations and the audit row, shared by every part of the records.

    db = RecordsDB(settings)          # opens SQLite (WAL) in the workspace or `settings.records_url`, migrates
    with db.reading() as session: ... # a plain session
    with db.writing() as session:     # one transaction (BEGIN IMMEDIATE on SQLite); audit rows go in the same one
        db.audit(session, actor, "draft.submit", ("draft", draft_id, team), version=2)

`Records` (knowledge/records.py) is this database plus the rules; the page accounts (knowledge/accounts.py) and
the job queue (knowledge/jobs.py) work on it too, so they import this module, not `Records`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fupan.clock import utc_now
from fupan.errors import PermissionDenied
from fupan.settings import Settings
from knowledge.records_models import AuditRow
from knowledge.records_schemas import Principal, Role

MIGRATIONS = Path(__file__).with_name("migrations")
SYSTEM = Principal(key_id="system", name="system", role="admin")


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of canonical JSON: the before/after hash of audit rows."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def require_role(actor: Principal, role: Role, what: str) -> None:
    if not actor.at_least(role):
        raise PermissionDenied(
            f"{what} needs the {role} role; key {actor.key_id} has {actor.role}",
            hint=f"ask an admin for a key with 'fupan keys create --role {role}'",
        )


def _migrate(engine: Engine, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def _sqlite_engines(url: str) -> tuple[Engine, Engine]:
    """A read engine, and a write engine whose transactions start with BEGIN IMMEDIATE (no upgrade deadlocks)."""
    args = {"check_same_thread": False, "timeout": 30}
    read = create_engine(url, connect_args=args, pool_size=20, max_overflow=20)
    write = create_engine(url, connect_args=args, pool_size=5, max_overflow=20)

    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    def _autocommit(dbapi_connection: Any, record: Any) -> None:
        _pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None

    event.listen(read, "connect", _pragmas)
    event.listen(write, "connect", _autocommit)
    event.listen(write, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return read, write


class RecordsDB:
    """The open records database (see the module docstring). Thread-safe: a session per call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        url = settings.records_database_url
        if url.startswith("sqlite"):
            settings.ensure_workspace()
            self._read, self._write_engine = _sqlite_engines(url)
        else:
            self._read = self._write_engine = create_engine(url, pool_size=20, max_overflow=20)
        self.for_update = not url.startswith("sqlite")
        """Whether a locking read takes row locks (`SELECT ... FOR UPDATE`): not on SQLite, whose writes
        serialise on BEGIN IMMEDIATE."""
        _migrate(self._write_engine, url)
        self._reader = sessionmaker(self._read, expire_on_commit=False)
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False)

    def close(self) -> None:
        self._read.dispose()
        self._write_engine.dispose()

    @property
    def dialect(self) -> str:
        return self._write_engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._writer() as session, session.begin(), session.no_autoflush:
            yield session

    def audit(
        self,
        session: Session,
        actor: Principal,
        action: str,
        entity: tuple[str, str, str],
        *,
        version: int | None = None,
        before: str | None = None,
        after: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """One audit row (who, when, what, content hash before/after), in the caller's transaction."""
        kind, entity_id, team = entity
        session.add(
            AuditRow(
                at=utc_now(),
                actor_key=actor.key_id,
                actor_name=actor.name,
                action=action,
                entity_type=kind,
                entity_id=entity_id,
                team=team,
                version=version,
                before_hash=before,
                after_hash=after,
                detail=detail or {},
            )
        )
