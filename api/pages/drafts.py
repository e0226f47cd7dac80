"""The inbox and the draft screen: read first (status, headline cards, contents, the report with its charts),
decide second (the side panel: approve / reject with a reason, submit), edit every part of the report, see
what changed between versions.

An edit that is refused (a bad value, a deadline in the past) or that lost a race (someone saved first: 409)
comes back as the same screen with the typed values still in the form; a conflict also shows what is saved
now, so nothing typed is lost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from agent.numbers import fmt
from agent.reports.diff import report_diff
from agent.reports.templating import html_env
from api.pages.base import LOADER, back, check_csrf, guarded, page_of, render, told
from api.pages.draft_view import (
    Footnotes,
    chart_data,
    headline,
    number_from_input,
    number_input,
    sections,
    status_line,
)
from fupan.errors import Conflict, FupanError, InputError, NotFound
from fupan.report import MAX_WHYS, ActionItem, Lesson, ReviewDraft, RootCauseChain, WhyLink
from knowledge.records_schemas import Decision, DraftEdit, DraftPublic

router = APIRouter()
TABS = ("pending", "draft", "rejected", "in_force", "all")
ACTION_STATUSES = ("not_started", "in_progress", "done")
CATEGORIES = ("people", "product_market", "process", "resources")


# --- inbox -----------------------------------------------------------------------------------------
@router.get("/inbox", response_class=HTMLResponse)
@guarded
def inbox(request: Request, status: str = "pending", flash: str = "") -> Response:
    page = page_of(request)
    tab = status if status in TABS else "pending"
    service, me = page.service, page.user

    def listed(which: str, limit: int) -> list[Any]:
        if which == "in_force":
            return service.list_drafts(me, in_force=True, limit=limit)
        return service.list_drafts(me, status=None if which == "all" else which, limit=limit)

    counts = service.records.count_drafts(me)
    return render(page, "inbox.html.j2", drafts=listed(tab, 200), status=tab, counts=counts, flash=flash)


# --- the draft screen --------------------------------------------------------------------------------
def _unit_of(report: ReviewDraft, item: ActionItem) -> str:
    unit = next((ev.unit for e in item.evidence if (ev := report.evidence.get(e)) and ev.unit), "")
    if unit:
        return unit
    try:
        from agent.metrics import get_metric

        return get_metric(item.metric).unit
    except Exception:  # noqa: BLE001 - an unknown metric id: plain numbers
        return ""


def _draft_screen(
    request: Request, draft_id: str, *, flash: str = "", form: dict[str, Any] | None = None, status: int = 200
) -> Response:
    page = page_of(request)
    draft = page.service.get_draft(page.user, draft_id)
    report = draft.report
    lang = page.lang
    units = {a.id: _unit_of(report, a) for a in report.actions}
    article, charts = _article(page, draft)
    return render(
        page,
        "draft.html.j2",
        http_status=status,
        draft=draft,
        report=report,
        article=article,
        charts=charts,
        status_line=status_line(draft),
        headline=headline(report, lang),
        cite=Footnotes(report, prefix="card-ref"),
        units=units,
        number_input=number_input,
        index_job=page.service.index_state(draft.id, draft.approved_version),
        form={"kind": "", "item": "", "values": {}, "error": "", "detail": "", "conflict": False}
        | (form or {}),
        flash=flash,
        action_statuses=ACTION_STATUSES,
        categories=CATEGORIES,
        edit_warnings=[f for f in report.findings if f.severity == "warning" and f.check == "grounding"],
    )


_ARTICLES: OrderedDict[tuple[str, str], tuple[Markup, list[dict[str, Any]]]] = OrderedDict()
_ARTICLES_LOCK = threading.Lock()


def _article(page: Any, draft: DraftPublic) -> tuple[Markup, list[dict[str, Any]]]:
    """The report part of the screen, rendered once per version content and language (it depends on nothing
    else), and the charts' data."""
    digest = draft.versions[-1].content_hash if draft.versions else f"{draft.id}:{draft.revision}"
    key = (digest, page.lang)
    with _ARTICLES_LOCK:
        hit = _ARTICLES.get(key)
    if hit is not None:
        return hit
    report, lang = draft.report, page.lang
    charts = [chart_data(c, lang, i) for i, c in enumerate(report.charts, start=1)]
    html = (
        html_env(LOADER)
        .get_template("report_article.html.j2")
        .render(
            report=report,
            sections=sections(report, lang),
            charts=charts,
            cite=Footnotes(report),
            T=page.T,
            page=page,
            fmt_value=lambda value, unit: fmt(value, unit, lang),
        )
    )
    with _ARTICLES_LOCK:
        _ARTICLES[key] = (Markup(html), charts)
        while len(_ARTICLES) > 64:
            _ARTICLES.popitem(last=False)
    return _ARTICLES[key]


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
@guarded
def draft_page(request: Request, draft_id: str, flash: str = "") -> Response:
    return _draft_screen(request, draft_id, flash=flash)


@router.get("/drafts/{draft_id}/index-state")
@guarded
def index_state(request: Request, draft_id: str) -> Response:
    """Whether the version in force is in the knowledge base yet (the page polls this after approving)."""
    page = page_of(request)
    draft = page.service.get_draft(page.user, draft_id)
    job = page.service.index_state(draft.id, draft.approved_version)
    done = draft.approved_version is not None and draft.indexed_version == draft.approved_version
    state = (
        "done" if done else (job.state if job else ("none" if draft.approved_version is None else "queued"))
    )
    return JSONResponse({"state": state, "text": page.T(f"index_{state}"), "error": job.error if job else ""})


def _apply_edit(
    request: Request, draft_id: str, kind: str, item: str, values: dict[str, Any], build: Any
) -> Response:
    """Validate, save, and on a refusal come back to the screen with what was typed (and, on a conflict,
    what is saved now)."""
    page = page_of(request)
    check_csrf(page, values.pop("csrf", ""))
    revision = int(values.pop("revision", "0") or 0)
    state: dict[str, object] = {"kind": kind, "item": item, "values": values}
    try:
        draft = page.service.get_draft(page.user, draft_id)
        edit = build(draft, values)
        before = draft.version
        saved = page.service.edit_draft(page.user, draft_id, edit, if_match=revision)
    except (InputError, Conflict) as exc:
        state |= {"error": told(exc, page.T), "detail": exc.message, "conflict": isinstance(exc, Conflict)}
        return _draft_screen(request, draft_id, form=state, status=exc.http_status)
    flash = "resubmitted" if saved.version > before else "saved"
    return back(f"/ui/drafts/{draft_id}#edit-{kind}-{item}", flash)


def _invalid(exc: ValidationError, prefix: str) -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return InputError(err["msg"], column=f"{prefix}.{loc}" if prefix else loc, value=err.get("input"))


def _find(items: list[Any], item_id: str) -> Any:
    found = next((x for x in items if x.id == item_id), None)
    if found is None:
        raise NotFound(f"no item {item_id!r} in this draft", hint=f"items: {', '.join(x.id for x in items)}")
    return found


@router.post("/drafts/{draft_id}/edit/summary", response_class=HTMLResponse)
@guarded
def edit_summary(
    request: Request,
    draft_id: str,
    csrf: Annotated[str, Form()],
    revision: Annotated[str, Form()],
    title: Annotated[str, Form()],
    summary: Annotated[str, Form()] = "",
) -> Response:
    def build(draft: DraftPublic, v: dict[str, str]) -> DraftEdit:
        try:
            return DraftEdit(title=v["title"].strip(), summary=v["summary"].strip())
        except ValidationError as exc:
            raise _invalid(exc, "") from exc

    values = {"csrf": csrf, "revision": revision, "title": title, "summary": summary}
    return _apply_edit(request, draft_id, "summary", "all", values, build)


@router.post("/drafts/{draft_id}/edit/chain/{chain_id}", response_class=HTMLResponse)
@guarded
def edit_chain(
    request: Request,
    draft_id: str,
    chain_id: str,
    csrf: Annotated[str, Form()],
    revision: Annotated[str, Form()],
    problem: Annotated[str, Form()],
    root_cause: Annotated[str, Form()],
    category: Annotated[str, Form()],
    verification: Annotated[str, Form()] = "",
    links: Annotated[list[str] | None, Form()] = None,
) -> Response:
    def build(draft: DraftPublic, v: dict[str, Any]) -> DraftEdit:
        chain = _find(draft.report.chains, chain_id)
        old = chain.links
        # each textarea stands for the link at its place: an emptied one is dropped, the others keep their
        # evidence, grade and what would confirm them (an added one has none yet: a hypothesis)
        placed = [(i, c.strip()) for i, c in enumerate(v["links"]) if c.strip()]
        if len(placed) > MAX_WHYS:
            raise InputError(
                f"a chain has at most {MAX_WHYS} whys, not {len(placed)}",
                column=f"chains.{chain_id}.links",
                value=len(placed),
            )
        try:
            new_links = [
                WhyLink.model_validate(old[i].model_dump() | {"claim": c})
                if i < len(old)
                else WhyLink(claim=c)
                for i, c in placed
            ]
            edited = RootCauseChain.model_validate(
                chain.model_dump()
                | {
                    "problem": v["problem"].strip(),
                    "root_cause": v["root_cause"].strip(),
                    "verification": v["verification"].strip(),
                    "category": v["category"],
                    "links": new_links,
                }
            )
        except ValidationError as exc:
            raise _invalid(exc, f"chains.{chain_id}") from exc
        return DraftEdit(chains=[edited if c.id == chain_id else c for c in draft.report.chains])

    values = {
        "csrf": csrf,
        "revision": revision,
        "problem": problem,
        "root_cause": root_cause,
        "category": category,
        "verification": verification,
        "links": links or [],
    }
    return _apply_edit(request, draft_id, "chain", chain_id, values, build)


@router.post("/drafts/{draft_id}/edit/lesson/{lesson_id}", response_class=HTMLResponse)
@guarded
def edit_lesson(
    request: Request,
    draft_id: str,
    lesson_id: str,
    csrf: Annotated[str, Form()],
    revision: Annotated[str, Form()],
    content: Annotated[str, Form()],
    scenario: Annotated[str, Form()],
    type: Annotated[str, Form()],  # noqa: A002
) -> Response:
    def build(draft: DraftPublic, v: dict[str, str]) -> DraftEdit:
        lesson = _find(draft.report.lessons, lesson_id)
        try:
            edited = Lesson.model_validate(
                lesson.model_dump()
                | {"content": v["content"].strip(), "scenario": v["scenario"].strip(), "type": v["type"]}
            )
        except ValidationError as exc:
            raise _invalid(exc, f"lessons.{lesson_id}") from exc
        return DraftEdit(lessons=[edited if x.id == lesson_id else x for x in draft.report.lessons])

    values = {"csrf": csrf, "revision": revision, "content": content, "scenario": scenario, "type": type}
    return _apply_edit(request, draft_id, "lesson", lesson_id, values, build)


@router.post("/drafts/{draft_id}/edit/action/{action_id}", response_class=HTMLResponse)
@guarded
def edit_action(
    request: Request,
    draft_id: str,
    action_id: str,
    csrf: Annotated[str, Form()],
    revision: Annotated[str, Form()],
    action: Annotated[str, Form()],
    owner: Annotated[str, Form()],
    deadline: Annotated[str, Form()],
    target: Annotated[str, Form()],
    resources: Annotated[str, Form()] = "",
    checkpoint: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "not_started",
) -> Response:
    def build(draft: DraftPublic, v: dict[str, str]) -> DraftEdit:
        item = _find(draft.report.actions, action_id)
        unit = _unit_of(draft.report, item)
        try:
            target_value = number_from_input(v["target"], unit)
        except ValueError as exc:
            raise InputError("not a number", column=f"actions.{action_id}.target", value=v["target"]) from exc
        fields = {
            k: v[k].strip() for k in ("action", "owner", "deadline", "resources", "checkpoint", "status")
        }
        try:
            edited = ActionItem.model_validate(item.model_dump() | fields | {"target": target_value})
        except ValidationError as exc:
            raise _invalid(exc, f"actions.{action_id}") from exc
        return DraftEdit(actions=[edited if a.id == action_id else a for a in draft.report.actions])

    values = {
        "csrf": csrf,
        "revision": revision,
        "action": action,
        "owner": owner,
        "deadline": deadline,
        "target": target,
        "resources": resources,
        "checkpoint": checkpoint,
        "status": status,
    }
    return _apply_edit(request, draft_id, "action", action_id, values, build)


# --- decisions -------------------------------------------------------------------------------------
@router.post("/drafts/{draft_id}/{decision}", response_class=HTMLResponse)
@guarded
def decide(
    request: Request,
    draft_id: str,
    decision: str,
    csrf: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    revision: Annotated[int | None, Form()] = None,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    page = page_of(request)
    check_csrf(page, csrf)
    me, service = page.user, page.service
    try:
        if decision == "approve":
            service.approve(me, draft_id, Decision(comment=comment, version=version), if_match=revision)
            flash = "approved_now"
        elif decision == "reject":
            service.reject(me, draft_id, Decision(comment=comment, version=version), if_match=revision)
            flash = "rejected_now"
        elif decision == "submit":
            service.submit(me, draft_id, if_match=revision)
            flash = "submitted"
        elif decision == "confirm":  # the typed figures that match no evidence, so approval can go ahead
            service.edit_draft(me, draft_id, DraftEdit(confirm_figures=True), if_match=revision)
            flash = "confirmed"
        else:
            raise NotFound(f"unknown decision {decision!r}", hint="approve, reject, submit or confirm")
    except (InputError, Conflict) as exc:
        state: dict[str, object] = {"kind": "decision", "item": decision, "values": {"comment": comment}}
        state |= {"error": told(exc, page.T), "detail": exc.message, "conflict": isinstance(exc, Conflict)}
        return _draft_screen(request, draft_id, form=state, status=exc.http_status)
    return back(f"/ui/drafts/{draft_id}", flash)


# --- versions --------------------------------------------------------------------------------------
@router.get("/drafts/{draft_id}/diff", response_class=HTMLResponse)
@guarded
def diff(request: Request, draft_id: str, a: int | None = None, b: int | None = None) -> Response:
    """What changed between two versions (default: the one before the latest, and the latest)."""
    page = page_of(request)
    draft = page.service.get_draft(page.user, draft_id)
    b = b or draft.version
    a = a or max(1, b - 1)
    try:
        before = page.service.records.get_version(page.user, draft_id, a)
        after = page.service.records.get_version(page.user, draft_id, b)
    except FupanError:
        raise
    versions = {v.version: v for v in draft.versions}
    changes = report_diff(before, after, lang=page.lang)
    return render(
        page, "diff.html.j2", draft=draft, a=a, b=b, versions=versions, changes=changes, nav="draft"
    )


@router.get("/drafts/{draft_id}/export/{fmt}")
@guarded
def export(request: Request, draft_id: str, fmt: str, version: str = "latest") -> Response:
    """The report as a file to send: html, xlsx, docx, pdf, or md (a zip with its chart images); `version`
    latest or approved (the version in force, whether or not it is the latest; 404 when nothing is approved).
    The file name says company, period, version and status."""
    page = page_of(request)
    from agent.reports import report_bytes
    from agent.reports.meta import content_disposition, report_filename, report_version

    names = {k.id: k.name for k in page.service.records.list_keys() if k.name}
    which = "approved" if version == "approved" else "latest"
    draft = page.service.get_draft(page.user, draft_id)
    report, meta = report_version(draft, which, page.service.deps.settings.company, names)
    data, media_type, ext = report_bytes(report, fmt, language=page.lang, meta=meta)
    name = report_filename(report, meta, ext, page.lang)
    return Response(data, media_type=media_type, headers={"Content-Disposition": content_disposition(name)})
