"""The knowledge base's boundary models: documents in, search hits and ingest reports out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

DocKind = Literal["call_note", "visit_note", "review", "lesson", "action_item"]
DOC_KINDS: tuple[str, ...] = ("call_note", "visit_note", "review", "lesson", "action_item")
APPROVAL_KINDS: frozenset[str] = frozenset({"review", "lesson", "action_item"})
FILTER_FIELDS: tuple[str, ...] = ("region", "rep", "customer", "product")
UPLOAD_NAMESPACE = "upload-"  # ids of notes uploaded through the API: they can never name approved knowledge


class Document(BaseModel):
    """One note, review, lesson or action item with its metadata."""

    doc_id: str = Field(min_length=1)
    kind: DocKind
    text: str
    title: str = ""
    date: dt.date | None = None
    rep: str = ""
    region: str = ""
    customer: str = ""
    opportunity_id: str = ""
    period: str = ""
    product: str = ""
    language: Literal["zh", "en"] | None = None
    source: str = ""
    metadata: dict[str, str] = Field(default_factory=dict)


class SearchFilters(BaseModel):
    """Metadata filters; periods are quarter labels like 2026Q3 (inclusive range)."""

    kinds: list[str] | None = None
    period_from: str | None = None
    period_to: str | None = None
    region: str | None = None
    rep: str | None = None
    customer: str | None = None
    product: str | None = None


class SearchHit(BaseModel):
    """One retrieved chunk, citable by `evidence_id`."""

    evidence_id: str
    doc_id: str
    chunk: int
    text: str
    score: float
    kind: str
    metadata: dict[str, str] = Field(default_factory=dict)


class IngestIssue(BaseModel):
    """A document that was not indexed (or indexed with a warning), named by file and row."""

    file: str
    row: int | None = None
    message: str
    level: Literal["error", "warning"] = "error"


class IngestReport(BaseModel):
    """What an ingest did: nothing is dropped without being listed in `issues`."""

    source: str = ""
    documents_seen: int = 0
    documents_added: int = 0
    documents_unchanged: int = 0
    documents_rejected: int = 0
    chunks_added: int = 0
    issues: list[IngestIssue] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        self.documents_seen += other.documents_seen
        self.documents_added += other.documents_added
        self.documents_unchanged += other.documents_unchanged
        self.documents_rejected += other.documents_rejected
        self.chunks_added += other.chunks_added
        self.issues.extend(other.issues)
        self.doc_ids.extend(other.doc_ids)
