"""`fupan ask`: Ask a question about results; every number is computed and cited."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("ask", help="Ask a question about results; every number is computed and cited.")
    def _ask(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan ask' is not available yet", hint="it arrives with issue 5.")
