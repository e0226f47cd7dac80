"""Helpers of the page tests: a workspace with the fixture sales data, keys and accounts for every role (and a
华东 approver), reviews drafted by the analyst, the real app with its background job runner, and a local HTTP
receiver that plays the 企业微信 / 钉钉 / 飞书 robots and a generic endpoint (records every request; can fail
on purpose to exercise retries)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from fupan.settings import load_settings
from knowledge.deps import Deps

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
PASSWORD = "correct horse battery"
ACCOUNTS = {  # username: (role, team, name)
    "li": ("analyst", "", "李分析"),
    "wang": ("approver", "", "王总监"),
    "zhou": ("approver", "华东", "周经理"),
    "guest": ("viewer", "", "访客"),
}
ANSWERS = {
    "/wecom": {"errcode": 0, "errmsg": "ok"},
    "/dingtalk": {"errcode": 0, "errmsg": "ok"},
    "/feishu": {"code": 0, "msg": "success"},
    "/generic": {"ok": True},
}


@dataclass
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """A local HTTP server standing in for the robots; `fail["/generic"] = 2` fails the next two requests."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                path, _, query = self.path.partition("?")
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(Received(path, query, dict(self.headers), json.loads(raw or b"{}")))
                if receiver.fail.get(path, 0) > 0:
                    receiver.fail[path] -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps(ANSWERS.get(path, {"ok": True})).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def wait_for(self, check: Callable[[], bool], timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return True
            time.sleep(0.05)
        return check()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhooks_for(receiver: Receiver) -> list[dict[str, Any]]:
    return [
        {"name": "企业微信群", "kind": "wecom", "url": f"{receiver.url}/wecom"},
        {
            "name": "钉钉群",
            "kind": "dingtalk",
            "url": f"{receiver.url}/dingtalk?access_token=t",
            "secret": "SEC-ding",
        },
        {"name": "飞书群", "kind": "feishu", "url": f"{receiver.url}/feishu", "secret": "fei-secret"},
        {"name": "ops", "kind": "generic", "url": f"{receiver.url}/generic", "secret": "gen-secret"},
        {
            "name": "east only",
            "kind": "generic",
            "url": f"{receiver.url}/east",
            "team": "华东",
            "events": ["approved"],
        },
    ]


@dataclass
class World:
    app: Any
    deps: Deps
    keys: dict[str, str]
    receiver: Receiver

    @property
    def service(self) -> Any:
        return self.app.state.service

    def who(self, username: str) -> Any:
        return self.service.with_people(self.service.records.accounts.verify(username, PASSWORD))

    def draft(self, username: str = "li", **kw: Any) -> Any:
        """A review drafted by the analyst (submitted unless submit=False)."""
        kw.setdefault("submit", True)
        return self.service.draft_review(self.who(username), kw.pop("period", "2026Q3"), **kw)


def build_world(folder: Path, receiver: Receiver) -> World:
    settings = load_settings(
        workspace=folder / "ws",
        webhooks=webhooks_for(receiver),
        webhook_retry_s=0.2,
        public_url="http://fupan.example",
    )
    deps = Deps(settings=settings)
    from evals.sample_company import generate
    from knowledge.sample_import import import_sample_company

    # a whole quarter with misses, successes and actions to edit (a 7-row table is too small to draft from)
    import_sample_company(deps.sales, generate(folder / "lantu", seed=7))
    from knowledge.workspace_aliases import WorkspaceAliases, save_aliases

    # the team's own English names for its regions, as any team installs them (fupan aliases FILE)
    save_aliases(deps.settings, WorkspaceAliases(values={"region": {"华东": ["East"], "华南": ["South"], "华北": ["North"]}}))
    app = create_app(deps)
    for username, (role, team, name) in ACCOUNTS.items():
        deps.records.accounts.create(username, PASSWORD, role=role, team=team, name=name)
    keys = {
        role: deps.records.create_key(role, name=f"{role}-key").key
        for role in ("analyst", "approver", "viewer")
    }
    return World(app=app, deps=deps, keys=keys, receiver=receiver)


def login_token(html: str) -> str:
    return re.search(r'name="login_csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)  # type: ignore[union-attr]


def signed_in(app: Any, *, username: str | None = None, key: str | None = None) -> TestClient:
    """A TestClient signed in through the login form (its CSRF cookie included)."""
    client = TestClient(app)
    token = login_token(client.get("/ui/login").text)
    form = {"login_csrf": token} | (
        {"api_key": key} if key else {"username": username or "", "password": PASSWORD}
    )
    r = client.post("/ui/login", data=form)
    assert r.status_code == 200 and r.url.path == "/ui/inbox", r.text[:500]
    return client
