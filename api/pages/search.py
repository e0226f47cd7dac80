"""Searching call and visit notes, past reviews, lessons and action items: whole calls and notes ranked by their best
passages (the same search as `fupan search` and POST /documents/search, agent/note_search.py), each shown once with
its date, customer, rep and outcome, its best passages with the matching words marked, and their citation ids.
Filters come from the form and from the query itself ("上季度华东客户怎么说价格"), and the page restates how it read
the query. A team-scoped caller searches its own region only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from agent.note_search import SearchResult
from api.pages.base import Page, guarded, page_of, render
from knowledge.documents import DOC_KINDS, SearchFilters, SearchHit

router = APIRouter()
MAX_QUERY = 500
SHOWN = 320  # characters of a passage shown around its first matching word
FACTS = ("date", "customer", "rep", "region", "product", "outcome", "stage", "loss_reason")


def find_documents(page: Page, query: str, filters: SearchFilters, *, k: int = 10) -> SearchResult:
    """Whole documents for the query within the caller's team (the service refuses another team's region)."""
    return page.service.search_documents(page.user, query, filters, limit=k, passages=3)


def marked(hit: SearchHit) -> list[tuple[str, bool]]:
    """The passage as (text, matches) pieces around its first matching word, for <mark> in the template."""
    text = hit.text
    start = max(0, hit.highlights[0][0] - 80) if hit.highlights else 0
    end = min(len(text), start + SHOWN)
    pieces: list[tuple[str, bool]] = [("…", False)] if start else []
    cursor = start
    for a, b in sorted(hit.highlights):
        if b <= cursor or a >= end:
            continue
        if a > cursor:
            pieces.append((text[cursor:a], False))
        pieces.append((text[max(a, cursor) : min(b, end)], True))
        cursor = min(b, end)
    pieces.append((text[cursor:end] + ("…" if end < len(text) else ""), False))
    return [(piece, match) for piece, match in pieces if piece]


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
    outcome: str = "",
) -> Response:
    page = page_of(request)
    query = q.strip()[:MAX_QUERY]
    chosen = {
        "kind": kind if kind in DOC_KINDS else "",
        "period": period.strip()[:20],
        "region": page.user.team or region.strip()[:80],
        "rep": rep.strip()[:80],
        "customer": customer.strip()[:120],
        "outcome": outcome.strip()[:120],
    }
    result: SearchResult | None = None
    if query:
        filters = SearchFilters(
            kinds=[chosen["kind"]] if chosen["kind"] else None,
            period_from=chosen["period"] or None,
            period_to=chosen["period"] or None,
            region=chosen["region"] or None,
            rep=chosen["rep"] or None,
            customer=chosen["customer"] or None,
            outcome=chosen["outcome"] or None,
        )
        result = find_documents(page, query, filters)
    return render(
        page,
        "search.html.j2",
        q=query,
        result=result,
        chosen=chosen,
        kinds=DOC_KINDS,
        facts=FACTS,
        marked=marked,
    )


@router.get("/lessons", response_class=HTMLResponse)
@guarded
def lessons(request: Request, q: str = "") -> Response:
    """Lessons for a campaign brief (the approved lessons and past actions that apply, and why)."""
    page = page_of(request)
    brief = q.strip()[:MAX_QUERY]
    matches = page.service.search_lessons(page.user, brief, k=8) if brief else []
    approved = page.service.list_lessons(page.user)
    return render(page, "lessons.html.j2", q=brief, matches=matches, approved=approved)
