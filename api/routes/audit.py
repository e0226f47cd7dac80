"""The audit log: every state change, who, when, content hash before and after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Caller, ServiceDep
from api.routes.params import Limit, Offset
from knowledge.records_schemas import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEntry])
def audit_log(
    caller: Caller,
    service: ServiceDep,
    entity_id: Annotated[
        str | None, Query(max_length=120, description="a draft, action item or key id")
    ] = None,
    action: Annotated[str | None, Query(max_length=40, examples=["draft.approve"])] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AuditEntry]:
    """Audit rows, oldest first (approver and above; team keys see their team's rows)."""
    return service.audit_log(caller, entity_id=entity_id, action=action, limit=limit, offset=offset)
