"""`fupan import`: Import sales data (deals, targets, side tables) from CSV, XLSX, Parquet or a database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fupan.errors import InputError
from fupan.formatting import fmt_count
from knowledge.sales_import import ImportReport

_SHOW_AFTER_S = 2.0


def print_report(console: Console, report: ImportReport, *, verbose: bool = True) -> None:
    """The validation report: what the file was read as, the columns, the dimensions, every issue."""
    head = f"[bold]{escape(report.file)}[/bold]: {report.kind}"
    if report.layout:
        head += f", layout {report.layout}"
    console.print(head)
    currency = report.currency or "unknown"
    console.print(
        f"  read {fmt_count(report.rows_read)}, accepted {fmt_count(report.rows_accepted)}, rejected "
        f"{fmt_count(report.rows_rejected)}; snapshot {report.snapshot_id or '-'}"
        + (" (unchanged)" if report.unchanged else "")
        + (f"; currency {currency}" if report.kind in ("opportunities", "targets") else "")
        + (f"; {report.encoding}" if report.encoding and report.encoding not in ("utf-8", "xlsx", "parquet") else "")
    )
    for note in report.notes:
        console.print(f"  - {escape(note)}")
    if verbose and report.matches:
        table = Table(title="Columns", title_justify="left")
        for col in ("field", "column", "confidence", "why"):
            table.add_column(col)
        for m in report.matches:
            column = m.column if m.column is not None else f"= {m.constant}"
            table.add_row(m.field, escape(column), f"{m.confidence:.2f}", escape(m.why))
        console.print(table)
    if report.dimensions:
        table = Table(title="Dimensions", title_justify="left")
        for col in ("dimension", "your header", "中文", "English", "values", "of"):
            table.add_column(col)
        for d in report.dimensions:
            table.add_row(
                d.id, escape(d.header), escape(d.name_zh), escape(d.name_en), fmt_count(d.values), d.key or ""
            )
        console.print(table)
    if report.measures:
        table = Table(title="Measures", title_justify="left")
        for col in ("measure", "your header", "中文", "English", "unit", "aggregation"):
            table.add_column(col)
        for measure in report.measures:
            table.add_row(
                measure.id, escape(measure.derived or measure.header), escape(measure.name_zh),
                escape(measure.name_en), measure.unit, measure.aggregation,
            )
        console.print(table)
    if verbose and report.unused:
        console.print("  not used: " + escape("; ".join(f"{c} ({why})" for c, why in report.unused.items())))
    for title, issues, style in (("Rejected", report.rejected, "red"), ("Warnings", report.warnings, "yellow")):
        if not issues:
            continue
        table = Table(title=f"{title} ({len(issues)})", title_style=style, title_justify="left")
        for col in ("row", "column", "value", "reason"):
            table.add_column(col)
        for i in issues[:200]:
            table.add_row(
                "" if i.row is None else str(i.row), escape(i.column or ""), escape(i.value or ""), escape(i.reason)
            )
        console.print(table)
    if report.dry_run:
        console.print("  dry run: nothing was imported")
        if report.mapping_file:
            console.print(
                f"  proposed mapping written to {escape(report.mapping_file)}: edit it and import with "
                f"--mapping {escape(report.mapping_file)}"
            )


class _Bar:
    """A progress bar for imports that take more than a few seconds: the phase, and DuckDB's own progress of
    the running statement."""

    def __init__(self, console: Console, connection: object) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
        )
        self.task = self.progress.add_task("reading", total=100)
        self.phase = "reading"
        self.connection = connection
        self.started = time.monotonic()
        self.shown = False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> _Bar:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=2)
        if self.shown:
            self.progress.stop()

    def __call__(self, phase: str, _fraction: float) -> None:
        self.phase = phase  # drawn by the polling thread

    def _poll(self) -> None:
        while not self.done.wait(0.25):
            if not self.shown and time.monotonic() - self.started >= _SHOW_AFTER_S:
                self.progress.start()
                self.shown = True
            if self.shown:
                try:
                    pct = float(self.connection.query_progress())  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001 - between statements there is nothing to read
                    pct = -1.0
                self.progress.update(self.task, description=self.phase, completed=max(pct, 0.0))


def unreadable_file(path: Path | None, exc: Exception) -> InputError:
    """A file the readers could not parse (empty, garbage, binary, another format): one line naming it."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return InputError(
        f"could not read the file ({first})",
        file=path.name if path else None,
        hint="import CSV (UTF-8/GBK/UTF-16), XLSX or Parquet with a header row",
    )


def register(app: typer.Typer) -> None:
    @app.command(
        "import",
        help="Import sales data (deals, targets, side tables) from CSV, XLSX, Parquet or a database.",
    )
    def _import_data(
        ctx: typer.Context,
        source: str | None = typer.Argument(
            None, help="CSV/XLSX/Parquet file, a sample-company folder, or a database URL (postgresql://…)"
        ),
        kind: str | None = typer.Option(
            None, "--kind", "-k", help="opportunities, targets, team, products or accounts (default: recognised)"
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
        undo: bool = typer.Option(False, "--undo", help="restore the snapshot the last import (of --kind) replaced"),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="read and check only; write the proposed mapping file, import nothing"
        ),
        mapping_out: Path | None = typer.Option(
            None, "--mapping-out", help="where --dry-run writes the mapping (default: <file>.mapping.yaml here)"
        ),
        currency: str | None = typer.Option(None, "--currency", help="ISO code of the amounts, e.g. USD or CNY"),
        year: int | None = typer.Option(None, "--year", help="year of period names without one (1月, Q1)"),
        table: str | None = typer.Option(None, "--table", help="database import: the table (schema.table)"),
        query: str | None = typer.Option(None, "--query", help="database import: a SELECT giving the rows"),
        as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    ) -> None:
        from api.cli import print_error, settings_from
        from fupan.errors import FupanError, ImportRefused
        from knowledge.sales_database import is_database_url
        from knowledge.sales_store import SalesStore

        if undo == (source is not None):
            raise InputError(
                "give a file to import, or --undo (not both)", hint="fupan import FILE | fupan import --undo"
            )
        console = Console()
        store = SalesStore(settings_from(ctx))
        options: dict[str, object] = {"strict": strict, "replace": replace, "dry_run": dry_run, "currency": currency}
        try:
            if undo:
                done = store.undo_import(kind)
                console.print(
                    f"restored {done.kind} snapshot {done.restored_snapshot_id} ({done.restored_file}, "
                    f"{done.rows} rows); the replaced snapshot {done.replaced_snapshot_id or '-'} is kept "
                    f"('fupan import --undo --kind {done.kind}' brings it back)"
                )
                return
            assert source is not None
            with _Bar(console, store.connection) as bar:
                if is_database_url(source):
                    out = mapping_out or Path(f"{table or 'query'}.mapping.yaml")
                    reports = [
                        store.import_database(
                            source, kind, table=table, query=query, mapping=mapping, progress=bar,
                            mapping_out=out if dry_run else None, strict=strict, replace=replace,
                            dry_run=dry_run, currency=currency,
                        )
                    ]
                elif Path(source).is_dir():
                    reports = _import_folder(console, store, Path(source), options, as_json=as_json)
                else:
                    path = Path(source)
                    out = mapping_out or Path(f"{path.stem}.mapping.yaml")
                    reports = [
                        store.import_file(
                            path, kind, mapping=mapping, preset=preset, sheet=sheet, year=year, progress=bar,
                            mapping_out=out if dry_run else None, strict=strict, replace=replace,
                            dry_run=dry_run, currency=currency,
                        )
                    ]
        except ImportRefused as exc:
            if exc.report is not None:
                print_report(console, exc.report, verbose=False)  # type: ignore[arg-type]  # the issues, not the columns
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except (FupanError, typer.Exit):
            raise
        except Exception as exc:  # noqa: BLE001 — an empty, garbage or binary file is bad input, not a crash
            named = Path(source) if source and not is_database_url(source) else None
            raise unreadable_file(named, exc) from exc
        finally:
            store.close()
        for report in reports:
            if as_json:
                typer.echo(report.model_dump_json(indent=2))
            else:
                print_report(console, report, verbose=dry_run or len(reports) == 1)


def _import_folder(
    console: Console, store: object, folder: Path, options: dict[str, object], *, as_json: bool
) -> list[ImportReport]:
    """A folder: each table's kind from its name or content, side tables first; the plan is printed first."""
    from knowledge.folder_import import import_folder, plan_folder

    plan = plan_folder(store, folder)  # type: ignore[arg-type]
    if not as_json:
        console.print(f"[bold]{escape(str(folder))}[/bold]: {len(plan.files)} tables, imported in this order")
        for f in plan.files:
            console.print(f"  {f.kind}: {escape(Path(f.path).name)} ({escape(f.why)})")
        for name, why in plan.skipped.items():
            console.print(f"  [dim]skipped {escape(name)}: {escape(why)}[/dim]")
    done: list[str] = []
    try:
        _, reports = import_folder(
            store, folder, on_file=lambda f: done.append(f"{Path(f.path).name} ({f.kind})"), **options  # type: ignore[arg-type]
        )
    except Exception:
        if len(done) > 1:
            console.print(
                "[yellow]imported before the refusal: " + escape(", ".join(done[:-1]))
                + "; each can be taken back with 'fupan import --undo --kind KIND'[/yellow]"
            )
        raise
    return reports
