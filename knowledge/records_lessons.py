"""Approved lessons in the records database: written when a version is approved (replacing the draft's earlier
ones), listed for the caller's team. Part of `Records` (knowledge/records.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupan.clock import utc_now
from fupan.report import ReviewDraft
from knowledge.records_db import RecordsDB, aware
from knowledge.records_models import DraftRow, LessonRow
from knowledge.records_schemas import LessonPublic, Principal


def lesson_record_id(draft_id: str, lesson_id: str) -> str:
    """Lesson ids are unique across drafts: `<draft id>.<lesson id>`, cited as `lesson:<that>`."""
    return f"{draft_id}.{lesson_id}"


def record_lessons(session: Session, row: DraftRow, version: int, report: ReviewDraft) -> None:
    """The approved version's lessons replace the draft's earlier ones."""
    existing = {r.id: r for r in session.scalars(select(LessonRow).where(LessonRow.draft_id == row.id))}
    now = utc_now()
    for lesson in report.lessons:
        lesson_id = lesson_record_id(row.id, lesson.id)
        record = existing.pop(lesson_id, None) or LessonRow(id=lesson_id, draft_id=row.id)
        record.version, record.team, record.period, record.type = (
            version,
            row.team,
            report.period,
            lesson.type,
        )
        record.content, record.scenario, record.evidence = (
            lesson.content,
            lesson.scenario,
            list(lesson.evidence),
        )
        record.approved_at = now
        session.add(record)
    for stale in existing.values():
        session.delete(stale)


class Lessons(RecordsDB):
    """The approved lessons."""

    def list_lessons(
        self, actor: Principal, *, period: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[LessonPublic]:
        with self.reading() as session:
            query = select(LessonRow).order_by(LessonRow.approved_at.desc(), LessonRow.id)
            if actor.team:
                query = query.where(LessonRow.team == actor.team)
            if period:
                query = query.where(LessonRow.period == period)
            return [_lesson_public(r) for r in session.scalars(query.limit(limit).offset(offset))]

    def lesson_teams(self, lesson_ids: list[str]) -> dict[str, str]:
        with self.reading() as session:
            rows = session.execute(select(LessonRow.id, LessonRow.team).where(LessonRow.id.in_(lesson_ids)))
            return {i: t for i, t in rows}


def _lesson_public(r: LessonRow) -> LessonPublic:
    return LessonPublic(
        id=r.id,
        draft_id=r.draft_id,
        version=r.version,
        team=r.team,
        period=r.period,
        type=r.type,  # type: ignore[arg-type]
        content=r.content,
        scenario=r.scenario,
        evidence=list(r.evidence or []),
        approved_at=aware(r.approved_at),  # type: ignore[arg-type]
    )
