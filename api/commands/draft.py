"""`fupan draft`: Draft a review report (复盘报告) for a period; it waits for approval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from fupan.deps import Deps
from fupan.errors import InputError
from fupan.formatting import fmt_plain

console = Console(highlight=False, soft_wrap=True)


def _scope(values: list[str], dimensions: list[str]) -> dict[str, str]:
    """--scope dim=value pairs; dim is any dimension of the data (core or learned at import, e.g. country)."""
    scope: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or key not in dimensions or not value.strip():
            raise InputError(
                f"--scope {item!r} is not dim=value",
                hint=f"e.g. --scope region=华东; dimensions in the data: {', '.join(dimensions)}",
            )
        scope[key] = value
    return scope


def _notes_text(path: Path) -> str:
    """The raw notes file as text: UTF-8, without characters a report cannot hold."""
    from fupan.text_checks import check_text

    if not path.is_file():
        raise InputError("notes file not found", file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start + 1})", file=str(path), hint="save the notes as UTF-8 text"
        ) from None
    return check_text(text, what=f"notes file {path.name}")


def register(app: typer.Typer) -> None:
    @app.command("draft", help="Draft a review report (复盘报告) for a period; it waits for approval.")
    def _draft(
        ctx: typer.Context,
        period: Annotated[str, typer.Option("--period", help="Review period, e.g. 2026Q3.")],
        scope: Annotated[
            list[str] | None, typer.Option("--scope", help="Segment, e.g. region=华东 (repeatable).")
        ] = None,
        notes: Annotated[
            Path | None, typer.Option("--notes", help="A text file of raw notes to mine.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the draft as JSON.")] = False,
        out: Annotated[
            Path | None, typer.Option("--out", help="Write the draft (JSON, or --format) to this file.")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", help="File format for --out: json, md, html, xlsx or docx.")
        ] = "json",
    ) -> None:
        from agent.workflows import draft_review
        from api.cli import settings_from
        from fupan.periods import period_label

        period = period_label(period)
        text = _notes_text(notes) if notes is not None else None
        _check_format(fmt, out)
        deps = Deps(settings=settings_from(ctx))
        try:
            dims = deps.sales.dimensions().ids()
            draft = draft_review(deps, period, scope=_scope(scope or [], dims), notes=text)
            saved = save_pending(deps, draft)
        finally:
            deps.close()
        payload = draft.model_dump_json(indent=2)
        if out and fmt != "json":
            from agent.reports import export_report

            export_report(draft, fmt, out)
            console.print(f"report written to {out}")
        elif out:
            tmp = out.with_suffix(out.suffix + ".tmp")
            tmp.write_text(payload, encoding="utf-8")
            tmp.replace(out)
        if as_json:
            typer.echo(payload)
            return
        _print_summary(draft, saved)


def _check_format(fmt: str, out: Path | None) -> None:
    from agent.reports import FORMATS

    if fmt not in ("json", *FORMATS):
        raise InputError(f"--format {fmt!r} is not a report format", hint="use json, md, html, xlsx or docx")
    if fmt != "json" and out is None:
        raise InputError(f"--format {fmt} needs --out", hint=f"e.g. --format {fmt} --out review.{fmt}")


CLI_PRINCIPAL = {"key_id": "cli", "name": "fupan CLI", "role": "analyst", "team": ""}


def save_pending(deps: Deps, draft: object) -> str:
    """Save the draft as pending approval in the records store, as the local CLI analyst (an approver must
    still approve it through the API or the page; the CLI never approves). Returns the draft id."""
    from knowledge.records_schemas import Principal

    record = deps.records.create_draft(Principal(**CLI_PRINCIPAL), draft, submit=True)  # type: ignore[arg-type]
    return str(getattr(record, "id", record))


def _print_summary(draft: object, saved: str) -> None:
    from fupan.report import ReviewDraft

    assert isinstance(draft, ReviewDraft)
    console.print(draft.title)
    console.print(draft.summary)
    for chain in draft.chains:
        console.print(escape(f"- {chain.id} [{chain.category}] {chain.root_cause}"))
    for action in draft.actions:
        console.print(
            f"- {action.id} {action.owner} · {action.deadline} · {action.metric}: "
            f"{fmt_plain(action.baseline)} → {fmt_plain(action.target)}"
        )
    errors = [f for f in draft.findings if f.severity == "error"]
    console.print(
        f"findings: {len(errors)} errors, {len(draft.findings) - len(errors)} warnings; saved as pending draft {saved}"
    )
