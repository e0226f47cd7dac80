"""Starting a review from the page: a period and a scope, drafted in the background (the same
`draft_review` the API's POST /drafts runs) while the page shows its progress; then the new draft opens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.pages.base import Page, check_csrf, guarded, page_of, render

router = APIRouter()


def review_choices(page: Page) -> tuple[list[str], list[str]]:
    """Quarters with data (newest first) and the regions of the data (a team sees its own only)."""
    from agent.tools import engine_for
    from fupan.periods import quarters

    with page.service.lock:
        engine = engine_for(page.service.deps)
        fy = page.service.deps.settings.fiscal_year_start_month
        periods = [q.label for q in reversed(quarters(engine.periods_available(), fy))]
        rows = page.service.deps.sales.connection.execute(
            "SELECT DISTINCT region FROM opportunities WHERE region IS NOT NULL ORDER BY region"
        ).fetchall()
    regions = [str(r[0]) for r in rows]
    if page.user.team:
        regions = [page.user.team]
    return periods, regions


@router.get("/reviews/new", response_class=HTMLResponse)
@guarded
def new_review(request: Request) -> Response:
    page = page_of(request)
    periods, regions = review_choices(page)
    return render(page, "review_new.html.j2", periods=periods, regions=regions, nav="review_new")


@router.post("/reviews", response_class=HTMLResponse)
@guarded
def start_review(
    request: Request,
    csrf: Annotated[str, Form()],
    period: Annotated[str, Form()],
    region: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    submit: Annotated[str, Form()] = "",
) -> Response:
    page = page_of(request)
    check_csrf(page, csrf)
    job = page.service.start_draft(
        page.user,
        period.strip(),
        scope={"region": region.strip()} if region.strip() else {},
        language=language if language in ("zh", "en") else page.lang,
        submit=bool(submit),
    )
    return RedirectResponse(f"/ui/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
@guarded
def job_page(request: Request, job_id: str) -> Response:
    page = page_of(request)
    job = page.service.job(page.user, job_id)
    if job.state == "done" and job.result.get("draft_id"):
        return RedirectResponse(f"/ui/drafts/{job.result['draft_id']}", status_code=303)
    return render(page, "job.html.j2", job=job, nav="review_new")


@router.get("/jobs/{job_id}/state")
@guarded
def job_state(request: Request, job_id: str) -> Response:
    page = page_of(request)
    job = page.service.job(page.user, job_id)
    draft_id = job.result.get("draft_id")
    return JSONResponse(
        {
            "state": job.state,
            "progress": job.progress,
            "stage": page.T(f"stage_{job.stage}"),
            "error": job.error,
            "next": f"/ui/drafts/{draft_id}" if draft_id else "",
        }
    )
