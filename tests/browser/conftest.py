"""A real uvicorn serving the app on 127.0.0.1 (with its background job runner) and Debian's Chromium driven by
Playwright (never `playwright install`). The workspace holds the fixture sales data, accounts for every role,
API keys, and outgoing webhooks pointed at a local receiver. axe-core (vendored) scans pages in the browser."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from page_world import Receiver, World, build_world, free_port

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "api" / "static" / "vendor" / "axe.min.js"
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
WIDTHS = {1440: 900, 390: 844}


@dataclass
class Site:
    url: str
    world: World

    @property
    def service(self) -> Any:
        return self.world.service


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    receiver = Receiver().start()
    world = build_world(tmp_path_factory.mktemp("page-site"), receiver)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(world.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Site(url=f"http://127.0.0.1:{port}", world=world)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        receiver.stop()
        world.deps.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Chromium missing: sudo apt-get install chromium (scripts/setup.sh does this)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest):  # noqa: ANN201
    """`shot(page, "name")` saves tests/artifacts/<test>-<name>.png (the test id carries the width)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str, *, full: bool = False) -> Path:
        safe = request.node.name.replace("[", "-").replace("]", "")
        path = ARTIFACTS / f"{safe}-{name}.png"
        page.screenshot(path=str(path), full_page=full)
        return path

    return save


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
