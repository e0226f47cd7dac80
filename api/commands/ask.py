"""`fupan ask`: Ask a question about results; every number is computed and cited."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fupan.formatting import table_cell
from knowledge.deps import Deps

console = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("ask", help="Ask a question about results; every number is computed and cited.")
    def _ask(
        ctx: typer.Context,
        question: Annotated[str, typer.Argument(help='e.g. "三季度华东为什么没完成目标?"')],
        period: Annotated[
            str | None, typer.Option("--period", help="Period when the question names none, e.g. 2026Q3.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the full answer as JSON.")] = False,
        reading: Annotated[
            int | None,
            typer.Option("--reading", min=1, max=3, help="Answer reading N of the ones a clarification listed."),
        ] = None,
    ) -> None:
        from agent.workflows import ask
        from api.cli import settings_from
        from fupan.periods import period_label
        from fupan.text_checks import check_question

        check_question(question)
        period = period_label(period) if period is not None else None
        deps = Deps(settings=settings_from(ctx))
        try:
            answer = ask(deps, question, default_period=period, reading=reading)
        finally:
            deps.close()
        if as_json:
            typer.echo(answer.model_dump_json(indent=2))
            return
        if answer.restatement and answer.status != "clarify":
            console.print(f"[dim]{escape(answer.restatement)}[/dim]")
        console.print(escape(answer.text))  # citations look like [metric:...]; not Rich markup
        if answer.table and answer.table.rows:
            table = Table(*answer.table.columns)
            units = answer.table.units
            for row in answer.table.rows[:20]:
                table.add_row(
                    *[
                        table_cell(v, units[i] if i < len(units) else None, answer.language)
                        for i, v in enumerate(row)
                    ]
                )
            console.print(table)
        if answer.status == "clarify":
            console.print(
                "[dim]（用 --reading N 选择一种理解）[/dim]" if answer.language == "zh"
                else "[dim](answer one with --reading N)[/dim]"
            )
        for finding in answer.findings:
            console.print(
                escape(f"[{finding.severity}] {finding.check}: {finding.message} ({finding.value})")
            )
