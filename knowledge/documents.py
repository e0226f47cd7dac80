"""The knowledge base's boundary models: documents in, search hits and ingest reports out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

DocKind = Literal["call_note", "visit_note", "review", "lesson", "action_item"]
DOC_KINDS: tuple[str, ...] = ("call_note", "visit_note", "review", "lesson", "action_item")
NOTE_KINDS: tuple[str, ...] = ("call_note", "visit_note")
APPROVAL_KINDS: frozenset[str] = frozenset({"review", "lesson", "action_item"})
# structured fields every chunk carries as a filter column (in catalogue order)
FILTER_FIELDS: tuple[str, ...] = ("region", "rep", "customer", "product", "outcome", "stage", "loss_reason")
# fields whose values are also searchable as text ("outcome: customer not interested")
TEXT_FIELDS: tuple[str, ...] = ("outcome", "stage", "loss_reason", "customer", "product")
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "region": ("区域", "region"),
    "rep": ("销售", "rep"),
    "customer": ("客户", "customer"),
    "product": ("产品", "product"),
    "outcome": ("结果", "outcome"),
    "stage": ("阶段", "stage"),
    "loss_reason": ("丢单原因", "loss reason"),
}
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
    outcome: str = Field("", description="how the call or visit ended (outcome, disposition, result)")
    stage: str = Field("", description="the deal's stage at the time of the note")
    loss_reason: str = ""
    language: Literal["zh", "en"] | None = None
    source: str = ""
    metadata: dict[str, str] = Field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        """The structured fields this document has (filter fields with a value)."""
        return {name: value for name in FILTER_FIELDS if (value := str(getattr(self, name)).strip())}


class SearchFilters(BaseModel):
    """Metadata filters; periods are labels like 2026Q3 or 2026-07 (inclusive range).

    A field filter takes one value or a list (any of them); values are the ones stored, see
    `DocumentIndex.resolve_filters` for the forgiving match the CLI and API use."""

    kinds: list[str] | None = None
    period_from: str | None = None
    period_to: str | None = None
    region: str | list[str] | None = None
    rep: str | list[str] | None = None
    customer: str | list[str] | None = None
    product: str | list[str] | None = None
    outcome: str | list[str] | None = None
    stage: str | list[str] | None = None
    loss_reason: str | list[str] | None = None

    def values(self, name: str) -> list[str]:
        """The allowed values of a field filter ([] = no filter on that field)."""
        value = getattr(self, name)
        if value is None or value == "":
            return []
        return [value] if isinstance(value, str) else [v for v in value if v != ""]

    def is_empty(self) -> bool:
        return not (self.kinds or self.period_from or self.period_to) and not any(
            self.values(f) for f in FILTER_FIELDS
        )


class SearchHit(BaseModel):
    """One retrieved chunk, citable by `evidence_id`."""

    evidence_id: str
    doc_id: str
    chunk: int
    text: str
    score: float
    kind: str
    metadata: dict[str, str] = Field(default_factory=dict)
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) character spans of the text that match the query"
    )


class FieldMatch(BaseModel):
    """A structured field whose value matches the query (e.g. outcome ≈ 'customer needs to consider the offer')."""

    field: str
    value: str
    score: float = Field(..., description="how well the value matches the query, 0-1")


class DocumentHit(BaseModel):
    """One whole call or note, ranked by its best passages and matching fields, shown once."""

    doc_id: str
    kind: str
    score: float
    title: str = ""
    date: str = ""
    customer: str = ""
    rep: str = ""
    region: str = ""
    product: str = ""
    outcome: str = ""
    stage: str = ""
    loss_reason: str = ""
    source: str = ""
    passages: list[SearchHit] = Field(default_factory=list, description="its best passages, best first")
    matched_fields: list[FieldMatch] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list, description="the passages' citation ids")
    chunks: int = Field(0, description="chunks the document has")


class IngestIssue(BaseModel):
    """A document that was not indexed (or indexed with a warning), named by file and row."""

    file: str
    row: int | None = None
    message: str
    level: Literal["error", "warning"] = "error"


class SkippedFile(BaseModel):
    """A file of a folder that is not notes (or could not be read), with the reason."""

    file: str
    reason: str
    level: Literal["skipped", "error"] = "skipped"


class IngestReport(BaseModel):
    """What an ingest did: nothing is dropped without being listed in `issues`."""

    source: str = ""
    documents_seen: int = 0
    documents_added: int = 0
    documents_unchanged: int = 0
    documents_rejected: int = 0
    chunks_added: int = 0
    chunks_planned: int = Field(0, description="chunks the new or changed documents make (dry run: to embed)")
    fields: dict[str, int] = Field(
        default_factory=dict, description="structured field → documents that have it (metadata columns too)"
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="field → the source column it came from"
    )
    dry_run: bool = False
    issues: list[IngestIssue] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        self.documents_seen += other.documents_seen
        self.documents_added += other.documents_added
        self.documents_unchanged += other.documents_unchanged
        self.documents_rejected += other.documents_rejected
        self.chunks_added += other.chunks_added
        self.chunks_planned += other.chunks_planned
        for name, count in other.fields.items():
            self.fields[name] = self.fields.get(name, 0) + count
        self.columns.update(other.columns)
        self.issues.extend(other.issues)
        self.doc_ids.extend(other.doc_ids)
