"""`fupan ingest`: Ingest call/visit notes, past reviews and lessons into the knowledge base."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from fupan.errors import InputError
from knowledge.documents import DOC_KINDS, IngestReport, SkippedFile


def parse_mapping(values: list[str]) -> dict[str, str] | None:
    """`field=column` pairs, or one YAML/JSON file holding {field: column}."""
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        path = Path(values[0])
        if not path.is_file():
            raise InputError(
                "mapping file not found", file=str(path), hint="pass field=column or a YAML/JSON file"
            )
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        if not isinstance(data, dict):
            raise InputError("a mapping file holds field: column pairs", file=str(path))
        return {str(k): str(v) for k, v in data.items()}
    pairs = [v.split("=", 1) for v in values]
    bad = [v for v, p in zip(values, pairs, strict=True) if len(p) != 2 or not p[0].strip()]
    if bad:
        raise InputError(f"mapping {bad[0]!r} is not field=column", hint="e.g. --mapping text=跟进内容")
    return {k.strip(): v.strip() for k, v in pairs}


def print_plan(console: Console, report: IngestReport) -> None:
    """Before embedding: documents, the fields found (with how many documents have each), chunks to embed."""
    name = Path(report.source).name
    console.print(
        escape(
            f"{name}: {report.documents_added + report.documents_unchanged} documents "
            f"({report.documents_added} new or changed, {report.documents_unchanged} unchanged), "
            f"{report.chunks_planned:,} chunks to embed"
        )
    )
    if report.fields:
        fields = ", ".join(f"{k} ({v:,})" for k, v in sorted(report.fields.items(), key=lambda kv: -kv[1]))
        console.print(escape(f"  fields: {fields}"))
    if report.columns:
        columns = ", ".join(f"{field} ← {column}" for field, column in report.columns.items())
        console.print(escape(f"  columns: {columns}"))


def print_report(console: Console, report: IngestReport) -> None:
    console.print(
        f"[bold]{escape(report.source)}[/bold]: read {report.documents_seen}, accepted "
        f"{report.documents_added + report.documents_unchanged} ({report.documents_added} new or changed, "
        f"{report.documents_unchanged} unchanged), rejected {report.documents_rejected}; "
        + (
            f"{report.chunks_planned} chunks would be embedded (dry run: nothing written)"
            if report.dry_run
            else f"{report.chunks_added} chunks indexed"
        )
    )
    if not report.issues:
        return
    table = Table(title=f"Issues ({len(report.issues)})", title_style="red")
    for col in ("file", "row", "level", "reason"):
        table.add_column(col)
    for issue in report.issues[:200]:
        row = "" if issue.row is None else str(issue.row)
        table.add_row(Path(issue.file).name, row, issue.level, escape(issue.message))
    console.print(table)


def print_skipped(console: Console, skipped: list[SkippedFile]) -> None:
    for item in skipped:
        label = "[red]not read[/red]" if item.level == "error" else "skipped"
        console.print(f"{label} {escape(Path(item.file).name)}: {escape(item.reason)}")


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} chunks/s", style="progress.data.speed")


class ProgressLine:
    """Chunks embedded so far with chunks/s and an ETA: a bar on a terminal, a line every 10 s otherwise."""

    def __init__(self, console: Console, label: str) -> None:
        self._console, self._label = console, label
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._started = self._last = time.monotonic()

    def __enter__(self) -> ProgressLine:
        if self._console.is_terminal:
            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                "ETA",
                TimeRemainingColumn(),
                console=self._console,
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task(self._label, total=total)
            self._bar.update(self._task, completed=done)
            return
        now = time.monotonic()
        if done in (0, total) or now - self._last >= 10:
            self._last = now
            rate = done / max(now - self._started, 1e-9)
            eta = f", ETA {int((total - done) / rate)} s" if rate > 0 and done < total else ""
            self._console.print(f"{self._label}: {done:,}/{total:,} chunks, {rate:.1f} chunks/s{eta}")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def register(app: typer.Typer) -> None:
    @app.command("ingest", help="Ingest call/visit notes, past reviews and lessons into the knowledge base.")
    def _ingest(
        ctx: typer.Context,
        path: Path = typer.Argument(
            ...,
            help="CSV/XLSX (one note per row, or call transcripts), MD, TXT, DOCX, "
            "JSONL file, or a folder of them",
        ),
        kind: str | None = typer.Option(
            None, "--kind", "-k", help=f"document kind for every document: {', '.join(DOC_KINDS)}"
        ),
        mapping: list[str] = typer.Option(
            [], "--mapping", "-m", help="field=column (repeatable), or a YAML/JSON mapping file"
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Report documents, fields and chunk counts; embed and write nothing."
        ),
    ) -> None:
        from api.cli import settings_from
        from knowledge.doc_folder import plan_path
        from knowledge.doc_index import DocumentIndex

        if kind is not None and kind not in DOC_KINDS:
            raise InputError(f"unknown kind {kind!r}", hint=f"use one of {', '.join(DOC_KINDS)}")
        fields = parse_mapping(mapping)
        folder = plan_path(path, kind)
        console, progress_console = Console(), Console(stderr=True)
        print_skipped(console, folder.skipped)
        index = DocumentIndex(settings_from(ctx))
        reports: list[IngestReport] = []
        try:
            for file in folder.files:
                plan = index.plan_file(file, kind=kind, mapping=fields)
                print_plan(console, plan.report)
                if dry_run:
                    reports.append(plan.report)
                else:
                    with ProgressLine(progress_console, file.name) as progress:
                        reports.append(index.commit(plan, progress=progress))
                print_report(console, reports[-1])
        finally:
            index.close()
        rejected = sum(r.documents_rejected for r in reports)
        unread = [s for s in folder.skipped if s.level == "error"]
        if rejected or unread:
            parts = [f"{rejected} document(s) rejected"] if rejected else []
            parts += [f"{len(unread)} file(s) not read"] if unread else []
            raise InputError(
                f"{' and '.join(parts)} (listed above); the others were indexed",
                hint="fix the named rows or files and ingest again; unchanged documents are skipped",
            )
