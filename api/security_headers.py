"""Security headers on every response. The reviewer's page (/ui) gets a Content-Security-Policy that allows only
its own script, styles and inline images and forbids framing (so another site cannot frame the Approve button);
everything else (the API, /docs) gets frame-ancestors 'none'. X-Frame-Options DENY and
X-Content-Type-Options nosniff everywhere."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
OTHER_CSP = "frame-ancestors 'none'"
_COMMON = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = PAGE_CSP if path == "/ui" or path.startswith("/ui/") else OTHER_CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _NAMES]
                message["headers"] = headers + _COMMON + [(b"content-security-policy", csp.encode())]
            await send(message)

        await self.app(scope, receive, with_headers)


_NAMES = {name for name, _ in _COMMON} | {b"content-security-policy"}
