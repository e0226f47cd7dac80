"""The review report shape: the contract between the analyst, the records, the API and exports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from fupan.evidence import Evidence

FishboneCategory = Literal["people", "product_market", "process", "resources"]
ActionStatus = Literal["not_started", "in_progress", "done"]
LessonType = Literal["success", "failure"]
EvidenceGrade = Literal["figure", "record", "hypothesis"]
Language = Literal["zh", "en"]


class GoalResult(BaseModel):
    """One row of goal vs result: metric, target, actual, achievement %, gap, short note."""

    metric: str = Field(..., description="registry metric id, e.g. won_revenue")
    label: str = Field(..., description="display name in the report's language")
    segment: dict[str, str] = Field(
        default_factory=dict, description="e.g. {'region': '华东'}; empty = company"
    )
    target: float | None = None
    actual: float | None = None
    achievement: float | None = Field(None, description="actual / target, as a ratio (0.92 = 92%)")
    gap: float | None = Field(None, description="actual - target")
    unit: str = ""
    note: str = ""
    evidence: list[str] = Field(default_factory=list)


MAX_WHYS = 5  # links of a 5-Why chain


class WhyLink(BaseModel):
    """One link of a 5-Why chain: a claim, the evidence that supports it, and what grade of support that is:
    a computed figure, a record (a cited note or a loss reason recorded in the CRM), or nothing yet — a
    hypothesis, worded as a question, with what would confirm it."""

    claim: str = Field(..., min_length=1, max_length=600)
    evidence: list[str] = Field(default_factory=list)
    grade: EvidenceGrade | None = Field(
        None, description="figure | record (note or loss reason) | hypothesis; inferred from the evidence if unset"
    )
    check: str = Field("", max_length=600, description="for a hypothesis: what would confirm it")

    @model_validator(mode="after")
    def _infer_grade(self) -> WhyLink:
        if self.grade is None:
            if any(e.startswith(("note:", "lesson:")) for e in self.evidence):
                self.grade = "record"
            else:
                self.grade = "figure" if self.evidence else "hypothesis"
        return self


class RootCauseChain(BaseModel):
    id: str
    problem: str = Field(..., min_length=1, max_length=400)
    category: FishboneCategory
    segment: dict[str, str] = Field(default_factory=dict)
    links: list[WhyLink] = Field(..., min_length=1, max_length=MAX_WHYS)
    root_cause: str = Field(..., min_length=1, max_length=600)
    kind: Literal["gap", "decline", "anomaly", "success"] = Field(
        "gap",
        description="what the chain explains: a missed target, a decline, a rep/segment anomaly, or a success",
    )
    cause_id: str = Field("", description="the playbook cause the chain concludes with")
    gap_share: float | None = Field(None, description="share of the explained gap, 0..1")
    finding: str = Field("", max_length=400, description="what the data show, at the deepest level reached")
    verification: str = Field("", description="how the root cause was verified (evidence summary)")
    hypothesis: bool = Field(
        False, description="the root cause is a hypothesis to check: no note or loss reason supports it yet"
    )
    check: str = Field("", max_length=600, description="what would confirm the root cause")
    evidence: list[str] = Field(default_factory=list)


class Lesson(BaseModel):
    id: str
    type: LessonType
    content: str = Field(..., min_length=1, max_length=800)
    scenario: str = Field(..., min_length=1, max_length=400, description="适用场景/可复制点")
    evidence: list[str] = Field(default_factory=list)


class ActionItem(BaseModel):
    """A SMART action item; checked later against the same metric."""

    id: str
    action: str = Field(..., min_length=1, max_length=600)
    owner: str = Field(..., min_length=1, max_length=120)
    deadline: dt.date
    metric: str = Field(..., description="registry metric id")
    segment: dict[str, str] = Field(default_factory=dict)
    period: str = Field("", description="period the target applies to, e.g. 2026Q4")
    baseline: float
    target: float
    resources: str = ""
    checkpoint: str = Field("", description="检查节点/输出物")
    status: ActionStatus = "not_started"
    progress: str = ""
    check_first: bool = Field(
        False, description="built on a cause still to confirm: its first step verifies the cause"
    )
    chains: list[str] = Field(default_factory=list, description="ids of the root-cause chains it answers")
    evidence: list[str] = Field(default_factory=list)


class ChartSeries(BaseModel):
    name: str
    values: list[float | None]
    evidence: list[str] = Field(default_factory=list, description="one evidence id per value")


class ChartSpec(BaseModel):
    """Data for one report chart; values come from the metric engine and carry their evidence ids."""

    kind: Literal["target_vs_actual", "funnel", "waterfall", "pareto", "trend"]
    title: str
    categories: list[str]
    series: list[ChartSeries]
    unit: str = ""


class Finding(BaseModel):
    """A validator's finding about a draft (grounding, SMART, citation)."""

    check: Literal["grounding", "smart", "citation", "injection"]
    severity: Literal["error", "warning"] = "error"
    location: str = Field(..., description="e.g. 'summary', 'chains[0].links[1].claim', 'actions[2]'")
    message: str
    value: str | None = None
    origin: Literal["writer", "edit"] = Field(
        "writer", description="writer: found when the draft was written; edit: in text a person typed"
    )
    blocking: bool = Field(
        False, description="a figure typed by hand that matches no evidence: approval waits for a confirmation"
    )
    confirmed_by: str = Field("", description="for a blocking figure: the key that confirmed it")

    @property
    def blocks_approval(self) -> bool:
        """A hand-typed figure that matches no evidence and nobody has confirmed yet."""
        return self.blocking and not self.confirmed_by


class ReviewDraft(BaseModel):
    """A review report draft in the 复盘 shape. Saved only as pending; a person approves it."""

    period: str = Field(..., description="e.g. 2026Q3")
    language: Language = "zh"
    title: str
    scope: dict[str, str] = Field(
        default_factory=dict, description="e.g. {'region': '华东'}; empty = company"
    )
    summary: str = ""
    goals: list[GoalResult] = Field(default_factory=list)
    chains: list[RootCauseChain] = Field(default_factory=list)
    lessons: list[Lesson] = Field(default_factory=list)
    actions: list[ActionItem] = Field(default_factory=list)
    charts: list[ChartSpec] = Field(default_factory=list)
    evidence: dict[str, Evidence] = Field(default_factory=dict, description="every cited id → its evidence")
    findings: list[Finding] = Field(default_factory=list)
    snapshot_id: str | None = None
    writer: str = "deterministic"
    model: str | None = None
    prompt_version: str | None = None
    created_at: dt.datetime | None = None

    @property
    def grounded(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def money_unit(self) -> str:
        """The currency of the draft's amounts (its goals carry the data's ISO code), `money` when unknown."""
        from fupan.formatting import is_money

        return next((g.unit for g in self.goals if is_money(g.unit) and g.unit != "money"), "money")
