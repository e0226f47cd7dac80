"""What every screen of the page shares: the caller's session (in the records DB), wording in the page's
language, rendering, CSRF, and errors told in a manager's words.

Every rule (roles, teams, states) is enforced by `ReviewService`; a screen only renders and forwards. A refusal
becomes a page with the same HTTP status, its message in the page's language, the technical detail folded
underneath for whoever runs the service.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader

from agent.numbers import fmt
from agent.reports.templating import TEMPLATES as REPORT_TEMPLATES
from agent.reports.templating import html_env
from api.review_service import ReviewService
from fupan.errors import Conflict, FupanError, InputError, NotFound, PermissionDenied, Unauthenticated
from fupan.messages import Messages
from fupan.report import MAX_WHYS
from knowledge.records_schemas import Principal

HERE = Path(__file__).resolve().parents[1]
STATIC = HERE / "static"
SESSION_COOKIE, LANG_COOKIE, LOGIN_COOKIE = "fupan_session", "fupan_lang", "fupan_login"
LOADER = ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(REPORT_TEMPLATES)])
# Flash messages come from this fixed set of keys (never from text in the URL).
FLASH_KEYS = frozenset(
    {
        "saved",
        "decided",
        "approved_now",
        "rejected_now",
        "submitted",
        "resubmitted",
        "signed_out",
        "status_saved",
        "confirmed",
    }
)


class Words(Messages):
    """Page wording for templates: `T.inbox`, `T("done")`, `T("n_items", n=3)` (the `page` namespace of the
    message catalogue, fupan/messages/page.yaml)."""

    def __init__(self, lang: str) -> None:
        super().__init__("page", lang)


@dataclass
class Page:
    """One request's view of the page: the service, the caller, their CSRF token and language."""

    request: Request
    service: ReviewService
    me: Principal | None
    csrf: str
    lang: str

    @property
    def T(self) -> Words:  # noqa: N802 - templates read it as T
        return Words(self.lang)

    @property
    def user(self) -> Principal:
        """The signed-in caller (pages that need one were guarded by `page(signed_in=True)`)."""
        if self.me is None:
            raise SignIn
        return self.me

    def can(self, role: str) -> bool:
        return self.me is not None and self.me.at_least(role)  # type: ignore[arg-type]


class SignIn(Exception):  # noqa: N818 - a redirect, not an error
    """Raised when a page needs a signed-in caller."""


def page_of(request: Request, *, signed_in: bool = True) -> Page:
    """The caller behind the session cookie, re-checked against their key or account on every request."""
    service: ReviewService = request.app.state.service
    lang = request.cookies.get(LANG_COOKIE) or service.deps.settings.language
    lang = lang if lang in ("zh", "en") else "zh"
    me, csrf = None, ""
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        try:
            found, csrf = service.records.accounts.session(token)
            me = service.with_people(found)
        except Unauthenticated:
            me, csrf = None, ""
    if signed_in and me is None:
        raise SignIn
    return Page(request=request, service=service, me=me, csrf=csrf, lang=lang)


def check_csrf(page: Page, token: str) -> None:
    if not page.csrf or not secrets.compare_digest(page.csrf, token):
        raise PermissionDenied("this form has expired", hint="reload the page and try again")


def render(page: Page, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    env = html_env(LOADER)
    flash = context.pop("flash", "")
    defaults = {
        "error": None,
        "nav": template.split(".")[0],
        "flash": flash if flash in FLASH_KEYS else "",
        "fmt_value": lambda value, unit: fmt(value, unit, page.lang),
    }
    html = env.get_template(template).render(
        page=page, T=page.T, me=page.me, csrf=page.csrf, **defaults | context
    )
    return HTMLResponse(html, status_code=http_status)


def back(url: str, flash: str = "") -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    path, _, fragment = url.partition("#")
    if flash:
        path = f"{path}{sep}flash={flash}"
    return RedirectResponse(path + (f"#{fragment}" if fragment else ""), status_code=303)


def safe_next(url: str) -> str:
    return url if url.startswith("/ui") and "//" not in url and "\\" not in url else "/ui/inbox"


def guarded(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Sign-in redirects and FupanErrors as pages (with their HTTP status) for every page handler."""

    @functools.wraps(handler)
    def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return handler(request, *args, **kwargs)
        except SignIn:
            if request.method != "GET":
                return error_page(request, Unauthenticated("sign in first", hint="open /ui/login"))
            return RedirectResponse(f"/ui/login?next={request.url.path}", status_code=303)
        except FupanError as exc:
            return error_page(request, exc)

    return run


def told(exc: FupanError, T: Words) -> str:  # noqa: N803 - the templates' name
    """The error in a manager's words, in the page's language (the technical message stays underneath)."""
    if isinstance(exc, InputError):
        column = exc.column or ""
        if column == "comment":
            return T.err_reason_needed
        if column.endswith(".links") and "at most" in exc.message:
            return T("err_whys_max", n=exc.value, most=MAX_WHYS)
        if column.endswith(".deadline") and "passed" in exc.message:
            return T("err_deadline_past", item=column.split(".")[1], value=exc.value)
        if column:
            return T(
                "err_field", field=T(column.split(".")[-1]), value=exc.value if exc.value is not None else ""
            )
        return T.err_input
    if isinstance(exc, Conflict):
        return T.err_conflict
    if isinstance(exc, PermissionDenied):
        return T.err_expired if "expired" in exc.message else T.err_forbidden
    if isinstance(exc, NotFound):
        return T.err_not_found
    if isinstance(exc, Unauthenticated):
        return T.err_sign_in
    return T.err_other


def error_page(request: Request, exc: FupanError) -> HTMLResponse:
    page = page_of(request, signed_in=False)
    return render(page, "error.html.j2", http_status=exc.http_status, error=exc, told=told(exc, page.T))
