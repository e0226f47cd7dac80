"""The reviewer's page under /ui: server-rendered (Jinja2), a small script and the vendored ECharts, nothing
from the internet. One module per screen: sign-in, inbox and drafts, ask, search, starting a review, the
action board. Every rule lives in `ReviewService`; these modules only render and forward."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from api.pages import ask, board, drafts, reviews, search, signin

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/inbox", status_code=303)


for _screen in (signin, drafts, ask, search, reviews, board):
    router.include_router(_screen.router)
