"""Whole-document search: documents ranked by their best passages, shown once with cited passages; filters in
every mode (and on both of the vector paths); outcome, stage and loss reason as filters and as searchable text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from fupan.errors import InputError
from knowledge.doc_index import DocumentIndex
from knowledge.documents import Document, SearchFilters

PAUSED = "process paused - customer needs to consider the offer"
NOT_INTERESTED = "customer not interested"
INELIGIBLE = "no quote - ineligible customer"


def _call(doc_id: str, turns: list[str], outcome: str, region: str, day: dt.date) -> Document:
    text = "\n".join(f"{'Agent' if i % 2 == 0 else 'Customer'}: {t}" for i, t in enumerate(turns))
    return Document(doc_id=doc_id, kind="call_note", text=text, outcome=outcome, region=region, date=day)


FILLER = [
    f"Let me check the {w} for you, one moment please." for w in ("rate", "address", "vehicle", "driver")
]
ENDINGS = {  # how calls of each outcome end, four calls each (the search needs a few of a kind to agree)
    PAUSED: [
        "I want to think about the quote and call you back.",
        "Send me the quote by email, I will review it with my wife.",
        "Let me sleep on it, I'll get back to you next week.",
        "I need some time to look at the numbers before deciding.",
    ],
    NOT_INTERESTED: [
        "No thanks, I am not interested, take me off your list.",
        "I'm happy with my current insurer, not switching.",
        "I never asked for a quote, please stop calling.",
        "Not interested at all, goodbye.",
    ],
    INELIGIBLE: [
        "There is no licensed agent in your state, I'll text you a link.",
        "With that lapse in coverage we can't write a policy for you.",
        "We don't cover drivers with that many violations, sorry.",
        "Your state isn't one we can insure, I'll send you a website.",
    ],
}
REGIONS = ("East", "West")
CALLS = [
    _call(
        f"C{o}{i}",
        [*FILLER, ending, "Okay."],
        outcome,
        REGIONS[i % 2],
        dt.date(2025, 1 + 2 * i + o, 3 + i),
    )
    for o, (outcome, endings) in enumerate(ENDINGS.items())
    for i, ending in enumerate(endings)
] + [
    Document(
        doc_id="N1",
        kind="visit_note",
        text="拜访客户，对方说价格太贵，竞品便宜20%。",
        region="East",
        stage="negotiation",
        loss_reason="价格",
        date=dt.date(2025, 5, 5),
    ),
    Document(
        doc_id="N2",
        kind="visit_note",
        text="客户预算冻结，项目推迟到明年。",
        region="West",
        stage="proposal",
        loss_reason="预算",
        date=dt.date(2025, 6, 5),
    ),
]
BY_OUTCOME = {o: {d.doc_id for d in CALLS if d.outcome == o} for o in ENDINGS}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocumentIndex]:
    from fupan.settings import load_settings

    idx = DocumentIndex(load_settings(workspace=tmp_path_factory.mktemp("search") / "ws"))
    idx.settings = idx.settings.model_copy(
        update={"embeddings": idx.settings.embeddings.model_copy(update={"commit_every": 4})}
    )
    idx.add_documents(CALLS)
    yield idx
    idx.close()


def test_each_document_once_with_its_best_passages_cited(index: DocumentIndex) -> None:
    hits = index.search_documents("think about the quote and call you back", k=10, passages=2)
    ids = [h.doc_id for h in hits]
    assert ids[0] == "C00" and len(ids) == len(set(ids))
    first = hits[0]
    assert first.outcome == PAUSED and first.date == "2025-01-03" and first.region == "East"
    assert first.chunks > 1 and 1 <= len(first.passages) <= 2
    assert first.evidence_ids == [p.evidence_id for p in first.passages]
    assert all(index.get(e) is not None for e in first.evidence_ids)
    best = first.passages[0]
    assert "think about the quote" in best.text
    marked = " ".join(best.text[a:b].lower() for a, b in best.highlights)
    assert "think" in marked and "quote" in marked and "agent" not in marked


def test_chunks_stay_available_for_the_analyst(index: DocumentIndex) -> None:
    chunks = index.search("licensed agent in your state", k=3, mode="bm25")
    assert chunks[0].evidence_id.startswith("note:C20#") and len({c.doc_id for c in chunks}) <= 3


@pytest.mark.parametrize("post_filter", [False, True], ids=["chroma-where", "masked-overfetch"])
@pytest.mark.parametrize("mode", ["hybrid", "vector", "bm25"])
@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(region="East"), {"C00", "C02", "C10", "C12", "C20", "C22", "N1"}),
        (SearchFilters(outcome=NOT_INTERESTED), BY_OUTCOME[NOT_INTERESTED]),
        (SearchFilters(outcome=[PAUSED, INELIGIBLE]), BY_OUTCOME[PAUSED] | BY_OUTCOME[INELIGIBLE]),
        (SearchFilters(period_from="2025-05", period_to="2025Q2"), {"C02", "C12", "C21", "N1", "N2"}),
        (SearchFilters(kinds=["visit_note"], stage="proposal"), {"N2"}),
        (SearchFilters(loss_reason="价格"), {"N1"}),
        (SearchFilters(region="West", period_from="2025Q3"), {"C03", "C13", "C23"}),
    ],
)
def test_filters_hold_in_every_mode(
    index: DocumentIndex,
    filters: SearchFilters,
    allowed: set[str],
    mode: str,
    post_filter: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if post_filter:
        monkeypatch.setattr("knowledge.doc_index._POST_FILTER_MIN", 1)
    query = "quote price budget customer agent insurer 价格 预算"
    docs = index.search_documents(query, k=20, mode=mode, filters=filters)  # type: ignore[arg-type]
    assert docs and {d.doc_id for d in docs} <= allowed
    if mode == "vector":  # every allowed document has a passage among the nearest vectors
        assert {d.doc_id for d in docs} == allowed
    chunks = index.search(query, k=50, mode=mode, filters=filters)  # type: ignore[arg-type]
    assert {c.doc_id for c in chunks} <= allowed


@pytest.mark.parametrize("mode", ["hybrid", "vector"])
def test_the_outcome_is_searchable_as_text(index: DocumentIndex, mode: str) -> None:
    """Words for an outcome find the calls labelled with it, though no passage says them."""
    hits = index.search_documents("calls where the prospect was ineligible", k=4, mode=mode)  # type: ignore[arg-type]
    assert {h.doc_id for h in hits} == BY_OUTCOME[INELIGIBLE]
    assert all((m.field, m.value) == ("outcome", INELIGIBLE) for h in hits for m in h.matched_fields)
    assert hits[0].matched_fields
    paused = index.search_documents("客户说要考虑一下", k=4, mode=mode)  # type: ignore[arg-type]
    assert {h.doc_id for h in paused} == BY_OUTCOME[PAUSED]  # zh words, en outcome


def test_a_field_nobody_means_lifts_nothing(index: DocumentIndex) -> None:
    """A query about something else: no field value is meant, content decides."""
    hits = index.search_documents("竞品便宜", k=2, mode="bm25")
    assert hits[0].doc_id == "N1" and not hits[0].matched_fields
    named = index.search_documents("价格", k=2, mode="bm25")  # the loss reason's own word: a match
    assert [(m.field, m.value) for m in named[0].matched_fields] == [("loss_reason", "价格")]


def test_a_value_the_best_text_matches_avoid_loses_its_lift() -> None:
    """The field boost needs the content's consent: a value (however similar to the query) that the
    documents matching best by their text avoid beyond chance gets no lift; one they hold keeps it; and a
    content ranking that says little (the best matches mix the values as chance would) leaves lifts whole."""
    from knowledge.doc_search import FIELD_WEIGHT, FieldShare, SearchColumns, field_boosts

    rows = [
        (f"note:D{i}#0", "t", "call_note", "", "", "", "", o, "", "", 1, "", "en", f"D{i}#0", f"D{i}")
        for i, o in enumerate(["a"] * 20 + ["b"] * 20)
    ]
    columns = SearchColumns(rows)
    allowed = np.arange(40)
    content = np.array([0.0] * 20 + [0.03 - i * 0.001 for i in range(20)])  # the text matches only b's
    meant_a = FieldShare(field="outcome", shares={"a": 0.95, "b": 0.05})
    boosts, lifts = field_boosts([meant_a], columns, content, allowed)
    assert boosts.max() < 0.001 * FIELD_WEIGHT and lifts["outcome"].get("a", 0.0) < 0.001  # 0 of 16: p < 1e-4
    meant_b = FieldShare(field="outcome", shares={"a": 0.05, "b": 0.95})
    boosts, lifts = field_boosts([meant_b], columns, content, allowed)
    assert boosts[20:] == pytest.approx([FIELD_WEIGHT * 0.9] * 20) and not boosts[:20].any()
    assert lifts["outcome"] == {"b": pytest.approx(0.9)}
    mixed = np.array([0.03 - i * 0.001 if i % 2 else 0.0 for i in range(20)] * 2)  # a and b alike
    boosts, lifts = field_boosts([meant_a], columns, mixed, allowed)
    assert lifts["outcome"] == {"a": pytest.approx(0.9)} and boosts[:20] == pytest.approx(
        [FIELD_WEIGHT * 0.9] * 20
    )


def test_a_value_is_compared_by_the_parts_no_other_value_shares() -> None:
    from knowledge.doc_search import distinctive_parts

    values = [
        "process paused - customer needs to consider the offer",
        "process paused - customer needs to collect more information",
        "customer not interested",
        "no quote - ineligible customer",
        "暂停：客户要考虑",
        "暂停：客户要补充资料",
    ]
    assert distinctive_parts(values) == [
        ["customer needs to consider the offer"],
        ["customer needs to collect more information"],
        ["customer not interested"],
        ["no quote", "ineligible customer"],
        ["客户要考虑"],
        ["客户要补充资料"],
    ]
    assert distinctive_parts(["a - b", "a - b"]) == [["a - b"], ["a - b"]]  # nothing distinctive: whole


def test_filter_values_are_forgiving_and_a_wrong_one_names_the_values(index: DocumentIndex) -> None:
    resolved = index.resolve_filters(SearchFilters(outcome="PAUSED", region="east"))
    assert resolved.outcome == PAUSED and resolved.region == "East"
    both = index.resolve_filters(SearchFilters(outcome="customer"))
    assert set(both.values("outcome")) == {NOT_INTERESTED, INELIGIBLE, PAUSED}
    with pytest.raises(InputError, match="no document has outcome 'bought'") as err:
        index.resolve_filters(SearchFilters(outcome="bought"))
    assert NOT_INTERESTED in (err.value.hint or "")
    assert index.field_values("outcome") == {PAUSED: 4, NOT_INTERESTED: 4, INELIGIBLE: 4}


def test_dry_run_writes_nothing_and_progress_counts_every_chunk(tmp_path: Path) -> None:
    from fupan.settings import load_settings

    idx = DocumentIndex(load_settings(workspace=tmp_path / "ws"))
    try:
        planned = idx.add_documents(CALLS, dry_run=True)
        assert (
            planned.dry_run and planned.documents_added == len(CALLS) and planned.chunks_planned > len(CALLS)
        )
        assert planned.fields == {"outcome": 12, "region": 14, "date": 14, "stage": 2, "loss_reason": 2}
        assert idx.count() == 0 and idx._embedder is None  # noqa: SLF001 - no model was even loaded
        seen: list[tuple[int, int]] = []
        idx.settings = idx.settings.model_copy(
            update={"embeddings": idx.settings.embeddings.model_copy(update={"commit_every": 5})}
        )
        done = idx.add_documents(CALLS, progress=lambda n, total: seen.append((n, total)))
        assert done.chunks_added == planned.chunks_planned == idx.count() == idx.vectors.count()
        assert seen[0] == (0, done.chunks_added) and seen[-1] == (done.chunks_added, done.chunks_added)
        assert [n for n, _ in seen] == sorted(n for n, _ in seen) and len(seen) > 3
    finally:
        idx.close()


def test_equal_scores_rank_in_evidence_id_order_whatever_the_ingest_order(tmp_path: Path) -> None:
    """Ingest order (batches group documents of similar length) must not decide a ranking: BM25 ties are
    ranked by evidence id, so the same notes ingested in two orders rank the same."""
    from fupan.settings import load_settings

    texts = {f"T{i}": f"Budget frozen until next year, note {i}." for i in range(6)}
    texts |= {"A0": "Budget frozen until next year; the procurement team will revisit the budget."}
    rankings = []
    for name, order in (("forward", sorted(texts)), ("backward", sorted(texts, reverse=True))):
        idx = DocumentIndex(load_settings(workspace=tmp_path / name))
        try:
            for doc_id in order:  # one call per note: catalogue positions follow this order
                idx.add_documents([Document(doc_id=doc_id, kind="call_note", text=texts[doc_id])])
            rankings.append([h.evidence_id for h in idx.search("budget frozen", k=7, mode="bm25")])
        finally:
            idx.close()
    assert rankings[0] == rankings[1]
    ties = [e for e in rankings[0] if e.startswith("note:T")]
    assert ties == sorted(ties) and len(ties) == 6


@pytest.mark.parametrize(
    ("query", "outcome"),
    [
        ("leads who are still on the fence", PAUSED),  # no passage and no label has these words
        ("客户还在犹豫，没拿定主意", PAUSED),
        ("callers who didn't qualify", INELIGIBLE),
        ("客户说不需要", NOT_INTERESTED),
    ],
)
def test_an_outcome_named_in_other_words_finds_its_calls(
    index: DocumentIndex, query: str, outcome: str
) -> None:
    """The words managers use for an outcome (knowledge/field_intents.py) reach the stored label by meaning."""
    hits = index.search_documents(query, k=4, mode="hybrid")
    assert {h.doc_id for h in hits} == BY_OUTCOME[outcome]


def test_an_outcome_the_query_names_reaches_a_one_word_value() -> None:
    """A one-word value ('buy') gets the field's neutral similarity to the query (any short query is close to
    it), but the outcome the query names ('customer bought') is compared with it like any other value."""
    from knowledge.doc_search import field_shares

    values = ["customer not interested", "no quote - ineligible customer", "buy"]
    query_similarity = np.array([0.85, 0.84, 0.95])
    plain = field_shares("outcome", values, query_similarity, "签单成功的录音")
    assert max(plain.shares, key=plain.shares.__getitem__) == "customer not interested"
    named = field_shares(
        "outcome",
        values,
        query_similarity,
        "签单成功的录音",
        meant=np.array([0.86, 0.85, 0.92]),
        meant_weight=0.5,
    )
    assert max(named.shares, key=named.shares.__getitem__) == "buy" and named.boost("buy") > 0.5


def test_the_outcome_cues_are_embedded_at_ingest_and_kept(index: DocumentIndex) -> None:
    """Documents with outcome fields: ingest embeds the field-intent cues once (batched) and keeps them beside
    the catalogue, so the first search does not pay for them; they are the cues' own query embeddings."""
    from knowledge.field_intents import cues

    path = index.settings.docs_path / "intent_cues.npz"
    assert path.is_file()
    texts, owner = cues()
    with np.load(path) as held:
        vectors = held["vectors"]
    assert vectors.shape == (len(texts), index.embedder.dimension) and len(owner) == len(texts)
    assert float(vectors[0] @ index.embedder.query(texts[0])) > 0.999
    fresh = DocumentIndex(index.settings, embedder=index.embedder)
    assert np.array_equal(fresh._cue_vectors()[0], vectors)  # read back, not embedded again
    fresh.close()


def test_a_value_is_described_by_how_its_documents_end() -> None:
    """A value's closing direction: the mean closing vector of its documents minus that of all documents,
    shrunk by n / (n + CLOSING_SHRINK) so a value few documents have speaks less loudly."""
    from knowledge.doc_search import CLOSING_SHRINK, closing_directions, standardized

    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    directions = closing_directions({"many": [a, a, a], "one": [b]})
    overall = (3 * a + b) / 4
    assert directions["many"] == pytest.approx((a - overall) * 3 / (3 + CLOSING_SHRINK))
    assert directions["one"] == pytest.approx((b - overall) * 1 / (1 + CLOSING_SHRINK))
    assert closing_directions({}) == {}
    assert standardized(np.array([0.2, 0.2])).tolist() == [0.0, 0.0]  # no difference: no evidence
    assert standardized(np.array([1.0, 3.0])) == pytest.approx([-1.0, 1.0])


@pytest.mark.parametrize(
    ("query", "outcome"),
    [
        ("wanted to go over the numbers at home first", PAUSED),
        ("we had no way to cover that driver", INELIGIBLE),
        ("客户让我们别再打电话了", NOT_INTERESTED),
        ("客户想回家再看看报价", PAUSED),
    ],
)
def test_a_query_is_closest_to_the_closing_of_its_outcome(
    index: DocumentIndex, query: str, outcome: str
) -> None:
    """Each outcome is also described by the last passages of its calls (in the data, not a word list), so a
    situation no cue names, in English or Chinese, points to the outcome whose calls end that way."""
    from knowledge.doc_search import standardized

    directions = index._closing_directions("outcome")
    assert set(directions) == set(ENDINGS)
    values = list(directions)
    scores = standardized(np.stack([directions[v] for v in values]) @ index._query_vector(query))
    assert values[int(np.argmax(scores))] == outcome


def test_closing_directions_are_kept_for_the_next_process(
    index: DocumentIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second index on the same knowledge base (a later CLI search) takes the directions from the file kept
    beside the catalogue, without reading any chunk vector again; a new generation reads them anew."""
    from knowledge.vector_store import VectorStore

    first = index._closing_directions("outcome")
    read: list[int] = []
    vectors = VectorStore.vectors
    monkeypatch.setattr(VectorStore, "vectors", lambda self, ids: read.append(len(ids)) or vectors(self, ids))
    later = DocumentIndex(index.settings)
    kept = later._closing_directions("outcome")
    assert not read
    assert set(kept) == set(first) and all(np.allclose(kept[v], first[v]) for v in first)
    monkeypatch.setattr(later._catalogue, "generation", lambda: "another")
    assert set(later._closing_directions("outcome")) == set(first)
    assert read  # read from the chunks again for the new generation
