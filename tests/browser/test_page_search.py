"""The page's search (in-process, real Chroma and BM25): the same whole-document search as `fupan search` and
POST /documents/search — each call shown once with its facts, its best passages with the matching words marked
and their citation ids, the filters the query names applied and restated, the outcome as a filter, and a
regional account held to its own region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html
from page_world import Receiver, World, build_world, signed_in

from knowledge.documents import Document

NOTES = [
    ("E1", "华东", "客户说我们的报价太高，竞品便宜了15%。", "customer not interested", dt.date(2026, 8, 3)),
    (
        "E2",
        "华东",
        "The customer wants to think about the offer and call back next week.",
        "paused",
        dt.date(2026, 7, 9),
    ),
    ("S1", "华南", "客户嫌价格贵，要求再打九折。", "customer not interested", dt.date(2026, 8, 12)),
    (
        "S2",
        "华南",
        "Budget frozen until next year; procurement will revisit the price.",
        "paused",
        dt.date(2026, 5, 20),
    ),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    receiver = Receiver().start()
    w = build_world(tmp_path_factory.mktemp("page-search"), receiver)
    w.deps.docs.add_documents(
        [
            Document(doc_id=i, kind="call_note", region=r, customer=f"客户{i}", text=t, outcome=o, date=d)
            for i, r, t, o, d in NOTES
        ]
    )
    with TestClient(w.app):
        yield w
    receiver.stop()
    w.deps.close()


def _results(client: TestClient, **params: str) -> html.HtmlElement:
    r = client.get("/ui/search", params=params)
    assert r.status_code == 200, r.text[:400]
    etree.fromstring(r.text.replace("<!DOCTYPE html>", "").encode(), etree.XMLParser(recover=False))
    return html.fromstring(r.text)


def _found(doc: html.HtmlElement) -> list[str]:
    return [li.get("data-doc-id") for li in doc.xpath("//li[@class='hit']")]


def test_whole_calls_with_facts_marked_passages_and_citations(world: World) -> None:
    doc = _results(signed_in(world.app, username="guest"), q="价格")
    found = _found(doc)
    assert found and len(found) == len(set(found))  # each call once
    assert {"E1", "S1"} <= set(found)
    first = doc.xpath("//li[@class='hit']")[0]
    ids = first.get("data-evidence-ids").split()
    assert ids and all(e.startswith(f"note:{first.get('data-doc-id')}#") for e in ids)
    assert [li.get("data-evidence-id") for li in first.xpath(".//ul[@class='passages']/li")] == ids
    assert "价格" in "".join(m.text_content() for m in doc.xpath("//mark"))
    facts = first.xpath(".//p[@class='meta']")[0].text_content()
    assert "customer not interested" in facts and "2026-08" in facts and "客户" in facts


def test_filters_named_in_the_query_are_applied_and_restated(world: World) -> None:
    doc = _results(signed_in(world.app, username="guest"), q="2026年8月华南客户怎么说价格")
    assert _found(doc) == ["S1"]  # S2 is South but dated May; E1 is East
    read_as = doc.get_element_by_id("read-as").text_content()
    assert "华南" in read_as and "2026-08" in read_as


def test_outcome_and_region_from_the_form(world: World) -> None:
    client = signed_in(world.app, username="guest")
    assert set(_found(_results(client, q="price offer budget 价格", outcome="paused"))) == {"E2", "S2"}
    assert _found(_results(client, q="price offer budget 价格", outcome="paused", region="华南")) == ["S2"]


def test_a_regional_account_sees_its_region_only(world: World) -> None:
    client = signed_in(world.app, username="zhou")  # approver for 华东
    found = _found(_results(client, q="价格 price offer budget"))
    assert found and set(found) <= {"E1", "E2"}
    r = client.get("/ui/search", params={"q": "华南客户怎么说价格"})
    assert r.status_code == 403 and "华南" not in _found(html.fromstring(r.text))


def test_nothing_found_says_why(world: World) -> None:
    doc = _results(signed_in(world.app, username="guest"), q="价格", period="2025Q1")
    assert _found(doc) == []
    assert "2025" in doc.get_element_by_id("h-results").getparent().text_content()
