"""The knowledge base after approval (part of the review service, api/review_service.py): only an approved
version enters `deps.docs` — the review, its lessons, its action items — and a newer approved version
replaces them; lesson search reads it back, filtered to the caller's team."""

from __future__ import annotations

from api.review_base import ServiceBase
from fupan.answers import LessonMatch
from fupan.report import ActionItem, ReviewDraft
from knowledge.documents import Document
from knowledge.records_actions import action_record_id
from knowledge.records_lessons import lesson_record_id
from knowledge.records_schemas import LessonPublic, Principal


class KnowledgeBase(ServiceBase):
    """Indexing approved versions, and searching and listing lessons."""

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
                self._forget_json(draft_id)
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
