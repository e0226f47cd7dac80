"""`fupan serve`: Serve the API and the reviewer's web page with uvicorn."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Serve the API and the reviewer's web page with uvicorn.")
    def _serve(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan serve' is not available yet", hint="it arrives with issue 6.")
