"""Ranking pieces of the knowledge base's search: filter columns and masks, whole-document ranking, field matches.

Whole documents (`DocumentIndex.search_documents`) are ranked in three steps:
1. each ranked list of chunks (BM25; one vector list per language in hybrid mode) becomes a list of
   documents, each scored by its best passages: best + ½ second + ¼ third (PASSAGE_CAP passages at most),
   so a 300-turn call is not outranked by many weak passages nor rescued by one lucky one;
2. the document lists are fused by reciprocal rank fusion, as chunks are;
3. structured fields searchable as text (outcome, stage, loss reason, customer, product) add a field
   boost: for each field, the query is compared with every value the (filtered) documents have, and a
   softmax over those similarities says how clearly one value is meant. A value that stands out (the
   query "customer wanted to think it over" and the outcome "customer needs to consider the offer") lifts
   every document that has it, up to FIELD_WEIGHT; when no value stands out the boost is ~0 for all.
   Meaning (the embedding) is compared only for descriptive values — phrases such as outcomes; names and
   codes (customers, products, 'did_not_work', '赢单') match by their words alone, because a name's
   embedding is as close to an unrelated query as to a related one. A value made of parts ('process
   paused - customer needs to consider the offer') is compared as a whole and by the parts no other value
   of the field shares (the mean of the two similarities): the shared part ('process paused') says
   nothing about which of its values is meant, and a query phrased in other words than the label
   ("leads still mulling over the offer") matches the distinctive part better than the whole label.
   Each descriptive value is also described by the data: the closing passages of its documents (a call's
   outcome shows in how it ends, "I'll look it over and call you back"), as a direction away from how all
   documents end (`closing_directions`). The query's similarity to each direction, as a standard score
   across the values, adds CLOSING_WEIGHT to the value's score, so a situation no word list names
   ("content with the cover they already have") still points to the outcome whose calls end that way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.doc_writer import period_bounds
from knowledge.documents import FILTER_FIELDS, TEXT_FIELDS, SearchFilters
from knowledge.lexical import query_terms, tokenize

PASSAGE_CAP = 3
PASSAGE_WEIGHTS = (1.0, 0.5, 0.25)
RRF_K = 60
FIELD_WEIGHT = 0.08  # ~ five first places in RRF (5/61): a clearly meant value outranks content matches
FIELD_TEMPERATURE = 0.01  # e5 cosine similarities differ by hundredths between values
FIELD_LEXICAL = (
    0.0  # weight of word overlap with a descriptive value (off: "not"/"customer" misled it on dev)
)
NAME_LEXICAL = 0.05  # weight of word overlap with a name: all of its words in the query ≈ e^5 more share
FIELD_SHOWN = 0.5  # a field match is reported with the result when its value's boost is at least this
NAME_FIELDS = frozenset({"customer", "product"})  # values are names: matched by their words only
_DESCRIPTIVE_WORDS = (
    2.0  # mean words per value (CJK: 2 characters a word) for a field to be matched by meaning
)


SHORT_LEXICAL = 0.05
# a document's outcome shows in how it ends (the last passages of a call: "I'll look it over and call you
# back"); each value of a descriptive field is also described by the closing passages of its documents
CLOSING_PASSAGES = 6
CLOSING_SHRINK = 3.0  # documents' worth of doubt about a value's closing direction
CLOSING_WEIGHT = 0.01  # × a standard score: one standard deviation = e^1 more share (FIELD_TEMPERATURE)
CLOSING_DOCS = 200  # documents per value read to describe it (the first, in catalogue order)


def _phrase(value: str) -> bool:
    """A value of two words or more (four CJK characters): compared by meaning."""
    return len(value.split()) >= 2 if value.isascii() else len(value.replace(" ", "")) >= 4


def descriptive(field: str, values: list[str]) -> bool:
    """Whether a field's values are phrases to compare by meaning (outcomes), not names or codes."""
    if field in NAME_FIELDS or not values:
        return False
    words = [len(v.split()) if v.isascii() else len(v.replace(" ", "")) / 2 for v in values]
    return sum(words) / len(words) >= _DESCRIPTIVE_WORDS


class SearchColumns:
    """The filter columns of every chunk in catalogue order, as integer codes so masks are cheap at 100k,
    plus each chunk's document as an integer (documents numbered in order of first chunk)."""

    def __init__(self, chunks: list[tuple[Any, ...]]) -> None:
        names = {"kind": 2, **{f: 3 + i for i, f in enumerate(FILTER_FIELDS)}}
        day_at = 3 + len(FILTER_FIELDS)
        self.size = len(chunks)
        self.day = np.array([c[day_at] for c in chunks], dtype=np.int64)
        self._codes: dict[str, np.ndarray] = {}
        self._lookup: dict[str, dict[Any, int]] = {}
        self._values: dict[str, list[Any]] = {}
        for name, i in {**names, "language": day_at + 2}.items():
            self._encode(name, [c[i] for c in chunks])
        self._encode("doc", [c[-1] for c in chunks])
        self.doc = self._codes["doc"]
        self.doc_ids = self._values["doc"]
        self._first = np.unique(self.doc, return_index=True)[1] if self.size else np.zeros(0, np.int64)

    def _encode(self, name: str, column: list[Any]) -> None:
        lookup: dict[Any, int] = {}
        self._codes[name] = np.fromiter(
            (lookup.setdefault(v, len(lookup)) for v in column), dtype=np.int32, count=len(column)
        )
        self._lookup[name] = lookup
        self._values[name] = list(lookup)

    def isin(self, name: str, values: list[Any]) -> np.ndarray:
        codes = [self._lookup[name][v] for v in values if v in self._lookup[name]]
        return np.isin(self._codes[name], codes)

    def codes(self, name: str) -> np.ndarray:
        return self._codes[name]

    def values(self, name: str) -> list[Any]:
        """The distinct values of a column, indexed by code."""
        return self._values[name]

    def doc_values(self, name: str) -> np.ndarray:
        """Per document (by doc code): the code of its value in column `name` (from its first chunk)."""
        return self._codes[name][self._first]


def mask(columns: SearchColumns, filters: SearchFilters | None, language: str | None = None) -> np.ndarray:
    keep = np.ones(columns.size, dtype=bool)
    if language:
        keep &= columns.isin("language", [language])
    if filters is None:
        return keep
    if filters.kinds:
        keep &= columns.isin("kind", list(filters.kinds))
    for name in FILTER_FIELDS:
        if values := filters.values(name):
            keep &= columns.isin(name, values)
    if filters.period_from:
        keep &= columns.day >= period_bounds(filters.period_from)[0]
    if filters.period_to:
        keep &= columns.day < period_bounds(filters.period_to)[1]
    return keep


def chroma_where(filters: SearchFilters | None, language: str | None = None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = [{"language": language}] if language else []
    if filters is not None:
        if filters.kinds:
            clauses.append({"kind": {"$in": list(filters.kinds)}})
        for name in FILTER_FIELDS:
            if values := filters.values(name):
                clauses.append({name: values[0]} if len(values) == 1 else {name: {"$in": values}})
        if filters.period_from:
            clauses.append({"day": {"$gte": period_bounds(filters.period_from)[0]}})
        if filters.period_to:
            clauses.append({"day": {"$lt": period_bounds(filters.period_to)[1]}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def document_scores(positions: np.ndarray, scores: np.ndarray, doc_of: np.ndarray) -> dict[int, float]:
    """Per document (code): best passage + ½ second + ¼ third, over the ranked chunks given."""
    if not len(positions):
        return {}
    docs = doc_of[positions]
    order = np.lexsort((-scores, docs))
    docs, scores = docs[order], scores[order]
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    rank = np.arange(len(docs)) - np.repeat(starts, np.diff(np.r_[starts, len(docs)]))
    keep = rank < PASSAGE_CAP
    weights = np.asarray(PASSAGE_WEIGHTS)[rank[keep]]
    total: dict[int, float] = {}
    for doc, value in zip(docs[keep].tolist(), (scores[keep] * weights).tolist(), strict=True):
        total[doc] = total.get(doc, 0.0) + value
    return total


def fuse_documents(lists: list[dict[int, float]], documents: int) -> np.ndarray:
    """Reciprocal rank fusion of document lists (each doc → score, ranked by score), per doc code."""
    fused = np.zeros(documents)
    for scored in lists:
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        for rank, (doc, _) in enumerate(ranked, start=1):
            fused[doc] += 1.0 / (RRF_K + rank)
    return fused


def field_boosts(
    shares: list[FieldShare], columns: SearchColumns, content: np.ndarray, allowed: np.ndarray
) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """Per doc code: FIELD_WEIGHT × how clearly the query means the document's value, summed over fields;
    and each field's effective lift per value (what the results report as matched fields).

    A value's lift also needs the content's consent: among the documents whose text matches the query best
    (AGREEMENT_SHARE of the allowed ones, 3 to AGREEMENT_TOP), the value must be about as frequent as among
    all of them (no less than half as frequent); a value the best text matches avoid loses its lift, so a
    query that means no field value ('竞品便宜' over insurance calls) is not ranked by an accident of
    similarity."""
    boosts = np.zeros(len(columns.doc_ids))
    effective: dict[str, dict[str, float]] = {}
    for share in shares:
        per_doc = columns.doc_values(share.field)
        values = columns.values(share.field)
        lift = np.array([share.boost(v) if v else 0.0 for v in values])
        lift *= _agreement(per_doc, content, allowed, len(lift))
        effective[share.field] = {v: float(lift[i]) for i, v in enumerate(values) if v and lift[i] > 0}
        boosts += FIELD_WEIGHT * lift[per_doc]
    return boosts, effective


def closing_directions(closings: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """Per value: how the closing passages of its documents differ from those of all documents.

    `closings` holds, per value, one vector per document (the mean of its last CLOSING_PASSAGES chunks).
    A value's direction is the mean of its documents' vectors minus the mean over every document, shrunk
    by n / (n + CLOSING_SHRINK) so a value two documents have does not speak as loudly as one thirty have."""
    every = [v for vectors in closings.values() for v in vectors]
    if not every:
        return {}
    overall = np.mean(every, axis=0)
    return {
        value: (np.mean(vectors, axis=0) - overall) * len(vectors) / (len(vectors) + CLOSING_SHRINK)
        for value, vectors in closings.items()
        if vectors
    }


def standardized(scores: np.ndarray) -> np.ndarray:
    """Scores as standard scores across the values (all 0 when they do not differ)."""
    scores = np.asarray(scores, dtype=np.float64)
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 1e-12 else np.zeros_like(scores)


AGREEMENT_TOP = 40
AGREEMENT_SHARE = 0.4
AGREEMENT_ALPHA = (
    0.05  # a value is avoided when so few of the best matches hold it would happen < 5% by chance
)


def _agreement(per_doc: np.ndarray, content: np.ndarray, allowed: np.ndarray, values: int) -> np.ndarray:
    """Per value code, 0..1: whether the best content matches avoid the value beyond chance.

    The chance of seeing so few of the value's documents among the best matches if they were drawn at
    random (binomial, the value's share of all allowed documents): below AGREEMENT_ALPHA the content clearly
    avoids the value and its lift fades in proportion. A content ranking that says little (a Chinese query
    over English calls matches their words weakly) leaves every value's lift whole, rather than removing
    the meant value's lift by an accident of a few ranks."""
    depth = int(min(AGREEMENT_TOP, max(3, round(len(allowed) * AGREEMENT_SHARE))))
    ranked = allowed[np.argsort(-content[allowed], kind="stable")][:depth]
    top = ranked[content[ranked] > 0]
    if not len(top):
        return np.ones(values)
    overall = np.bincount(per_doc[allowed], minlength=values) / len(allowed)
    near = np.bincount(per_doc[top], minlength=values)
    chance = np.array([_binomial_cdf(int(k), len(top), float(p)) for k, p in zip(near, overall, strict=True)])
    return np.clip(chance / AGREEMENT_ALPHA, 0.0, 1.0)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 1.0 if k >= n else 0.0
    return float(sum(math.comb(n, i) * p**i * (1.0 - p) ** (n - i) for i in range(k + 1)))


SEGMENT = re.compile(r"\s+[-–—:|/]\s+|\s*[：；;|]\s*")


def distinctive_parts(values: list[str]) -> list[list[str]]:
    """Per value: its parts ('process paused - customer needs to consider the offer' → two) that no other
    value has; a value of one part, or whose parts are all shared, is its own part."""
    parts = [[p.strip() for p in SEGMENT.split(v) if p.strip()] for v in values]
    seen: dict[str, int] = {}
    for ps in parts:
        for p in set(ps):
            seen[p] = seen.get(p, 0) + 1
    out = []
    for value, ps in zip(values, parts, strict=True):
        own = [p for p in ps if seen[p] == 1] if len(ps) > 1 else []
        out.append(own or [value])
    return out


@dataclass
class FieldShare:
    """How clearly the query means each value of one field: value → share (softmax), summing to 1."""

    field: str
    shares: dict[str, float]

    def boost(self, value: str) -> float:
        """0 when no value stands out (uniform shares), up to 1 for the only value meant."""
        n = len(self.shares)
        if n < 2 or value not in self.shares:
            return 0.0
        return max(0.0, self.shares[value] - 1.0 / n) * n / (n - 1)


def field_shares(
    field: str,
    values: list[str],
    similarities: np.ndarray | None,
    query: str,
    *,
    lexical: float | None = None,
    meant: np.ndarray | None = None,
    meant_weight: float = 0.0,
    closing: np.ndarray | None = None,
) -> FieldShare:
    """The softmax share of each value: cosine similarity to the query (if given) + `lexical` × word overlap
    (FIELD_LEXICAL with similarities, NAME_LEXICAL without); `meant` (each value's similarity to the outcomes
    the query names, knowledge/field_intents.py) takes `meant_weight` of the similarity; `closing` (the
    query's similarity to each value's closing direction, `closing_directions`) adds CLOSING_WEIGHT × its
    standard score across the values."""
    score = np.zeros(len(values)) if similarities is None else np.asarray(similarities, dtype=np.float64)
    if similarities is not None:
        # a one-word value ('buy') is as close to any short query as to a related one: it gets the field's
        # neutral similarity and is matched by its words (and their glossary translations) instead; an
        # outcome description ('customer bought') is a label-like phrase, compared with it as with any value
        short = np.array([not _phrase(v) for v in values])
        if short.any() and (~short).any():
            score = np.where(short, score[~short].mean(), score)
            score = score + np.where(short, SHORT_LEXICAL * word_overlap(values, query, symmetric=True), 0.0)
        if meant is not None and meant_weight:
            score = (1.0 - meant_weight) * score + meant_weight * np.asarray(meant, dtype=np.float64)
    if closing is not None:
        score = score + CLOSING_WEIGHT * standardized(closing)
    weight = lexical if lexical is not None else (FIELD_LEXICAL if similarities is not None else NAME_LEXICAL)
    if weight:  # a name or code is meant when the query has its own words, not a glossary translation
        score = score + weight * word_overlap(values, query, translations=similarities is not None)
    weights = np.exp((score - score.max()) / FIELD_TEMPERATURE)
    weights /= weights.sum()
    return FieldShare(field=field, shares=dict(zip(values, weights.tolist(), strict=True)))


def word_overlap(
    values: list[str], query: str, *, translations: bool = True, symmetric: bool = False
) -> np.ndarray:
    """Share of each value's words (idf-weighted across the values) the query has: a word the query has
    counts whole, a glossary translation of it half (not at all without `translations`); `symmetric` also
    matches a value's word through its own translations (value 'buy' → 成交 ← query 'bought')."""
    own, extra = query_terms(query)
    own_set, extra_set = set(own), set(extra) if translations else set()
    asked = own_set | extra_set
    tokens = [set(tokenize(v)) for v in values]
    df: dict[str, int] = {}
    for words in tokens:
        for w in words:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(1 + len(values) / n) for w, n in df.items()}

    def weight(word: str) -> float:
        if word in own_set:
            return 1.0
        if word in extra_set or (symmetric and not asked.isdisjoint(query_terms(word)[1])):
            return 0.5
        return 0.0

    out = np.zeros(len(values))
    for i, words in enumerate(tokens):
        total = sum(idf[w] for w in words)
        if total:
            out[i] = sum(idf[w] * weight(w) for w in words) / total
    return out


__all__ = [
    "FIELD_SHOWN",
    "FIELD_WEIGHT",
    "TEXT_FIELDS",
    "FieldShare",
    "SearchColumns",
    "chroma_where",
    "closing_directions",
    "distinctive_parts",
    "document_scores",
    "field_shares",
    "field_boosts",
    "fuse_documents",
    "mask",
    "standardized",
]
