"""Search notes, calls and reviews the way managers ask: whole documents, filters named in the query, cited.

`search_notes(deps, query, ...)` reads the filters the query names (agent/search_scope.py), adds the ones
given as options (they win), forgives the case and partial spelling of field values (`paused` → both
'process paused - …' outcomes), and ranks whole documents by their best passages and matching fields
(`DocumentIndex.search_documents`); `chunks=True` returns the ranked chunks instead, for the analyst.
The CLI (`fupan search`), the API (`POST /documents/search`) and the page call it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.search_scope import scope_of
from knowledge.deps import Deps
from knowledge.documents import FIELD_NAMES, DocumentHit, SearchFilters, SearchHit

Mode = Literal["hybrid", "vector", "bm25"]


class SearchResult(BaseModel):
    """A search: how the query was read, the documents found (or chunks), and why there are none."""

    query: str = Field(..., description="the query as typed")
    searched: str = Field(..., description="the words searched, after the filters it names were taken out")
    restatement: str = Field(..., description="how the query was read, in its language")
    filters: SearchFilters
    used: list[str] = Field(default_factory=list, description="words of the query read as filters")
    named: dict[str, list[str]] = Field(
        default_factory=dict, description="field → values the query names (an option may have overridden them)"
    )
    mode: Mode = "hybrid"
    documents: list[DocumentHit] = Field(default_factory=list)
    chunks: list[SearchHit] = Field(default_factory=list, description="chunk-level hits (chunks=True)")
    message: str = Field("", description="why nothing was found, when nothing was")


def search_notes(
    deps: Deps,
    query: str,
    *,
    filters: SearchFilters | None = None,
    limit: int = 10,
    mode: Mode = "hybrid",
    passages: int = 3,
    chunks: bool = False,
    read_filters: bool = True,
) -> SearchResult:
    """Documents (or chunks) for a query; see the module docstring."""
    given = deps.docs.resolve_filters(filters) if filters is not None else SearchFilters()
    if read_filters:
        scope = scope_of(query, deps, base=given)
        searched, used, final, restatement = scope.query, scope.used, scope.filters, scope.restatement
        named = scope.named
    else:
        from agent.search_scope import SearchScope, restate

        plain = SearchScope(query=query, filters=given)
        searched, used, final, restatement, named = query, [], given, restate(plain), {}
    result = SearchResult(
        query=query,
        searched=searched,
        restatement=restatement,
        filters=final,
        used=used,
        named=named,
        mode=mode,
    )
    if chunks:
        result.chunks = deps.docs.search(searched, k=limit, mode=mode, filters=final)
    else:
        result.documents = deps.docs.search_documents(
            searched, k=limit, mode=mode, filters=final, passages=passages
        )
    if not (result.chunks or result.documents):
        result.message = _why_empty(deps, final, "zh" if _is_zh(query) else "en")
    return result


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _why_empty(deps: Deps, filters: SearchFilters, language: str) -> str:
    zh = language == "zh"
    if deps.docs.count() == 0:
        return (
            "知识库还是空的；先用 fupan ingest 导入笔记。"
            if zh
            else "The knowledge base is empty; ingest notes first (fupan ingest)."
        )
    if filters.is_empty():
        return "没有找到相关内容。" if zh else "Nothing matched the query."
    named = [
        f"{FIELD_NAMES[n][0 if zh else 1]}={'/'.join(filters.values(n))}"
        for n in FIELD_NAMES
        if filters.values(n)
    ]
    if filters.period_from or filters.period_to:
        named.append(f"{filters.period_from or '…'}–{filters.period_to or '…'}")
    if filters.kinds:
        named.append("/".join(filters.kinds))
    first, last = deps.docs.date_range()
    dated = (
        f"（笔记日期 {first} 至 {last}）"
        if zh and first
        else (f" (notes are dated {first} to {last})" if first else "")
    )
    return (
        f"在 {'，'.join(named)} 范围内没有找到相关内容{dated}。"
        if zh
        else f"Nothing matched within {', '.join(named)}{dated}."
    )
