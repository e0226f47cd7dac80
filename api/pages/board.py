"""The action board managers use: my items and my team's, overdue items marked, progress in per cent, filters
by owner, region and status, checkpoint results as formatted figures, and the same list as an Excel file.

Who sees what is the service's rule: a team-scoped caller sees its team's items and the items its people
own in any review (a company-wide review's actions for that region's reps included).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from agent.numbers import fmt
from agent.reports.labels import label
from api.pages.base import Page, back, check_csrf, guarded, page_of, render
from fupan.errors import InputError
from knowledge.records_schemas import ActionItemPublic, ActionItemUpdate

router = APIRouter()
STATUSES = ("not_started", "in_progress", "done")
VIEWS = ("mine", "team", "all")


def _unit(metric: str) -> str:
    from agent.metrics import REGISTRY

    found = REGISTRY.get(metric)
    return found.unit if found else ""


def _metric_name(metric: str, lang: str) -> str:
    from agent.metrics import REGISTRY

    found = REGISTRY.get(metric)
    return metric if found is None else (found.name_zh if lang == "zh" else found.name_en)


@dataclass
class BoardItem:
    tracked: ActionItemPublic
    metric: str
    baseline: str
    target: str
    overdue_days: int
    checks: list[dict[str, str]]

    @property
    def id(self) -> str:
        return self.tracked.id


def board_item(tracked: ActionItemPublic, today: dt.date, lang: str) -> BoardItem:
    item = tracked.item
    unit = _unit(item.metric)
    overdue = (today - item.deadline).days if tracked.status != "done" and item.deadline < today else 0
    checks = [
        {
            "when": c.measured_at.strftime("%Y-%m-%d"),
            "period": c.period,
            "value": fmt(c.value, unit, lang),
            "target": fmt(c.target, unit, lang),
            "verdict": "met" if c.met else ("not_met" if c.met is not None else "no_value"),
            "evidence": c.evidence_id,
        }
        for c in tracked.checkpoints
    ]
    return BoardItem(
        tracked=tracked,
        metric=_metric_name(item.metric, lang),
        baseline=fmt(item.baseline, unit, lang),
        target=fmt(item.target, unit, lang),
        overdue_days=overdue,
        checks=checks,
    )


def _listed(
    page: Page,
    view: str,
    owner: str,
    region: str,
    status: str,
    everything: list[ActionItemPublic] | None = None,
) -> list[BoardItem]:
    me = page.user
    if everything is None:
        everything = page.service.list_action_items(me, limit=1000)
    items = [
        i
        for i in everything
        if (not status or i.status == status)
        and (not owner or i.owner == owner)
        and (not region or i.team == region)
    ]
    if view == "mine":
        items = [i for i in items if i.owner and i.owner in (me.name, me.key_id)]
    elif view == "team" and me.team:
        items = [i for i in items if i.team == me.team or i.owner in me.people]
    today = page.service.deps.clock().date()
    return [board_item(i, today, page.lang) for i in items]


@router.get("/actions", response_class=HTMLResponse)
@guarded
def action_board(
    request: Request, view: str = "team", owner: str = "", region: str = "", status: str = "", flash: str = ""
) -> Response:
    page = page_of(request)
    view = view if view in VIEWS else "team"
    status = status if status in STATUSES else ""
    everything = page.service.list_action_items(page.user, limit=1000)
    items = _listed(page, view, owner.strip(), region.strip(), status, everything)
    owners = sorted({i.owner for i in everything if i.owner})
    regions = sorted({i.team for i in everything if i.team})
    query = urlencode(
        {k: v for k, v in {"view": view, "owner": owner, "region": region, "status": status}.items() if v}
    )
    return render(
        page,
        "actions.html.j2",
        items=items,
        view=view,
        chosen={"owner": owner, "region": region, "status": status},
        owners=owners,
        regions=regions,
        statuses=STATUSES,
        query=query,
        overdue=sum(1 for i in items if i.overdue_days),
        flash=flash,
    )


@router.get("/actions/export.xlsx")
@guarded
def export_board(
    request: Request, view: str = "team", owner: str = "", region: str = "", status: str = ""
) -> Response:
    """The board as it is filtered, one row per item, figures formatted as on the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    page = page_of(request)
    T = page.T  # noqa: N806
    items = _listed(
        page,
        view if view in VIEWS else "team",
        owner.strip(),
        region.strip(),
        status if status in STATUSES else "",
    )
    book = Workbook()
    sheet = book.active
    sheet.title = T.actions[:31]
    heads = [
        "id",
        "action",
        "owner",
        "team",
        "deadline",
        "overdue_days",
        "status",
        "percent",
        "progress",
        "metric",
        "baseline",
        "target",
        "last_checkpoint",
    ]
    sheet.append([T(h) for h in heads])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for b in items:
        t = b.tracked
        last = b.checks[-1] if b.checks else None
        row = [
            t.id,
            t.item.action,
            t.owner,
            t.team or T.all_teams,
            t.item.deadline,
            b.overdue_days or None,
            label(t.status, page.lang),
            (t.percent or 0) / 100 if t.percent is not None else None,
            t.progress,
            b.metric,
            b.baseline,
            b.target,
            f"{last['period']}: {last['value']} → {T(last['verdict'])}" if last else "",
        ]
        sheet.append([_text_safe(v) for v in row])
        sheet.cell(row=sheet.max_row, column=8).number_format = "0%"
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
    for column, width in zip(
        "ABCDEFGHIJKLM", (18, 60, 12, 10, 12, 10, 10, 8, 30, 16, 12, 12, 30), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    headers = {"Content-Disposition": 'attachment; filename="action-items.xlsx"'}
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(buffer.getvalue(), media_type=media, headers=headers)


def _text_safe(value: object) -> object:
    """Text that a spreadsheet would read as a formula is written as text (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@router.post("/actions/{item_id}", response_class=HTMLResponse)
@guarded
def update_item(
    request: Request,
    item_id: str,
    csrf: Annotated[str, Form()],
    status: Annotated[str, Form()],
    percent: Annotated[str, Form()] = "",
    progress: Annotated[str, Form()] = "",
    revision: Annotated[int | None, Form()] = None,
    back_to: Annotated[str, Form()] = "",
) -> Response:
    page = page_of(request)
    check_csrf(page, csrf)
    try:
        share = int(percent) if percent.strip() else None
    except ValueError as exc:
        raise InputError("not a whole number from 0 to 100", column="percent", value=percent) from exc
    try:
        change = ActionItemUpdate(status=status, progress=progress, percent=share)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"], column=str(err["loc"][0]), value=err.get("input")) from exc
    page.service.update_action_item(page.user, item_id, change, if_match=revision)
    query = back_to if back_to.startswith("view=") or not back_to else ""
    return back(
        f"/ui/actions?{query}#item-{item_id}" if query else f"/ui/actions#item-{item_id}", "status_saved"
    )


@router.post("/actions/{item_id}/checkpoint", response_class=HTMLResponse)
@guarded
def run_checkpoint(request: Request, item_id: str, csrf: Annotated[str, Form()]) -> Response:
    page = page_of(request)
    check_csrf(page, csrf)
    page.service.checkpoint(page.user, item_id)
    return back(f"/ui/actions#item-{item_id}", "saved")
