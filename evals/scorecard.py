"""Run suites into a scorecard, compare it with the committed baseline, render it as a Rich table.

python -m evals.scorecard [SUITE ...]      # the same as `fupan eval`, without the CLI
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from rich.table import Table

from evals.context import EvalContext
from evals.suites import NAIVE, ON_DEMAND, SUITES
from evals.suites.result import SuiteResult
from fupan.settings import Settings, load_settings

BASELINE_FILE = Path(__file__).resolve().parent / "baseline.json"
Writer = Literal["deterministic", "llm", "naive"]


class Scorecard(BaseModel):
    writer: Writer
    date: str
    commit: str
    python: str
    machine: str
    seconds: float
    suites: list[SuiteResult] = Field(default_factory=list)

    def flat(self) -> dict[str, float]:
        """'suite.score' → value, for every score that has one."""
        return {f"{r.suite}.{s.name}": s.value for r in self.suites for s in r.scores if s.value is not None}


class Baseline(BaseModel):
    writer: Writer = "deterministic"
    commit: str = ""
    date: str = ""
    scores: dict[str, float]
    lower_is_better: list[str] = Field(default_factory=list)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def eval_settings(settings: Settings, workspace: Path, writer: Writer) -> Settings:
    """The user's settings on a scratch workspace (its own DuckDB, Chroma and records), so an eval never
    touches the team's data; the deterministic writer ignores any configured LLM endpoint."""
    llm = settings.llm if writer != "deterministic" else settings.llm.model_copy(update={"base_url": ""})
    chroma = settings.chroma.model_copy(update={"path": None, "url": ""})
    return settings.model_copy(
        update={"workspace": workspace, "llm": llm, "chroma": chroma, "records_url": ""}
    )


def run_scorecard(
    settings: Settings,
    *,
    suites: list[str] | None = None,
    writer: Writer = "deterministic",
    progress: Callable[[str], None] = lambda _: None,
    company: Path | None = None,
) -> Scorecard:
    """Build the sample company in a scratch workspace and run the suites on it."""
    started = time.perf_counter()
    chosen = ["naive"] if writer == "naive" else (suites or list(SUITES))
    with tempfile.TemporaryDirectory(prefix="fupan-eval-ws-") as tmp:
        progress("building the sample company workspace (embeds ~330 documents)")
        ctx = EvalContext.build(eval_settings(settings, Path(tmp), writer), folder=company)
        ctx.writer = writer
        results = []
        try:
            for name in chosen:
                progress(f"suite {name}")
                run = NAIVE if name == "naive" else {**SUITES, **ON_DEMAND}[name]
                results.append(_timed(run, ctx, name))
        finally:
            ctx.close()
    return Scorecard(
        writer=writer,
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        commit=_commit(),
        python=platform.python_version(),
        machine=f"{platform.machine()}, {_cores()} cores",
        seconds=round(time.perf_counter() - started, 1),
        suites=results,
    )


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def _timed(run: Callable[[EvalContext], SuiteResult], ctx: EvalContext, name: str) -> SuiteResult:
    start = time.perf_counter()
    try:
        result = run(ctx)
    except Exception as exc:  # noqa: BLE001 — one broken suite must not hide the others' scores
        result = SuiteResult(suite=name, status="error", message=f"{type(exc).__name__}: {exc}"[:500])
    result.seconds = round(time.perf_counter() - start, 1)
    return result


def load_baseline(path: Path = BASELINE_FILE) -> Baseline | None:
    return Baseline.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None


def regressions(card: Scorecard, baseline: Baseline, *, tolerance: float = 1e-9) -> list[str]:
    """Scores below the baseline (above it for lower-is-better ones), and baseline scores that went missing."""
    flat, out = card.flat(), []
    ran = {r.suite for r in card.suites}
    for name, want in baseline.scores.items():
        if name.split(".")[0] not in ran:
            continue
        got = flat.get(name)
        lower = name in baseline.lower_is_better
        if got is None or (got > want + tolerance if lower else got < want - tolerance):
            out.append(f"{name}: {got} vs baseline {want}")
    return out


def baseline_from(card: Scorecard) -> Baseline:
    lower = [f"{r.suite}.{s.name}" for r in card.suites for s in r.scores if not s.higher_is_better]
    return Baseline(
        writer=card.writer, commit=card.commit, date=card.date, scores=card.flat(), lower_is_better=lower
    )


_SHORT = {"not_available": "n/a", "needs_llm": "needs LLM"}


def table(card: Scorecard, baseline: Baseline | None = None) -> Table:
    """One row per score; a suite that could not run gets one row with its status (its message follows in
    `notes`)."""
    t = Table(title=f"Fupan scorecard — writer {card.writer}, commit {card.commit}, {card.seconds:.0f} s")
    t.add_column("suite", no_wrap=True, min_width=11)
    t.add_column("score", overflow="fold", min_width=26)
    for col in ("value", "target", "baseline", "n"):
        t.add_column(col, justify="right", no_wrap=True, min_width=len(col) if col != "baseline" else 6)
    t.add_column("status", no_wrap=True, min_width=6)
    base = baseline.scores if baseline else {}
    for r in card.suites:
        if not r.scores:
            t.add_row(r.suite, "—", "—", "", "", "", _SHORT.get(r.status, r.status))
            continue
        for s in r.scores:
            if r.suite == "independent" and ".all." not in s.name:
                continue  # per data set and language: `independent_table`
            key = f"{r.suite}.{s.name}"
            met = s.met
            mark = "" if met is None else ("[green]met[/]" if met else "[red]below[/]")
            t.add_row(
                r.suite,
                s.name,
                "—" if s.value is None else f"{s.value:.4g}",
                "" if s.target is None else f"{s.target:g}",
                "" if key not in base else f"{base[key]:.4g}",
                "" if s.count is None else str(s.count),
                mark or r.status,
            )
    return t


def independent_table(card: Scorecard) -> Table | None:
    """The independent set's four classes per split, data set and language."""
    result = next((r for r in card.suites if r.suite == "independent" and r.scores), None)
    if result is None:
        return None
    rows: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    for s in result.scores:
        split, group, verdict = s.name.split(".")
        rows.setdefault(f"{split} {group}", {})[verdict] = s.value or 0.0
        counts[f"{split} {group}"] = s.count or 0
    t = Table(title="independent question set: correct / clarified / refused / wrong")
    for col in ("split, data set-language", "n", "correct", "clarified", "refused", "wrong"):
        t.add_column(col, justify="left" if col.startswith("split") else "right")
    for name, shares in rows.items():
        t.add_row(name, str(counts[name]), *(f"{shares.get(v, 0):.1%}" for v in ("correct", "clarified", "refused", "wrong")))
    return t


def notes(card: Scorecard) -> list[str]:
    """The messages of suites that did not run (not available, needs an LLM endpoint, error)."""
    return [f"{r.suite}: {r.status} — {r.message}" for r in card.suites if r.message]


def main(argv: list[str]) -> None:
    from rich.console import Console

    console = Console()
    card = run_scorecard(
        load_settings(), suites=argv or None, progress=lambda m: console.print(f"[dim]{m}[/]")
    )
    console.print(table(card, load_baseline()))
    for line in notes(card):
        console.print(line)
    Path("scorecard.json").write_text(card.model_dump_json(indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
