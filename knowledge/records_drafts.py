"""Drafts and their versions in the records database: read them (one, a version, a page of summaries, the
inbox's counts), save a drafted report as version 1, and edit it into a new version; plus the bookkeeping of
which approved version the knowledge base holds. Decisions on a version are knowledge/records_decisions.py.
Part of `Records` (knowledge/records.py), whose docstring states the rules.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fupan.clock import utc_now
from fupan.errors import Conflict, NotFound, PermissionDenied, PreconditionRequired
from fupan.report import Finding, ReviewDraft
from knowledge.records_db import SYSTEM, RecordsDB, aware, content_hash, require_role
from knowledge.records_models import DraftRow, DraftVersionRow
from knowledge.records_schemas import DraftEdit, DraftPublic, DraftSummary, DraftVersionPublic, Principal


class Drafts(RecordsDB):
    """Drafts, their versions and their knowledge-base bookkeeping."""

    # --- drafts: reads ---------------------------------------------------------------------------
    def _draft_row(
        self, session: Session, actor: Principal, draft_id: str, *, lock: bool = False
    ) -> DraftRow:
        query = select(DraftRow).where(DraftRow.id == draft_id)
        if lock and self.for_update:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None or not actor.sees(row.team):  # no existence leak across teams
            raise NotFound(f"no draft {draft_id!r}", hint="list drafts with GET /drafts")
        return row

    def _version(self, session: Session, draft_id: str, version: int) -> DraftVersionRow:
        row = session.scalars(
            select(DraftVersionRow).where(
                DraftVersionRow.draft_id == draft_id, DraftVersionRow.version == version
            )
        ).one()
        return row

    def _summary(self, row: DraftRow, status: str) -> DraftSummary:
        return DraftSummary(
            id=row.id,
            team=row.team,
            period=row.period,
            title=row.title,
            status=status,  # type: ignore[arg-type]
            version=row.latest_version,
            approved_version=row.approved_version,
            indexed_version=row.kb_synced_version,
            revision=row.revision,
            author=row.author_name or row.author_key,
            created_at=aware(row.created_at),  # type: ignore[arg-type]
            updated_at=aware(row.updated_at),  # type: ignore[arg-type]
        )

    def _public(self, session: Session, row: DraftRow) -> DraftPublic:
        versions = session.scalars(
            select(DraftVersionRow)
            .where(DraftVersionRow.draft_id == row.id)
            .order_by(DraftVersionRow.version)
        ).all()
        latest = versions[-1]
        approved = next((v for v in versions if v.version == row.approved_version), None)
        return DraftPublic(
            **self._summary(row, latest.status).model_dump(),
            report=ReviewDraft.model_validate(latest.content),
            approved_report=(
                ReviewDraft.model_validate(approved.content)
                if approved is not None and approved is not latest
                else None
            ),
            versions=[
                DraftVersionPublic(
                    version=v.version,
                    status=v.status,  # type: ignore[arg-type]
                    content_hash=v.content_hash,
                    editor=v.editor_key,
                    created_at=aware(v.created_at),  # type: ignore[arg-type]
                    decided_by=v.decided_by,
                    decided_at=aware(v.decided_at),
                    comment=v.comment,
                )
                for v in versions
            ],
        )

    def get_draft(self, actor: Principal, draft_id: str) -> DraftPublic:
        """The draft with its latest version's report and, if different, the version in force."""
        with self.reading() as session:
            return self._public(session, self._draft_row(session, actor, draft_id))

    def draft_revision(self, actor: Principal, draft_id: str) -> int:
        """The draft's current revision (its ETag), or NotFound; one indexed read."""
        with self.reading() as session:
            row = session.execute(
                select(DraftRow.team, DraftRow.revision).where(DraftRow.id == draft_id)
            ).first()
        if row is None or not actor.sees(row.team):
            raise NotFound(f"no draft {draft_id!r}", hint="list drafts with GET /drafts")
        return int(row.revision)

    def get_version(self, actor: Principal, draft_id: str, version: int) -> ReviewDraft:
        with self.reading() as session:
            self._draft_row(session, actor, draft_id)
            row = session.scalars(
                select(DraftVersionRow).where(
                    DraftVersionRow.draft_id == draft_id, DraftVersionRow.version == version
                )
            ).first()
            if row is None:
                raise NotFound(f"draft {draft_id!r} has no version {version}")
            return ReviewDraft.model_validate(row.content)

    def list_drafts(
        self,
        actor: Principal,
        *,
        status: str | None = None,
        period: str | None = None,
        in_force: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[DraftSummary]:
        """Drafts the caller may see, newest first; `status` filters on the latest version's status,
        `in_force` on whether an approved version is in force (whatever the latest version's status)."""
        with self.reading() as session:
            query = (
                select(DraftRow, DraftVersionRow.status)
                .join(
                    DraftVersionRow,
                    (DraftVersionRow.draft_id == DraftRow.id)
                    & (DraftVersionRow.version == DraftRow.latest_version),
                )
                .order_by(DraftRow.created_at.desc(), DraftRow.id)
            )
            if actor.team:
                query = query.where(DraftRow.team == actor.team)
            if status:
                query = query.where(DraftVersionRow.status == status)
            if period:
                query = query.where(DraftRow.period == period)
            if in_force is not None:
                has = DraftRow.approved_version.is_not(None)
                query = query.where(has if in_force else ~has)
            rows = session.execute(query.limit(limit).offset(offset)).all()
            return [self._summary(row, st) for row, st in rows]

    def count_drafts(self, actor: Principal) -> dict[str, int]:
        """How many drafts the caller sees per latest status, plus `in_force` (an approved version in force)
        and `all`: the inbox's tabs, in one query."""
        with self.reading() as session:
            query = (
                select(DraftVersionRow.status, DraftRow.approved_version.is_not(None), func.count())
                .select_from(DraftRow)
                .join(
                    DraftVersionRow,
                    (DraftVersionRow.draft_id == DraftRow.id)
                    & (DraftVersionRow.version == DraftRow.latest_version),
                )
                .group_by(DraftVersionRow.status, DraftRow.approved_version.is_not(None))
            )
            if actor.team:
                query = query.where(DraftRow.team == actor.team)
            counts: dict[str, int] = {"all": 0, "in_force": 0}
            for status, in_force, n in session.execute(query):
                counts[status] = counts.get(status, 0) + n
                counts["all"] += n
                counts["in_force"] += n if in_force else 0
            return counts

    # --- drafts: changes -------------------------------------------------------------------------
    def create_draft(self, actor: Principal, report: ReviewDraft, *, submit: bool = False) -> DraftPublic:
        """Save a drafted report as version 1 (status draft, or pending when `submit`)."""
        require_role(actor, "analyst", "creating a draft")
        team = report.scope.get("region", "")
        if actor.team and team != actor.team:
            raise PermissionDenied(
                f"key {actor.key_id} is scoped to {actor.team}; this report covers {team or 'the company'}",
                hint=f"draft a report with scope region={actor.team}",
            )
        now = utc_now()
        draft_id = f"rv-{secrets.token_hex(6)}"
        content = report.model_dump(mode="json")
        digest = content_hash(content)
        status = "pending" if submit else "draft"
        with self.writing() as session:
            row = DraftRow(
                id=draft_id,
                team=team,
                period=report.period,
                title=report.title,
                author_key=actor.key_id,
                author_name=actor.name,
                latest_version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(
                DraftVersionRow(
                    draft_id=draft_id,
                    version=1,
                    status=status,
                    content=content,
                    content_hash=digest,
                    editor_key=actor.key_id,
                    created_at=now,
                )
            )
            self.audit(
                session,
                actor,
                "draft.create",
                ("draft", draft_id, team),
                version=1,
                after=digest,
                detail={"status": status},
            )
        return self.get_draft(actor, draft_id)

    def _check_revision(self, row: DraftRow, if_match: int | None) -> None:
        if if_match is not None and if_match != row.revision:
            raise Conflict(
                f"draft {row.id} changed: you have revision {if_match}, it is now at {row.revision}",
                hint="reload the draft (GET) and apply your change again",
            )

    def _bump(self, session: Session, row: DraftRow) -> None:
        """Flush with the revision check (`version_id_col`): a concurrent writer that got there first wins."""
        row.updated_at = utc_now()
        try:
            session.flush()
        except StaleDataError as exc:
            raise Conflict(
                f"draft {row.id} changed meanwhile", hint="reload the draft and try again"
            ) from exc

    def edit_draft(
        self,
        actor: Principal,
        draft_id: str,
        edit: DraftEdit,
        *,
        if_match: int | None,
        findings: list[Finding] | None = None,
    ) -> DraftPublic:
        """Change report fields: always a new version (draft stays draft, pending stays pending, an approved
        or rejected one gets a new pending version; the decided one is kept unchanged and an approved one stays
        in force until the new one is approved). `findings` (from the edit's checks, agent/edit_review.py) replace
        the version's findings; `confirm_figures` confirms every typed figure that blocks approval."""
        require_role(actor, "analyst", "editing a draft")
        if if_match is None:
            raise PreconditionRequired(
                "editing needs the revision you read (If-Match header)",
                hint="send If-Match with the ETag of GET /drafts/{id}",
            )
        changes = edit.changes()
        if findings is not None:  # the edit's own checks (agent/edit_review.py) replace the findings
            changes["findings"] = [f.model_dump(mode="json") for f in findings]
        with self.writing() as session:
            row = self._draft_row(session, actor, draft_id, lock=True)
            self._check_revision(row, if_match)
            latest = self._version(session, draft_id, row.latest_version)
            new = edited_report(
                latest.content, changes, confirmed_by=actor.key_id if edit.confirm_figures else None
            )
            merged = new.model_dump(mode="json")
            before, after = latest.content_hash, content_hash(merged)
            if after == before:  # nothing changed: no new version
                return self._public(session, row)
            version = row.latest_version + 1
            status = "draft" if latest.status == "draft" else "pending"
            if latest.status in ("draft", "pending"):
                latest.status = "superseded"  # an undecided version that was edited is never decided
            session.add(_version_row(draft_id, version, status, merged, after, actor.key_id))
            row.latest_version = version
            if "title" in changes:
                row.title = changes["title"]
            self._bump(session, row)
            self.audit(
                session,
                actor,
                "draft.edit",
                ("draft", draft_id, row.team),
                version=version,
                before=before,
                after=after,
                detail={
                    "fields": sorted(changes) + (["confirm_figures"] if edit.confirm_figures else []),
                    "from_version": latest.version,
                    "unconfirmed_figures": [f.value for f in new.findings if f.blocks_approval],
                },
            )
        return self.get_draft(actor, draft_id)

    # --- knowledge-base sync bookkeeping ---------------------------------------------------------
    def unsynced_approvals(self) -> list[tuple[str, int, int | None, ReviewDraft]]:
        """(draft id, approved version, previously synced version, report) still to put into the KB."""
        with self.reading() as session:
            rows = session.scalars(
                select(DraftRow).where(
                    DraftRow.approved_version.is_not(None),
                    (DraftRow.kb_synced_version.is_(None))
                    | (DraftRow.kb_synced_version != DraftRow.approved_version),
                )
            ).all()
            out = []
            for row in rows:
                content = self._version(session, row.id, row.approved_version).content  # type: ignore[arg-type]
                out.append(
                    (row.id, row.approved_version, row.kb_synced_version, ReviewDraft.model_validate(content))
                )
            return out  # type: ignore[return-value]

    def synced_report(self, draft_id: str, version: int) -> ReviewDraft:
        with self.reading() as session:
            return ReviewDraft.model_validate(self._version(session, draft_id, version).content)

    def mark_synced(self, draft_id: str, version: int) -> None:
        """Bookkeeping only: a plain UPDATE, so the draft's revision (its ETag) does not change."""
        table: Table = DraftRow.__table__  # type: ignore[assignment]
        with self.writing() as session:
            done = session.execute(
                update(table)
                .where(table.c.id == draft_id, table.c.approved_version == version)
                .values(kb_synced_version=version)
            )
            if done.rowcount:  # type: ignore[attr-defined]
                team = session.scalar(select(DraftRow.team).where(DraftRow.id == draft_id)) or ""
                self.audit(session, SYSTEM, "draft.index", ("draft", draft_id, team), version=version)


def edited_report(
    content: dict[str, Any], changes: dict[str, Any], *, confirmed_by: str | None
) -> ReviewDraft:
    """The report after an edit: the changed fields over the latest version's content; `confirmed_by` (whoever
    confirms the typed figures) is recorded on each figure that blocks approval."""
    new = ReviewDraft.model_validate({**content, **changes})
    if confirmed_by is not None:
        new.findings = [
            f.model_copy(update={"confirmed_by": confirmed_by}) if f.blocks_approval else f
            for f in new.findings
        ]
    return new


def _version_row(
    draft_id: str, version: int, status: str, content: dict[str, Any], digest: str, editor: str
) -> DraftVersionRow:
    return DraftVersionRow(
        draft_id=draft_id,
        version=version,
        status=status,
        content=content,
        content_hash=digest,
        editor_key=editor,
        created_at=utc_now(),
    )
