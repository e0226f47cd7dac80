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

The rules live in one part each, all on one database (knowledge/records_db.py): API keys
(records_keys.py), drafts and their versions (records_drafts.py), decisions (records_decisions.py), lessons
(records_lessons.py), action items (records_actions.py) and the audit log (records_audit.py); `Records` is all of
them together, so callers use one object.

It writes nothing to the knowledge base: `api.review_service.ReviewService` does that after approval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.records_actions import ActionItems
from knowledge.records_audit import AuditLog
from knowledge.records_decisions import Decisions
from knowledge.records_keys import ApiKeys
from knowledge.records_lessons import Lessons

if TYPE_CHECKING:
    from knowledge.accounts import Accounts
    from knowledge.jobs import JobQueue


class Records(Decisions, ApiKeys, Lessons, ActionItems, AuditLog):
    """The records database (knowledge/records_db.py) and its rules, one part per aggregate; see the module
    docstring. Thread-safe (a session per call)."""

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
