"""Shapes of the Ask and Search-lessons jobs: the contract between the analyst, the API, the page and evals."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from fupan.evidence import Evidence
from fupan.query import MetricQuery, Reading
from fupan.report import Finding

Language = Literal["zh", "en"]


class Turn(BaseModel):
    """One earlier question and its resolved intent, so a follow-up ("and in the West?") can inherit it."""

    question: str
    intent: dict[str, object] = Field(
        default_factory=dict, description="router output: shape, metric, period, dims"
    )


class AnswerTable(BaseModel):
    """The table or breakdown behind an answer."""

    columns: list[str]
    rows: list[list[str | float | int | None]]
    evidence: list[str] = Field(
        default_factory=list, description="one evidence id per row, when rows are figures"
    )
    units: list[str | None] = Field(
        default_factory=list,
        description="unit of each column when known (a currency code or money, ratio, count, days), for "
        "fupan.formatting",
    )


class Answer(BaseModel):
    question: str
    language: Language
    text: str = Field(..., description="short answer; every number in it is cited by an evidence id")
    status: Literal["answered", "unanswerable", "clarify"] = "answered"
    missing: str = Field("", description="what data is missing, when the question cannot be answered")
    intent: dict[str, object] = Field(default_factory=dict)
    query: MetricQuery | None = Field(None, description="the typed query the answer computed")
    restatement: str = Field("", description="how the question was read, in the question's language")
    readings: list[Reading] = Field(
        default_factory=list, description="numbered readings offered when status is clarify"
    )
    table: AnswerTable | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    answers: dict[str, str] = Field(
        default_factory=dict, description="named exact answers, e.g. {'win_rate': '0.4123'}"
    )
    snapshot_id: str | None = None
    writer: str = "deterministic"
    model: str | None = None
    prompt_version: str | None = None


class LessonMatch(BaseModel):
    """An approved lesson or past action item that applies to a campaign brief, and why."""

    evidence_id: str = Field(..., description="lesson:<id> or note:<doc>#<n>")
    kind: Literal["lesson", "action_item", "review"]
    title: str
    text: str
    score: float
    why: str = Field(..., description="why it applies to the brief (matched segment, product, scenario...)")
    outcome: Literal["worked", "did_not_work", "unknown"] = "unknown"
    period: str | None = None
