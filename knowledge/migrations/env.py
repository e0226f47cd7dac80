"""Alembic environment: `Records` passes its open connection in `config.attributes["connection"]`.

For a developer's `alembic -c knowledge/migrations/alembic.ini revision --autogenerate`, the URL comes from
`FUPAN_RECORDS_URL` (or the workspace default) through the Settings class.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from knowledge.records_models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from fupan.settings import load_settings

    settings = load_settings()
    settings.ensure_workspace()
    engine = create_engine(settings.records_database_url)
    with engine.connect() as conn:
        _run(conn)
