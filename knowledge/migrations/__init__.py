"""Alembic migrations of the records database; `knowledge.records.Records` runs them on open."""
