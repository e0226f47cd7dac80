"""`fupan draft`: Draft a review report (复盘报告) for a period; it waits for approval."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("draft", help="Draft a review report (复盘报告) for a period; it waits for approval.")
    def _draft(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan draft' is not available yet", hint="it arrives with issue 5.")
