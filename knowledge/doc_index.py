"""The knowledge base: notes, past reviews, lessons and action items, searchable in Chinese and English.

Chunks live in three places kept in step: the SQLite catalogue (source of truth, under settings.docs_path),
the Chroma collection of the embedding model (vectors), and a BM25 index rebuilt from the catalogue.
Evidence ids: `note:<doc id>#<n>` for notes, reviews and action items; `lesson:<id>` for lessons.

Ingest commits in batches and journals every vector write (knowledge/doc_writer.py), so a kill loses at
most one batch and the next ingest resumes; search ranks chunks (`search`) or whole documents by their best
passages and matching fields (`search_documents`, knowledge/doc_search.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from fupan.errors import Conflict, InputError
from fupan.settings import Settings
from knowledge.doc_ingest import read_documents
from knowledge.doc_search import (
    CLOSING_DOCS,
    CLOSING_PASSAGES,
    FIELD_SHOWN,
    FieldShare,
    SearchColumns,
    chroma_where,
    closing_directions,
    descriptive,
    distinctive_parts,
    document_scores,
    field_boosts,
    field_shares,
    fuse_documents,
    mask,
)
from knowledge.doc_writer import BatchWriter, IngestPlan, Progress, evidence_id_for, plan_documents
from knowledge.documents import (
    FILTER_FIELDS,
    TEXT_FIELDS,
    Document,
    DocumentHit,
    FieldMatch,
    IngestReport,
    SearchFilters,
    SearchHit,
)
from knowledge.documents_catalogue import Catalogue
from knowledge.embeddings import Embedder, make_embedder
from knowledge.field_intents import cues, intents, lexicon, soft_intents
from knowledge.hybrid import reciprocal_rank_fusion
from knowledge.lexical import LexicalIndex, highlight_spans, tokenize
from knowledge.vector_store import VectorStore


def _load_directions(path: Path, stamp: str) -> dict[str, np.ndarray] | None:
    """Closing directions kept by an earlier process for the same catalogue generation, or None."""
    try:
        with np.load(path) as held:
            if str(held["stamp"]) != stamp:
                return None
            return {str(v): np.asarray(row, dtype=np.float32) for v, row in zip(held["values"], held["vectors"], strict=True)}
    except (OSError, KeyError, ValueError):
        return None


def _save_directions(path: Path, stamp: str, directions: dict[str, np.ndarray]) -> None:
    values = list(directions)
    vectors = np.stack([directions[v] for v in values]) if values else np.zeros((0, 0), dtype=np.float32)
    _keep_npz(path, stamp=np.array(stamp), values=np.array(values, dtype=str), vectors=vectors)


def _keep_npz(path: Path, **arrays: np.ndarray) -> None:
    """Arrays kept beside the catalogue, written whole or not at all (a read-only knowledge base: none kept, and
    they are computed again next time)."""
    try:
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError:
        pass

__all__ = [
    "Document",
    "DocumentHit",
    "DocumentIndex",
    "IngestReport",
    "SearchFilters",
    "SearchHit",
    "evidence_id_for",
]

Mode = Literal["hybrid", "vector", "bm25"]
LANGUAGES = ("zh", "en")
_POST_FILTER_MIN = 2_000  # on smaller indexes Chroma's filtered (brute-force) search is quick
_POST_FILTER_MAX = 1_000  # the most unfiltered neighbours fetched to mask afterwards
_DOC_DEPTH = 300  # chunks per ranked list when ranking whole documents
INTENT_WEIGHT = 0.5  # the outcomes a query names (knowledge/field_intents.py) against its meaning as a whole
SOFT_INTENT_WEIGHT = 0.5  # the same for the outcomes it comes closest to, when it names none by a cue


@dataclass
class ChunkRecord:
    """One chunk as `scan` lists it."""

    evidence_id: str
    doc_id: str
    text: str
    kind: str
    fields: dict[str, str]
    date: str


class DocumentIndex:
    """Hybrid (Chroma vectors + BM25) search over documents; see the module docstring."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._catalogue = Catalogue(settings.docs_path / "catalogue.sqlite")
        self._embedder = embedder
        self._vectors: VectorStore | None = None
        self._vectors_generation = ""
        self._lexical: tuple[str, LexicalIndex, list[tuple[Any, ...]], SearchColumns] | None = None
        self._position: tuple[str, dict[str, int]] | None = None
        self._vector_position: tuple[str, dict[str, int]] | None = None
        self._fields: tuple[str, dict[tuple[str, str], np.ndarray]] | None = None
        self._query_cache: dict[str, np.ndarray] = {}
        self._parts: dict[str, np.ndarray] = {}
        self._cues: tuple[np.ndarray, np.ndarray] | None = None
        self._closings: tuple[str, dict[str, dict[str, np.ndarray]]] = ("", {})
        self._count: tuple[str, int] | None = None

    # --- services, opened lazily so a BM25-only caller never loads the embedding model
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embeddings)
        return self._embedder

    @property
    def vectors(self) -> VectorStore:
        if self._vectors is not None and self._catalogue.generation() != self._vectors_generation:
            # another process (a `fupan ingest` while `fupan serve` runs) changed the knowledge base: the
            # embedded Chroma of this process still holds the old index in memory, so reload it from disk
            self._vectors.close()
            self._vectors = None
        if self._vectors is None:
            model, dimension = self.embedder.model, self.embedder.dimension
            self._check_model(model, dimension)
            self._vectors = VectorStore(self.settings, model, dimension)
            self._vectors_generation = self._catalogue.generation()
        return self._vectors

    def _wrote(self) -> None:
        """This index changed the catalogue and Chroma itself: its Chroma view is current."""
        self._vectors_generation = self._catalogue.generation()

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
        dry_run: bool = False,
        progress: Progress | None = None,
        namespace: str = "",
    ) -> IngestReport:
        """Read one file (CSV/XLSX/MD/TXT/DOCX/JSONL, or a transcript CSV) and index its documents; `namespace`
        prefixes every doc id (uploads get their own, so they never name another source's documents)."""
        plan = self.plan_file(path, kind=kind, mapping=mapping, approved=approved, namespace=namespace)
        return plan.report if dry_run else self.commit(plan, progress=progress)

    def add_documents(
        self,
        docs: list[Document],
        *,
        approved: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Index documents; re-adding an unchanged document is a no-op, a changed one replaces its chunks.

        Batches of `embeddings.commit_every` chunks commit one by one; `dry_run` reports the documents,
        fields and chunk counts and writes nothing (no embedding either)."""
        plan = self.plan(docs, approved=approved)
        return plan.report if dry_run else self.commit(plan, progress=progress)

    def plan_file(
        self,
        path: Path | str,
        *,
        kind: str | None = None,
        mapping: dict[str, str] | None = None,
        approved: bool = False,
        namespace: str = "",
    ) -> IngestPlan:
        """What ingesting a file would do (documents, fields, columns, chunks to embed), nothing written."""
        path = Path(path)
        read = read_documents(path, kind=kind, mapping=mapping)
        docs = [
            doc.model_copy(update={"source": doc.source or where, "doc_id": namespace + doc.doc_id})
            for doc, where in read.docs
        ]
        plan = self.plan(docs, approved=approved)
        report = plan.report
        report.source = str(path)
        report.columns = read.columns
        report.documents_seen += len(read.issues)
        report.documents_rejected += sum(1 for i in read.issues if i.level == "error")
        report.issues = read.issues + report.issues
        return plan

    def plan(self, docs: list[Document], *, approved: bool = False) -> IngestPlan:
        """Documents → the new or changed ones cut into chunks, and a dry-run report of them."""
        return plan_documents(self._catalogue, docs, approved=approved)

    def commit(self, plan: IngestPlan, *, progress: Progress | None = None) -> IngestReport:
        """Embed and index a plan's documents in batches (see knowledge/doc_writer.py)."""
        report = plan.report.model_copy(update={"dry_run": False})
        if plan.prepared:
            self.recover()
            writer = BatchWriter(self._catalogue, lambda: self.vectors, lambda: self.embedder)
            try:
                report.chunks_added = writer.write(
                    plan.prepared, size=self.settings.embeddings.commit_every, progress=progress
                )
            finally:
                self._wrote()
            if self._field_vectors():  # documents with outcome-like fields: the search's cues, embedded now
                self._cue_vectors()  # (once per model and lexicon) rather than in the first search
        return report

    def recover(self) -> int:
        """Delete the vectors a killed ingest or delete left behind (the journal); returns how many."""
        pending = [vector_id for vector_id, _ in self._catalogue.journal()]
        if pending:
            self.vectors.delete(pending)
            self._catalogue.clear_journal(pending)
        return len(pending)

    def consistency(self) -> dict[str, int]:
        """Catalogue chunks vs Chroma vectors: counts, vectors no chunk names (orphans), chunks without one."""
        _, chunks, _ = self._lexical_index()
        named = {c[-2] for c in chunks}
        held = set(self.vectors.ids())
        return {
            "chunks": len(chunks),
            "vectors": self.vectors.count(),
            "orphan_vectors": len(held - named),
            "chunks_without_vector": len(named - held),
            "journal": len(self._catalogue.journal()),
        }

    # --- search
    def search(
        self, query: str, *, k: int = 10, mode: Mode = "hybrid", filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Top-k chunks for a query in Chinese or English; hybrid fuses vector and BM25 ranks (RRF)."""
        _check_mode(mode)
        if not query.strip() or self.count() == 0:
            return []
        depth = max(k * 4, 40) if mode == "hybrid" else k
        rankings = self._chunk_rankings(query, depth, mode, filters)
        if mode == "hybrid":
            fused = reciprocal_rank_fusion([[c for c, _ in r] for r in rankings])
        else:
            fused = rankings[0] if rankings else []
        top = fused[:k]
        records = self._catalogue.chunks_by_ids([cid for cid, _ in top])
        return [self._hit(records[cid], score, query) for cid, score in top if cid in records]

    def search_documents(
        self,
        query: str,
        *,
        k: int = 10,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        passages: int = 3,
    ) -> list[DocumentHit]:
        """Top-k whole documents (calls, notes...) ranked by their best passages and matching fields, each
        shown once with its best `passages` chunks; see knowledge/doc_search.py."""
        _check_mode(mode)
        if not query.strip() or self.count() == 0:
            return []
        _, chunks, columns = self._lexical_index()
        position = self._positions()
        rankings = self._chunk_rankings(query, max(_DOC_DEPTH, k * 10), mode, filters)
        doc_lists = []
        for ranked in rankings:
            pos = np.array([position[c] for c, _ in ranked], dtype=np.int64)
            scores = np.array([s for _, s in ranked], dtype=np.float64)
            doc_lists.append(document_scores(pos, scores, columns.doc))
        allowed = np.unique(columns.doc[mask(columns, filters)])
        shares = self._field_shares(query, columns, allowed, use_vectors=mode != "bm25")
        content = fuse_documents(doc_lists, len(columns.doc_ids))
        boosts, lifts = field_boosts(shares, columns, content, allowed)
        total = content + boosts
        keep = allowed[total[allowed] > 0]
        ranked_docs = keep[np.lexsort((keep, -total[keep]))][:k].tolist()
        chunk_order = reciprocal_rank_fusion([[c for c, _ in r] for r in rankings]) if rankings else []
        return self._document_hits(ranked_docs, total, chunk_order, lifts, columns, query, passages)

    def _chunk_rankings(
        self, query: str, depth: int, mode: Mode, filters: SearchFilters | None
    ) -> list[list[tuple[str, float]]]:
        """The ranked chunk lists a mode fuses: BM25, and one vector list per language in hybrid mode."""
        rankings: list[list[tuple[str, float]]] = []
        if mode in ("hybrid", "bm25"):
            rankings.append(self._bm25(query, depth, filters))
        # hybrid ranks each language's chunks apart: e5-small prefers the query's own language so strongly
        # that one shared vector ranking buries relevant notes written in the other language
        languages: tuple[str | None, ...] = LANGUAGES if mode == "hybrid" else (None,)
        if mode != "bm25":
            rankings += self._vector(query, depth, filters, languages)
        return rankings

    def _vector(
        self, query: str, depth: int, filters: SearchFilters | None, languages: tuple[str | None, ...]
    ) -> list[list[tuple[str, float]]]:
        """One HNSW ranking of `depth` per language (None = all languages), as (evidence id, cosine).

        Filters and languages: on a big index one over-fetched unfiltered HNSW query is masked here
        (Chroma's filtered search is slow when the filter keeps much of the index); a language or
        filter that leaves too few of those neighbours gets Chroma's own `where` search."""
        vector = self._query_vector(query)
        total = self.count()
        _, chunks, columns = self._lexical_index()
        position = self._vector_positions()
        named = lambda ranked: [  # noqa: E731 - Chroma answers vector ids; callers want evidence ids
            (chunks[position[v]][0], s) for v, s in ranked if v in position
        ]
        if languages == (None,) and chroma_where(filters) is None:
            return [named(self.vectors.query(vector, min(depth, total), None))]
        masks = {lang: mask(columns, filters, lang) for lang in languages}
        out: dict[str | None, list[tuple[str, float]]] = {}
        filtered = chroma_where(filters) is not None
        if total >= _POST_FILTER_MIN:
            ranked = self.vectors.query(
                vector, min(total, _POST_FILTER_MAX, depth * (25 if filtered else 5)), None
            )
            kept = {
                lang: [(v, s) for v, s in ranked if v in position and m[position[v]]][:depth]
                for lang, m in masks.items()
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
        for lang, m in masks.items():
            if lang not in out:
                allowed = int(m.sum())
                where = chroma_where(filters, lang)
                out[lang] = self.vectors.query(vector, min(depth, allowed), where) if allowed else []
        return [named(out[lang]) for lang in languages]

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
        """evidence id → BM25/catalogue position."""
        _, chunks, _ = self._lexical_index()
        generation = self._catalogue.generation()
        if self._position is None or self._position[0] != generation:
            self._position = (generation, {c[0]: i for i, c in enumerate(chunks)})
        return self._position[1]

    def _vector_positions(self) -> dict[str, int]:
        """Chroma vector id → catalogue position, for masking vector hits with the filter columns."""
        _, chunks, _ = self._lexical_index()
        generation = self._catalogue.generation()
        if self._vector_position is None or self._vector_position[0] != generation:
            self._vector_position = (generation, {c[-2]: i for i, c in enumerate(chunks)})
        return self._vector_position[1]

    def _bm25(self, query: str, depth: int, filters: SearchFilters | None) -> list[tuple[str, float]]:
        index, chunks, columns = self._lexical_index()
        scores = index.scores(query)
        if not len(scores):
            return []
        candidates = np.flatnonzero(mask(columns, filters) & (scores > 0))
        if not len(candidates):
            return []
        if len(candidates) > depth:
            candidates = candidates[np.argpartition(-scores[candidates], depth - 1)[:depth]]
        # equal scores in evidence-id order, so a ranking never depends on the order chunks were ingested in
        ranked = sorted((-float(scores[i]), chunks[i][0]) for i in candidates)
        return [(evidence_id, -negative) for negative, evidence_id in ranked]

    def _lexical_index(self) -> tuple[LexicalIndex, list[tuple[Any, ...]], SearchColumns]:
        generation = self._catalogue.generation()
        if self._lexical is None or self._lexical[0] != generation:
            chunks = self._catalogue.all_chunks()
            token_at = 4 + len(FILTER_FIELDS)
            tokens = [c[token_at].split(" ") if c[token_at] is not None else tokenize(c[1]) for c in chunks]
            index = self._load_or_build_bm25(generation, tokens)
            self._lexical = (generation, index, chunks, SearchColumns(chunks))
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

    # --- fields
    def _field_vectors(self) -> dict[tuple[str, str], np.ndarray]:
        generation = self._catalogue.generation()
        if self._fields is None or self._fields[0] != generation:
            self._fields = (generation, self._catalogue.field_vectors())
        return self._fields[1]

    def _field_shares(
        self, query: str, columns: SearchColumns, allowed: np.ndarray, *, use_vectors: bool
    ) -> list[FieldShare]:
        """For each text field with two or more values among the allowed documents: each value's share."""
        vectors = self._field_vectors() if use_vectors else {}
        query_vector = self._query_vector(query) if use_vectors and vectors else None
        named = intents(query) if query_vector is not None else []
        soft = None
        if query_vector is not None and not named:
            vectors_of_cues, owner = self._cue_vectors()
            soft = soft_intents(vectors_of_cues @ query_vector, owner)
        out = []
        for name in TEXT_FIELDS:
            codes = np.unique(columns.doc_values(name)[allowed])
            values = [v for v in (columns.values(name)[c] for c in codes) if v]
            if len(values) < 2:
                continue
            sims, meant, weight = None, None, 0.0
            if (
                query_vector is not None
                and descriptive(name, values)
                and all((name, v) in vectors for v in values)
            ):
                sims = self._value_similarity(name, values, vectors, query_vector)
                # the outcomes the query names in words managers use (or comes closest to, by meaning) are
                # compared with the values as well: their descriptions match a label better than a query does
                if named:
                    meant = np.max(
                        [self._value_similarity(name, values, vectors, self._part_vector(d)) for d in named],
                        axis=0,
                    )
                    weight = INTENT_WEIGHT
                elif soft is not None:
                    descriptions = [d for d, _ in lexicon()]
                    meant = np.sum(
                        [
                            w * self._value_similarity(name, values, vectors, self._part_vector(d))
                            for w, d in zip(soft.tolist(), descriptions, strict=True)
                        ],
                        axis=0,
                    )
                    weight = SOFT_INTENT_WEIGHT
            closing = None
            if sims is not None:
                directions = self._closing_directions(name)
                if all(v in directions for v in values):
                    closing = np.stack([directions[v] for v in values]) @ query_vector
            out.append(
                field_shares(name, values, sims, query, meant=meant, meant_weight=weight, closing=closing)
            )
        return out

    def _value_similarity(
        self, name: str, values: list[str], vectors: dict[tuple[str, str], np.ndarray], query: np.ndarray
    ) -> np.ndarray:
        """Per value: the mean of its cosine to the query as a whole and by its distinctive parts."""
        whole = np.stack([vectors[(name, v)] for v in values]) @ query
        parts = np.array(
            [
                max(float(self._part_vector(p) @ query) for p in ps) if ps != [v] else whole[i]
                for i, (v, ps) in enumerate(zip(values, distinctive_parts(values), strict=True))
            ]
        )
        return (whole + parts) / 2

    def _closing_directions(self, name: str) -> dict[str, np.ndarray]:
        """Each value of a field described by the closing passages of its documents (doc_search's
        `closing_directions`): the last CLOSING_PASSAGES chunks of at most CLOSING_DOCS documents per value,
        read from Chroma once per catalogue generation and field."""
        generation = self._catalogue.generation()
        if self._closings[0] != generation:
            self._closings = (generation, {})
        held = self._closings[1]
        if name not in held:
            # kept beside the catalogue too, so that each CLI search (a new process) does not read them again
            stamp = f"{generation}|{self.embedder.model}|{name}|{CLOSING_DOCS}|{CLOSING_PASSAGES}"
            path = self.settings.docs_path / f"closings_{hashlib.sha256(name.encode()).hexdigest()[:12]}.npz"
            found = _load_directions(path, stamp)
            if found is None:
                found = self._read_closing_directions(name)
                _save_directions(path, stamp, found)
            held[name] = found
        return held[name]

    def _read_closing_directions(self, name: str) -> dict[str, np.ndarray]:
        """`closing_directions` of one field, its documents' closing chunks read from Chroma."""
        _, chunks, columns = self._lexical_index()
        per_doc = columns.doc_values(name)
        names = columns.values(name)
        ends = np.r_[np.flatnonzero(columns.doc[1:] != columns.doc[:-1]) + 1, columns.size]
        starts = np.r_[0, ends[:-1]]
        chosen: dict[str, list[tuple[int, int]]] = {}
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            value = names[per_doc[columns.doc[start]]]
            if value and len(chosen.setdefault(value, [])) < CLOSING_DOCS:
                chosen[value].append((max(start, end - CLOSING_PASSAGES), end))
        ids = [chunks[i][-2] for spans in chosen.values() for a, b in spans for i in range(a, b)]
        vectors = self.vectors.vectors(ids)
        closings = {
            value: [
                np.mean(found, axis=0)
                for a, b in spans
                if (found := [vectors[chunks[i][-2]] for i in range(a, b) if chunks[i][-2] in vectors])
            ]
            for value, spans in chosen.items()
        }
        return closing_directions(closings)

    def _cue_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """The embedding of every cue of the field-intent lexicon and its outcome's index: embedded once per
        model and lexicon, kept beside the catalogue (a CLI search would otherwise embed ~200 cues each time)."""
        if self._cues is None:
            texts, owner = cues()
            stamp = hashlib.sha256("\n".join([self.embedder.model, *texts]).encode()).hexdigest()[:16]
            path = self.settings.docs_path / "intent_cues.npz"
            vectors = None
            try:
                with np.load(path) as held:
                    if str(held["stamp"]) == stamp:
                        vectors = np.asarray(held["vectors"], dtype=np.float32)
            except (OSError, KeyError, ValueError):
                pass
            if vectors is None:
                batched = getattr(self.embedder, "queries", None)
                vectors = batched(texts) if batched else np.stack([self.embedder.query(t) for t in texts])
                _keep_npz(path, stamp=np.array(stamp), vectors=vectors)
            self._cues = (vectors, owner)
        return self._cues

    def _part_vector(self, text: str) -> np.ndarray:
        """The embedding of a part of a field value (embedded as a query, as the values are), remembered."""
        vector = self._parts.get(text)
        if vector is None:
            vector = self._parts[text] = self.embedder.query(text)
        return vector

    def field_values(self, name: str) -> dict[str, int]:
        """The values a filter field has in the knowledge base, with how many documents have each."""
        if name not in FILTER_FIELDS:
            raise InputError(f"unknown field {name!r}", hint=f"fields: {', '.join(FILTER_FIELDS)}")
        _, _, columns = self._lexical_index()
        per_doc = columns.doc_values(name)
        counts = np.bincount(per_doc[per_doc >= 0], minlength=len(columns.values(name)))
        return {v: int(counts[i]) for i, v in enumerate(columns.values(name)) if v and counts[i]}

    def resolve_filters(self, filters: SearchFilters) -> SearchFilters:
        """Filter values as users type them → the stored values: the same value in any case, else every
        value containing it ('paused' → both 'process paused - …' outcomes). A value that matches
        nothing is an error naming the values there are."""
        update: dict[str, str | list[str]] = {}
        for name in FILTER_FIELDS:
            wanted = filters.values(name)
            if not wanted:
                continue
            known = self.field_values(name)
            found: list[str] = []
            for value in wanted:
                folded = value.strip().casefold()
                same = [v for v in known if v.casefold() == folded]
                found += same or [v for v in known if folded in v.casefold()]
                if not same and not any(folded in v.casefold() for v in known):
                    shown = ", ".join(sorted(known, key=lambda v: -known[v])[:12]) or "none"
                    raise InputError(
                        f"no document has {name} {value!r}",
                        hint=f"{name} values in the knowledge base: {shown}",
                    )
            values = list(dict.fromkeys(found))
            update[name] = values[0] if len(values) == 1 else values
        return filters.model_copy(update=update)

    # --- results
    def _document_hits(
        self,
        docs: list[int],
        total: np.ndarray,
        chunk_order: list[tuple[str, float]],
        lifts: dict[str, dict[str, float]],
        columns: SearchColumns,
        query: str,
        passages: int,
    ) -> list[DocumentHit]:
        ids = [columns.doc_ids[d] for d in docs]
        best: dict[str, list[tuple[str, float]]] = {doc_id: [] for doc_id in ids}
        position = self._positions()
        for cid, score in chunk_order:
            doc_id = columns.doc_ids[columns.doc[position[cid]]]
            if doc_id in best and len(best[doc_id]) < passages:
                best[doc_id].append((cid, score))
        for doc_id in ids:
            if not best[doc_id] and passages:
                best[doc_id] = self._closest_chunks(doc_id, query, passages)
        records = self._catalogue.chunks_by_ids([cid for chosen in best.values() for cid, _ in chosen])
        stored = self._catalogue.documents(ids)
        hits = []
        for d, doc_id in zip(docs, ids, strict=True):
            doc = stored.get(doc_id, {}).get("doc", {})
            found = [self._hit(records[c], s, query) for c, s in best[doc_id] if c in records]
            matched = [
                FieldMatch(field=name, value=value, score=round(lift[value], 4))
                for name, lift in lifts.items()
                if (value := str(doc.get(name) or "")) and lift.get(value, 0.0) >= FIELD_SHOWN
            ]
            hits.append(
                DocumentHit(
                    doc_id=doc_id,
                    kind=stored.get(doc_id, {}).get("kind", ""),
                    score=round(float(total[d]), 6),
                    title=str(doc.get("title") or ""),
                    date=str(doc.get("date") or ""),
                    **{f: str(doc.get(f) or "") for f in FILTER_FIELDS},
                    source=str(stored.get(doc_id, {}).get("source") or ""),
                    passages=found,
                    matched_fields=matched,
                    evidence_ids=[h.evidence_id for h in found],
                    chunks=int(stored.get(doc_id, {}).get("chunks", 0)),
                )
            )
        return hits

    def _closest_chunks(self, doc_id: str, query: str, n: int) -> list[tuple[str, float]]:
        """A document found by its fields alone: its chunks closest to the query (BM25 if no vectors)."""
        ids = self._catalogue.chunk_ids(doc_id)
        if not ids:
            return []
        index, chunks, _ = self._lexical_index()
        position = self._positions()
        scores = index.scores(query)
        lexical = [(c, float(scores[position[c]]) if len(scores) else 0.0) for c in ids]
        try:
            vector_ids = [chunks[position[c]][-2] for c in ids]
            held = self.vectors.vectors(vector_ids)
        except Conflict:
            held = {}
        if held:
            q = self._query_vector(query)
            ranked = [(c, float(held[v] @ q)) for c, v in zip(ids, vector_ids, strict=True) if v in held]
        else:
            ranked = lexical
        return sorted(ranked, key=lambda cs: -cs[1])[:n]

    def _hit(self, record: dict[str, Any], score: float, query: str = "") -> SearchHit:
        return SearchHit(
            evidence_id=record["evidence_id"],
            doc_id=record["doc_id"],
            chunk=record["n"],
            text=record["text"],
            score=score,
            kind=record["kind"],
            metadata=dict(record["meta"]),
            highlights=highlight_spans(record["text"], query) if query else [],
        )

    # --- citations, deletes
    def get(self, evidence_id: str) -> SearchHit | None:
        """The chunk an evidence id names, or None."""
        record = self._catalogue.chunk(evidence_id)
        return self._hit(record, 1.0) if record else None

    def delete_document(self, doc_id: str) -> int:
        """Remove a document's chunks from Chroma, BM25 and the catalogue; returns the chunk count removed."""
        if not self._catalogue.chunk_ids(doc_id) and self._catalogue.doc_hash(doc_id) is None:
            return 0
        store = self.vectors  # before the catalogue moves
        stale = self._catalogue.delete(doc_id)
        if stale:
            store.delete(stale)
            self._catalogue.clear_journal(stale)
        self._wrote()
        return len(stale)

    def count(self) -> int:
        """Number of indexed chunks (counted once per catalogue generation)."""
        generation = self._catalogue.generation()
        if self._count is None or self._count[0] != generation:
            self._count = (generation, self._catalogue.count_chunks())
        return self._count[1]

    def scan(self, filters: SearchFilters | None = None) -> list[ChunkRecord]:
        """Every chunk the filters keep, in catalogue order, with its fields (for counting, not ranking)."""
        _, chunks, columns = self._lexical_index()
        keep = np.flatnonzero(mask(columns, filters))
        day_at = 3 + len(FILTER_FIELDS)
        return [
            ChunkRecord(
                evidence_id=chunks[i][0],
                doc_id=chunks[i][-1],
                text=chunks[i][1],
                kind=chunks[i][2],
                fields={f: chunks[i][3 + j] for j, f in enumerate(FILTER_FIELDS) if chunks[i][3 + j]},
                date=dt.date.fromordinal(chunks[i][day_at]).isoformat() if chunks[i][day_at] > 0 else "",
            )
            for i in keep.tolist()
        ]

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day a document is dated (None when none is)."""
        _, _, columns = self._lexical_index()
        days = columns.day[columns.day > 0]
        if not len(days):
            return None, None
        return dt.date.fromordinal(int(days.min())), dt.date.fromordinal(int(days.max()))

    def count_documents(self) -> int:
        return self._catalogue.count_docs()

    def close(self) -> None:
        if self._vectors is not None:
            self._vectors.close()
            self._vectors = None
        self._catalogue.close()


def _check_mode(mode: str) -> None:
    if mode not in ("hybrid", "vector", "bm25"):
        raise InputError(f"unknown search mode {mode!r}", hint="use hybrid, vector or bm25")
