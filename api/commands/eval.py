"""`fupan eval`: Run the evaluation suites and print the scorecard."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command("eval", help="Run the evaluation suites and print the scorecard.")
    def _eval(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan eval' is not available yet", hint="it arrives with issue 8.")
