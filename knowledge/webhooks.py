"""Outgoing webhooks: a review waiting for approval, approved or rejected, and action items past their deadline,
sent to the group robots Chinese teams use (企业微信, 钉钉, 飞书) or as generic JSON.

    event = draft_event("approved", summary, who="王经理", comment="同意", settings=settings)
    for target in targets_for(settings, event):               # the configured webhooks that want it
        request = build_request(target, event)                # URL, JSON body and headers in the robot's shape
        deliver(request, timeout_s=10)                        # raises DeliveryFailed (retried by the job runner)

Shapes (each robot's documented custom-robot message):
- 企业微信 `wecom`: `{"msgtype": "markdown", "markdown": {"content": …}}`; success is `errcode` 0.
- 钉钉 `dingtalk`: `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`; with a secret, the URL gets
  `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")); success is `errcode` 0.
- 飞书 `feishu`: `{"msg_type": "text", "content": {"text": …}}`; with a secret, the body gets `timestamp` (s)
  and `sign` = base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg="")); success is `code` 0.
- `generic`: `{"event": "draft.approved", "title": …, "text": …, "url": …, "data": {…}}`, with headers
  `X-Fupan-Event` and, with a secret, `X-Fupan-Signature: sha256=<hex HMAC of the body>`; success is any 2xx.

Messages are written in the deployment's language (`settings.language`), in a manager's words.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any, Literal

from pydantic import BaseModel, Field

from fupan.settings import Settings, WebhookSettings

EventName = Literal["pending", "approved", "rejected", "overdue"]


class WebhookEvent(BaseModel):
    """One thing to tell people about, already worded."""

    event: EventName
    team: str = ""
    title: str = Field(..., description="one line, e.g. 【待审批】华东 2026Q3 复盘")
    text: str = Field(..., description="a few lines of plain text")
    url: str = Field("", description="where to read it on the page, when public_url is set")
    data: dict[str, Any] = Field(default_factory=dict)


class WebhookRequest(BaseModel):
    url: str
    body: bytes
    headers: dict[str, str]


class DeliveryFailed(Exception):
    """The receiver did not take the message (network error, non-2xx status, or a robot's error code)."""


_WORDS = {
    "pending": ("待审批", "Waiting for approval"),
    "approved": ("已批准", "Approved"),
    "rejected": ("已驳回", "Rejected"),
    "overdue": ("行动项逾期", "Action item overdue"),
}


def _link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path if settings.public_url else ""


def draft_event(
    event: Literal["pending", "approved", "rejected"],
    *,
    draft_id: str,
    title: str,
    period: str,
    team: str,
    version: int,
    who: str,
    comment: str,
    settings: Settings,
) -> WebhookEvent:
    zh = settings.language == "zh"
    head = f"【{_WORDS[event][0]}】{title}" if zh else f"[{_WORDS[event][1]}] {title}"
    if event == "pending":
        body = (
            f"{who} 提交了第 {version} 版，请审阅。"
            if zh
            else f"{who} submitted version {version} for review."
        )
    elif event == "approved":
        body = f"{who} 批准了第 {version} 版。" if zh else f"{who} approved version {version}."
    else:
        body = f"{who} 驳回了第 {version} 版。" if zh else f"{who} rejected version {version}."
    if comment:
        body += (
            f"\n{'意见' if zh else 'Comment'}: {comment}"
            if event != "rejected"
            else (f"\n{'原因' if zh else 'Reason'}: {comment}")
        )
    body += f"\n{'期间' if zh else 'Period'}: {period}" + (f" · {team}" if team else "")
    return WebhookEvent(
        event=event,
        team=team,
        title=head,
        text=body,
        url=_link(settings, f"/ui/drafts/{draft_id}"),
        data={"draft_id": draft_id, "version": version, "period": period, "by": who, "comment": comment},
    )


def overdue_event(
    *, item_id: str, action: str, owner: str, deadline: str, status: str, team: str, settings: Settings
) -> WebhookEvent:
    zh = settings.language == "zh"
    head = f"【{_WORDS['overdue'][0]}】{action[:60]}" if zh else f"[{_WORDS['overdue'][1]}] {action[:60]}"
    states = {"not_started": ("未开始", "not started"), "in_progress": ("进行中", "in progress")}
    state = states.get(status, (status, status))[0 if zh else 1]
    body = (
        f"责任人 {owner}，完成时间 {deadline} 已过，当前{state}。"
        if zh
        else f"Owner {owner}; the deadline {deadline} has passed and it is {state}."
    )
    return WebhookEvent(
        event="overdue",
        team=team,
        title=head,
        text=body,
        url=_link(settings, f"/ui/actions?item={urllib.parse.quote(item_id)}"),
        data={"action_item_id": item_id, "owner": owner, "deadline": deadline, "status": status},
    )


def targets_for(settings: Settings, event: WebhookEvent) -> list[WebhookSettings]:
    """The configured webhooks that want this event (and this team's, when they name one)."""
    return [w for w in settings.webhooks if event.event in w.events and (not w.team or w.team == event.team)]


def _markdown(event: WebhookEvent) -> str:
    lines = [f"**{event.title}**", *event.text.split("\n")]
    if event.url:
        lines.append(f"[{event.url}]({event.url})")
    return "\n\n".join(lines)


def _plain(event: WebhookEvent) -> str:
    return "\n".join([event.title, event.text] + ([event.url] if event.url else []))


def _hmac_b64(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode("ascii")


def build_request(
    target: WebhookSettings, event: WebhookEvent, *, now: float | None = None
) -> WebhookRequest:
    """The HTTP request for one target, in its robot's shape (see the module docstring)."""
    now = time.time() if now is None else now
    secret = target.secret.get_secret_value()
    url = target.url
    headers = {"Content-Type": "application/json; charset=utf-8"}
    payload: dict[str, Any]
    if target.kind == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": _markdown(event)}}
    elif target.kind == "dingtalk":
        payload = {"msgtype": "markdown", "markdown": {"title": event.title, "text": _markdown(event)}}
        if secret:
            stamp = str(int(now * 1000))
            sign = _hmac_b64(secret.encode(), f"{stamp}\n{secret}".encode())
            query = urllib.parse.urlencode({"timestamp": stamp, "sign": sign})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
    elif target.kind == "feishu":
        payload = {"msg_type": "text", "content": {"text": _plain(event)}}
        if secret:
            stamp = str(int(now))
            payload = {"timestamp": stamp, "sign": _hmac_b64(f"{stamp}\n{secret}".encode(), b""), **payload}
    else:
        payload = {
            "event": f"{'action' if event.event == 'overdue' else 'draft'}.{event.event}",
            "team": event.team,
            "title": event.title,
            "text": event.text,
            "url": event.url,
            "data": event.data,
        }
        headers["X-Fupan-Event"] = payload["event"]
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    if target.kind == "generic" and secret:
        headers["X-Fupan-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return WebhookRequest(url=url, body=body, headers=headers)


def deliver(request: WebhookRequest, kind: str, *, timeout_s: float = 10.0) -> int:
    """POST one request; returns the HTTP status, or raises `DeliveryFailed` (the caller retries)."""
    import httpx

    try:
        response = httpx.post(request.url, content=request.body, headers=request.headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")
    if kind in ("wecom", "dingtalk", "feishu"):
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryFailed(f"not JSON: {response.text[:200]}") from exc
        code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
        if code not in (0, "0", None):
            message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
            raise DeliveryFailed(f"robot error {code}: {message}")
    return response.status_code
