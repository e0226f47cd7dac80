"""Approved lessons: the list, and search for a campaign brief."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Caller, ServiceDep
from api.routes.params import Limit, Offset, PeriodFilter
from fupan.answers import LessonMatch
from knowledge.records_schemas import LessonPublic

router = APIRouter(prefix="/lessons", tags=["lessons"])


class LessonSearch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"brief": "四季度华南新品上市，重点开发新客户", "k": 5},
                {"brief": "Q1 push in the East against a competitor's price cut", "k": 3},
            ]
        },
    )

    brief: str = Field(..., min_length=1, max_length=4000, description="the campaign brief")
    k: int = Field(5, ge=1, le=50, description="how many results")


@router.get("", response_model=list[LessonPublic])
def list_lessons(
    caller: Caller,
    service: ServiceDep,
    period: PeriodFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[LessonPublic]:
    """Lessons of approved reviews (the key's team only, for team keys), newest first."""
    return service.list_lessons(caller, period=period, limit=limit, offset=offset)


@router.post("/search", response_model=list[LessonMatch])
def search_lessons(body: LessonSearch, caller: Caller, service: ServiceDep) -> list[LessonMatch]:
    """Approved lessons, reviews and past action items that apply to a brief, ranked, each with why."""
    return service.search_lessons(caller, body.brief, k=body.k)
