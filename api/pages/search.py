"""Searching call and visit notes, past reviews, lessons and action items, with filters for period, region, rep,
customer and kind. A team-scoped caller searches its own region only.

`find_documents` is the one call into the knowledge base, so it can be swapped for the knowledge layer's own
search function (POST /documents/search) when that lands, without touching the screen.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.base import Page, guarded, page_of, render
from knowledge.documents import DOC_KINDS, SearchFilters, SearchHit

router = APIRouter()
MAX_QUERY = 500


def find_documents(page: Page, query: str, filters: SearchFilters, *, k: int = 20) -> list[SearchHit]:
    """Hybrid search (vector + BM25) over the knowledge base, within the caller's team."""
    if page.user.team:
        filters = filters.model_copy(update={"region": page.user.team})
    with page.service.lock:
        return page.service.deps.docs.search(query, k=k, filters=filters)


@router.get("/search", response_class=HTMLResponse)
@guarded
def search(
    request: Request,
    q: str = "",
    kind: str = "",
    period: str = "",
    region: str = "",
    rep: str = "",
    customer: str = "",
) -> Response:
    page = page_of(request)
    query = q.strip()[:MAX_QUERY]
    chosen = {
        "kind": kind if kind in DOC_KINDS else "",
        "period": period.strip()[:20],
        "region": page.user.team or region.strip()[:80],
        "rep": rep.strip()[:80],
        "customer": customer.strip()[:120],
    }
    hits: list[SearchHit] = []
    if query:
        filters = SearchFilters(
            kinds=[chosen["kind"]] if chosen["kind"] else None,
            period_from=chosen["period"] or None,
            period_to=chosen["period"] or None,
            region=chosen["region"] or None,
            rep=chosen["rep"] or None,
            customer=chosen["customer"] or None,
        )
        hits = find_documents(page, query, filters)
    return render(page, "search.html.j2", q=query, hits=hits, chosen=chosen, kinds=DOC_KINDS)


@router.get("/lessons", response_class=HTMLResponse)
@guarded
def lessons(request: Request, q: str = "") -> Response:
    """Lessons for a campaign brief (the approved lessons and past actions that apply, and why)."""
    page = page_of(request)
    brief = q.strip()[:MAX_QUERY]
    matches = page.service.search_lessons(page.user, brief, k=8) if brief else []
    approved = page.service.list_lessons(page.user)
    return render(page, "lessons.html.j2", q=brief, matches=matches, approved=approved)
