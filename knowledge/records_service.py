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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from fupan.answers import Answer, LessonMatch, Turn
from fupan.deps import Deps
from fupan.errors import PermissionDenied
from fupan.report import ActionItem, ReviewDraft
from knowledge.documents import Document, IngestReport
from knowledge.records import Records, action_record_id, lesson_record_id, require_role
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


class ReviewService:
    """See the module docstring."""

    def __init__(self, deps: Deps, *, cache_size: int = 512) -> None:
        self.deps = deps
        self.lock = threading.RLock()
        self._json: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._json_lock = threading.Lock()
        self._cache_size = cache_size

    @property
    def records(self) -> Records:
        return self.deps.records

    # --- who is calling ------------------------------------------------------------------------
    def authenticate(self, key: str) -> Principal:
        return self.records.authenticate(key)

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
        return self.records.create_draft(actor, report, submit=submit)

    def save_draft(self, actor: Principal, report: ReviewDraft, *, submit: bool = False) -> DraftPublic:
        return self.records.create_draft(actor, report, submit=submit)

    def edit_draft(
        self, actor: Principal, draft_id: str, edit: DraftEdit, *, if_match: int | None
    ) -> DraftPublic:
        return self.records.edit_draft(actor, draft_id, edit, if_match=if_match)

    def submit(self, actor: Principal, draft_id: str, *, if_match: int | None = None) -> DecisionResult:
        return self.records.submit(actor, draft_id, if_match=if_match)

    def approve(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        result = self.records.approve(actor, draft_id, decision, if_match=if_match)
        self.sync_knowledge()
        return result

    def reject(
        self, actor: Principal, draft_id: str, decision: Decision, *, if_match: int | None = None
    ) -> DecisionResult:
        return self.records.reject(actor, draft_id, decision, if_match=if_match)

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
        self, actor: Principal, path: Path, kind: str, *, strict: bool = False, replace: bool = False
    ) -> object:
        require_role(actor, "analyst", "importing sales data")
        _company_wide(actor, "importing sales data")
        with self.lock:
            return self.deps.sales.import_file(path, kind, strict=strict, replace=replace)

    def undo_import(self, actor: Principal, kind: str | None = None) -> object:
        """Restore the sales snapshot the last import (of `kind`) replaced."""
        require_role(actor, "analyst", "undoing an import")
        _company_wide(actor, "undoing an import")
        with self.lock:
            return self.deps.sales.undo_import(kind)

    def ingest_documents(self, actor: Principal, path: Path, *, kind: str | None = None) -> IngestReport:
        """Notes only: reviews, lessons and action items enter the KB through approval, never by upload."""
        require_role(actor, "analyst", "ingesting documents")
        _company_wide(actor, "ingesting documents")
        with self.lock:
            return self.deps.docs.ingest_file(path, kind=kind, approved=False)

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
