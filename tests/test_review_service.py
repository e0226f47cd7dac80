"""The review service (api/review_service.py) on its own: the rules it adds around Records, and the
knowledge-base documents an approved review becomes. Real SQLite records in a temp workspace; no sales data."""

from __future__ import annotations

import datetime as dt

import pytest

from api.review_actions import target_met
from api.review_data import _company_wide, _only_own_team
from api.review_knowledge import approved_documents, review_text
from api.review_service import ReviewService
from fupan.answers import Answer
from fupan.errors import InputError, PermissionDenied
from fupan.evidence import Evidence
from fupan.report import ActionItem, Lesson, ReviewDraft, RootCauseChain, WhyLink
from knowledge.deps import Deps
from knowledge.records_schemas import Decision, Principal

ANALYST = Principal(key_id="k-analyst", name="Ana", role="analyst")
APPROVER = Principal(key_id="k-approver", name="Bo", role="approver")
EAST_ANALYST = Principal(key_id="k-east", name="Wu", role="analyst", team="华东")


def _item(baseline: float, target: float) -> ActionItem:
    return ActionItem(
        id="A1",
        action="Run a price-objection clinic for East reps",
        owner="王强",
        deadline=dt.date(2026, 12, 31),
        metric="win_rate",
        segment={"region": "华东"},
        period="2026Q4",
        baseline=baseline,
        target=target,
        checkpoint="weekly win-rate review",
    )


def _report(region: str = "华东") -> ReviewDraft:
    chain = RootCauseChain(
        id="C1",
        problem="East missed its revenue target",
        category="product_market",
        links=[WhyLink(claim="win rate fell", evidence=["metric:win_rate:2026Q3:region=华东"])],
        root_cause="a competitor cut prices",
    )
    lesson = Lesson(id="L1", type="failure", content="Answer price cuts with value", scenario="price war")
    return ReviewDraft(
        period="2026Q3",
        language="en",
        title="East review 2026Q3",
        scope={"region": region} if region else {},
        summary="East missed.",
        chains=[chain],
        lessons=[lesson],
        actions=[_item(0.25, 0.3)],
    )


@pytest.mark.parametrize(
    ("baseline", "target", "value", "met"),
    [
        (0.25, 0.30, 0.31, True),  # a rise was asked for and came
        (0.25, 0.30, 0.30, True),  # reaching the target exactly counts
        (0.25, 0.30, 0.29, False),
        (82.0, 63.0, 60.0, True),  # a fall was asked for (sales cycle days) and came
        (82.0, 63.0, 70.0, False),
        (0.25, 0.30, None, None),  # no value yet: undecided, not failed
    ],
)
def test_target_met_follows_the_direction_from_baseline_to_target(baseline, target, value, met) -> None:
    assert target_met(_item(baseline, target), value) is met


def test_company_wide_work_is_refused_to_a_team_key() -> None:
    _company_wide(ANALYST, "importing sales data")
    with pytest.raises(PermissionDenied, match="scoped to 华东"):
        _company_wide(EAST_ANALYST, "importing sales data")


def _answer(*evidence: Evidence) -> Answer:
    return Answer(question="q", language="en", text="t", evidence={e.id: e for e in evidence})


def test_a_team_key_answer_may_cite_only_its_own_team() -> None:
    east = Evidence(id="metric:win_rate:2026Q3:region=华东", kind="metric", value=0.3)
    south = Evidence(id="metric:win_rate:2026Q3:region=华南", kind="metric", value=0.4)
    company = Evidence(id="metric:win_rate:2026Q3", kind="metric", value=0.35)
    own_note = Evidence(id="note:n1#0", kind="note", text="price", metadata={"region": "华东"})
    _only_own_team(EAST_ANALYST, _answer(east, own_note))
    for other in (south, company):
        with pytest.raises(PermissionDenied, match=other.id):
            _only_own_team(EAST_ANALYST, _answer(east, other))


def test_review_text_holds_what_a_later_search_should_find() -> None:
    text = review_text(_report())
    for part in ("East review 2026Q3", "East missed.", "East missed its revenue target → a competitor cut prices",
                 "Answer price cuts with value (price war)", "Run a price-objection clinic for East reps"):
        assert part in text


def test_an_approved_review_becomes_one_document_per_review_lesson_and_action() -> None:
    docs = approved_documents("rv-1", 2, _report())
    assert [(d.doc_id, d.kind) for d in docs] == [
        ("review-rv-1", "review"),
        ("rv-1.L1", "lesson"),
        ("rv-1.A1", "action_item"),
    ]
    assert {d.region for d in docs} == {"华东"}
    assert all(d.period for d in docs)
    assert docs[0].metadata == {"draft_id": "rv-1", "version": "2"}
    assert docs[2].metadata["metric"] == "win_rate" and docs[2].metadata["owner"] == "王强"
    company = approved_documents("rv-2", 1, _report(region=""))
    assert {d.region for d in company} == {""}


@pytest.fixture
def service(deps: Deps) -> ReviewService:
    return ReviewService(deps)


def test_save_submit_and_reject_keep_the_draft_and_its_reason(service: ReviewService) -> None:
    saved = service.save_draft(ANALYST, _report())
    assert saved.status == "draft" and saved.team == "华东"
    assert service.get_draft(ANALYST, saved.id).report.title == "East review 2026Q3"
    submitted = service.submit(ANALYST, saved.id)
    assert submitted.changed and submitted.draft.status == "pending"
    with pytest.raises(InputError):
        service.reject(APPROVER, saved.id, Decision(comment="", version=submitted.draft.version))  # needs a reason
    rejected = service.reject(
        APPROVER, saved.id, Decision(comment="cite the South numbers", version=submitted.draft.version)
    )
    assert rejected.changed and rejected.draft.status == "rejected"
    assert [d.id for d in service.list_drafts(ANALYST)] == [saved.id]


def test_the_json_of_a_draft_is_cached_per_revision(service: ReviewService) -> None:
    saved = service.save_draft(ANALYST, _report())
    body, revision = service.get_draft_json(ANALYST, saved.id)
    assert service.get_draft_json(ANALYST, saved.id) == (body, revision)
    service.submit(ANALYST, saved.id)
    after, later = service.get_draft_json(ANALYST, saved.id)
    assert later != revision and b'"pending"' in after


def test_a_viewer_cannot_save_and_a_team_key_cannot_import(service: ReviewService) -> None:
    viewer = Principal(key_id="k-viewer", role="viewer")
    with pytest.raises(PermissionDenied):
        service.save_draft(viewer, _report())
    with pytest.raises(PermissionDenied):
        service.undo_import(EAST_ANALYST)


def test_the_split_service_keeps_its_public_api() -> None:
    public = {name for name in dir(ReviewService) if not name.startswith("_")}
    assert public == {
        "approve", "approved_report", "ask", "audit_log", "authenticate", "check_overdue", "checkpoint",
        "draft_review", "edit_draft", "get_action_item", "get_draft", "get_draft_json", "import_sales",
        "index_state", "ingest_documents", "job", "list_action_items", "list_drafts", "list_lessons", "records",
        "reject", "save_draft", "search_documents", "search_lessons", "start_background", "start_draft",
        "stop_background", "submit", "sync_knowledge", "team_people", "undo_import", "update_action_item",
        "with_people",
    }  # fmt: skip


def test_an_approval_without_a_runner_puts_the_review_into_the_knowledge_base_inline(service: ReviewService) -> None:
    saved = service.save_draft(ANALYST, _report(), submit=True)
    before, _ = service.get_draft_json(ANALYST, saved.id)
    assert service.deps.docs.get(f"note:review-{saved.id}#0") is None  # nothing enters the KB before approval
    approved = service.approve(APPROVER, saved.id, Decision(comment="ok", version=saved.version))
    assert approved.changed and approved.draft.status == "approved"
    assert service.deps.docs.get(f"note:review-{saved.id}#0") is not None
    after, _ = service.get_draft_json(ANALYST, saved.id)
    assert after != before and b'"approved"' in after
    assert service.sync_knowledge() == 0  # nothing left to index
