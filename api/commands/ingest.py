"""`fupan ingest`: Ingest call/visit notes, past reviews and lessons into the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.table import Table

from fupan.errors import InputError
from knowledge.documents import DOC_KINDS, IngestReport

SUPPORTED = {".csv", ".tsv", ".xlsx", ".xls", ".md", ".markdown", ".txt", ".docx", ".jsonl"}


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


def files_under(path: Path) -> list[Path]:
    """The file itself, or the supported files in a folder (sorted, not recursive)."""
    if not path.exists():
        raise InputError("file or folder not found", file=str(path))
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED)
    if not files:
        raise InputError("no CSV/XLSX/MD/TXT/DOCX/JSONL files in the folder", file=str(path))
    return files


def print_report(console: Console, report: IngestReport) -> None:
    console.print(
        f"[bold]{report.source}[/bold]: read {report.documents_seen}, accepted "
        f"{report.documents_added + report.documents_unchanged} ({report.documents_added} new or changed, "
        f"{report.documents_unchanged} unchanged), rejected {report.documents_rejected}; "
        f"{report.chunks_added} chunks indexed"
    )
    if not report.issues:
        return
    table = Table(title=f"Issues ({len(report.issues)})", title_style="red")
    for col in ("file", "row", "level", "reason"):
        table.add_column(col)
    for issue in report.issues[:200]:
        row = "" if issue.row is None else str(issue.row)
        table.add_row(Path(issue.file).name, row, issue.level, issue.message)
    console.print(table)


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
    ) -> None:
        from api.cli import settings_from
        from knowledge.doc_index import DocumentIndex

        if kind is not None and kind not in DOC_KINDS:
            raise InputError(f"unknown kind {kind!r}", hint=f"use one of {', '.join(DOC_KINDS)}")
        fields = parse_mapping(mapping)
        files = files_under(path)
        console = Console()
        index = DocumentIndex(settings_from(ctx))
        reports: list[IngestReport] = []
        try:
            for file in files:
                reports.append(index.ingest_file(file, kind=kind, mapping=fields))
                print_report(console, reports[-1])
        finally:
            index.close()
        rejected = sum(r.documents_rejected for r in reports)
        if rejected:
            raise InputError(
                f"{rejected} document(s) rejected (listed above); the others were indexed",
                hint="fix the named rows and ingest again; unchanged documents are skipped",
            )
