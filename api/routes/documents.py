"""Search the knowledge base's notes, calls and reviews: whole documents with their best passages, cited."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.note_search import SearchResult
from api.auth import Caller, ServiceDep
from knowledge.documents import DocKind, SearchFilters

router = APIRouter(prefix="/documents", tags=["documents"])
_Value = Field(None, max_length=200)


class DocumentSearch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "上季度华东客户怎么说价格", "limit": 5},
                {"query": "customer wants to think it over", "outcome": "paused", "period_from": "2025Q1"},
            ]
        },
    )

    query: str = Field(..., min_length=1, max_length=2000, description="words; filters it names are applied")
    kinds: list[DocKind] | None = Field(None, max_length=5, description="document kinds; default all")
    period: str | None = Field(None, max_length=20, description="one period, e.g. 2026Q3 or 2026-07")
    period_from: str | None = Field(None, max_length=20)
    period_to: str | None = Field(None, max_length=20)
    region: str | None = _Value
    rep: str | None = _Value
    customer: str | None = _Value
    product: str | None = _Value
    outcome: str | None = Field(None, max_length=200, description="a stored outcome or part of one")
    stage: str | None = _Value
    loss_reason: str | None = _Value
    limit: int = Field(10, ge=1, le=100, description="how many documents (or chunks)")
    passages: int = Field(3, ge=0, le=10, description="best passages shown per document")
    mode: Literal["hybrid", "vector", "bm25"] = "hybrid"
    chunks: bool = Field(False, description="ranked chunks instead of whole documents")
    read_filters: bool = Field(True, description="apply the regions, periods... the query names")

    def filters(self) -> SearchFilters:
        fields = self.model_dump(
            include={"region", "rep", "customer", "product", "outcome", "stage", "loss_reason"}
        )
        return SearchFilters(
            kinds=list(self.kinds) if self.kinds else None,
            period_from=self.period or self.period_from,
            period_to=self.period or self.period_to,
            **fields,
        )


@router.post("/search", response_model=SearchResult)
def search_documents(body: DocumentSearch, caller: Caller, service: ServiceDep) -> SearchResult:
    """Calls and notes ranked as whole documents by their best passages and matching fields (outcome...),
    with the filters the query names read back in `restatement`. Team keys search their team's notes only."""
    return service.search_documents(
        caller,
        body.query,
        body.filters(),
        limit=body.limit,
        passages=body.passages,
        mode=body.mode,
        chunks=body.chunks,
        read_filters=body.read_filters,
    )
