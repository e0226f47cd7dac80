"""`fupan demo`: build the sample company's workspace and run the review of its latest quarter.

Steps: generate the sample company (evals/sample_company.py, seeded) into `<workspace>/sample-company`,
import its sales files, index its notes, past reviews and approved lessons, print the latest quarter's
goal-vs-result table (figures from the metric engine), draft the review, write it as Markdown and HTML under
`<workspace>/reports/`, and save it as a pending draft when the records store is available. Every step is
idempotent: running the demo twice changes nothing the second time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from knowledge.deps import Deps

console = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command(
        "demo", help="Build the sample company workspace and print its latest quarter's review summary."
    )
    def _demo(
        ctx: typer.Context,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the generated sample company.")] = 7,
        skip_notes: Annotated[
            bool,
            typer.Option("--skip-notes", help="Do not index notes (faster; the draft cites figures only)."),
        ] = False,
    ) -> None:
        from api.cli import settings_from

        settings = settings_from(ctx)
        deps = Deps(settings=settings)
        try:
            run_demo(deps, seed=seed, language=settings.language, index_notes=not skip_notes)
        finally:
            deps.close()


def run_demo(deps: Deps, *, seed: int, language: str, index_notes: bool = True) -> dict[str, Any]:
    from agent.workflows import draft_review
    from api.commands.draft import save_pending
    from evals.sample_company import LATEST, generate
    from knowledge.sample_import import import_sample_company, ingest_sample_documents

    workspace = deps.settings.workspace
    folder = workspace / "sample-company"
    started = time.perf_counter()
    with console.status("generating the sample company 蓝图科技 (Lantu Tech)…"):
        generate(folder, seed=seed)
    with console.status("importing opportunities, targets, team, products and accounts…"):
        reports = import_sample_company(deps.sales, folder)
    accepted = {r.kind: r.rows_accepted for r in reports}
    console.print(
        f"imported {accepted.get('opportunities', 0)} opportunities, {accepted.get('targets', 0)} targets "
        f"(snapshot {deps.sales.current_snapshot_id()})"
    )
    if index_notes:
        with console.status("indexing notes, past reviews and lessons (local embeddings)…"):
            docs = ingest_sample_documents(deps.docs, folder)
        added = sum(getattr(r, "documents_added", 0) for r in docs)
        same = sum(getattr(r, "documents_unchanged", 0) for r in docs)
        console.print(f"knowledge base: {added} documents indexed, {same} already there")
    _print_quarter(deps, LATEST, language)
    with console.status(f"drafting the {LATEST} review…"):
        draft = draft_review(deps, LATEST, language=language)
    console.print()
    console.print(f"[bold]{draft.title}[/bold]")
    console.print(draft.summary)
    for chain in draft.chains:
        console.print(escape(f"- {chain.id} [{chain.category}] {chain.root_cause}"))
    for action in draft.actions:
        console.print(f"- {action.id} {action.owner} · {action.deadline} · {action.action}")
    written = _write_reports(draft, workspace / "reports", language)
    saved = save_pending(deps, draft)[0]
    errors = [f for f in draft.findings if f.severity == "error"]
    console.print()
    console.print(
        f"grounding: {len(errors)} errors in {len(draft.evidence)} cited items · saved as pending draft {saved}"
    )
    for path in written:
        console.print(f"report: {path}")
    console.print(f"workspace: {workspace.resolve()}  ({time.perf_counter() - started:.1f} s)")
    console.print(
        'next: fupan ask "三季度华东为什么没完成目标?" · fupan lessons "Q1 new-customer push in the North" · fupan serve'
    )
    return {"draft": draft, "reports": written, "saved": saved}


def _print_quarter(deps: Deps, period: str, language: str) -> None:
    from agent import tools
    from agent.numbers import fmt
    from agent.wording import region_label

    engine = tools.engine_for(deps)
    zh = language == "zh"
    table = Table(title=f"{period} {'目标与结果' if zh else 'goals and results'}")
    for head in (
        ("区域", "Region"),
        ("目标", "Target"),
        ("实际", "Actual"),
        ("达成率", "Achievement"),
        ("缺口", "Gap"),
        ("赢单率", "Win rate"),
    ):
        table.add_column(head[0] if zh else head[1], justify="left" if head[0] == "区域" else "right")
    regions = sorted(engine.dimension_values("region"))
    for label, seg in [
        *((region_label(r, language), {"region": r}) for r in regions),
        ("全公司" if zh else "Company", {}),
    ]:
        vals = {
            m: engine.value(m, period, seg or None)
            for m in ("target", "won_revenue", "achievement_rate", "gap", "win_rate")
        }
        table.add_row(
            label,
            *(
                fmt(vals[m].value, vals[m].unit, language)
                for m in ("target", "won_revenue", "achievement_rate", "gap", "win_rate")
            ),
        )
    console.print(table)


def _write_reports(draft: Any, folder: Path, language: str) -> list[Path]:
    from agent.reports import export_report

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in ("md", "html"):
        path = folder / f"review-{draft.period}.{language}.{fmt}"
        export_report(draft, fmt, path, language=language)
        written.append(path)
    return written
