"""Retrieval: delegated to evals/retrieval.py (the knowledge helper's labelled query set: recall@5, MRR)."""

from __future__ import annotations

from typing import Any

from evals.context import EvalContext
from evals.suites.result import Score, SuiteResult

TARGETS = {"recall@5": 0.9}


def _flatten(result: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in result.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[f"{prefix}{key}"] = float(value)
        elif isinstance(value, dict) and not prefix:
            out.update(_flatten(value, f"{key}."))
    return out


def run(ctx: EvalContext) -> SuiteResult:
    from evals.retrieval import evaluate_retrieval

    result = evaluate_retrieval(ctx.deps, ctx.folder)
    scores = [
        Score(name=name, value=round(value, 4), target=TARGETS.get(name))
        for name, value in _flatten(result).items()
        if "recall" in name.lower() or "mrr" in name.lower()
    ]
    return SuiteResult(suite="retrieval", scores=scores, details={"raw": result})
