"""Boundary models of the records: who is calling (Principal), and what the API and the page show."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fupan.report import ActionItem, ActionStatus, ChartSpec, GoalResult, Lesson, ReviewDraft, RootCauseChain

Role = Literal["viewer", "analyst", "approver", "admin"]
ROLES: tuple[str, ...] = ("viewer", "analyst", "approver", "admin")
VersionStatus = Literal["draft", "pending", "approved", "rejected", "superseded"]


def role_rank(role: str) -> int:
    return ROLES.index(role)


class Principal(BaseModel):
    """The caller behind an API key or a page account. `team` empty = every team.

    `people` are the names of the team's own people in the sales data (reps and managers of that region):
    a team-scoped caller also sees the action items they own in any review, company-wide ones included."""

    key_id: str
    name: str = ""
    role: Role
    team: str = ""
    people: list[str] = Field(default_factory=list)

    def at_least(self, role: Role) -> bool:
        return role_rank(self.role) >= role_rank(role)

    def sees(self, team: str) -> bool:
        return not self.team or self.team == team

    def sees_item(self, team: str, owner: str) -> bool:
        """An action item: its review's team, or owned by one of this team's people."""
        return self.sees(team) or (bool(owner) and owner in self.people)


class ApiKeyPublic(BaseModel):
    id: str
    name: str
    role: Role
    team: str = ""
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class AccountPublic(BaseModel):
    """A page account (username and password); the password hash never leaves the records."""

    id: str
    username: str
    name: str = ""
    role: Role
    team: str = ""
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None


class CreatedKey(ApiKeyPublic):
    key: str = Field(..., description="the secret; shown once, only its hash is stored")


class DraftSummary(BaseModel):
    """One review in a list: its working version, and the version in force (if any)."""

    id: str
    team: str = Field("", description="region the review covers; empty = company-wide")
    period: str
    title: str
    status: VersionStatus = Field(..., description="status of the latest (working) version")
    version: int = Field(..., description="latest version number")
    approved_version: int | None = Field(None, description="the version in force, if one was approved")
    indexed_version: int | None = Field(
        None, description="the approved version whose lessons and actions are in the knowledge base"
    )
    revision: int = Field(..., description="changes on every state change; the ETag")
    author: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftVersionPublic(BaseModel):
    version: int
    status: VersionStatus
    content_hash: str
    editor: str
    created_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    comment: str = ""


class DraftPublic(DraftSummary):
    report: ReviewDraft = Field(..., description="content of the latest version")
    approved_report: ReviewDraft | None = Field(
        None, description="content of the version in force, when it differs from the latest"
    )
    versions: list[DraftVersionPublic] = Field(default_factory=list)


class DraftEdit(BaseModel):
    """Fields of the report an editor may change; omitted fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"summary": "华东区三季度未达成目标，主要因竞品降价导致赢单率下降。"},
                {"title": "East 2026Q3 review (revised)"},
            ]
        },
    )

    title: str | None = Field(None, min_length=1, max_length=400)
    summary: str | None = Field(None, max_length=20000)
    goals: list[GoalResult] | None = Field(None, max_length=200)
    chains: list[RootCauseChain] | None = Field(None, max_length=50)
    lessons: list[Lesson] | None = Field(None, max_length=100)
    actions: list[ActionItem] | None = Field(None, max_length=100)
    charts: list[ChartSpec] | None = Field(None, max_length=50)
    confirm_figures: bool = Field(
        False,
        description="confirm the hand-typed figures that match no evidence (they block approval until then)",
    )

    def changes(self) -> dict[str, Any]:
        """The report fields the edit sets (confirm_figures is not one)."""
        fields = self.model_dump(exclude_unset=True, exclude={"confirm_figures"})
        return {k: v for k, v in fields.items() if v is not None}


class Decision(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"comment": "同意，按此执行", "version": 1}, {}]}
    )

    comment: str = Field("", max_length=4000)
    version: int | None = Field(
        None,
        ge=1,
        description="the version you read and decide on; approve/reject need it (or If-Match): a draft that "
        "moved since gets 409",
    )


class DecisionResult(BaseModel):
    draft: DraftSummary
    changed: bool = Field(..., description="false when the same decision had already been made")


class LessonPublic(BaseModel):
    id: str = Field(..., description="lesson id; cited as lesson:<id>")
    draft_id: str
    version: int
    team: str
    period: str
    type: Literal["success", "failure"]
    content: str
    scenario: str
    evidence: list[str] = Field(default_factory=list)
    approved_at: dt.datetime


class CheckpointPublic(BaseModel):
    action_item_id: str
    measured_at: dt.datetime
    period: str
    metric: str
    value: float | None
    baseline: float
    target: float
    met: bool | None = Field(..., description="None when the metric has no value for the period yet")
    evidence_id: str
    snapshot_id: str | None = None
    message: str = ""


class ActionItemPublic(BaseModel):
    id: str
    draft_id: str
    version: int
    team: str
    item: ActionItem
    status: ActionStatus
    progress: str
    percent: int | None = Field(None, description="how far along, 0-100")
    owner: str = ""
    revision: int
    updated_at: dt.datetime
    checkpoints: list[CheckpointPublic] = Field(default_factory=list)


class ActionItemUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "in_progress", "progress": "竞品对比材料已交付"}]},
    )

    status: ActionStatus | None = None
    progress: str | None = Field(None, max_length=4000)
    percent: int | None = Field(None, ge=0, le=100, description="how far along, 0-100")


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    team: str
    version: int | None
    before_hash: str | None
    after_hash: str | None
    detail: dict[str, Any] = Field(default_factory=dict)
