"""`fupan keys`: Manage API keys (create, list, revoke)."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("keys", help="Manage API keys (create, list, revoke).")
    def _keys(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan keys' is not available yet", hint="it arrives with issue 6.")
