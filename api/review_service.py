"""The review service: what the API and the reviewer's page call. One instance per app, over one `Deps`.

    service = ReviewService(deps)
    me = service.authenticate("fpk_...")                     # Principal(key_id, name, role, team)
    service.list_drafts(me, status="pending")                # [DraftSummary]
    d = service.get_draft(me, draft_id)                      # DraftPublic (report, approved_report, versions)
    service.edit_draft(me, draft_id, DraftEdit(summary="..."), if_match=d.revision)
    service.submit(me, draft_id)                             # draft → pending
    service.approve(me, draft_id, Decision(comment="ok"))    # pending → approved, then into the KB
    service.reject(me, draft_id, Decision(comment="why"))
    service.search_lessons(me, brief, k=5)                   # [LessonMatch], filtered to the key's team
    service.list_lessons(me) / list_action_items(me) / update_action_item(me, id, ActionItemUpdate(...))
    service.checkpoint(me, item_id)                          # CheckpointPublic: re-measured, met / not met
    service.audit_log(me)

Rules (state machine, roles, team scope, audit) live in `knowledge.records.Records`; this layer adds the
analyst (drafting, asking, measuring) and the knowledge base: only an approval puts a review, its lessons and
its action items into `deps.docs` (approved=True), and a newer approved version replaces them. Calls into
DuckDB, Chroma and BM25 are serialised by one lock (those connections are not shared across threads);
records calls are not (each opens its own session).

Off the request path: once `start_background()` runs (the app does it at startup), an approval only records
the decision and queues an `index` job; a background runner (knowledge/jobs.py) puts the review into the
knowledge base, delivers webhooks (`webhook` jobs, retried with back-off) and drafts reviews started from the
page (`draft` jobs, `start_draft`). Without a runner (the CLI, plain scripts) indexing happens inline.
Submitting, approving and rejecting, and action items passing their deadline, notify the configured webhooks
(knowledge/webhooks.py).
"""

from __future__ import annotations

from typing import Any

from api.review_actions import ActionTracking
from api.review_data import AskingAndData
from api.review_jobs import Notifications
from api.review_knowledge import KnowledgeBase
from fupan.errors import NotFound, PermissionDenied
from fupan.report import ReviewDraft
from knowledge.jobs import JobContext, JobPublic, JobRunner
from knowledge.records_db import SYSTEM, require_role
from knowledge.records_schemas import (
    Decision,
    DecisionResult,
    DraftEdit,
    DraftPublic,
    DraftSummary,
    Principal,
)


class ReviewService(KnowledgeBase, ActionTracking, AskingAndData, Notifications):
    """See the module docstring. Its parts: the shared state and the caller (api/review_base.py), the
    knowledge base (api/review_knowledge.py), action items (api/review_actions.py), asking and data
    (api/review_data.py), notifications and jobs (api/review_jobs.py); drafting and decisions are here."""

    # --- drafts --------------------------------------------------------------------------------
    def list_drafts(self, actor: Principal, **filters: object) -> list[DraftSummary]:
        return self.records.list_drafts(actor, **filters)  # type: ignore[arg-type]

    def get_draft(self, actor: Principal, draft_id: str) -> DraftPublic:
        return self.records.get_draft(actor, draft_id)

    def get_draft_json(self, actor: Principal, draft_id: str) -> tuple[bytes, int]:
        """`get_draft` as JSON bytes and its revision, cached per (draft, revision): every change bumps the
        revision, so a cached body is never stale; a hit costs one indexed read."""
        revision = self.records.draft_revision(actor, draft_id)
        with self._json_lock:
            body = self._json.get((draft_id, revision))
        if body is not None:
            return body, revision
        draft = self.records.get_draft(actor, draft_id)
        body = draft.model_dump_json().encode("utf-8")
        with self._json_lock:
            self._json[(draft_id, draft.revision)] = body
            while len(self._json) > self._cache_size:
                self._json.popitem(last=False)
        return body, draft.revision

    def draft_review(
        self,
        actor: Principal,
        period: str,
        *,
        scope: dict[str, str] | None = None,
        notes: str | None = None,
        language: str | None = None,
        submit: bool = False,
    ) -> DraftPublic:
        """Run the analyst for a period and save the result as a new draft (nothing enters the KB)."""
        from agent.workflows import draft_review

        require_role(actor, "analyst", "drafting a review")
        scope = dict(scope or {})
        if actor.team:
            if scope.get("region", actor.team) != actor.team:
                raise PermissionDenied(
                    f"key {actor.key_id} is scoped to {actor.team}; it cannot draft for {scope['region']}",
                    hint=f"use scope region={actor.team}",
                )
            scope["region"] = actor.team
        with self.lock:
            report = draft_review(self.deps, period, scope=scope, notes=notes, language=language)
        return self.save_draft(actor, report, submit=submit)

    def save_draft(self, actor: Principal, report: ReviewDraft, *, submit: bool = False) -> DraftPublic:
        draft = self.records.create_draft(actor, report, submit=submit)
        if submit:
            self._notify_draft("pending", actor, draft, "")
        return draft

    def edit_draft(
        self, actor: Principal, draft_id: str, edit: DraftEdit, *, if_match: int | None
    ) -> DraftPublic:
        """Change report fields (a new version), checked first (agent/edit_review.py): figures in an action's
        sentences follow its edited target and baseline, past deadlines are refused, edited text is
        grounding-checked (a typed figure that matches no evidence is saved as a warning on the draft and
        blocks approval until an edit with `confirm_figures` confirms it)."""
        from agent.edit_review import review_edit

        require_role(actor, "analyst", "editing a draft")
        current = self.records.get_draft(actor, draft_id)
        merged = ReviewDraft.model_validate({**current.report.model_dump(), **edit.changes()})
        revised, findings = review_edit(current.report, merged, today=self.deps.clock().date())
        if edit.actions is not None:
            edit = edit.model_copy(update={"actions": revised.actions})
        draft = self.records.edit_draft(actor, draft_id, edit, if_match=if_match, findings=findings)
        if current.status in ("approved", "rejected") and draft.status == "pending":  # a decided one revised
            self._notify_draft("pending", actor, draft, "")
        return draft

    def approved_report(self, actor: Principal, draft_id: str) -> ReviewDraft:
        """The content of the version in force; NotFound while no version was ever approved."""

        draft = self.records.get_draft(actor, draft_id)
        if draft.approved_version is None:
            raise NotFound(f"draft {draft_id} has no approved version yet", hint="use version=latest")
        return draft.approved_report or draft.report

    def submit(self, actor: Principal, draft_id: str, *, if_match: int | None = None) -> DecisionResult:
        result = self.records.submit(actor, draft_id, if_match=if_match)
        if result.changed:
            self._notify_draft("pending", actor, result.draft, "")
        return result

    def approve(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        """Record the decision; the knowledge base follows in the background (inline without a runner)."""
        result = self.records.approve(actor, draft_id, decision, if_match=if_match)
        if result.changed:
            self._notify_draft("approved", actor, result.draft, decision.comment)
        if self.runner is None:
            self.sync_knowledge()
        elif result.changed:
            version = result.draft.approved_version
            self.records.jobs.enqueue(
                "index",
                {"draft_id": draft_id, "version": version},
                owner=actor.key_id,
                team=result.draft.team,
                dedupe_key=f"index:{draft_id}:{version}",
            )
            self.runner.wake()
        return result

    def reject(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        result = self.records.reject(actor, draft_id, decision, if_match=if_match)
        if result.changed:
            self._notify_draft("rejected", actor, result.draft, decision.comment)
        return result

    # --- background work: indexing, drafting, notifications ----------------------------------
    def start_background(self, *, poll_s: float = 2.0) -> JobRunner:
        """Start the job runner (idempotent) and queue a catch-up of approvals not yet indexed."""
        if self.runner is None:
            tick = self.check_overdue if self.deps.settings.webhooks else None
            self.runner = JobRunner(
                self.records.jobs,
                {"index": self._run_index, "draft": self._run_draft, "webhook": self._run_webhook},
                poll_s=poll_s,
                tick=tick,
            )
            self.records.jobs.enqueue("index", {"catch_up": True}, owner=SYSTEM.key_id)
            self.runner.start()
        return self.runner

    def start_draft(
        self,
        actor: Principal,
        period: str,
        *,
        scope: dict[str, str] | None = None,
        language: str | None = None,
        submit: bool = False,
    ) -> JobPublic:
        """`draft_review` as a background job (the page's "start a review"); poll `job(...)` for progress."""
        require_role(actor, "analyst", "drafting a review")
        scope = {k: v for k, v in (scope or {}).items() if v}
        if actor.team and scope.get("region", actor.team) != actor.team:
            raise PermissionDenied(
                f"key {actor.key_id} is scoped to {actor.team}; it cannot draft for {scope['region']}",
                hint=f"use scope region={actor.team}",
            )
        params = {
            "actor": actor.model_dump(),
            "period": period,
            "scope": scope,
            "language": language,
            "submit": submit,
        }
        job = self.records.jobs.enqueue("draft", params, owner=actor.key_id, team=actor.team)
        if self.runner is not None:
            self.runner.wake()
        return job

    def _run_index(self, ctx: JobContext) -> dict[str, Any]:
        ctx.progress(10, "indexing")
        return {"indexed": self.sync_knowledge()}

    def _run_draft(self, ctx: JobContext) -> dict[str, Any]:
        params = ctx.params
        actor = Principal.model_validate(params["actor"])
        ctx.progress(10, "drafting")
        draft = self.draft_review(
            actor,
            params["period"],
            scope=params.get("scope") or {},
            language=params.get("language"),
            submit=bool(params.get("submit")),
        )
        return {"draft_id": draft.id, "title": draft.title}
