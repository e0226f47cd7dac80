"""Filters named in a search query: periods by the period finder `ask` uses (ranges, since/before), regions,
reps, products and customers by the values in the sales data and the notes; the rest is what is searched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.search_scope import scope_of
from knowledge.deps import Deps
from knowledge.documents import Document, SearchFilters

FIXTURES = Path(__file__).parent / "fixtures" / "sales"
NOTES = [
    Document(doc_id="A", kind="call_note", region="华东", rep="张三", text="客户说价格太贵。", date=dt.date(2026, 8, 1)),
    Document(doc_id="B", kind="call_note", region="华南", customer="客户乙", text="预算冻结。", date=dt.date(2026, 5, 1)),
]


@pytest.fixture(scope="module")
def deps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    from fupan.settings import load_settings

    d = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("scope") / "ws"))
    d.sales.import_file(FIXTURES / "opportunities_zh.csv", "opportunities")
    d.docs.add_documents(NOTES)
    from knowledge.workspace_aliases import WorkspaceAliases, save_aliases

    # the team's own English names for its regions, as any team installs them (fupan aliases FILE)
    save_aliases(d.settings, WorkspaceAliases(values={"region": {"华东": ["East"], "华南": ["South"]}}))
    yield d
    d.close()


@pytest.mark.parametrize(
    ("query", "searched", "filters"),
    [
        ("上季度华东客户怎么说价格", "客户怎么说价格", {"region": "华东", "period_from": "2026Q2", "period_to": "2026Q2"}),
        ("what did customers in East say about price last quarter?", "what did customers say about price?",
         {"region": "华东", "period_from": "2026Q2", "period_to": "2026Q2"}),
        ("张三 2026年7月以来的跟进", "跟进", {"rep": "张三", "period_from": "2026-07"}),
        ("calls since July 2026 about budget", "calls about budget", {"period_from": "2026-07"}),
        ("budget talks before 2026Q3", "budget talks", {"period_to": "2026Q2"}),
        ("budget after 2026-05", "budget", {"period_from": "2026-06"}),
        ("customers who turned us down in April to June 2026", "customers who turned us down",
         {"period_from": "2026-04", "period_to": "2026-06"}),
        ("客户乙的预算问题", "预算问题", {"customer": "客户乙"}),
        ("竞品降价", "竞品降价", {}),
    ],
)  # fmt: skip
def test_filters_read_from_the_query(deps: Deps, query: str, searched: str, filters: dict[str, str]) -> None:
    scope = scope_of(query, deps)
    assert scope.query == searched
    assert scope.filters.model_dump(exclude_none=True) == filters
    assert all(word in query for word in scope.used)


def test_options_win_and_the_reading_is_restated(deps: Deps) -> None:
    scope = scope_of("华南客户的价格顾虑", deps, base=SearchFilters(region="华东"))
    assert scope.filters.region == "华东" and scope.named == {"region": ["华南"]}  # named, not applied
    zh = scope_of("上季度华东客户怎么说价格", deps)
    assert zh.restatement == "按 区域=华东，期间 2026Q2 搜索：客户怎么说价格"
    en = scope_of("price complaints in East since 2026-07", deps)
    assert en.restatement == "Searched for 'price complaints' in region=华东, period 2026-07–now"


def test_a_named_value_the_notes_cannot_filter_is_said_not_dropped(tmp_path: Path) -> None:
    from fupan.settings import load_settings

    d = Deps(settings=load_settings(workspace=tmp_path / "ws"))
    try:
        d.sales.import_file(FIXTURES / "opportunities_zh.csv", "opportunities")
        d.docs.add_documents([Document(doc_id="X", kind="call_note", text="客户说价格太贵。")])  # no region
        scope = scope_of("华东客户怎么说价格", d)
        assert scope.filters.region is None and scope.not_applied == ["区域 华东"]
        assert "未按其筛选：区域 华东" in scope.restatement
    finally:
        d.close()


def test_a_search_that_finds_nothing_says_why(deps: Deps) -> None:
    from agent.note_search import search_notes

    result = search_notes(deps, "华南客户怎么说价格", filters=SearchFilters(period_from="2026Q3"))
    assert result.documents == [] and result.filters.region == "华南"
    assert result.message == "在 区域=华南，2026Q3–… 范围内没有找到相关内容（笔记日期 2026-05-01 至 2026-08-01）。"
    found = search_notes(deps, "华南客户怎么说价格")
    assert [d.doc_id for d in found.documents] == ["B"] and not found.message
