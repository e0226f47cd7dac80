"""Tracked action items of approved reviews: list, update status/progress, checkpoint (re-measure)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.auth import Caller, ServiceDep
from api.routes.params import IfMatch, ItemId, Limit, Offset, revision_from, set_etag
from knowledge.records_schemas import ActionItemPublic, ActionItemUpdate, CheckpointPublic

router = APIRouter(prefix="/action-items", tags=["action-items"])


@router.get("", response_model=list[ActionItemPublic])
def list_action_items(
    caller: Caller,
    service: ServiceDep,
    draft_id: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[Literal["not_started", "in_progress", "done"] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ActionItemPublic]:
    """Action items of approved reviews, with their checkpoint history."""
    return service.list_action_items(caller, draft_id=draft_id, status=status, limit=limit, offset=offset)


@router.get("/{item_id}", response_model=ActionItemPublic)
def get_action_item(
    item_id: ItemId, caller: Caller, service: ServiceDep, response: Response
) -> ActionItemPublic:
    """One action item. ETag = its revision."""
    item = service.get_action_item(caller, item_id)
    set_etag(response, item.revision)
    return item


@router.patch("/{item_id}", response_model=ActionItemPublic)
def update_action_item(
    item_id: ItemId,
    body: ActionItemUpdate,
    caller: Caller,
    service: ServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> ActionItemPublic:
    """Set status (not_started / in_progress / done) and progress (analyst). Stale If-Match → 409."""
    item = service.update_action_item(caller, item_id, body, if_match=revision_from(if_match))
    set_etag(response, item.revision)
    return item


@router.post("/{item_id}/checkpoint", response_model=CheckpointPublic)
def checkpoint(item_id: ItemId, caller: Caller, service: ServiceDep) -> CheckpointPublic:
    """Re-measure the item's metric for its period and segment with the metric engine: met or not met
    (`met: null` while the period has no data). The result is recorded and cited by evidence id."""
    return service.checkpoint(caller, item_id)
