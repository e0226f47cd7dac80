"""The naive baseline on the exact-answer questions (needs an LLM endpoint)."""

from __future__ import annotations

from evals.context import EvalContext
from evals.naive import ask_naive, data_summary
from evals.question_model import EvalQuestion
from evals.questions import QUESTIONS_FILE, read_jsonl
from evals.suites.result import Score, SuiteResult, share

NEEDS_LLM = (
    "the naive baseline needs an LLM endpoint: set llm.base_url and llm.model (fupan.toml or FUPAN_LLM__*)"
)


def run(ctx: EvalContext, questions: list[EvalQuestion] | None = None) -> SuiteResult:
    if not ctx.deps.settings.llm.enabled:
        return SuiteResult(suite="naive", status="needs_llm", message=NEEDS_LLM)
    from agent.llm_writer import chat_model

    questions = questions if questions is not None else read_jsonl(QUESTIONS_FILE)
    summary = data_summary(ctx.folder)
    model = chat_model(ctx.deps)
    scored = [ask_naive(model, q, summary) for q in questions]
    return SuiteResult(
        suite="naive",
        scores=[
            Score(
                name="accuracy", value=share(sum(s.correct for s in scored), len(scored)), count=len(scored)
            )
        ],
        details={
            "model": ctx.deps.settings.llm.model,
            "failures": [s.model_dump() for s in scored if not s.correct],
        },
    )
