"""The shape of one eval question with exact answers, and how an `Answer` is scored against it.

Answers follow DABench's `@answer_name[value]` convention: each question names one or more answers; the name is
the key the analyst's `Answer.answers` holds it under (value shapes: the metric id; compare: current / base /
change; trend: the period label; top-N: top_1; why: gap / achievement_rate / worst_region; funnel: the
conversion metric ids; breakdown: the segment value). A question is right when every named answer is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Shape = Literal["value", "compare", "trend", "top", "why", "funnel", "breakdown"]
Variant = Literal["base", "paraphrase", "other_language", "typo"]


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    language: Literal["zh", "en"]
    shape: Shape
    metric: str
    period: str
    filters: dict[str, str] = Field(default_factory=dict)
    by: str | None = None
    answers: dict[str, float | str] = Field(..., description="answer name → exact expected value")
    tolerance: dict[str, float] = Field(..., description="answer name → allowed absolute difference")
    dabench: str = Field(..., description="the expected answers as '@name[value] @name[value]'")
    group: str = Field(..., description="the base question this one varies (robustness)")
    variant: Variant = "base"


class QuestionScore(BaseModel):
    id: str
    question: str
    correct: bool
    status: str
    expected: dict[str, float | str]
    got: dict[str, str]
    wrong: list[str] = Field(default_factory=list, description="answer names that were missing or off")


def answer_matches(expected: float | str, got: str | None, tolerance: float) -> bool:
    if got in (None, ""):
        return False
    if isinstance(expected, str):
        return got == expected
    try:
        return abs(float(got) - expected) <= tolerance + 1e-9
    except ValueError:
        return False


def score_answers(question: EvalQuestion, status: str, named: dict[str, str]) -> QuestionScore:
    """Score one answer's named values against a question's expected ones."""
    wrong = [
        name
        for name, want in question.answers.items()
        if status != "answered" or not answer_matches(want, named.get(name), question.tolerance[name])
    ]
    return QuestionScore(
        id=question.id,
        question=question.question,
        correct=not wrong,
        status=status,
        expected=question.answers,
        got={name: named.get(name, "") for name in question.answers},
        wrong=wrong,
    )


def dabench(answers: dict[str, float | str], units: dict[str, str]) -> str:
    """`@name[value]` for each answer, values rendered at their unit's precision."""
    parts = []
    for name, value in answers.items():
        if isinstance(value, str):
            shown = value
        elif units[name] == "count":
            shown = str(int(round(value)))
        elif units[name] == "ratio":
            shown = f"{value:.4f}"
        else:
            shown = f"{value:.2f}"
        parts.append(f"@{name}[{shown}]")
    return " ".join(parts)
