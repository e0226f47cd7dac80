"""Durable records: drafts under approval, approved lessons, action items, API keys and the audit log.

`Records(settings)` opens the database (SQLite in WAL mode in the workspace by default, any PostgreSQL by
`settings.records_url`), runs the Alembic migrations in knowledge/migrations/, and enforces the rules itself:

- state machine per version: draft → pending → approved | rejected. Every edit makes a new version, so a
  version number always names the content a person read: editing a draft or pending version makes the next
  version with the same status (the edited one becomes `superseded`); editing an approved one makes a new
  pending version while the approved one stays in force; approving it supersedes the old one. Rejected
  versions are kept, never deleted; editing one makes a new pending version (revise and resubmit).
- every change bumps the draft's `revision` (the ETag); a caller's stale `if_match` gets `Conflict` (409).
- approve/reject name what they decide on (the `version`, or `if_match`), else `PreconditionRequired` (428);
  a draft that moved since gets `Conflict`. They and submit are idempotent: repeating a decision already made
  changes nothing (`changed=False`).
- roles viewer < analyst < approver < admin; analysts draft and edit, approvers decide, never the author or
  anyone who changed the content since the last decision, unless `settings.allow_self_approval`; team-scoped
  keys get `NotFound` for other teams' records.
- an edit may carry figures a person typed that match no evidence (`check` in `edit_draft`): they are saved
  as findings on the version and block approval until someone confirms them (`confirm_figures`).
- every state change writes an audit row (who, when, what, content hash before/after) in the same transaction.

It writes nothing to the knowledge base: `api.review_service.ReviewService` does that after approval.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from fupan.clock import utc_now
from fupan.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    PreconditionRequired,
    Unauthenticated,
)
from fupan.report import Finding, ReviewDraft
from knowledge.records_db import SYSTEM, RecordsDB, aware, content_hash, require_role
from knowledge.records_models import (
    ActionItemRow,
    ApiKeyRow,
    AuditRow,
    CheckpointRow,
    DraftRow,
    DraftVersionRow,
    LessonRow,
)
from knowledge.records_schemas import (
    ROLES,
    ActionItemPublic,
    ActionItemUpdate,
    ApiKeyPublic,
    AuditEntry,
    CheckpointPublic,
    CreatedKey,
    Decision,
    DecisionResult,
    DraftEdit,
    DraftPublic,
    DraftSummary,
    DraftVersionPublic,
    LessonPublic,
    Principal,
)

if TYPE_CHECKING:
    from knowledge.accounts import Accounts
    from knowledge.jobs import JobQueue

KEY_PREFIX = "fpk"
_ACTIONS = {"pending": "draft.submit", "approved": "draft.approve", "rejected": "draft.reject"}


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Records(RecordsDB):
    """The records database (knowledge/records_db.py) and its rules; see the module docstring. Thread-safe (a
    session per call)."""

    @property
    def accounts(self) -> Accounts:
        """Page accounts (username and password) and page sessions (knowledge/accounts.py)."""
        from knowledge.accounts import Accounts

        return Accounts(self)

    @property
    def jobs(self) -> JobQueue:
        """Background jobs and their progress (knowledge/jobs.py)."""
        from knowledge.jobs import JobQueue

        return JobQueue(self)

    # --- API keys --------------------------------------------------------------------------------
    def create_key(self, role: str, *, team: str = "", name: str = "") -> CreatedKey:
        """A new key; the returned `key` is the only time the secret is shown."""
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
        key_id = f"k{secrets.token_hex(4)}"
        secret = secrets.token_urlsafe(24)
        now = utc_now()
        row = ApiKeyRow(
            id=key_id, name=name, role=role, team=team, secret_hash=_secret_hash(secret), created_at=now
        )
        with self.writing() as session:
            session.add(row)
            self.audit(
                session, SYSTEM, "key.create", ("api_key", key_id, team), detail={"role": role, "name": name}
            )
        return CreatedKey(
            id=key_id,
            name=name,
            role=role,  # type: ignore[arg-type]
            team=team,
            created_at=now,
            key=f"{KEY_PREFIX}_{key_id}_{secret}",
        )

    def list_keys(self) -> list[ApiKeyPublic]:
        with self.reading() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [
                ApiKeyPublic(
                    id=r.id,
                    name=r.name,
                    role=r.role,  # type: ignore[arg-type]
                    team=r.team,
                    created_at=aware(r.created_at),  # type: ignore[arg-type]
                    revoked_at=aware(r.revoked_at),
                )
                for r in rows
            ]

    def revoke_key(self, key_id: str) -> ApiKeyPublic:
        with self.writing() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {key_id!r}", hint="see 'fupan keys list'")
            if row.revoked_at is None:
                row.revoked_at = utc_now()
                self.audit(session, SYSTEM, "key.revoke", ("api_key", key_id, row.team))
        return next(k for k in self.list_keys() if k.id == key_id)

    def authenticate(self, key: str) -> Principal:
        """The principal behind a presented key, or `Unauthenticated`."""
        parts = key.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            raise Unauthenticated("the API key is malformed", hint="send 'Authorization: Bearer fpk_...'")
        with self.reading() as session:
            row = session.get(ApiKeyRow, parts[1])
        if row is None or not hmac.compare_digest(row.secret_hash, _secret_hash(parts[2])):
            raise Unauthenticated("unknown API key", hint="create one with 'fupan keys create --role ...'")
        if row.revoked_at is not None:
            raise Unauthenticated(f"API key {row.id} was revoked", hint="ask an admin for a new key")
        return Principal(key_id=row.id, name=row.name, role=row.role, team=row.team)  # type: ignore[arg-type]

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
        with self.writing() as session:
            row = self._draft_row(session, actor, draft_id, lock=True)
            self._check_revision(row, if_match)
            latest = self._version(session, draft_id, row.latest_version)
            if findings is not None:  # the edit's own checks (agent/edit_review.py) replace the findings
                changes["findings"] = [f.model_dump(mode="json") for f in findings]
            new = ReviewDraft.model_validate({**latest.content, **changes})
            if edit.confirm_figures:  # whoever confirms the typed figures is recorded on each
                new.findings = [
                    f.model_copy(update={"confirmed_by": actor.key_id}) if f.blocks_approval else f
                    for f in new.findings
                ]
            merged = new.model_dump(mode="json")
            before, after = latest.content_hash, content_hash(merged)
            if after == before:  # nothing changed: no new version
                return self._public(session, row)
            version = row.latest_version + 1
            status = "draft" if latest.status == "draft" else "pending"
            if latest.status in ("draft", "pending"):
                latest.status = "superseded"  # an undecided version that was edited is never decided
            session.add(
                DraftVersionRow(
                    draft_id=draft_id,
                    version=version,
                    status=status,
                    content=merged,
                    content_hash=after,
                    editor_key=actor.key_id,
                    created_at=utc_now(),
                )
            )
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

    def submit(self, actor: Principal, draft_id: str, *, if_match: int | None = None) -> DecisionResult:
        """draft → pending (idempotent when already pending)."""
        require_role(actor, "analyst", "submitting a draft")
        return self._transition(actor, draft_id, "pending", Decision(), if_match)

    def approve(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        """pending → approved; the previously approved version (if any) becomes superseded."""
        require_role(actor, "approver", "approving")
        return self._transition(actor, draft_id, "approved", decision, if_match)

    def reject(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        """pending → rejected (kept, never deleted). The analyst needs to know why: a reason is required."""
        require_role(actor, "approver", "rejecting")
        return self._transition(actor, draft_id, "rejected", decision, if_match)

    def _transition(
        self, actor: Principal, draft_id: str, to: str, decision: Decision, if_match: int | None
    ) -> DecisionResult:
        with self.writing() as session:
            row = self._draft_row(session, actor, draft_id, lock=True)
            latest = self._version(session, draft_id, row.latest_version)
            if decision.version is not None and decision.version != latest.version:
                raise Conflict(
                    f"draft {draft_id} moved: you decided on version {decision.version}, the latest is "
                    f"{latest.version}",
                    hint="reload the draft, read the latest version, and decide on that",
                )
            if latest.status == to:  # the same decision again: nothing changes
                return DecisionResult(draft=self._summary(row, to), changed=False)
            allowed = {"pending": {"draft"}, "approved": {"pending"}, "rejected": {"pending"}}[to]
            if latest.status not in allowed:
                raise Conflict(
                    f"draft {draft_id} version {latest.version} is {latest.status}; it cannot become {to}",
                    hint="only pending versions can be approved or rejected; submit a draft first",
                )
            # a missing reason is told before a missing version (the page's form may lack both)
            if to == "rejected" and not decision.comment.strip():
                raise InputError(
                    "a rejection needs a reason", column="comment", hint="say what the analyst should change"
                )
            if to != "pending" and decision.version is None and if_match is None:
                raise PreconditionRequired(
                    f"say which version of draft {draft_id} you read: send its version (or If-Match)",
                    hint=f'e.g. {{"version": {latest.version}}}; a draft that changed since gets 409',
                )
            self._check_revision(row, if_match)
            if to == "approved":
                self._check_approvable(session, actor, row, latest)
            self._apply(session, actor, row, latest, to, decision)
            self._bump(session, row)
            self.audit(
                session,
                actor,
                _ACTIONS[to],
                ("draft", draft_id, row.team),
                version=latest.version,
                before=latest.content_hash,
                after=latest.content_hash,
                detail={
                    "from": "draft" if to == "pending" else "pending",
                    "to": to,
                    "comment": decision.comment,
                },
            )
            session.flush()
            session.refresh(row)
            return DecisionResult(draft=self._summary(row, to), changed=True)

    def _check_approvable(
        self, session: Session, actor: Principal, row: DraftRow, latest: DraftVersionRow
    ) -> None:
        """No self-approval (the author, or anyone who changed the content since the last decision), and no
        hand-typed figure left unconfirmed."""
        if not self.settings.allow_self_approval:
            changers = self._changers_since_decision(session, row.id) | {row.author_key}
            if actor.key_id in changers:
                raise PermissionDenied(
                    f"key {actor.key_id} is the author of draft {row.id} or changed it since its last "
                    "decision; it cannot approve it",
                    hint="ask an approver who has not edited it (or set allow_self_approval for this deployment)",
                )
        open_figures = [
            f for f in ReviewDraft.model_validate(latest.content).findings if f.blocks_approval
        ]
        if open_figures:
            shown = ", ".join(f"{f.value} ({f.location})" for f in open_figures[:5])
            raise Conflict(
                f"version {latest.version} of draft {row.id} has {len(open_figures)} hand-typed figure(s) that "
                f"match no evidence: {shown}",
                hint="correct them, or confirm them with an edit that sets confirm_figures=true; then approve",
            )

    def _changers_since_decision(self, session: Session, draft_id: str) -> set[str]:
        """Keys that made a version after the last approve/reject (every version when none was decided)."""
        versions = session.scalars(
            select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id).order_by(DraftVersionRow.version)
        ).all()
        decided = [v.version for v in versions if v.decided_at is not None]
        since = max(decided) if decided else 0
        return {v.editor_key for v in versions if v.version > since}

    def _apply(
        self, session: Session, actor: Principal, row: DraftRow, latest: DraftVersionRow, to: str, d: Decision
    ) -> None:
        latest.status = to
        if to == "pending":
            return
        latest.decided_by, latest.decided_at, latest.comment = actor.key_id, utc_now(), d.comment
        if to != "approved":
            return
        if row.approved_version is not None:
            old = self._version(session, row.id, row.approved_version)
            old.status = "superseded"
        row.approved_version = latest.version
        report = ReviewDraft.model_validate(latest.content)
        self._record_lessons(session, row, latest.version, report)
        self._record_actions(session, actor, row, latest.version, report)

    def _record_lessons(self, session: Session, row: DraftRow, version: int, report: ReviewDraft) -> None:
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

    def _record_actions(
        self, session: Session, actor: Principal, row: DraftRow, version: int, report: ReviewDraft
    ) -> None:
        existing = {
            a.id: a for a in session.scalars(select(ActionItemRow).where(ActionItemRow.draft_id == row.id))
        }
        now = utc_now()
        kept = set()
        for item in report.actions:
            item_id = action_record_id(row.id, item.id)
            kept.add(item_id)
            data = item.model_dump(mode="json")
            if item_id in existing:
                tracked = existing[item_id]
                tracked.item, tracked.version, tracked.active, tracked.updated_at = data, version, True, now
                tracked.owner = item.owner[:120]
                tracked.revision += 1
            else:
                session.add(
                    ActionItemRow(
                        id=item_id,
                        draft_id=row.id,
                        version=version,
                        team=row.team,
                        item=data,
                        status=item.status,
                        progress=item.progress,
                        owner=item.owner[:120],
                        revision=1,
                        active=True,
                        updated_at=now,
                    )
                )
        for item_id, tracked in existing.items():
            if item_id not in kept:
                tracked.active = False

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

    # --- lessons ---------------------------------------------------------------------------------
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

    # --- action items ----------------------------------------------------------------------------
    def list_action_items(
        self,
        actor: Principal,
        *,
        draft_id: str | None = None,
        status: str | None = None,
        owner: str | None = None,
        team: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ActionItemPublic]:
        """Active items the caller may see (a team's own, and those its people own), by id."""
        with self.reading() as session:
            query = select(ActionItemRow).where(ActionItemRow.active).order_by(ActionItemRow.id)
            if actor.team:
                mine = ActionItemRow.team == actor.team
                if actor.people:
                    mine = mine | ActionItemRow.owner.in_(actor.people)
                query = query.where(mine)
            if draft_id:
                query = query.where(ActionItemRow.draft_id == draft_id)
            if status:
                query = query.where(ActionItemRow.status == status)
            if owner:
                query = query.where(ActionItemRow.owner == owner)
            if team is not None:
                query = query.where(ActionItemRow.team == team)
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            checks: dict[str, list[CheckpointRow]] = {r.id: [] for r in rows}
            if rows:  # every item's checkpoints in one query, not one per item
                for c in session.scalars(
                    select(CheckpointRow)
                    .where(CheckpointRow.action_item_id.in_(list(checks)))
                    .order_by(CheckpointRow.id)
                ):
                    checks[c.action_item_id].append(c)
            return [self._action_public(session, r, checks[r.id]) for r in rows]

    def _action_row(self, session: Session, actor: Principal, item_id: str) -> ActionItemRow:
        row = session.get(ActionItemRow, item_id)
        if row is None or not row.active or not actor.sees_item(row.team, row.owner):
            raise NotFound(f"no action item {item_id!r}", hint="list them with GET /action-items")
        return row

    def _action_public(
        self, session: Session, row: ActionItemRow, checks: list[CheckpointRow] | None = None
    ) -> ActionItemPublic:
        if checks is None:
            checks = list(
                session.scalars(
                    select(CheckpointRow)
                    .where(CheckpointRow.action_item_id == row.id)
                    .order_by(CheckpointRow.id)
                )
            )
        from fupan.report import ActionItem

        return ActionItemPublic(
            id=row.id,
            draft_id=row.draft_id,
            version=row.version,
            team=row.team,
            item=ActionItem.model_validate({**row.item, "status": row.status, "progress": row.progress}),
            status=row.status,  # type: ignore[arg-type]
            progress=row.progress,
            percent=row.percent,
            owner=row.owner or str(row.item.get("owner", "")),
            revision=row.revision,
            updated_at=aware(row.updated_at),  # type: ignore[arg-type]
            checkpoints=[_checkpoint_public(c) for c in checks],
        )

    def get_action_item(self, actor: Principal, item_id: str) -> ActionItemPublic:
        with self.reading() as session:
            return self._action_public(session, self._action_row(session, actor, item_id))

    def update_action_item(
        self, actor: Principal, item_id: str, change: ActionItemUpdate, *, if_match: int | None = None
    ) -> ActionItemPublic:
        """Status and progress of a tracked action item (analyst or above)."""
        require_role(actor, "analyst", "updating an action item")
        with self.writing() as session:
            row = self._action_row(session, actor, item_id)
            if if_match is not None and if_match != row.revision:
                raise Conflict(
                    f"action item {item_id} changed: you have revision {if_match}, it is at {row.revision}",
                    hint="reload it and apply your change again",
                )
            before = content_hash(_tracking(row))
            if change.status is not None:
                row.status = change.status
            if change.progress is not None:
                row.progress = change.progress
            if change.percent is not None:
                row.percent = change.percent
            if row.status == "done" and change.percent is None and row.percent is not None:
                row.percent = 100
            after = content_hash(_tracking(row))
            if after != before:
                row.revision += 1
                row.updated_at = utc_now()
                self.audit(
                    session,
                    actor,
                    "action.update",
                    ("action_item", item_id, row.team),
                    before=before,
                    after=after,
                    detail=change.model_dump(exclude_none=True),
                )
            session.flush()
            return self._action_public(session, row)

    def add_checkpoint(self, actor: Principal, item_id: str, result: CheckpointPublic) -> CheckpointPublic:
        require_role(actor, "analyst", "running a checkpoint")
        with self.writing() as session:
            row = self._action_row(session, actor, item_id)
            session.add(
                CheckpointRow(
                    action_item_id=item_id,
                    measured_at=result.measured_at,
                    measured_by=actor.key_id,
                    period=result.period,
                    metric=result.metric,
                    value=result.value,
                    baseline=result.baseline,
                    target=result.target,
                    met=result.met,
                    evidence_id=result.evidence_id,
                    snapshot_id=result.snapshot_id,
                )
            )
            self.audit(
                session,
                actor,
                "action.checkpoint",
                ("action_item", item_id, row.team),
                after=content_hash(result.model_dump(mode="json")),
                detail={"value": result.value, "met": result.met, "evidence": result.evidence_id},
            )
        return result

    # --- audit -----------------------------------------------------------------------------------
    def audit_log(
        self,
        actor: Principal,
        *,
        entity_id: str | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Audit rows, oldest first (approver or above; team keys see their team's rows)."""
        require_role(actor, "approver", "reading the audit log")
        with self.reading() as session:
            query = select(AuditRow).order_by(AuditRow.id)
            if actor.team:
                query = query.where(AuditRow.team == actor.team)
            if entity_id:
                query = query.where(AuditRow.entity_id == entity_id)
            if action:
                query = query.where(AuditRow.action == action)
            return [_audit_public(r) for r in session.scalars(query.limit(limit).offset(offset))]

    def audit_count(self) -> int:
        with self.reading() as session:
            return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def _tracking(row: ActionItemRow) -> dict[str, Any]:
    """What an update can change (the before/after of its audit row); per cent only once it was set."""
    state: dict[str, Any] = {"status": row.status, "progress": row.progress}
    if row.percent is not None:
        state["percent"] = row.percent
    return state


def lesson_record_id(draft_id: str, lesson_id: str) -> str:
    """Lesson ids are unique across drafts: `<draft id>.<lesson id>`, cited as `lesson:<that>`."""
    return f"{draft_id}.{lesson_id}"


def action_record_id(draft_id: str, item_id: str) -> str:
    return f"{draft_id}.{item_id}"


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


def _checkpoint_public(c: CheckpointRow) -> CheckpointPublic:
    return CheckpointPublic(
        action_item_id=c.action_item_id,
        measured_at=aware(c.measured_at),  # type: ignore[arg-type]
        period=c.period,
        metric=c.metric,
        value=c.value,
        baseline=c.baseline,
        target=c.target,
        met=c.met,
        evidence_id=c.evidence_id,
        snapshot_id=c.snapshot_id,
    )


def _audit_public(r: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=r.id,
        at=aware(r.at),  # type: ignore[arg-type]
        actor=r.actor_key,
        actor_name=r.actor_name,
        action=r.action,
        entity_type=r.entity_type,
        entity_id=r.entity_id,
        team=r.team,
        version=r.version,
        before_hash=r.before_hash,
        after_hash=r.after_hash,
        detail=dict(r.detail or {}),
    )
