"""Review drafts and their approval. ETag = the draft's revision; edits need If-Match; decisions are idempotent."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from api.auth import Caller, ServiceDep
from api.routes.params import (
    DraftId,
    IfMatch,
    Limit,
    Offset,
    PeriodFilter,
    PeriodLabel,
    revision_from,
    set_etag,
)
from fupan.report import ReviewDraft
from knowledge.records_schemas import Decision, DecisionResult, DraftEdit, DraftPublic, DraftSummary

router = APIRouter(prefix="/drafts", tags=["drafts"])
_SUMMARIES = TypeAdapter(list[DraftSummary])


class CreateDraft(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"period": "2026Q3", "scope": {"region": "华东"}, "submit": True},
                {"period": "2026Q3", "language": "en", "notes": "Competitor X cut prices in August."},
            ]
        },
    )

    period: PeriodLabel = Field(..., min_length=4, max_length=20, description="e.g. 2026Q3")
    scope: dict[str, str] = Field(default_factory=dict, max_length=3, description="e.g. {'region': '华东'}")
    notes: str | None = Field(None, max_length=50_000, description="pasted raw notes for the period")
    language: Literal["zh", "en"] | None = None
    submit: bool = Field(False, description="submit for approval right away (status pending)")


@router.post("", response_model=DraftPublic, status_code=201)
def create_draft(body: CreateDraft, caller: Caller, service: ServiceDep, response: Response) -> DraftPublic:
    """Run the analyst for a period and save the report as a draft (analyst). Nothing enters the KB."""
    draft = service.draft_review(
        caller, body.period, scope=body.scope, notes=body.notes, language=body.language, submit=body.submit
    )
    set_etag(response, draft.revision)
    response.headers["Location"] = f"/drafts/{draft.id}"
    return draft


@router.get("", response_model=list[DraftSummary])
def list_drafts(
    caller: Caller,
    service: ServiceDep,
    status: Annotated[
        Literal["draft", "pending", "approved", "rejected"] | None,
        Query(description="status of the latest version"),
    ] = None,
    period: PeriodFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """Drafts the key may see (its team's, or all for company-wide keys), newest first."""
    rows = service.list_drafts(caller, status=status, period=period, limit=limit, offset=offset)
    return Response(_SUMMARIES.dump_json(rows), media_type="application/json")


@router.get("/{draft_id}", response_model=DraftPublic)
def get_draft(draft_id: DraftId, caller: Caller, service: ServiceDep) -> Response:
    """One draft: the latest version's report, the version in force, and the version history. ETag = revision."""
    body, revision = service.get_draft_json(caller, draft_id)
    return Response(body, media_type="application/json", headers={"ETag": f'"{revision}"'})


@router.get("/{draft_id}/versions/{version}", response_model=ReviewDraft)
def get_version(
    draft_id: DraftId,
    version: Annotated[int, Path(ge=1, le=100_000)],
    caller: Caller,
    service: ServiceDep,
) -> ReviewDraft:
    """The report of one version (e.g. the approved one while a newer version is pending)."""
    return service.records.get_version(caller, draft_id, version)


@router.get(
    "/{draft_id}/report",
    response_class=Response,
    responses={
        200: {
            "description": "The report file (md comes as a zip with its chart images)",
            "content": {
                "text/html": {},
                "application/zip": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
            },
        }
    },
)
def export_report(
    draft_id: DraftId,
    caller: Caller,
    service: ServiceDep,
    fmt: Annotated[Literal["html", "xlsx", "docx", "md"], Query(alias="format")] = "html",
    which: Annotated[Literal["latest", "approved"], Query(alias="version")] = "latest",
    language: Literal["zh", "en"] | None = None,
) -> Response:
    """The review as a file a manager can send: HTML, XLSX (the four tables), DOCX, or Markdown; the latest
    version or the approved one (404 when nothing is approved yet)."""
    from agent.reports import report_bytes

    if which == "approved":
        report = service.approved_report(caller, draft_id)
    else:
        report = service.get_draft(caller, draft_id).report
    data, media_type, ext = report_bytes(report, fmt, language=language)
    headers = {"Content-Disposition": f'attachment; filename="{draft_id}-{which}.{ext}"'}
    return Response(data, media_type=media_type, headers=headers)


@router.patch("/{draft_id}", response_model=DraftPublic)
def edit_draft(
    draft_id: DraftId,
    body: DraftEdit,
    caller: Caller,
    service: ServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> DraftPublic:
    """Edit report fields (analyst; If-Match required, else 428). Every edit makes a new version: a draft stays
    a draft, a pending draft stays pending, an approved one gets a new pending version (the approved one stays
    in force until that is approved). Stale If-Match → 409. Figures typed into text that match no evidence are
    saved as findings (`report.findings`, origin `edit`) and block approval until an edit with
    `confirm_figures: true` confirms them."""
    draft = service.edit_draft(caller, draft_id, body, if_match=revision_from(if_match, required=True))
    set_etag(response, draft.revision)
    return draft


@router.post("/{draft_id}/submit", response_model=DecisionResult)
def submit_draft(
    draft_id: DraftId, caller: Caller, service: ServiceDep, response: Response, if_match: IfMatch = None
) -> DecisionResult:
    """draft → pending (analyst). Submitting a pending draft again changes nothing."""
    result = service.submit(caller, draft_id, if_match=revision_from(if_match))
    set_etag(response, result.draft.revision)
    return result


@router.post("/{draft_id}/approve", response_model=DecisionResult)
def approve_draft(
    draft_id: DraftId,
    body: Decision,
    caller: Caller,
    service: ServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> DecisionResult:
    """pending → approved (approver; not the author nor anyone who changed it since the last decision, unless
    allowed). Name the version you read (`version`, or If-Match with the revision): without it 428, and 409 if
    the draft moved since; 409 too while a hand-typed figure is unconfirmed. The review, its lessons and
    action items then enter the knowledge base. Approving again changes nothing (`changed: false`)."""
    result = service.approve(caller, draft_id, body, if_match=revision_from(if_match))
    set_etag(response, result.draft.revision)
    return result


@router.post("/{draft_id}/reject", response_model=DecisionResult)
def reject_draft(
    draft_id: DraftId,
    body: Decision,
    caller: Caller,
    service: ServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> DecisionResult:
    """pending → rejected (approver; name the version read, as for approve). Rejected drafts are kept.
    Rejecting again changes nothing."""
    result = service.reject(caller, draft_id, body, if_match=revision_from(if_match))
    set_etag(response, result.draft.revision)
    return result
