"""POST /documents/search: whole documents with passages and citations, the same keys, roles and team scopes
as the rest of the API (a team key searches its own team's notes and cannot name another team)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from api_world import World, build_world

from knowledge.documents import Document

NOTES = [
    ("E1", "华东", "客户说我们的报价太高，竞品便宜了15%。", "customer not interested", dt.date(2026, 8, 3)),
    ("E2", "华东", "The customer wants to think about the offer and call back next week.", "paused", dt.date(2026, 7, 9)),
    ("S1", "华南", "客户嫌价格贵，要求再打九折。", "customer not interested", dt.date(2026, 8, 12)),
    ("S2", "华南", "Budget frozen until next year; procurement will revisit.", "paused", dt.date(2026, 5, 20)),
    ("C1", "", "全公司：价格异议增多，需要统一报价策略。", "", dt.date(2026, 8, 30)),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for w in build_world(tmp_path_factory.mktemp("docsearch")):
        docs = [
            Document(doc_id=i, kind="call_note", region=r, text=t, outcome=o, date=d) for i, r, t, o, d in NOTES
        ]
        w.deps.docs.add_documents(docs)
        yield w


def _search(world: World, who: str, **body: object) -> tuple[int, dict]:
    r = world.client.post("/documents/search", headers=world.h(who), json=body)
    return r.status_code, r.json()


def test_needs_a_key_and_any_role_may_search(world: World) -> None:
    assert world.client.post("/documents/search", json={"query": "价格"}).status_code == 401
    status, body = _search(world, "viewer", query="价格", limit=10)
    assert status == 200
    found = [d["doc_id"] for d in body["documents"]]
    assert {"E1", "S1", "C1"} <= set(found)  # company-wide keys see every team and company-wide notes
    first = body["documents"][0]
    assert first["passages"] and first["evidence_ids"] == [p["evidence_id"] for p in first["passages"]]
    assert all(e.startswith(f"note:{first['doc_id']}#") for e in first["evidence_ids"])
    assert any(first["passages"][0]["text"][a:b] for a, b in first["passages"][0]["highlights"])


def test_a_team_key_searches_its_own_team_only(world: World) -> None:
    status, body = _search(world, "east_analyst", query="价格 price offer budget", limit=10)
    assert status == 200
    assert {d["doc_id"] for d in body["documents"]} <= {"E1", "E2"}
    assert body["documents"] and body["filters"]["region"] == "华东"
    status, body = _search(world, "south_viewer", query="价格", limit=10)
    assert status == 200 and {d["doc_id"] for d in body["documents"]} <= {"S1", "S2"}


def test_a_team_key_cannot_name_another_team(world: World) -> None:
    status, body = _search(world, "east_analyst", query="价格", region="华南")
    assert status == 403 and "华东" in body["detail"]
    status, body = _search(world, "east_analyst", query="华南客户怎么说价格")
    assert status == 403 and "华南" in body["detail"]
    status, body = _search(world, "east_analyst", query="华东客户怎么说价格")
    assert status == 200 and body["documents"][0]["doc_id"] == "E1"
    assert {d["region"] for d in body["documents"]} == {"华东"}


def test_filters_named_in_the_query_are_applied_and_restated(world: World) -> None:
    status, body = _search(world, "viewer", query="2026年8月华南客户怎么说价格")
    assert status == 200
    assert body["filters"]["region"] == "华南" and body["filters"]["period_from"] == "2026-08"
    assert [d["doc_id"] for d in body["documents"]] == ["S1"]  # S2 is South but dated May
    assert "华南" in body["restatement"] and "2026-08" in body["restatement"]
    assert body["searched"] == "客户怎么说价格"


def test_outcome_is_a_filter_and_a_bad_value_names_the_values(world: World) -> None:
    status, body = _search(world, "viewer", query="customer", outcome="PAUSED", mode="bm25")
    assert status == 200
    assert {d["doc_id"] for d in body["documents"]} <= {"E2", "S2"} and body["documents"]
    assert all(d["outcome"] == "paused" for d in body["documents"])
    status, body = _search(world, "viewer", query="价格", outcome="bought")
    assert status == 422
    assert "bought" in body["detail"] and "customer not interested" in body["hint"]


def test_chunks_for_the_analyst_and_a_bad_body(world: World) -> None:
    status, body = _search(world, "viewer", query="budget frozen", chunks=True, limit=2, mode="bm25")
    assert status == 200 and body["chunks"][0]["evidence_id"] == "note:S2#0" and not body["documents"]
    status, _ = _search(world, "viewer", query="x", limit=0)
    assert status == 422
    status, _ = _search(world, "viewer", query="x", unknown_field=1)
    assert status == 422
