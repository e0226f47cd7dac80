"""Decisions on a draft's latest version: submit (draft → pending), approve (pending → approved, the version in
force before becomes superseded) and reject (pending → rejected, with a reason). Approving also records the
version's lessons (knowledge/records_lessons.py) and action items (knowledge/records_actions.py). Self-approval
and unconfirmed hand-typed figures are refused. Part of `Records` (knowledge/records.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupan.clock import utc_now
from fupan.errors import Conflict, InputError, PermissionDenied, PreconditionRequired
from fupan.report import ReviewDraft
from knowledge.records_actions import record_actions
from knowledge.records_db import require_role
from knowledge.records_drafts import Drafts
from knowledge.records_lessons import record_lessons
from knowledge.records_models import DraftRow, DraftVersionRow
from knowledge.records_schemas import Decision, DecisionResult, Principal

_ACTIONS = {"pending": "draft.submit", "approved": "draft.approve", "rejected": "draft.reject"}


class Decisions(Drafts):
    """Submit, approve and reject, on top of the drafts they decide on."""

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
        open_figures = [f for f in ReviewDraft.model_validate(latest.content).findings if f.blocks_approval]
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
            select(DraftVersionRow)
            .where(DraftVersionRow.draft_id == draft_id)
            .order_by(DraftVersionRow.version)
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
        record_lessons(session, row, latest.version, report)
        record_actions(session, row, latest.version, report)
