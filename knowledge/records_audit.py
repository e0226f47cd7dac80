"""The audit log of the records database, read back: every state change wrote one row (who, when, what, content
hash before/after) in its own transaction (`RecordsDB.audit`). Part of `Records` (knowledge/records.py).
"""

from __future__ import annotations

from sqlalchemy import func, select

from knowledge.records_db import RecordsDB, aware, require_role
from knowledge.records_models import AuditRow
from knowledge.records_schemas import AuditEntry, Principal


class AuditLog(RecordsDB):
    """Reading the audit log."""

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
