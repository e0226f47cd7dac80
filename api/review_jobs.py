"""Notifications and jobs (part of the review service, api/review_service.py): submitting, approving and
rejecting, and action items passing their deadline, queue `webhook` jobs for the configured webhooks
(knowledge/webhooks.py), delivered and retried with back-off by the background runner (knowledge/jobs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.review_base import ServiceBase
from fupan.errors import FupanError, NotFound
from knowledge.jobs import JobContext, JobPublic, Retry
from knowledge.records_db import SYSTEM
from knowledge.records_schemas import DraftSummary, Principal


class Notifications(ServiceBase):
    """Webhook jobs, the overdue check, and the jobs a caller can see."""

    def stop_background(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.runner = None

    def job(self, actor: Principal, job_id: str) -> JobPublic:
        """A job the caller started (or, for admins, any job)."""
        job = self.records.jobs.get(job_id)
        if job.owner != actor.key_id and not actor.at_least("admin"):
            raise NotFound(f"no job {job_id!r}", hint="jobs are listed on the page that started them")
        return job

    def index_state(self, draft_id: str, approved_version: int | None) -> JobPublic | None:
        """The indexing job of the version in force, if one was queued (the page shows its state)."""
        if approved_version is None:
            return None
        return self.records.jobs.by_key(f"index:{draft_id}:{approved_version}")

    def _run_webhook(self, ctx: JobContext) -> dict[str, Any]:
        from knowledge.webhooks import DeliveryFailed, WebhookEvent, build_request, deliver

        settings = self.deps.settings
        target = next((w for w in settings.webhooks if w.name == ctx.params["target"]), None)
        if target is None:
            raise NotFound(f"no webhook named {ctx.params['target']!r} in the settings any more")
        event = WebhookEvent.model_validate(ctx.params["event"])
        try:
            status = deliver(build_request(target, event), target.kind)
        except DeliveryFailed as exc:
            attempts = ctx.job.attempts
            if attempts >= settings.webhook_max_attempts:
                raise FupanError(f"{target.name}: given up after {attempts} attempts: {exc}") from exc
            raise Retry(str(exc), settings.webhook_retry_s * 2 ** (attempts - 1)) from exc
        return {"status": status, "attempts": ctx.job.attempts, "target": target.name}

    def _notify(self, event: Any) -> None:
        from knowledge.webhooks import targets_for

        for target in targets_for(self.deps.settings, event):
            self.records.jobs.enqueue(
                "webhook", {"target": target.name, "event": event.model_dump()}, team=event.team
            )
        if self.runner is not None and self.deps.settings.webhooks:
            self.runner.wake()

    def _notify_draft(self, event: str, actor: Principal, draft: DraftSummary, comment: str) -> None:
        if not self.deps.settings.webhooks:
            return
        from knowledge.webhooks import draft_event

        self._notify(
            draft_event(
                event,  # type: ignore[arg-type]
                draft_id=draft.id,
                title=draft.title,
                period=draft.period,
                team=draft.team,
                version=draft.approved_version
                if event == "approved" and draft.approved_version
                else draft.version,
                who=actor.name or actor.key_id,
                comment=comment,
                settings=self.deps.settings,
            )
        )

    def check_overdue(self, today: dt.date | None = None) -> int:
        """Queue one overdue notice per open action item past its deadline (once per item and deadline)."""
        from knowledge.webhooks import overdue_event, targets_for

        today = today or self.deps.clock().date()
        queued = 0
        for tracked in self.records.list_action_items(SYSTEM, limit=100000):
            item = tracked.item
            if tracked.status == "done" or item.deadline >= today:
                continue
            event = overdue_event(
                item_id=tracked.id,
                action=item.action,
                owner=item.owner,
                deadline=item.deadline.isoformat(),
                status=tracked.status,
                team=tracked.team,
                settings=self.deps.settings,
            )
            for target in targets_for(self.deps.settings, event):
                key = f"overdue:{tracked.id}:{item.deadline.isoformat()}:{target.name}"[:200]
                if self.records.jobs.by_key(key) is not None:
                    continue
                self.records.jobs.enqueue(
                    "webhook",
                    {"target": target.name, "event": event.model_dump()},
                    team=tracked.team,
                    dedupe_key=key,
                )
                queued += 1
        if queued and self.runner is not None:
            self.runner.wake()
        return queued
