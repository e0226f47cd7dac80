"""`fupan search`: Search call/visit notes, calls and reviews; whole documents with their best passages."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from fupan.errors import InputError
from knowledge.deps import Deps
from knowledge.documents import DOC_KINDS, DocumentHit, SearchFilters, SearchHit

console = Console(highlight=False, soft_wrap=True)
_SHOWN = 260  # characters of a passage shown around its first highlight


def register(app: typer.Typer) -> None:
    @app.command("search", help="Search notes, calls and reviews: whole documents, best passages, citations.")
    def _search(
        ctx: typer.Context,
        query: Annotated[
            str, typer.Argument(help='e.g. "上季度华东客户怎么说价格" or "customer wants to think it over"')
        ],
        kind: Annotated[
            list[str] | None,
            typer.Option("--kind", "-k", help=f"Document kind (repeatable): {', '.join(DOC_KINDS)}."),
        ] = None,
        period: Annotated[
            str | None, typer.Option("--period", help="One period, e.g. 2026Q3 or 2026-07.")
        ] = None,
        period_from: Annotated[str | None, typer.Option("--from", help="First period of a range.")] = None,
        period_to: Annotated[str | None, typer.Option("--to", help="Last period of a range.")] = None,
        region: Annotated[str | None, typer.Option("--region")] = None,
        rep: Annotated[str | None, typer.Option("--rep")] = None,
        customer: Annotated[str | None, typer.Option("--customer")] = None,
        product: Annotated[str | None, typer.Option("--product")] = None,
        outcome: Annotated[
            str | None, typer.Option("--outcome", help="Outcome value, or part of it (paused).")
        ] = None,
        stage: Annotated[str | None, typer.Option("--stage")] = None,
        loss_reason: Annotated[str | None, typer.Option("--loss-reason")] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200, help="How many results.")] = 10,
        mode: Annotated[str, typer.Option("--mode", help="hybrid (default), vector or bm25.")] = "hybrid",
        chunks: Annotated[
            bool, typer.Option("--chunks", help="Ranked chunks instead of whole documents.")
        ] = False,
        literal: Annotated[
            bool,
            typer.Option("--literal", help="Do not read filters (regions, periods...) from the query words."),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        from agent.note_search import search_notes
        from api.cli import settings_from

        if period and (period_from or period_to):
            raise InputError("--period and --from/--to together", hint="give one period or a range")
        unknown = [k for k in kind or [] if k not in DOC_KINDS]
        if unknown:
            raise InputError(f"unknown kind {unknown[0]!r}", hint=f"use one of {', '.join(DOC_KINDS)}")
        if mode not in ("hybrid", "vector", "bm25"):
            raise InputError(f"unknown search mode {mode!r}", hint="use hybrid, vector or bm25")
        filters = SearchFilters(
            kinds=kind or None,
            period_from=period or period_from,
            period_to=period or period_to,
            region=region,
            rep=rep,
            customer=customer,
            product=product,
            outcome=outcome,
            stage=stage,
            loss_reason=loss_reason,
        )
        deps = Deps(settings=settings_from(ctx))
        try:
            result = search_notes(
                deps,
                query,
                filters=filters,
                limit=limit,
                mode=mode,  # type: ignore[arg-type]  # checked by search_notes: hybrid, vector or bm25
                chunks=chunks,
                read_filters=not literal,  # type: ignore[arg-type]
            )
        finally:
            deps.close()
        if as_json:
            typer.echo(result.model_dump_json(indent=2))
            return
        console.print(escape(result.restatement), style="dim")
        if result.message:
            console.print(escape(result.message))
        for i, doc in enumerate(result.documents, 1):
            _print_document(i, doc)
        for i, hit in enumerate(result.chunks, 1):
            console.print(f"{i}. [{escape(hit.evidence_id)}] {hit.kind} score {hit.score:.4f}")
            console.print(Text("   ").append(_passage(hit)))


def _print_document(i: int, doc: DocumentHit) -> None:
    facts = [doc.kind, doc.date]
    facts += [
        f"{name}: {value}"
        for name in ("customer", "rep", "region", "product", "outcome", "stage")
        if (value := getattr(doc, name))
    ]
    title = f" {doc.title}" if doc.title else ""
    console.print(
        f"[bold]{i}. {escape(doc.doc_id)}[/bold]{escape(title)} — {escape(' · '.join(f for f in facts if f))}"
    )
    for match in doc.matched_fields:
        console.print(escape(f"   matched {match.field}: {match.value}"), style="green")
    for hit in doc.passages:
        console.print(Text(f"   [{hit.evidence_id}] ", style="cyan").append(_passage(hit)))


def _passage(hit: SearchHit) -> Text:
    """The passage on one line, around its first highlight, with the matching words in bold."""
    text = hit.text
    start = max(0, hit.highlights[0][0] - 60) if hit.highlights else 0
    end = min(len(text), start + _SHOWN)
    out = Text("…" if start else "")
    cursor = start
    for a, b in hit.highlights:
        if b <= start or a >= end:
            continue
        out.append(text[cursor : max(a, cursor)].replace("\n", " / "))
        out.append(text[max(a, cursor) : min(b, end)].replace("\n", " / "), style="bold yellow")
        cursor = min(b, end)
    out.append(text[cursor:end].replace("\n", " / "))
    if end < len(text):
        out.append("…")
    return out
