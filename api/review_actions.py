"""Action items and their checkpoints (part of the review service, api/review_service.py): a checkpoint
re-measures an item's metric for its period and segment, and an indexed item learns whether it worked."""

from __future__ import annotations

from api.review_base import ServiceBase
from api.review_knowledge import action_document
from fupan.report import ActionItem
from knowledge.records_db import require_role
from knowledge.records_schemas import ActionItemPublic, ActionItemUpdate, CheckpointPublic, Principal


class ActionTracking(ServiceBase):
    """Listing, updating and checking action items."""

    # --- action items --------------------------------------------------------------------------
    def list_action_items(self, actor: Principal, **filters: object) -> list[ActionItemPublic]:
        return self.records.list_action_items(actor, **filters)  # type: ignore[arg-type]

    def get_action_item(self, actor: Principal, item_id: str) -> ActionItemPublic:
        return self.records.get_action_item(actor, item_id)

    def update_action_item(
        self, actor: Principal, item_id: str, change: ActionItemUpdate, *, if_match: int | None = None
    ) -> ActionItemPublic:
        return self.records.update_action_item(actor, item_id, change, if_match=if_match)

    def checkpoint(self, actor: Principal, item_id: str) -> CheckpointPublic:
        """Re-measure the item's metric for its period and segment; met when it reached the target."""
        from agent.tools import engine_for

        require_role(actor, "analyst", "running a checkpoint")
        tracked = self.records.get_action_item(actor, item_id)
        item = tracked.item
        period = item.period or self.records.get_draft(actor, tracked.draft_id).period
        with self.lock:
            engine = engine_for(self.deps)
            measured = engine.value(item.metric, period, dict(item.segment))
            has_data = _has_data(engine, measured.period)
        value = measured.value if has_data else None
        met = target_met(item, value)
        result = CheckpointPublic(
            action_item_id=item_id,
            measured_at=self.deps.clock(),
            period=measured.period,
            metric=item.metric,
            value=value,
            baseline=item.baseline,
            target=item.target,
            met=met,
            evidence_id=measured.evidence_id,
            snapshot_id=measured.snapshot_id,
            message=_checkpoint_message(item, value, met),
        )
        self.records.add_checkpoint(actor, item_id, result)
        self._index_outcome(tracked, result)
        return result

    def _index_outcome(self, tracked: ActionItemPublic, result: CheckpointPublic) -> None:
        """An indexed action item learns whether it worked, so lesson search can say so."""
        if result.met is None:
            return
        with self.lock:
            if self.deps.docs.get(f"note:{tracked.id}#0") is None:
                return
            doc = action_document(tracked.id, tracked.version, tracked.team, tracked.item)
            doc.metadata["outcome"] = "worked" if result.met else "did_not_work"
            self.deps.docs.add_documents([doc], approved=True)


def _has_data(engine: object, label: str) -> bool:
    """Whether any imported deal falls in the period (an empty period is 'no data yet', not zero)."""
    period = engine.period(label)  # type: ignore[attr-defined]
    for quarter in engine.periods_available():  # type: ignore[attr-defined]
        q = engine.period(quarter)  # type: ignore[attr-defined]
        if q.start <= period.end and period.start <= q.end:
            return True
    return False


def target_met(item: ActionItem, value: float | None) -> bool | None:
    """Met when the value reached the target in the direction from baseline to target."""
    if value is None:
        return None
    return value >= item.target if item.target >= item.baseline else value <= item.target


def _checkpoint_message(item: ActionItem, value: float | None, met: bool | None) -> str:
    if met is None:
        return f"{item.metric} has no value for {item.period or 'the period'} yet"
    verdict = "met" if met else "not met"
    return f"{item.metric}: {value:.4g} against target {item.target:.4g} (baseline {item.baseline:.4g}): {verdict}"
