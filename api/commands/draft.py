"""`fupan draft`: Draft a review report (复盘报告) for a period; `--save` keeps it as pending approval.

Export is not save: `--out` writes a file (JSON, md, html, xlsx, docx or pdf, from `--format` or the file's
suffix) and nothing else; `--save` saves the draft as pending approval (an identical pending draft of the same
period is reused, not duplicated). `--id rv-… [--version approved]` exports a saved draft instead of drafting
a new one, e.g. the approved version to send.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from fupan.errors import InputError
from knowledge.deps import Deps

if TYPE_CHECKING:
    from agent.reports.meta import ReportMeta
    from fupan.report import ReviewDraft

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
    @app.command(
        "draft", help="Draft a review report (复盘报告) for a period; --save keeps it as pending approval."
    )
    def _draft(
        ctx: typer.Context,
        period: Annotated[str | None, typer.Option("--period", help="Review period, e.g. 2026Q3.")] = None,
        scope: Annotated[
            list[str] | None, typer.Option("--scope", help="Segment, e.g. region=华东 (repeatable).")
        ] = None,
        notes: Annotated[
            Path | None, typer.Option("--notes", help="A text file of raw notes to mine.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the draft as JSON.")] = False,
        out: Annotated[
            Path | None, typer.Option("--out", help="Write the report to this file (nothing is saved).")
        ] = None,
        fmt: Annotated[
            str | None,
            typer.Option(
                "--format", help="json, md, html, xlsx, docx or pdf (default: the --out suffix, or json)."
            ),
        ] = None,
        save: Annotated[
            bool, typer.Option("--save", help="Save the draft as pending approval in the records.")
        ] = False,
        draft_id: Annotated[
            str | None,
            typer.Option("--id", help="Export a saved draft (rv-…) instead of drafting a new one."),
        ] = None,
        version: Annotated[
            str, typer.Option("--version", help="With --id: latest or approved (the version in force).")
        ] = "latest",
    ) -> None:
        from api.cli import settings_from
        from fupan.periods import period_label

        fmt = _format(fmt, out)
        if draft_id is None and period is None:
            raise InputError(
                "--period is needed", hint="e.g. fupan draft --period 2026Q3 (or --id rv-… to export)"
            )
        if draft_id is not None and (period or save or notes or scope):
            raise InputError(
                "--id exports a saved draft", hint="drop --period/--scope/--notes/--save with --id"
            )
        if version not in ("latest", "approved"):
            raise InputError(f"--version {version!r} is not latest or approved", hint="--version approved")
        if period is not None:
            period = period_label(period)
        text = _notes_text(notes) if notes is not None else None
        deps = Deps(settings=settings_from(ctx))
        try:
            if draft_id is not None:
                draft, meta = _saved(deps, draft_id, version)
                saved = None
            else:
                from agent.reports.meta import ReportMeta
                from agent.workflows import draft_review

                dims = deps.sales.dimensions().ids()
                draft = draft_review(deps, period or "", scope=_scope(scope or [], dims), notes=text)
                meta = ReportMeta(company=deps.settings.company)
                saved = save_pending(deps, draft) if save else None
                if saved:
                    meta.draft_id, meta.version, meta.status = saved[0], saved[1], "pending"
        finally:
            deps.close()
        if out is not None:
            _write(draft, meta, fmt, out)
            console.print(f"report written to {out}")
        if as_json:
            typer.echo(draft.model_dump_json(indent=2))
            return
        if draft_id is None:
            _print_summary(draft, saved)


def _format(fmt: str | None, out: Path | None) -> str:
    from agent.reports import FORMATS

    if fmt is None:
        suffix = out.suffix.lstrip(".").lower() if out is not None else ""
        fmt = suffix if suffix in FORMATS else "json"
    if fmt not in ("json", *FORMATS):
        raise InputError(
            f"--format {fmt!r} is not a report format", hint="use json, md, html, xlsx, docx or pdf"
        )
    if fmt != "json" and out is None:
        raise InputError(f"--format {fmt} needs --out", hint=f"e.g. --format {fmt} --out review.{fmt}")
    return fmt


def _write(draft: object, meta: object, fmt: str, out: Path) -> None:
    from agent.reports import export_report
    from agent.reports.files import atomic_write
    from fupan.report import ReviewDraft

    assert isinstance(draft, ReviewDraft)
    if fmt == "json":
        atomic_write(out, draft.model_dump_json(indent=2).encode("utf-8"))
    else:
        export_report(draft, fmt, out, meta=meta)  # type: ignore[arg-type]


def _saved(deps: Deps, draft_id: str, version: str) -> tuple[ReviewDraft, ReportMeta]:
    """A saved draft's latest or approved version, read as the local CLI analyst."""
    from agent.reports.meta import report_version
    from knowledge.records_schemas import Principal

    public = deps.records.get_draft(Principal(**CLI_PRINCIPAL), draft_id)  # type: ignore[arg-type]
    names = {k.id: k.name for k in deps.records.list_keys() if k.name}
    return report_version(public, version, deps.settings.company, names)


CLI_PRINCIPAL = {"key_id": "cli", "name": "fupan CLI", "role": "analyst", "team": ""}


def _same(a: object, b: object) -> bool:
    dump = getattr(a, "model_dump", None)
    other = getattr(b, "model_dump", None)
    if dump is None or other is None:
        return False
    return dump(mode="json", exclude={"created_at"}) == other(mode="json", exclude={"created_at"})


def save_pending(deps: Deps, draft: object) -> tuple[str, int]:
    """Save the draft as pending approval in the records store, as the local CLI analyst (an approver must
    still approve it through the API or the page; the CLI never approves). A pending draft of the same period
    with identical content is reused instead of saved again. Returns (draft id, version)."""
    from knowledge.records_schemas import Principal

    me = Principal(**CLI_PRINCIPAL)  # type: ignore[arg-type]
    period = getattr(draft, "period", None)
    for summary in deps.records.list_drafts(me, status="pending", period=period, limit=20, offset=0):
        existing = deps.records.get_draft(me, summary.id)
        if _same(existing.report, draft):
            return existing.id, existing.version
    record = deps.records.create_draft(me, draft, submit=True)  # type: ignore[arg-type]
    return str(record.id), int(record.version)


def _print_summary(draft: object, saved: tuple[str, int] | None) -> None:
    from agent.numbers import fmt
    from agent.reports.tables import action_unit
    from agent.wording import metric_label
    from fupan.report import ReviewDraft

    assert isinstance(draft, ReviewDraft)
    lang = draft.language
    console.print(draft.title)
    console.print(draft.summary)
    for chain in draft.chains:
        mark = (
            " (hypothesis)"
            if chain.hypothesis and lang == "en"
            else ("（待核实）" if chain.hypothesis else "")
        )
        console.print(escape(f"- {chain.id} [{chain.category}]{mark} {chain.root_cause}"))
    for action in draft.actions:
        first = (
            " · check first"
            if action.check_first and lang == "en"
            else (" · 先核实" if action.check_first else "")
        )
        unit = action_unit(draft, action.metric)
        console.print(
            f"- {action.id} {action.owner} · {action.deadline} · {metric_label(action.metric, lang)}: "
            f"{fmt(action.baseline, unit, lang)} → {fmt(action.target, unit, lang)}{first}"
        )
    errors = [f for f in draft.findings if f.severity == "error"]
    where = (
        f"saved as pending draft {saved[0]}" if saved else "not saved (use --save to keep it for approval)"
    )
    console.print(f"findings: {len(errors)} errors, {len(draft.findings) - len(errors)} warnings; {where}")
