"""A real uvicorn serving the app on 127.0.0.1 and Debian's Chromium driven by Playwright (never
`playwright install`). The workspace holds the fixture sales data, three keys and two pending drafts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from fupan.deps import Deps
from fupan.settings import load_settings

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Site:
    url: str
    keys: dict[str, str]
    drafts: dict[str, str]
    deps: Deps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sample_company: Path) -> Iterator[Site]:
    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("page-ws")))
    from knowledge.sample_import import import_sample_company

    import_sample_company(deps.sales, sample_company)  # a quarter with misses, successes and actions to edit
    app = create_app(deps)
    keys = {
        role: deps.records.create_key(role, name=f"{role}-1").key
        for role in ("analyst", "approver", "viewer")
    }
    analyst = app.state.service.authenticate(keys["analyst"])
    drafts = {
        lang: app.state.service.draft_review(analyst, "2026Q3", language=lang, submit=True).id
        for lang in ("zh", "en")
    }
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Site(url=f"http://127.0.0.1:{port}", keys=keys, drafts=drafts, deps=deps)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        deps.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Chromium missing: sudo apt-get install chromium (scripts/setup.sh does this)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest):  # noqa: ANN201
    """`shot(page, "name")` saves tests/artifacts/<test>-<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:  # noqa: ANN001
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return save
