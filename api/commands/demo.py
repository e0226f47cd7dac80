"""`fupan demo`: Build the sample company workspace and print its latest quarter's review summary."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command(
        "demo", help="Build the sample company workspace and print its latest quarter's review summary."
    )
    def _demo(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan demo' is not available yet", hint="it arrives with issue 2.")
