"""`fupan ingest`: Ingest call/visit notes, past reviews and lessons into the knowledge base."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("ingest", help="Ingest call/visit notes, past reviews and lessons into the knowledge base.")
    def _ingest(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan ingest' is not available yet", hint="it arrives with issue 4.")
