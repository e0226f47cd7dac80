"""The independent question set (evals/independent.py): every answer correct, clarified, refused or wrong, per
data set and language, on the dev and the holdout split."""

from __future__ import annotations

from evals.context import EvalContext
from evals.independent import Graded, summary
from evals.independent import run as run_set
from evals.suites.result import Score, SuiteResult

CLASSES = ("correct", "clarified", "refused", "wrong")


def run(ctx: EvalContext) -> SuiteResult:
    graded = run_set(ctx.deps.settings, split="all")
    return result(graded)


def result(graded: list[Graded]) -> SuiteResult:
    scores: list[Score] = []
    for split in ("dev", "holdout"):
        table = summary([g for g in graded if g.split == split])
        for group, shares in table.items():
            for verdict in CLASSES:
                target = {"correct": 0.9, "wrong": 0.01}.get(verdict) if group == "all" else None
                scores.append(
                    Score(
                        name=f"{split}.{group}.{verdict}",
                        value=shares[verdict],
                        target=target,
                        higher_is_better=verdict != "wrong",
                        count=int(shares["n"]),
                    )
                )
    return SuiteResult(
        suite="independent",
        scores=scores,
        details={
            "failures": [g.model_dump() for g in graded if g.verdict == "wrong" and g.split == "dev"],
            "not_correct_dev": [
                {"id": g.id, "verdict": g.verdict, "detail": g.detail[:200]}
                for g in graded
                if g.verdict != "correct" and g.split == "dev"
            ],
        },
    )
