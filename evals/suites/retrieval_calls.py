"""Retrieval on real calls: the independent labelled set (evals/retrieval_calls.py) — call-level precision@10
against each query's base rate, on the shared insurance calls; and the set's note queries on the sample
company's notes when the eval company is the one they were judged on."""

from __future__ import annotations

from evals.context import EvalContext
from evals.suites.result import Score, SuiteResult

TARGETS = {"calls.p@10": 0.6, "calls.beats_2x_base": 1.0}


def run(ctx: EvalContext) -> SuiteResult:
    from evals.retrieval_calls import (
        calls_workspace,
        default_calls_folder,
        load_own,
        load_set,
        notes_corpus_matches,
        score_notes,
        score_queries,
        summary,
    )

    folder = default_calls_folder()
    if folder is None:
        return SuiteResult(
            suite="retrieval_calls",
            status="not_available",
            message="../shared/datasets/insurance_sales_calls not found (set FUPAN_SHARED)",
        )
    deps = calls_workspace(ctx.deps.settings, folder)
    try:
        rows = score_queries(deps, load_set())
        own = score_queries(deps, load_own(folder))  # Fupan's paraphrases: "own" tuned on, "fresh" never
    finally:
        deps.close()
    parts = summary(rows)
    scores = [
        Score(name="calls.p@10", value=parts["all"]["p@10"], target=TARGETS["calls.p@10"], count=len(rows)),
        Score(
            name="calls.beats_2x_base",
            value=parts["all"]["beats_2x"],
            target=TARGETS["calls.beats_2x_base"],
            count=len(rows),
        ),
        Score(name="calls.beats_2x_base_or_ideal", value=parts["all"]["beats_2x_or_ideal"], count=len(rows)),
        Score(name="calls.base_rate", value=parts["all"]["base_rate"], count=len(rows)),
    ]
    for key in ("split=dev", "split=holdout", "lang=en", "lang=zh"):
        scores.append(Score(name=f"calls.p@10 {key}", value=parts[key]["p@10"], count=parts[key]["queries"]))
    own_parts = summary(own)
    for key in ("split=own", "split=fresh"):
        if key in own_parts:
            scores.append(
                Score(name=f"calls.p@10 {key}", value=own_parts[key]["p@10"], count=own_parts[key]["queries"])
            )
            scores.append(
                Score(
                    name=f"calls.beats_2x_base {key}",
                    value=own_parts[key]["beats_2x"],
                    count=own_parts[key]["queries"],
                )
            )
    details: dict[str, object] = {"summary": parts, "rows": rows, "own": own}
    if notes_corpus_matches(ctx.folder):
        notes = score_notes(ctx.deps)
        note_parts = summary(notes)["all"]
        scores.append(Score(name="notes.p@10", value=note_parts["p@10"], count=len(notes)))
        scores.append(Score(name="notes.base_rate", value=note_parts["base_rate"], count=len(notes)))
        details["notes"] = notes
    return SuiteResult(suite="retrieval_calls", scores=scores, details=details)
