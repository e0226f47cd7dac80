"""The HTTP API: `create_app(settings | deps) -> FastAPI`. Thin: routes call `ReviewService` (the rules live
in knowledge/records.py), errors become RFC 9457 problem+json (api/problems.py), bodies are size-limited.
The reviewer's web page mounts itself here when `api/pages.py` exists (its `router`)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.input_guard import InputGuard
from api.problems import PayloadTooLarge, document_problems, install_problem_handlers
from api.review_service import ReviewService
from api.routes import ROUTERS
from api.security_headers import SecurityHeaders
from fupan.settings import Settings
from knowledge.deps import Deps

JSON_LIMIT = 2 * 1024 * 1024


TAGS = [
    {"name": "health", "description": "Liveness and version."},
    {"name": "data", "description": "Import sales tables and ingest notes (analyst, company-wide keys)."},
    {"name": "ask", "description": "Questions about results; every number cited."},
    {"name": "documents", "description": "Search notes, calls and reviews: whole documents, best passages."},
    {
        "name": "drafts",
        "description": "Review drafts and their approval: draft → pending → approved | rejected.",
    },
    {"name": "lessons", "description": "Approved lessons and lesson search for a campaign brief."},
    {"name": "action-items", "description": "Tracked SMART action items and their checkpoints."},
    {"name": "audit", "description": "Who changed what, when (approver and above)."},
]


class BodyLimit:
    """Refuse bodies over the limit with 413: by Content-Length up front, or while a chunked body streams."""

    def __init__(self, app: ASGIApp, *, upload_limit: int, json_limit: int = JSON_LIMIT) -> None:
        self.app, self.upload_limit, self.json_limit = app, upload_limit, json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.upload_limit if multipart else self.json_limit
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _send_413(scope, send, limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(limit)
            return message

        await self.app(scope, limited, send)


async def _send_413(scope: Scope, send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
            "instance": scope.get("path", ""),
            "hint": "split the file, or raise max_upload_mb",
            "errors": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _start_background(service: ReviewService) -> None:
    """The job runner: knowledge indexing after approvals (catching up on any the server missed), drafts
    started from the page, webhook deliveries."""
    try:
        service.start_background()
    except Exception:  # noqa: BLE001 — the API still serves; approvals then index inline
        logging.getLogger("fupan.api").exception("could not start the background job runner")


def _mount_pages(app: FastAPI) -> None:
    if importlib.util.find_spec("api.pages") is None:
        return
    pages = importlib.import_module("api.pages")
    router = getattr(pages, "router", None)
    if router is not None:
        app.include_router(router)

        @app.get("/", include_in_schema=False)
        def _home() -> RedirectResponse:
            """A person opening the server's address lands on the reviewer's page."""
            return RedirectResponse("/ui", status_code=307)


def create_app(source: Settings | Deps) -> FastAPI:
    """The API over one `Deps` (built from settings when given settings; closed on shutdown then)."""
    deps = source if isinstance(source, Deps) else Deps(settings=source)
    owned = not isinstance(source, Deps)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _start_background(app.state.service)
        yield
        app.state.service.stop_background()
        if owned:
            deps.close()

    from api.routes.health import app_version

    app = FastAPI(
        title="Fupan (复盘) API",
        version=app_version(),
        description=(
            "Ask about results, draft reviews, approve them, search lessons, track action items. "
            "Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>` "
            "(keys from `fupan keys create --role viewer|analyst|approver|admin [--team 华东]`). "
            "Nothing drafted enters the knowledge base until an approver approves it. "
            "Errors are RFC 9457 `application/problem+json`."
        ),
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.deps = deps
    app.state.service = ReviewService(deps)
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    _mount_pages(app)
    app.add_middleware(InputGuard)  # inside BodyLimit: bodies are capped before it reads them
    app.add_middleware(BodyLimit, upload_limit=deps.settings.max_upload_mb * 1024 * 1024)
    app.add_middleware(SecurityHeaders)  # outermost: every response, the 413s and 422s sent early too
    _install_openapi(app)
    return app


def _install_openapi(app: FastAPI) -> None:
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
