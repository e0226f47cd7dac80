"""Action items in the records database: tracked from the approved version of a draft (status, progress, per
cent, owner), updated by analysts, and re-measured by checkpoints. Part of `Records` (knowledge/records.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupan.clock import utc_now
from fupan.errors import Conflict, NotFound
from fupan.report import ActionItem, ReviewDraft
from knowledge.records_db import RecordsDB, aware, content_hash, require_role
from knowledge.records_models import ActionItemRow, CheckpointRow, DraftRow
from knowledge.records_schemas import ActionItemPublic, ActionItemUpdate, CheckpointPublic, Principal


def action_record_id(draft_id: str, item_id: str) -> str:
    return f"{draft_id}.{item_id}"


def record_actions(session: Session, row: DraftRow, version: int, report: ReviewDraft) -> None:
    """The approved version's action items: new ones tracked from scratch, kept ones updated (their tracking
    kept), dropped ones made inactive."""
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


class ActionItems(RecordsDB):
    """The tracked action items and their checkpoints."""

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


def _tracking(row: ActionItemRow) -> dict[str, Any]:
    """What an update can change (the before/after of its audit row); per cent only once it was set."""
    state: dict[str, Any] = {"status": row.status, "progress": row.progress}
    if row.percent is not None:
        state["percent"] = row.percent
    return state


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
