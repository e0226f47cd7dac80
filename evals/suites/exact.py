"""Exact answers: each question asked through `agent.workflows.ask`, scored by its named answers."""

from __future__ import annotations

from collections import defaultdict

from agent.workflows import ask
from evals.context import EvalContext
from evals.question_model import EvalQuestion, QuestionScore, score_answers
from evals.questions import QUESTIONS_FILE, read_jsonl
from evals.suites.result import Score, SuiteResult, share


def ask_and_score(ctx: EvalContext, question: EvalQuestion) -> QuestionScore:
    try:
        answer = ask(ctx.deps, question.question)
    except Exception as exc:  # noqa: BLE001 — a crash is a wrong answer, recorded with its message
        return score_answers(question, f"error: {type(exc).__name__}: {exc}"[:200], {})
    return score_answers(question, answer.status, answer.answers)


def run(ctx: EvalContext, questions: list[EvalQuestion] | None = None) -> SuiteResult:
    questions = questions if questions is not None else read_jsonl(QUESTIONS_FILE)
    scored = [ask_and_score(ctx, q) for q in questions]
    by: dict[str, list[bool]] = defaultdict(list)
    for q, s in zip(questions, scored, strict=True):
        by[f"shape:{q.shape}"].append(s.correct)
        by[f"language:{q.language}"].append(s.correct)
    return SuiteResult(
        suite="exact",
        scores=[
            Score(
                name="accuracy",
                value=share(sum(s.correct for s in scored), len(scored)),
                target=0.95,
                count=len(scored),
            )
        ],
        details={
            "breakdown": {k: share(sum(v), len(v)) for k, v in sorted(by.items())},
            "failures": [s.model_dump() for s in scored if not s.correct],
        },
    )
