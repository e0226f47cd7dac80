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
        path: Path | None = typer.Argument(
            None, help="CSV, XLSX or Parquet file, or a sample-company folder"
        ),
        kind: str | None = typer.Option(
            None, "--kind", "-k", help="opportunities (default), targets, team, products or accounts"
        ),
        preset: str | None = typer.Option(
            None, "--preset", help="salesforce, hubspot, zoho, fxiaoke, generic or superstore"
        ),
        mapping: Path | None = typer.Option(None, "--mapping", help="YAML/JSON mapping file"),
        sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet name (default: the first)"),
        strict: bool = typer.Option(False, "--strict", help="treat warnings as errors"),
        replace: bool = typer.Option(
            False, "--replace", help="allow the file to remove most of the current rows of its kind"
        ),
        undo: bool = typer.Option(
            False, "--undo", help="restore the snapshot the last import (of --kind) replaced"
        ),
    ) -> None:
        from api.cli import print_error, settings_from
        from fupan.errors import ImportRefused, InputError
        from knowledge.sales_store import SalesStore

        if undo == (path is not None):
            raise InputError(
                "give a file to import, or --undo (not both)", hint="fupan import FILE | fupan import --undo"
            )
        console = Console()
        store = SalesStore(settings_from(ctx))
        try:
            if undo:
                done = store.undo_import(kind)
                console.print(
                    f"restored {done.kind} snapshot {done.restored_snapshot_id} ({done.restored_file}, "
                    f"{done.rows} rows); the replaced snapshot {done.replaced_snapshot_id or '-'} is kept "
                    f"('fupan import --undo --kind {done.kind}' brings it back)"
                )
                return
            assert path is not None
            if path.is_dir():
                from knowledge.sample_import import import_sample_company

                reports = import_sample_company(store, path, replace=replace)
            else:
                reports = [
                    store.import_file(
                        path,
                        kind or "opportunities",
                        mapping=mapping,
                        preset=preset,
                        sheet=sheet,
                        strict=strict,
                        replace=replace,
                    )
                ]
        except ImportRefused as exc:
            if exc.report is not None:
                print_report(console, exc.report)  # type: ignore[arg-type]
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None
        finally:
            store.close()
        for report in reports:
            print_report(console, report)
