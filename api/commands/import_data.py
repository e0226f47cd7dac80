"""`fupan import`: Import sales data (opportunities, targets, side tables) from CSV, XLSX or Parquet."""

from __future__ import annotations

import typer

from fupan.errors import NotAvailable


def register(app: typer.Typer) -> None:
    @app.command(
        "import", help="Import sales data (opportunities, targets, side tables) from CSV, XLSX or Parquet."
    )
    def _import_data(ctx: typer.Context) -> None:
        raise NotAvailable("'fupan import' is not available yet", hint="it arrives with issue 3.")
