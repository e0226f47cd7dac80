"""The retrieval eval on the sample company's notes: recall@5 and MRR for vector, BM25 and hybrid search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evals.retrieval import load_queries, read_notes, relevant_ids, table
from fupan.settings import load_settings
from knowledge.deps import Deps


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from evals.sample_company import generate

    return generate(tmp_path_factory.mktemp("company"), seed=7)


@pytest.fixture(scope="module")
def result(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from evals.retrieval import evaluate_retrieval

    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("ws")))
    yield evaluate_retrieval(deps, company)
    deps.close()


def test_the_query_set_is_labelled_from_the_generator(company: Path) -> None:
    queries = load_queries()
    notes = read_notes(company)
    assert len(queries) >= 60
    assert {q.type for q in queries} == {"zh-zh", "en-en", "cross", "paraphrase"}
    assert len({q.id for q in queries}) == len(queries)
    for q in queries:
        relevant = relevant_ids(q, notes)
        assert relevant, f"{q.id} has no relevant note in the sample company"
        assert len(relevant) < len(notes) / 2, f"{q.id} is too broad to measure anything"
    cross = [q for q in queries if q.type == "cross"]
    # a cross-language query has relevant notes in the other language
    by_id = {n["note_id"]: n for n in notes}
    assert all(any(by_id[i]["language"] != q.lang for i in relevant_ids(q, notes)) for q in cross)


def test_hybrid_recall_at_5(result: dict[str, Any]) -> None:
    print()
    print(f"{result['queries']} queries over {result['notes_indexed']} notes")
    print(table(result))
    assert result["notes_indexed"] >= 300
    assert result["hybrid"]["recall@5"] >= 0.9
    assert result["recall@5"] == result["hybrid"]["recall@5"]  # the headline the scorecard reads
    # fusion earns its keep: hybrid beats either list alone
    assert result["hybrid"]["recall@5"] > max(result["vector"]["recall@5"], result["bm25"]["recall@5"])
    assert result["hybrid"]["cross_xhit@5"] > result["vector"]["cross_xhit@5"]
