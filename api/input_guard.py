"""Refuse unsafe text at the door: a JSON or form body, or a query parameter, holding a NUL, another control character or
an unpaired surrogate gets a 422 problem naming where it is, before any route sees it (fupan/text_checks.py
says why). Without this, such text reached the error handler (which could not encode it: a 500), or a draft
(whose Word export then failed for good)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PayloadTooLarge
from fupan.text_checks import first_unsafe, unsafe_character

_HINT = "remove control characters and broken characters (unpaired surrogates) and send it again"


class InputGuard:
    """ASGI middleware; JSON bodies are read whole (BodyLimit, outside it, caps them) and then replayed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _pairs_problem(scope.get("query_string", b""), "query")
        headers = dict(scope.get("headers") or [])
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if problem is None and (b"json" in media or media == b"application/x-www-form-urlencoded"):
            try:
                body, receive = await _buffered(receive)
            except PayloadTooLarge as exc:
                await _send(scope, send, 413, "Content Too Large", str(exc.detail), "send a smaller body", [])
                return
            problem = _body_problem(body) if b"json" in media else _pairs_problem(body, "body")
        if problem is not None:
            loc, what = problem
            where = ".".join(str(p) for p in loc)
            errors: list[dict[str, object]] = [{"loc": loc, "msg": f"contains {what}", "type": "unsafe_text"}]
            await _send(scope, send, 422, "Invalid input", f"{where} contains {what}", _HINT, errors)
            return
        await self.app(scope, receive, send)


def _pairs_problem(encoded: bytes, part: str) -> tuple[list[str | int], str] | None:
    """The first unsafe name or value of a query string or a urlencoded form (bytes that are not UTF-8 count
    as unpaired surrogates)."""
    for name, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True, errors="surrogateescape"):
        for text, where in ((name, "<name>"), (value, name)):
            if problem := unsafe_character(text):
                return [part, where], problem
    return None


def _body_problem(body: bytes) -> tuple[list[str | int], str] | None:
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8: the route's own parsing answers with its 422/400
        return None
    found = first_unsafe(data)
    return (["body", *found[0]], found[1]) if found else None


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a `receive` that hands it to the app again."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _send(
    scope: Scope, send: Send, status: int, title: str, detail: str, hint: str, errors: list[dict[str, object]]
) -> None:
    """A problem+json response, sent before the app (and its exception handlers) ever ran."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
            "hint": hint,
            "errors": errors,
        },
        ensure_ascii=True,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
