"""`fupan import`: Import sales data (opportunities, targets, side tables) from CSV, XLSX or Parquet."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from knowledge.sales_import import ImportReport


def print_report(console: Console, report: ImportReport) -> None:
    console.print(
        f"[bold]{report.file}[/bold] ({report.kind}): read {report.rows_read}, accepted {report.rows_accepted}, "
        f"rejected {report.rows_rejected}; snapshot {report.snapshot_id or '-'}"
        + (" (unchanged)" if report.unchanged else "")
    )
    for title, issues, style in (
        ("Rejected", report.rejected, "red"),
        ("Warnings", report.warnings, "yellow"),
    ):
        if not issues:
            continue
        table = Table(title=f"{title} ({len(issues)})", title_style=style)
        for col in ("row", "column", "value", "reason"):
            table.add_column(col)
        for i in issues[:200]:
            table.add_row("" if i.row is None else str(i.row), i.column or "", i.value or "", i.reason)
        console.print(table)


def register(app: typer.Typer) -> None:
    @app.command(
        "import", help="Import sales data (opportunities, targets, side tables) from CSV, XLSX or Parquet."
    )
    def _import_data(
        ctx: typer.Context,
        path: Path = typer.Argument(..., help="CSV, XLSX or Parquet file, or a sample-company folder"),
        kind: str = typer.Option(
            "opportunities", "--kind", "-k", help="opportunities, targets, team, products or accounts"
        ),
        preset: str | None = typer.Option(
            None, "--preset", help="salesforce, hubspot, zoho, fxiaoke, generic or superstore"
        ),
        mapping: Path | None = typer.Option(None, "--mapping", help="YAML/JSON mapping file"),
        sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet name (default: the first)"),
        strict: bool = typer.Option(False, "--strict", help="treat warnings as errors"),
    ) -> None:
        from api.cli import settings_from
        from knowledge.sales_store import SalesStore

        console = Console()
        store = SalesStore(settings_from(ctx))
        try:
            if path.is_dir():
                from knowledge.sample_import import import_sample_company

                reports = import_sample_company(store, path)
            else:
                reports = [
                    store.import_file(path, kind, mapping=mapping, preset=preset, sheet=sheet, strict=strict)
                ]
        finally:
            store.close()
        for report in reports:
            print_report(console, report)
        if strict and any(r.rows_rejected for r in reports):
            raise typer.Exit(2)
