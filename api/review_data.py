"""Asking, importing and searching (part of the review service, api/review_service.py), with the team scope:
a team key's answer cites only its team's figures and notes, its searches stay in its team, and it cannot
change data every team shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.review_base import ServiceBase
from fupan.answers import Answer, Turn
from fupan.errors import PermissionDenied
from knowledge.documents import IngestReport, SearchFilters
from knowledge.records_db import require_role
from knowledge.records_schemas import AuditEntry, Principal
from knowledge.sales_snapshots import UndoReport

if TYPE_CHECKING:
    from agent.note_search import SearchResult


class AskingAndData(ServiceBase):
    """Questions, sales imports and their undo, document ingest and search, the audit log."""

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
