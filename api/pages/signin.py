"""Signing in (an account's username and password, or an API key), signing out, the language switch, and
the page's static files (its script and styles, and the vendored ECharts).

The login form carries a CSRF token too: a random value set as a SameSite=Strict cookie when the form is shown
and sent back in the form (double submit), so another site cannot sign a browser into an account of its
choosing. A session is a random cookie (HttpOnly, SameSite=Strict, Secure over HTTPS); only its SHA-256 is
stored, in the records database, so every uvicorn worker knows it.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from agent.reports.templating import TEMPLATES as REPORT_TEMPLATES
from api.pages.base import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    STATIC,
    check_csrf,
    guarded,
    page_of,
    render,
    safe_next,
)
from fupan.errors import PermissionDenied, Unauthenticated

router = APIRouter()
STATIC_FILES = {
    "page.js": STATIC / "page.js",
    "page.css": STATIC / "page.css",
    "report.css": REPORT_TEMPLATES / "report.css",
    "echarts.min.js": STATIC / "vendor" / "echarts.common.min.js",
}


def _secure(request: Request) -> bool:
    """Secure cookies: `session_cookie_secure` (on by default in production), or whenever served over HTTPS."""
    return bool(request.app.state.service.deps.settings.secure_cookies) or request.url.scheme == "https"


@router.get("/login", response_class=HTMLResponse)
@guarded
def login_form(request: Request, next: str = "/ui/inbox") -> Response:  # noqa: A002
    page = page_of(request, signed_in=False)
    token = secrets.token_urlsafe(24)
    response = render(page, "login.html.j2", next=safe_next(next), login_csrf=token)
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/ui", secure=_secure(request)
    )
    return response


@router.post("/login", response_class=HTMLResponse)
@guarded
def login(
    request: Request,
    login_csrf: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    api_key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/ui/inbox",  # noqa: A002
) -> Response:
    page = page_of(request, signed_in=False)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, login_csrf):
        raise PermissionDenied("this form has expired", hint="reload the sign-in page and try again")
    service = page.service
    try:
        me = (
            service.authenticate(api_key)
            if api_key.strip()
            else service.records.accounts.verify(username, password)
        )
    except Unauthenticated as exc:
        fresh = secrets.token_urlsafe(24)
        response: Response = render(
            page,
            "login.html.j2",
            http_status=401,
            next=safe_next(next),
            error=exc,
            told=page.T.err_credentials,
            login_csrf=fresh,
            username=username,
        )
        response.set_cookie(
            LOGIN_COOKIE, fresh, httponly=True, samesite="strict", path="/ui", secure=_secure(request)
        )
        return response
    hours = service.deps.settings.session_hours
    token, _ = service.records.accounts.open_session(
        me, hours=hours, kind="key" if api_key.strip() else "account"
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/ui",
        max_age=int(hours * 3600),
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


@router.post("/logout", response_class=HTMLResponse)
@guarded
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    page = page_of(request)
    check_csrf(page, csrf)
    page.service.records.accounts.close_session(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/lang/{lang}", response_class=HTMLResponse)
def switch_language(request: Request, lang: str, next: str = "/ui/inbox") -> Response:  # noqa: A002
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, lang if lang in ("zh", "en") else "zh", samesite="lax", path="/ui", secure=_secure(request)
    )
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    path = STATIC_FILES.get(name)
    if path is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
