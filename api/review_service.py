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

import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fupan.answers import Answer, LessonMatch, Turn
from fupan.errors import FupanError, NotFound, PermissionDenied
from fupan.report import ActionItem, ReviewDraft
from knowledge.deps import Deps
from knowledge.documents import Document, IngestReport, SearchFilters
from knowledge.jobs import JobContext, JobPublic, JobRunner, Retry
from knowledge.records import Records
from knowledge.records_actions import action_record_id
from knowledge.records_db import SYSTEM, require_role
from knowledge.records_lessons import lesson_record_id

if TYPE_CHECKING:
    from agent.note_search import SearchResult
from knowledge.records_schemas import (
    ActionItemPublic,
    ActionItemUpdate,
    AuditEntry,
    CheckpointPublic,
    Decision,
    DecisionResult,
    DraftEdit,
    DraftPublic,
    DraftSummary,
    LessonPublic,
    Principal,
)
from knowledge.sales_snapshots import UndoReport


class ReviewService:
    """See the module docstring."""

    def __init__(self, deps: Deps, *, cache_size: int = 512) -> None:
        self.deps = deps
        self.lock = threading.RLock()
        self._json: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._json_lock = threading.Lock()
        self._cache_size = cache_size
        self._people: dict[tuple[str, str | None], list[str]] = {}
        self.runner: JobRunner | None = None

    @property
    def records(self) -> Records:
        return self.deps.records

    # --- who is calling ------------------------------------------------------------------------
    def authenticate(self, key: str) -> Principal:
        return self.with_people(self.records.authenticate(key))

    def with_people(self, me: Principal) -> Principal:
        """A team-scoped caller learns its people, so it sees the action items they own in any review."""
        return me.model_copy(update={"people": self.team_people(me.team)}) if me.team else me

    def team_people(self, team: str) -> list[str]:
        """Reps and managers whose region is `team` in the current sales data (cached per data snapshot)."""
        sales = self.deps.sales
        key = (team, sales.current_snapshot_id())
        if key not in self._people:
            cursor = sales.connection.cursor()  # its own connection: no lock, safe beside the runner
            try:
                rows = cursor.execute(
                    "SELECT rep FROM opportunities WHERE region = ? AND rep IS NOT NULL UNION "
                    "SELECT manager FROM opportunities WHERE region = ? AND manager IS NOT NULL",
                    [team, team],
                ).fetchall()
            finally:
                cursor.close()
            self._people[key] = sorted({str(r[0]) for r in rows if str(r[0]).strip()})
        return self._people[key]

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
        from fupan.errors import NotFound

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

    def stop_background(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.runner = None

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

    # --- the knowledge base, after approval ----------------------------------------------------
    def sync_knowledge(self) -> int:
        """Put every approved-but-not-yet-indexed version into the KB; returns how many were indexed."""
        done = 0
        with self.lock:
            for draft_id, version, previous, report in self.records.unsynced_approvals():
                docs = approved_documents(draft_id, version, report)
                if previous is not None:
                    old = approved_documents(
                        draft_id, previous, self.records.synced_report(draft_id, previous)
                    )
                    keep = {d.doc_id for d in docs}
                    for doc in old:
                        if doc.doc_id not in keep:
                            self.deps.docs.delete_document(doc.doc_id)
                self.deps.docs.add_documents(docs, approved=True)
                self.records.mark_synced(draft_id, version)
                with self._json_lock:
                    for key in [k for k in self._json if k[0] == draft_id]:
                        self._json.pop(key, None)
                done += 1
        return done

    # --- lessons -------------------------------------------------------------------------------
    def search_lessons(self, actor: Principal, brief: str, *, k: int = 5) -> list[LessonMatch]:
        """Approved lessons, reviews and action items for a brief; team keys see their team and company-wide."""
        from agent.workflows import search_lessons

        with self.lock:
            matches = search_lessons(self.deps, brief, k=k * 3 if actor.team else k)
            if actor.team:
                matches = [m for m in matches if self._match_team(m) in ("", actor.team)]
        return matches[:k]

    def _match_team(self, match: LessonMatch) -> str:
        hit = self.deps.docs.get(match.evidence_id)
        return str(hit.metadata.get("region", "")) if hit else ""

    def list_lessons(self, actor: Principal, **filters: object) -> list[LessonPublic]:
        return self.records.list_lessons(actor, **filters)  # type: ignore[arg-type]

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

    # --- asking and data -----------------------------------------------------------------------
    def ask(
        self,
        actor: Principal,
        question: str,
        *,
        history: list[Turn] | None = None,
        language: str | None = None,
        period: str | None = None,
        reading: int | None = None,
        query: object = None,
    ) -> Answer:
        from agent.workflows import ask

        with self.lock:
            answer = ask(
                self.deps, question, history=history, language=language, default_period=period,
                reading=reading, query=query,  # type: ignore[arg-type]
            )  # fmt: skip
        if actor.team:
            _only_own_team(actor, answer)
        return answer

    def import_sales(
        self,
        actor: Principal,
        path: Path,
        kind: str | None,
        *,
        strict: bool = False,
        replace: bool = False,
        **options: object,
    ) -> object:
        """Import a sales table (`kind` None: recognised); `options`: dry_run, currency, year."""
        require_role(actor, "analyst", "importing sales data")
        _company_wide(actor, "importing sales data")
        with self.lock:
            return self.deps.sales.import_file(path, kind, strict=strict, replace=replace, **options)  # type: ignore[arg-type]

    def undo_import(self, actor: Principal, kind: str | None = None) -> UndoReport:
        """Restore the sales snapshot the last import (of `kind`) replaced."""
        require_role(actor, "analyst", "undoing an import")
        _company_wide(actor, "undoing an import")
        with self.lock:
            return self.deps.sales.undo_import(kind)

    def ingest_documents(self, actor: Principal, path: Path, *, kind: str | None = None) -> IngestReport:
        """Notes only: reviews, lessons and action items enter the KB through approval, never by upload. The
        notes' ids get the upload namespace (`upload-<id>`), so an upload can never name approved knowledge."""
        from knowledge.documents import UPLOAD_NAMESPACE

        require_role(actor, "analyst", "ingesting documents")
        _company_wide(actor, "ingesting documents")
        with self.lock:
            return self.deps.docs.ingest_file(path, kind=kind, approved=False, namespace=UPLOAD_NAMESPACE)

    def search_documents(
        self, actor: Principal, query: str, filters: SearchFilters, **options: Any
    ) -> SearchResult:
        """Notes, calls and reviews for a query (agent/note_search.py); a team key searches its own team's
        documents only (documents with no region are company-wide, so not theirs), and naming another team,
        in an option or in the query, is refused."""
        from agent.note_search import search_notes

        if actor.team:
            asked = [v for v in filters.values("region") if v != actor.team]
            if asked:
                raise PermissionDenied(
                    f"key {actor.key_id} is scoped to {actor.team}; it cannot search {asked[0]}",
                    hint=f"search {actor.team} only",
                )
            filters = filters.model_copy(update={"region": actor.team})
        with self.lock:
            result = search_notes(self.deps, query, filters=filters, **options)
        others = [v for v in result.named.get("region", []) if v != actor.team]
        if actor.team and others:
            raise PermissionDenied(
                f"key {actor.key_id} is scoped to {actor.team}; the query names {others[0]}",
                hint=f"search {actor.team} only",
            )
        return result

    def audit_log(self, actor: Principal, **filters: object) -> list[AuditEntry]:
        return self.records.audit_log(actor, **filters)  # type: ignore[arg-type]


def _only_own_team(actor: Principal, answer: Answer) -> None:
    """A team key's answer may cite only its own team's figures and notes."""
    from fupan.evidence import parse_evidence_id

    for evidence_id, evidence in answer.evidence.items():
        try:
            kind, parts = parse_evidence_id(evidence_id)
        except ValueError:
            continue
        dims = parts.get("dims")
        if kind == "metric" and isinstance(dims, dict):
            region = str(dims.get("region", ""))
        else:
            region = evidence.metadata.get("region", actor.team)
        if region != actor.team:
            raise PermissionDenied(
                f"key {actor.key_id} is scoped to {actor.team}; the answer needs "
                f"{region or 'company-wide'} figures ({evidence_id})",
                hint=f"ask about {actor.team} only, naming it in the question",
            )


def _company_wide(actor: Principal, what: str) -> None:
    if actor.team:
        raise PermissionDenied(
            f"{what} changes every team's data; key {actor.key_id} is scoped to {actor.team}",
            hint="use a key without a team scope",
        )


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


def review_text(report: ReviewDraft) -> str:
    """The searchable text of an approved review: summary, root causes, lessons, actions."""
    lines = [report.title, report.summary]
    lines += [f"{c.problem} → {c.root_cause}" for c in report.chains]
    lines += [f"{lesson.content} ({lesson.scenario})" for lesson in report.lessons]
    lines += [a.action for a in report.actions]
    return "\n".join(line for line in lines if line)


def action_document(item_id: str, version: int, team: str, item: ActionItem) -> Document:
    return Document(
        doc_id=item_id,
        kind="action_item",
        text=f"{item.action}\n{item.checkpoint}".strip(),
        title=item.action[:80],
        region=team,
        period=item.period,
        metadata={"version": str(version), "metric": item.metric, "owner": item.owner},
    )


def approved_documents(draft_id: str, version: int, report: ReviewDraft) -> list[Document]:
    """The KB documents of an approved version: the review, each lesson, each action item."""
    team = report.scope.get("region", "")
    meta = {"draft_id": draft_id, "version": str(version)}
    docs = [
        Document(
            doc_id=f"review-{draft_id}",
            kind="review",
            text=review_text(report),
            title=report.title,
            region=team,
            period=report.period,
            language=report.language,
            metadata=meta,
        )
    ]
    for lesson in report.lessons:
        docs.append(
            Document(
                doc_id=lesson_record_id(draft_id, lesson.id),
                kind="lesson",
                text=f"{lesson.content}\n{lesson.scenario}",
                title=lesson.content[:80],
                region=team,
                period=report.period,
                language=report.language,
                metadata={**meta, "type": lesson.type, "scenario": lesson.scenario},
            )
        )
    for item in report.actions:
        docs.append(action_document(action_record_id(draft_id, item.id), version, team, item))
    return docs
