"""`fupan eval`: Run the evaluation suites and print the scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from fupan.errors import ConfigError, InputError

console = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("eval", help="Run the evaluation suites and print the scorecard.")
    def _eval(
        ctx: typer.Context,
        suite: Annotated[
            list[str] | None,
            typer.Option(
                "--suite",
                help="Suite to run (repeatable): exact, root_causes, grounding, smart, retrieval, robustness, "
                "independent; retrieval_calls (the real calls; only when named). Default: all but retrieval_calls.",
            ),
        ] = None,
        writer: Annotated[
            str,
            typer.Option(
                "--writer",
                help="deterministic (default), llm (the configured endpoint writes), or naive (the raw data "
                "summary in one prompt to the endpoint, on the exact-answer questions).",
            ),
        ] = "deterministic",
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", help="Where to write the scorecard JSON. Default: <workspace>/eval/scorecard.json."
            ),
        ] = None,
        update_baseline: Annotated[
            bool, typer.Option("--update-baseline", help="Write the scores to evals/baseline.json.")
        ] = False,
    ) -> None:
        from api.cli import settings_from
        from evals.scorecard import (
            BASELINE_FILE,
            baseline_from,
            independent_table,
            load_baseline,
            notes,
            regressions,
            run_scorecard,
            table,
        )
        from evals.suites import ON_DEMAND, SUITES
        from evals.suites.naive import NEEDS_LLM

        settings = settings_from(ctx)
        chosen = _check(suite, writer, [*SUITES, *ON_DEMAND])
        if writer in {"llm", "naive"} and not settings.llm.enabled:
            raise ConfigError(f"--writer {writer}: {NEEDS_LLM}", hint="or run the default: fupan eval")
        card = run_scorecard(
            settings,
            suites=chosen,
            writer=writer,  # type: ignore[arg-type]
            progress=lambda message: console.print(f"[dim]{message}[/dim]"),
        )
        baseline = load_baseline() if writer == "deterministic" else None
        console.width = max(console.width, 100)  # the table needs ~95 columns; pipes default to 80
        console.print(table(card, baseline))
        if (extra := independent_table(card)) is not None:
            console.print(extra)
        for line in notes(card):
            console.print(line)
        path = out or settings.workspace / "eval" / "scorecard.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(card.model_dump_json(indent=2), encoding="utf-8")
        console.print(f"scorecard written to {path}")
        if baseline is not None:
            for line in regressions(card, baseline):
                console.print(f"[red]below baseline[/red] {line}")
        if update_baseline:
            BASELINE_FILE.write_text(baseline_from(card).model_dump_json(indent=2) + "\n", encoding="utf-8")
            console.print(f"baseline written to {BASELINE_FILE}")


Writer = Literal["deterministic", "llm", "naive"]


def _check(suite: list[str] | None, writer: str, known: list[str]) -> list[str] | None:
    if writer not in {"deterministic", "llm", "naive"}:
        raise InputError(
            f"--writer {writer!r} is not one of deterministic, llm, naive", hint="fupan eval --help"
        )
    unknown = [s for s in suite or [] if s not in known]
    if unknown:
        raise InputError(f"unknown suite {unknown[0]!r}", hint=f"suites: {', '.join(known)}")
    return suite or None
