"""`fupan lessons`: Find approved lessons and past actions that apply to a campaign brief."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("lessons", help="Find approved lessons and past actions that apply to a campaign brief.")
    def _lessons(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan lessons' is not available yet", hint="it arrives with issue 5.")
