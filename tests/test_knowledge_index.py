"""DocumentIndex: metadata filters, cross-language search, deletes from both indexes, approval, one model."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from fupan.errors import Conflict, InputError
from fupan.settings import Settings, load_settings
from knowledge.chunking import detect_language
from knowledge.doc_index import DocumentIndex
from knowledge.documents import Document, SearchFilters
from knowledge.documents_catalogue import SEARCH_COLUMNS
from knowledge.vector_store import VectorStore

CORPUS = [
    Document(
        doc_id="A1",
        kind="call_note",
        region="华东",
        rep="王伟",
        customer="星河科技",
        date=dt.date(2026, 7, 10),
        text="客户说我们的报价比竞品高了15%，要求降价后再谈。",
    ),
    Document(
        doc_id="A2",
        kind="call_note",
        region="华南",
        rep="李娜",
        customer="Harbor Logistics",
        date=dt.date(2026, 8, 5),
        text="The customer said the competitor cut its price by 20% and asked us to match it.",
    ),
    Document(
        doc_id="A3",
        kind="visit_note",
        region="华北",
        rep="张强",
        customer="北辰制造",
        date=dt.date(2026, 4, 12),
        text="拜访时客户提到预算冻结，采购要等到明年才能审批。",
    ),
    Document(
        doc_id="A4",
        kind="visit_note",
        region="华东",
        rep="王伟",
        customer="星河科技",
        date=dt.date(2026, 9, 20),
        text="Their IT team needs single sign-on integration; our product lacks it, a feature gap.",
    ),
    Document(
        doc_id="A5",
        kind="call_note",
        region="华南",
        rep="李娜",
        customer="海岸物流",
        date=dt.date(2025, 11, 3),
        text="客户对上次的实施非常满意，愿意把我们介绍给两家同行企业。",
    ),
    Document(
        doc_id="A6",
        kind="call_note",
        region="华北",
        rep="张强",
        customer="北辰制造",
        date=dt.date(2026, 7, 22),
        text="The decision keeps slipping: the CFO wants another round of approvals before signing.",
    ),
    Document(
        doc_id="L1",
        kind="lesson",
        region="华东",
        period="2026Q2",
        text="教训：面对竞品降价，先讲总拥有成本和服务价值，再谈折扣。",
    ),
    Document(
        doc_id="R1",
        kind="review",
        region="华北",
        period="2026Q2",
        text="2026Q2 华北复盘：目标达成率 82%，主要缺口来自大客户预算推迟。",
    ),
]
BY_ID = {d.doc_id: d for d in CORPUS}


def _settings(folder: Path, **extra: object) -> Settings:
    return load_settings(workspace=folder, **extra)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocumentIndex]:
    idx = DocumentIndex(_settings(tmp_path_factory.mktemp("kb")))
    idx.add_documents(CORPUS, approved=True)
    yield idx
    idx.close()


def _quarter_days(doc: Document) -> dt.date | None:
    if doc.date:
        return doc.date
    year, q = int(doc.period[:4]), int(doc.period[-1])
    return dt.date(year, 3 * q - 2, 1)


FILTER_CASES = [
    (SearchFilters(kinds=["visit_note"]), lambda d: d.kind == "visit_note"),
    (SearchFilters(kinds=["call_note", "lesson"]), lambda d: d.kind in ("call_note", "lesson")),
    (SearchFilters(region="华东"), lambda d: d.region == "华东"),
    (SearchFilters(rep="李娜"), lambda d: d.rep == "李娜"),
    (SearchFilters(customer="北辰制造"), lambda d: d.customer == "北辰制造"),
    (
        SearchFilters(period_from="2026Q3", period_to="2026Q3"),
        lambda d: dt.date(2026, 7, 1) <= _quarter_days(d) <= dt.date(2026, 9, 30),
    ),
    (
        SearchFilters(period_from="2026Q2"),
        lambda d: _quarter_days(d) >= dt.date(2026, 4, 1),
    ),
    (
        SearchFilters(period_to="2025Q4", kinds=["call_note"]),
        lambda d: _quarter_days(d) <= dt.date(2025, 12, 31) and d.kind == "call_note",
    ),
    (SearchFilters(region="华北", rep="张强", kinds=["call_note"]), lambda d: d.doc_id == "A6"),
]


@pytest.mark.parametrize("post_filter", [False, True], ids=["chroma-where", "masked-overfetch"])
@pytest.mark.parametrize(("filters", "keep"), FILTER_CASES)
def test_filters_hold_in_every_mode(
    index: DocumentIndex, filters: SearchFilters, keep, post_filter: bool, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    if post_filter:  # large indexes mask an over-fetched vector ranking instead of Chroma's `where`
        monkeypatch.setattr("knowledge.doc_index._POST_FILTER_MIN", 1)
    allowed = {d.doc_id for d in CORPUS if keep(d)}
    assert allowed  # every case selects something
    vector = {
        h.doc_id for h in index.search("客户 price 预算 decision", k=50, mode="vector", filters=filters)
    }
    assert vector == allowed  # k exceeds the corpus: exactly the filtered documents come back
    for mode in ("bm25", "hybrid"):
        for query in ("价格 预算 客户", "price decision customer"):
            hits = index.search(query, k=50, mode=mode, filters=filters)
            assert {h.doc_id for h in hits} <= allowed


def test_a_bad_period_label_is_a_clear_error(index: DocumentIndex) -> None:
    with pytest.raises(InputError, match="not a period"):
        index.search("价格", filters=SearchFilters(period_from="next spring"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("竞争对手降价了，客户要求我们跟进价格", "A2"),  # zh → en
        ("budget frozen, procurement waits until next year", "A3"),  # en → zh
        ("happy customer will refer us to peers", "A5"),  # en → zh
        ("客户的决策一再推迟，财务要再审批一轮", "A6"),  # zh → en
        ("缺少单点登录功能", "A4"),  # zh → en
    ],
)
@pytest.mark.parametrize("mode", ["vector", "hybrid"])
def test_cross_language_search(index: DocumentIndex, query: str, expected: str, mode: str) -> None:
    """Among the documents in the other language, the one on the query's topic ranks first."""
    hits = index.search(query, k=len(CORPUS), mode=mode)  # type: ignore[arg-type]
    other = [h.doc_id for h in hits if h.metadata["language"] != detect_language(query)]
    assert other and other[0] == expected, [h.doc_id for h in hits]


def test_bm25_finds_domain_words_segmented_by_the_user_dictionary(index: DocumentIndex) -> None:
    hits = index.search("报价", k=3, mode="bm25")
    assert hits and hits[0].doc_id == "A1"
    assert all(h.evidence_id.startswith(("note:", "lesson:")) for h in hits)


def test_lessons_are_cited_as_lesson_ids(index: DocumentIndex) -> None:
    hits = index.search("竞品降价怎么办", k=3, filters=SearchFilters(kinds=["lesson"]))
    assert [h.evidence_id for h in hits] == ["lesson:L1"]
    assert hits[0].metadata["period"] == "2026Q2"


@pytest.fixture
def fresh(settings: Settings) -> Iterator[DocumentIndex]:
    idx = DocumentIndex(settings)
    yield idx
    idx.close()


@pytest.mark.parametrize("kind", ["lesson", "review", "action_item"])
def test_only_approved_lessons_and_reviews_enter(fresh: DocumentIndex, kind: str) -> None:
    doc = Document(doc_id="X1", kind=kind, text="经验：先讲价值再谈折扣。")  # type: ignore[arg-type]
    note = Document(doc_id="X2", kind="call_note", text="客户问能否给点折扣。")
    with pytest.raises(InputError, match="not approved"):
        fresh.add_documents([note, doc])
    assert fresh.count() == 0  # the whole batch is refused, not half of it
    fresh.add_documents([note, doc], approved=True)
    assert {h.kind for h in fresh.search("折扣", k=5, mode="bm25")} == {kind, "call_note"}


def test_delete_removes_chunks_from_chroma_and_bm25(fresh: DocumentIndex) -> None:
    fresh.add_documents(CORPUS[:4])
    before = fresh.vectors.count()
    gone = len(fresh._catalogue.chunk_ids("A3"))  # noqa: SLF001 - the chunk count to expect
    assert fresh.delete_document("A3") == gone >= 1
    assert fresh.vectors.count() == before - gone == fresh.count()
    assert fresh.get("note:A3#0") is None
    assert all(h.doc_id != "A3" for h in fresh.search("预算冻结 审批", k=10, mode="bm25"))
    assert all(h.doc_id != "A3" for h in fresh.search("预算冻结", k=10, mode="vector"))
    assert fresh.delete_document("no-such-doc") == 0
    fresh.add_documents([BY_ID["A3"]])  # re-adding after a delete indexes it again
    assert fresh.search("预算冻结", k=1, mode="bm25")[0].doc_id == "A3"


class _OtherModel:
    """A stand-in second embedding model (hashing vectors): only its name and dimension matter here."""

    model = "other-embedder"
    dimension = 8

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.query(t) for t in texts]) if texts else np.zeros((0, 8), np.float32)

    def query(self, text: str) -> np.ndarray:
        digest = hashlib.sha256(text.encode()).digest()[:8]
        vec = np.frombuffer(digest, dtype=np.uint8).astype(np.float32) + 1
        return vec / np.linalg.norm(vec)


def test_refuses_to_mix_two_embedding_models(settings: Settings) -> None:
    first = DocumentIndex(settings)
    first.add_documents(CORPUS[:2])
    first.close()
    other = DocumentIndex(settings, embedder=_OtherModel())
    with pytest.raises(Conflict, match="multilingual-e5-small"):
        other.add_documents([CORPUS[2]])
    with pytest.raises(Conflict):
        other.search("价格", mode="vector")
    assert other.count() == 2
    other.close()
    with pytest.raises(Conflict, match="dimension"):  # the collection itself records model and dimension
        VectorStore(settings, "multilingual-e5-small", 768)


def test_an_empty_index_may_switch_models(settings: Settings) -> None:
    idx = DocumentIndex(settings, embedder=_OtherModel())
    idx.add_documents(CORPUS[:3])
    assert idx.vectors.count() == 3
    assert idx.delete_document("A1") + idx.delete_document("A2") + idx.delete_document("A3") == 3
    idx.close()
    again = DocumentIndex(settings)
    again.add_documents(CORPUS[:1])
    assert again.search("报价", k=1, mode="vector")[0].doc_id == "A1"
    again.close()


def test_a_catalogue_from_before_the_tokens_and_language_columns_still_searches(settings: Settings) -> None:
    import json
    import sqlite3

    path = settings.docs_path / "catalogue.sqlite"
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE docs (doc_id TEXT PRIMARY KEY, kind TEXT, hash TEXT, source TEXT, doc_json TEXT);"
        "CREATE TABLE chunks (pos INTEGER PRIMARY KEY AUTOINCREMENT, evidence_id TEXT UNIQUE, doc_id TEXT,"
        " n INTEGER, text TEXT, kind TEXT, region TEXT, rep TEXT, customer TEXT, product TEXT, day INTEGER,"
        " meta_json TEXT);"
    )
    db.execute(
        "INSERT INTO chunks (evidence_id, doc_id, n, text, kind, region, rep, customer, product, day, meta_json)"
        " VALUES ('note:old#0', 'old', 0, '客户说报价太高。', 'call_note', '华东', '', '', '', -1, ?)",
        [json.dumps({"language": "zh"})],
    )
    db.commit()
    db.close()
    idx = DocumentIndex(settings)
    row = dict(zip(SEARCH_COLUMNS, idx._catalogue.all_chunks()[0], strict=True))  # noqa: SLF001
    assert row["language"] == "zh"  # the migrated language column
    assert row["vector_id"] == "note:old#0" and row["outcome"] == ""  # vectors stored by evidence id then
    assert [h.evidence_id for h in idx.search("报价", k=3, mode="bm25")] == ["note:old#0"]
    idx.close()
