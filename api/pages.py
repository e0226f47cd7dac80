"""The reviewer's page: server-rendered (Jinja2 + a little plain JS, no CDN) under /ui.

Sign in with an API key (kept server-side; the browser holds a random session cookie, HttpOnly, SameSite
Strict), inbox of drafts by status, a draft with its report, charts and evidence, editable action items and
lessons, approve/reject with a comment, lesson search, the action-item board. zh/en switch. Every rule (roles,
teams, states) is enforced by `ReviewService`; this module only renders and forwards, and turns a refusal into a
page with the same HTTP status (403 for a viewer that posts a decision).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import ValidationError

from agent.reports.templating import TEMPLATES as REPORT_TEMPLATES
from agent.reports.templating import html_env, template_context
from agent.reports.view import build_view
from fupan.errors import FupanError, InputError, PermissionDenied, Unauthenticated
from fupan.report import ActionItem, Lesson
from knowledge.records_schemas import ActionItemUpdate, Decision, DraftEdit, DraftPublic, Principal
from knowledge.records_service import ReviewService

HERE = Path(__file__).parent
STATIC = HERE / "static"
SESSION_COOKIE, LANG_COOKIE = "fupan_session", "fupan_lang"
STATUSES = ("pending", "draft", "approved", "rejected")
ACTION_STATUSES = ("not_started", "in_progress", "done")

router = APIRouter(prefix="/ui", include_in_schema=False)
_LOADER = ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(REPORT_TEMPLATES)])


@functools.cache
def _labels() -> dict[str, list[str]]:
    return yaml.safe_load((HERE / "templates" / "ui_labels.yaml").read_text(encoding="utf-8"))


class Words:
    """Page wording for templates: `T.inbox`, `T("done")`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str) -> str:
        pair = _labels().get(key)
        return key if pair is None else pair[0 if self.lang == "zh" else 1]

    def __getattr__(self, key: str) -> str:
        return self(key)


SESSION_HOURS = 12


@dataclass
class PageSession:
    key: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    started: float = field(default_factory=time.monotonic)

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.started > SESSION_HOURS * 3600


@dataclass
class Page:
    """One request's view of the page: the service, the caller, their session and language."""

    request: Request
    service: ReviewService
    me: Principal | None
    session: PageSession | None
    lang: str

    @property
    def T(self) -> Words:  # noqa: N802 - templates read it as T
        return Words(self.lang)

    @property
    def user(self) -> Principal:
        """The signed-in caller (pages that need one were guarded by `_page(signed_in=True)`)."""
        if self.me is None:
            raise _SignIn
        return self.me

    def can(self, role: str) -> bool:
        return self.me is not None and self.me.at_least(role)  # type: ignore[arg-type]


class _SignIn(Exception):
    """Raised when a page needs a signed-in caller."""


def _sessions(request: Request) -> dict[str, PageSession]:
    state = request.app.state
    if not hasattr(state, "page_sessions"):
        state.page_sessions = {}
    return state.page_sessions  # type: ignore[no-any-return]


def _page(request: Request, *, signed_in: bool = True) -> Page:
    service: ReviewService = request.app.state.service
    lang = request.cookies.get(LANG_COOKIE) or service.deps.settings.language
    lang = lang if lang in ("zh", "en") else "zh"
    session = _sessions(request).get(request.cookies.get(SESSION_COOKIE, ""))
    me = None
    if session is not None and session.expired:
        _sessions(request).pop(request.cookies.get(SESSION_COOKIE, ""), None)
        session = None
    if session is not None:
        try:
            me = service.authenticate(session.key)  # re-checked each time: a revoked key stops working
        except Unauthenticated:
            session = None
    if signed_in and me is None:
        raise _SignIn
    return Page(request=request, service=service, me=me, session=session, lang=lang)


def _check_csrf(page: Page, token: str) -> None:
    if page.session is None or not secrets.compare_digest(page.session.csrf, token):
        raise PermissionDenied("this form has expired", hint="reload the page and try again")


def _render(page: Page, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    env = html_env(_LOADER)
    defaults = {"flash": "", "error": None, "nav": template.split(".")[0]}
    html = env.get_template(template).render(
        page=page, T=page.T, me=page.me, csrf=page.session.csrf if page.session else "", **defaults | context
    )
    return HTMLResponse(html, status_code=http_status)


def _back(url: str, flash: str = "") -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{sep}flash={flash}" if flash else url, status_code=303)


def guarded(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Sign-in redirects and FupanErrors as pages (with their HTTP status) for every page handler."""

    @functools.wraps(handler)
    def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return handler(request, *args, **kwargs)
        except _SignIn:
            if request.method != "GET":
                return _error(request, Unauthenticated("sign in first", hint="open /ui/login"))
            return RedirectResponse(f"/ui/login?next={request.url.path}", status_code=303)
        except FupanError as exc:
            return _error(request, exc)

    return run


def _error(request: Request, exc: FupanError) -> HTMLResponse:
    page = _page(request, signed_in=False)
    return _render(page, "error.html.j2", http_status=exc.http_status, error=exc)


# --- sign in, language, static ---------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/ui/inbox", status_code=303)


@router.get("/login", response_class=HTMLResponse)
@guarded
def login_form(request: Request, next: str = "/ui/inbox") -> Response:  # noqa: A002
    return _render(_page(request, signed_in=False), "login.html.j2", next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
@guarded
def login(
    request: Request, api_key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/ui/inbox"
) -> Response:  # noqa: A002
    page = _page(request, signed_in=False)
    try:
        page.service.authenticate(api_key)
    except Unauthenticated as exc:
        return _render(page, "login.html.j2", http_status=401, next=_safe_next(next), error=exc)
    token = secrets.token_urlsafe(32)
    sessions = _sessions(request)
    for old in [t for t, sess in sessions.items() if sess.expired]:
        sessions.pop(old, None)
    sessions[token] = PageSession(key=api_key.strip())
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", path="/ui", max_age=SESSION_HOURS * 3600
    )
    return response


@router.post("/logout", response_class=HTMLResponse)
@guarded
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    _sessions(request).pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/lang/{lang}", response_class=HTMLResponse)
def switch_language(lang: str, next: str = "/ui/inbox") -> Response:  # noqa: A002
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang if lang in ("zh", "en") else "zh", samesite="lax", path="/ui")
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in {p.name for p in STATIC.iterdir()}:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC / name)


def _safe_next(url: str) -> str:
    return url if url.startswith("/ui") and "//" not in url else "/ui/inbox"


# --- inbox and draft ---------------------------------------------------------------------------
@router.get("/inbox", response_class=HTMLResponse)
@guarded
def inbox(request: Request, status: str = "pending", flash: str = "") -> Response:
    page = _page(request)
    chosen = status if status in STATUSES else ""
    drafts = page.service.list_drafts(page.user, status=chosen or None, limit=200)
    counts = {s: len(page.service.list_drafts(page.user, status=s, limit=1000)) for s in STATUSES}
    return _render(page, "inbox.html.j2", drafts=drafts, status=chosen, counts=counts, flash=flash)


def _report_html(page: Page, draft: DraftPublic) -> str:
    """The report body for one version and language; cached, since charts take a moment to draw."""
    cache: dict[tuple[str, str], str] = page.request.app.state.__dict__.setdefault("page_reports", {})
    digest = draft.versions[-1].content_hash if draft.versions else f"{draft.id}:{draft.revision}"
    key = (digest, page.lang)
    if key not in cache:
        view = build_view(draft.report, page.lang)
        cache[key] = html_env(_LOADER).get_template("report_body.html.j2").render(template_context(view))
        if len(cache) > 64:
            cache.pop(next(iter(cache)))
    return cache[key]


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
@guarded
def draft_page(request: Request, draft_id: str, flash: str = "") -> Response:
    page = _page(request)
    draft = page.service.get_draft(page.user, draft_id)
    return _render(
        page,
        "draft.html.j2",
        draft=draft,
        report=draft.report,
        body=_report_html(page, draft),
        flash=flash,
        action_statuses=ACTION_STATUSES,
    )


def _edited_action(item: ActionItem, form: dict[str, str]) -> ActionItem:
    try:
        return ActionItem.model_validate({**item.model_dump(), **form})
    except ValidationError as exc:
        err = exc.errors()[0]
        field_name = ".".join(str(p) for p in err["loc"])
        raise InputError(err["msg"], column=field_name, value=err.get("input")) from exc


@router.post("/drafts/{draft_id}/actions/{action_id}", response_class=HTMLResponse)
@guarded
def edit_action(
    request: Request,
    draft_id: str,
    action_id: str,
    revision: Annotated[int, Form()],
    csrf: Annotated[str, Form()],
    action: Annotated[str, Form()],
    owner: Annotated[str, Form()],
    deadline: Annotated[str, Form()],
    target: Annotated[str, Form()],
    resources: Annotated[str, Form()] = "",
    checkpoint: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "not_started",
) -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    draft = page.service.get_draft(page.user, draft_id)
    fields = {
        "action": action,
        "owner": owner,
        "deadline": deadline,
        "target": target,
        "resources": resources,
        "checkpoint": checkpoint,
        "status": status,
    }
    actions = [_edited_action(a, fields) if a.id == action_id else a for a in draft.report.actions]
    _require_item(action_id, [a.id for a in draft.report.actions])
    page.service.edit_draft(page.user, draft_id, DraftEdit(actions=actions), if_match=revision)
    return _back(f"/ui/drafts/{draft_id}", "saved")


@router.post("/drafts/{draft_id}/lessons/{lesson_id}", response_class=HTMLResponse)
@guarded
def edit_lesson(
    request: Request,
    draft_id: str,
    lesson_id: str,
    revision: Annotated[int, Form()],
    csrf: Annotated[str, Form()],
    content: Annotated[str, Form()],
    scenario: Annotated[str, Form()],
    type: Annotated[str, Form()],  # noqa: A002
) -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    draft = page.service.get_draft(page.user, draft_id)
    _require_item(lesson_id, [x.id for x in draft.report.lessons])
    try:
        lessons = [
            Lesson.model_validate({**x.model_dump(), "content": content, "scenario": scenario, "type": type})
            if x.id == lesson_id
            else x
            for x in draft.report.lessons
        ]
    except ValidationError as exc:
        raise InputError(exc.errors()[0]["msg"], column=str(exc.errors()[0]["loc"][0])) from exc
    page.service.edit_draft(page.user, draft_id, DraftEdit(lessons=lessons), if_match=revision)
    return _back(f"/ui/drafts/{draft_id}", "saved")


def _require_item(item_id: str, ids: list[str]) -> None:
    if item_id not in ids:
        from fupan.errors import NotFound

        raise NotFound(f"no item {item_id!r} in this draft", hint=f"items: {', '.join(ids) or 'none'}")


@router.post("/drafts/{draft_id}/{decision}", response_class=HTMLResponse)
@guarded
def decide(
    request: Request,
    draft_id: str,
    decision: str,
    csrf: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    revision: Annotated[int | None, Form()] = None,
) -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    me, service = page.user, page.service
    if decision == "approve":
        service.approve(me, draft_id, Decision(comment=comment), if_match=revision)
    elif decision == "reject":
        service.reject(me, draft_id, Decision(comment=comment), if_match=revision)
    elif decision == "submit":
        service.submit(me, draft_id, if_match=revision)
    else:
        raise InputError(f"unknown decision {decision!r}", hint="approve, reject or submit")
    return _back(f"/ui/drafts/{draft_id}", "decided")


@router.get("/drafts/{draft_id}/export/{fmt}")
@guarded
def export(request: Request, draft_id: str, fmt: str, version: str = "latest") -> Response:
    """The report as a file to send: html, xlsx, docx, pdf, or md (a zip with its chart images); `version`
    latest or approved (the version in force; 404 when nothing is approved)."""
    page = _page(request)
    from agent.reports import report_bytes
    from agent.reports.meta import content_disposition, report_filename, report_version

    names = {k.id: k.name for k in page.service.records.list_keys() if k.name}
    which = "approved" if version == "approved" else "latest"
    draft = page.service.get_draft(page.user, draft_id)
    report, meta = report_version(draft, which, page.service.deps.settings.company, names)
    data, media_type, ext = report_bytes(report, fmt, language=page.lang, meta=meta)
    name = report_filename(report, meta, ext, page.lang)
    return Response(data, media_type=media_type, headers={"Content-Disposition": content_disposition(name)})


# --- lessons and action items ------------------------------------------------------------------
@router.get("/lessons", response_class=HTMLResponse)
@guarded
def lessons(request: Request, q: str = "") -> Response:
    page = _page(request)
    matches = page.service.search_lessons(page.user, q.strip(), k=8) if q.strip() else []
    approved = page.service.list_lessons(page.user)
    return _render(page, "lessons.html.j2", q=q, matches=matches, approved=approved)


@router.get("/actions", response_class=HTMLResponse)
@guarded
def action_board(request: Request, flash: str = "") -> Response:
    page = _page(request)
    items = page.service.list_action_items(page.user)
    columns = {s: [i for i in items if i.status == s] for s in ACTION_STATUSES}
    return _render(page, "actions.html.j2", columns=columns, flash=flash, today=dt.date.today())


@router.post("/actions/{item_id}", response_class=HTMLResponse)
@guarded
def update_item(
    request: Request,
    item_id: str,
    csrf: Annotated[str, Form()],
    status: Annotated[str, Form()],
    progress: Annotated[str, Form()] = "",
    revision: Annotated[int | None, Form()] = None,
) -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    try:
        change = ActionItemUpdate(status=status, progress=progress)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InputError(exc.errors()[0]["msg"], column="status", value=status) from exc
    page.service.update_action_item(page.user, item_id, change, if_match=revision)
    return _back(f"/ui/actions#item-{item_id}", "")


@router.post("/actions/{item_id}/checkpoint", response_class=HTMLResponse)
@guarded
def run_checkpoint(request: Request, item_id: str, csrf: Annotated[str, Form()]) -> Response:
    page = _page(request)
    _check_csrf(page, csrf)
    page.service.checkpoint(page.user, item_id)
    return _back("/ui/actions", "saved")
