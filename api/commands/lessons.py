"""`fupan lessons`: Find approved lessons and past actions that apply to a campaign brief."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from knowledge.deps import Deps

console = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("lessons", help="Find approved lessons and past actions that apply to a campaign brief.")
    def _lessons(
        ctx: typer.Context,
        brief: Annotated[
            str, typer.Argument(help='e.g. "Q1 launch of product X in the South, new-customer focus"')
        ],
        k: Annotated[int, typer.Option("-k", help="How many to show.")] = 5,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        from agent.workflows import search_lessons
        from api.cli import settings_from

        deps = Deps(settings=settings_from(ctx))
        try:
            matches = search_lessons(deps, brief, k=k)
        finally:
            deps.close()
        if as_json:
            typer.echo(json.dumps([m.model_dump() for m in matches], ensure_ascii=False, indent=2))
            return
        for i, m in enumerate(matches, 1):
            console.print(
                escape(
                    f"{i}. [{m.evidence_id}] {m.title} ({m.kind}, {m.period or '-'}, outcome: {m.outcome})"
                )
            )
            console.print(escape(f"   {m.text[:200]}"))
            console.print(escape(f"   why: {m.why}"))
