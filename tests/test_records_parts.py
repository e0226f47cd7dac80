"""The parts of the records (knowledge/records_*.py), each opened on its own over a real SQLite database in a
temp workspace: what each aggregate promises without the rest of `Records` around it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from fupan.errors import Conflict, NotFound, PermissionDenied, PreconditionRequired, Unauthenticated
from fupan.report import ActionItem, Finding, Lesson, ReviewDraft, RootCauseChain, WhyLink
from fupan.settings import Settings
from knowledge.records import Records
from knowledge.records_actions import ActionItems, action_record_id, record_actions
from knowledge.records_audit import AuditLog
from knowledge.records_db import SYSTEM, RecordsDB, content_hash
from knowledge.records_decisions import Decisions
from knowledge.records_drafts import Drafts, edited_report
from knowledge.records_keys import ApiKeys
from knowledge.records_lessons import Lessons, lesson_record_id, record_lessons
from knowledge.records_models import ActionItemRow, AuditRow, DraftRow, LessonRow
from knowledge.records_schemas import ActionItemUpdate, Decision, DraftEdit, Principal

ANALYST = Principal(key_id="k-ana", name="Ana", role="analyst")
APPROVER = Principal(key_id="k-bo", name="Bo", role="approver")
VIEWER = Principal(key_id="k-vi", name="Vi", role="viewer")
WEST = Principal(key_id="k-west", name="Xi", role="approver", team="华西")


def _report(*, lessons: int = 1, actions: int = 1, region: str = "华东") -> ReviewDraft:
    return ReviewDraft(
        period="2026Q3",
        language="en",
        title="East review 2026Q3",
        scope={"region": region},
        summary="East missed.",
        chains=[
            RootCauseChain(
                id="C1",
                problem="East missed its target",
                category="product_market",
                links=[WhyLink(claim="win rate fell", evidence=["metric:win_rate:2026Q3:region=华东"])],
                root_cause="a competitor cut prices",
            )
        ],
        lessons=[
            Lesson(id=f"L{i + 1}", type="failure", content=f"lesson {i + 1}", scenario="price war")
            for i in range(lessons)
        ],
        actions=[
            ActionItem(
                id=f"A{i + 1}",
                action=f"action {i + 1}",
                owner="王强",
                deadline=dt.date(2026, 12, 31),
                metric="win_rate",
                segment={"region": region},
                period="2026Q4",
                baseline=0.25,
                target=0.3,
                checkpoint="weekly",
            )
            for i in range(actions)
        ],
    )


@pytest.fixture
def opened(settings: Settings) -> Iterator[list[RecordsDB]]:
    parts: list[RecordsDB] = []
    yield parts
    for part in parts:
        part.close()


def _open(opened: list[RecordsDB], kind: type[RecordsDB], settings: Settings) -> RecordsDB:
    part = kind(settings)
    opened.append(part)
    return part


def test_records_is_every_part_over_one_database(settings: Settings, opened) -> None:
    records = _open(opened, Records, settings)
    for part in (ApiKeys, Drafts, Decisions, Lessons, ActionItems, AuditLog):
        assert isinstance(records, part)
    assert records.dialect == "sqlite" and not records.for_update


def test_db_writes_the_audit_row_inside_the_callers_transaction(settings: Settings, opened) -> None:
    db = _open(opened, RecordsDB, settings)
    with pytest.raises(RuntimeError), db.writing() as session:
        db.audit(session, SYSTEM, "test.rolled_back", ("thing", "t1", ""))
        raise RuntimeError("the caller fails after auditing")
    with db.writing() as session:
        db.audit(session, ANALYST, "test.kept", ("thing", "t2", "华东"), before="a", after="b")
    with db.reading() as session:
        rows = session.scalars(select(AuditRow)).all()
    assert [(r.action, r.entity_id, r.team, r.actor_key) for r in rows] == [("test.kept", "t2", "华东", "k-ana")]
    assert content_hash({"b": 1, "a": 2}) == content_hash({"a": 2, "b": 1}) != content_hash({"a": 1, "b": 2})


def test_keys_show_the_secret_once_and_refuse_revoked_or_forged_keys(settings: Settings, opened) -> None:
    keys = _open(opened, ApiKeys, settings)
    created = keys.create_key("approver", team="华东", name="Bo")
    me = keys.authenticate(created.key)
    assert (me.key_id, me.role, me.team) == (created.id, "approver", "华东")
    assert all(not hasattr(k, "key") for k in keys.list_keys())
    with pytest.raises(Unauthenticated):
        keys.authenticate(created.key[:-1] + ("x" if created.key[-1] != "x" else "y"))
    with pytest.raises(Unauthenticated, match="malformed"):
        keys.authenticate("not-a-key")
    keys.revoke_key(created.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        keys.authenticate(created.key)
    with pytest.raises(NotFound):
        keys.revoke_key("k-none")


def test_drafts_version_every_edit_and_keep_the_revision_check(settings: Settings, opened) -> None:
    drafts = _open(opened, Drafts, settings)
    d = drafts.create_draft(ANALYST, _report())
    assert (d.version, d.status, d.revision) == (1, "draft", d.revision)
    same = drafts.edit_draft(ANALYST, d.id, DraftEdit(summary="East missed."), if_match=d.revision)
    assert same.version == 1  # nothing changed: no new version
    e = drafts.edit_draft(ANALYST, d.id, DraftEdit(summary="East missed by 3%."), if_match=d.revision)
    assert (e.version, e.status, [v.status for v in e.versions]) == (2, "draft", ["superseded", "draft"])
    assert drafts.get_version(ANALYST, d.id, 1).summary == "East missed."
    with pytest.raises(Conflict):
        drafts.edit_draft(ANALYST, d.id, DraftEdit(summary="stale"), if_match=d.revision)
    with pytest.raises(PreconditionRequired):
        drafts.edit_draft(ANALYST, d.id, DraftEdit(summary="no if-match"), if_match=None)
    with pytest.raises(PermissionDenied):
        drafts.create_draft(VIEWER, _report())
    with pytest.raises(NotFound):  # another team's key does not learn the draft exists
        drafts.get_draft(WEST, d.id)
    assert drafts.count_drafts(ANALYST) == {"all": 1, "in_force": 0, "draft": 1}


def test_edited_report_records_who_confirmed_only_the_blocking_figures() -> None:
    typed = Finding(check="grounding", location="summary", message="typed", value="9%", blocking=True)
    other = Finding(check="smart", location="actions[0]", message="vague", severity="warning")
    content = _report().model_copy(update={"findings": [typed, other]}).model_dump(mode="json")
    new = edited_report(content, {"summary": "new"}, confirmed_by="k-bo")
    assert new.summary == "new"
    assert [f.confirmed_by for f in new.findings] == ["k-bo", ""]
    untouched = edited_report(content, {}, confirmed_by=None)
    assert [f.blocks_approval for f in untouched.findings] == [True, False]
    assert content["findings"][0]["confirmed_by"] == ""  # the input is not changed


def test_decisions_need_another_person_and_record_lessons_and_actions(settings: Settings, opened) -> None:
    decisions = _open(opened, Decisions, settings)
    d = decisions.create_draft(ANALYST, _report(lessons=2, actions=1), submit=True)
    with pytest.raises(PermissionDenied):  # the author cannot approve (allow_self_approval is off)
        decisions.approve(Principal(key_id="k-ana", name="Ana", role="approver"), d.id, Decision(version=1))
    with pytest.raises(PreconditionRequired):
        decisions.approve(APPROVER, d.id, Decision())
    done = decisions.approve(APPROVER, d.id, Decision(version=1, comment="ok"))
    again = decisions.approve(APPROVER, d.id, Decision(version=1, comment="ok"))
    assert (done.changed, done.draft.status, again.changed) == (True, "approved", False)
    with decisions.reading() as session:
        lessons = sorted(r.id for r in session.scalars(select(LessonRow)))
        items = [r.id for r in session.scalars(select(ActionItemRow))]
    assert lessons == [lesson_record_id(d.id, "L1"), lesson_record_id(d.id, "L2")]
    assert items == [action_record_id(d.id, "A1")]
    with pytest.raises(Conflict, match="cannot become"):
        decisions.reject(APPROVER, d.id, Decision(version=1, comment="too late"))


def test_record_lessons_and_actions_replace_the_earlier_approval(settings: Settings, opened) -> None:
    db = _open(opened, Drafts, settings)
    d = db.create_draft(ANALYST, _report())
    with db.writing() as session:
        row = session.get(DraftRow, d.id)
        assert row is not None
        record_lessons(session, row, 1, _report(lessons=2))
        record_actions(session, row, 1, _report(actions=2))
    with db.writing() as session:
        row = session.get(DraftRow, d.id)
        assert row is not None
        record_lessons(session, row, 2, _report(lessons=1))
        record_actions(session, row, 2, _report(actions=1))
    with db.reading() as session:
        lessons = [(r.id, r.version) for r in session.scalars(select(LessonRow))]
        items = {r.id: (r.version, r.active, r.revision) for r in session.scalars(select(ActionItemRow))}
    assert lessons == [(lesson_record_id(d.id, "L1"), 2)]  # the dropped lesson is gone
    assert items == {action_record_id(d.id, "A1"): (2, True, 2), action_record_id(d.id, "A2"): (1, False, 1)}


def test_lessons_and_action_items_are_scoped_to_the_team(settings: Settings, opened) -> None:
    records = _open(opened, Records, settings)
    east = records.create_draft(ANALYST, _report(), submit=True)
    records.approve(APPROVER, east.id, Decision(version=1))
    lessons = _open(opened, Lessons, settings)
    items = _open(opened, ActionItems, settings)
    assert [x.id for x in lessons.list_lessons(APPROVER)] == [lesson_record_id(east.id, "L1")]
    assert lessons.list_lessons(WEST) == [] and items.list_action_items(WEST) == []
    assert lessons.lesson_teams([lesson_record_id(east.id, "L1")]) == {lesson_record_id(east.id, "L1"): "华东"}
    item_id = action_record_id(east.id, "A1")
    updated = items.update_action_item(ANALYST, item_id, ActionItemUpdate(status="done"), if_match=1)
    assert (updated.status, updated.percent, updated.revision) == ("done", None, 2)
    with pytest.raises(Conflict):
        items.update_action_item(ANALYST, item_id, ActionItemUpdate(progress="stale"), if_match=1)
    with pytest.raises(NotFound):
        items.get_action_item(WEST, item_id)


def test_audit_log_reads_back_every_change_for_approvers_only(settings: Settings, opened) -> None:
    records = _open(opened, Records, settings)
    d = records.create_draft(ANALYST, _report(), submit=True)
    records.approve(APPROVER, d.id, Decision(version=1))
    audit = _open(opened, AuditLog, settings)
    assert [e.action for e in audit.audit_log(APPROVER, entity_id=d.id)] == ["draft.create", "draft.approve"]
    assert audit.audit_log(WEST) == []  # a team key sees its own team's rows only
    assert audit.audit_count() == 2
    with pytest.raises(PermissionDenied):
        audit.audit_log(ANALYST)
