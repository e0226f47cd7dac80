"""Exports carry text, not live content (issue 17, failure 5; OWASP formula injection, stored XSS): XLSX text
never becomes a formula, Markdown keeps no raw HTML and no non-http(s) link, and `version=approved` means the
approved version on the API and on the page."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from api_world import World, build_world, hand_report
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from agent.reports import export_report, report_bytes
from fupan.evidence import Evidence
from fupan.report import ChartSeries, ChartSpec, ReviewDraft

FORMULAS = [
    '=HYPERLINK("http://evil.example","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd",
]
ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[点我](javascript:alert(3))",
    "<iframe src=javascript:alert(4)></iframe>",
    "[a](JAVASCRIPT:alert(5))",
    "<svg onload=alert(6)>",
    '<a href="javascript:alert(7)">x</a>',
    "[r]\n\n[r]: javascript:alert(8)",
    "<javascript:alert(9)>",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)",
    "![t](http://evil.example/track.png?alert=11)",
]


def _hostile() -> ReviewDraft:
    report = hand_report(marker="x")
    report.title = ATTACKS[0] + FORMULAS[0]
    report.summary = "\n\n".join(ATTACKS) + "\n\n参考 [正常链接](https://example.com/a?b=1)"
    report.lessons[0].content = FORMULAS[0]
    report.lessons[0].scenario = ATTACKS[1]
    report.actions[0].action = FORMULAS[1]
    report.actions[0].checkpoint = ATTACKS[2]
    report.actions[0].resources = FORMULAS[3]
    report.actions[0].owner = FORMULAS[2]
    note = "note:N1#0"
    report.lessons[0].evidence = [note]
    report.evidence = {
        note: Evidence(
            id=note, kind="note", text=ATTACKS[5] + " " + ATTACKS[3], source=ATTACKS[6], label=FORMULAS[0]
        )
    }
    report.charts = [
        ChartSpec(
            kind="trend",
            title=ATTACKS[1],
            categories=["2026Q3"],
            series=[ChartSeries(name="x", values=[1.0])],
        )
    ]
    return report


def test_xlsx_text_cells_are_never_formulas(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    export_report(_hostile(), "xlsx", out)
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    wb = load_workbook(out)
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in texts if c.value.startswith(("=", "+", "-", "@"))]
    assert {c.value for c in risky} >= {FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[3]}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky), [(c.coordinate, c.value) for c in risky]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _markdown_html(draft: ReviewDraft, tmp_path: Path) -> str:
    out = tmp_path / "r.md"
    export_report(draft, "md", out)
    return MarkdownIt("commonmark", {"html": True}).render(out.read_text(encoding="utf-8"))


def test_markdown_keeps_no_live_html_and_only_http_links(tmp_path: Path) -> None:
    html = _markdown_html(_hostile(), tmp_path)
    parser = _Tags()
    parser.feed(html)
    live = {"script", "iframe", "svg", "object", "embed"}
    assert not [t for t, _ in parser.tags if t in live]
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for attr in ("href", "src"):
            url = attrs.get(attr)
            if url is None:
                continue
            ok = url.startswith(("https://", "http://", "#")) or (tag == "img" and url.startswith("r_files/"))
            assert ok, (tag, attrs)
            assert not (tag == "img" and url.startswith("http")), "an image from the text would be fetched"
    assert '<a href="https://example.com/a?b=1">正常链接</a>' in html  # http(s) links still work
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_markdown_rendered_in_chromium_fires_nothing(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "page.html"
    page_file.write_text(f"<!doctype html><meta charset=utf-8><body>{_markdown_html(_hostile(), tmp_path)}")
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route(re.compile(r"^https?://"), lambda route: route.abort())  # offline: nothing leaves the box
        page.goto(page_file.as_uri())
        for link in page.locator("a[href]").all():
            href = link.get_attribute("href") or ""
            if not href.startswith("http"):
                link.click()
        page.wait_for_timeout(200)
        browser.close()
    assert dialogs == []


def test_nul_saved_before_the_boundary_check_does_not_break_word(tmp_path: Path) -> None:
    draft = hand_report(marker="legacy")
    draft.summary = "旧数据\x00里有\x07控制字符"
    data, media_type, _ = report_bytes(draft, "docx")
    assert data[:2] == b"PK" and "word" in media_type
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "旧数据\ufffd里有\ufffd控制字符" in z.read("word/document.xml").decode("utf-8")


# --- version=approved means approved -----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("exports"))


def _page_client(world: World, who: str):
    from fastapi.testclient import TestClient

    c = TestClient(world.client.app)
    token = re.search(r'name="login_csrf" value="([^"]*)"', c.get("/ui/login").text).group(1)
    assert c.post("/ui/login", data={"api_key": world.keys[who], "login_csrf": token}).status_code == 200
    return c


def _html(world: World, draft_id: str, page) -> tuple[int, str]:  # noqa: ANN001
    if page is None:
        r = world.client.get(
            f"/drafts/{draft_id}/report",
            headers=world.h("viewer"),
            params={"format": "html", "version": "approved"},
        )
    else:
        r = page.get(f"/ui/drafts/{draft_id}/export/html", params={"version": "approved"})
    return r.status_code, r.text


@pytest.mark.parametrize("where", ["api", "page"])
def test_version_approved_means_approved(world: World, where: str) -> None:
    page = _page_client(world, "viewer") if where == "page" else None
    draft_id = world.save("analyst", hand_report(marker=f"never-{where}"))["id"]
    status, _ = _html(world, draft_id, page)
    assert status == 404  # was: the never-approved draft
    assert world.decide("approver", draft_id, "approve").status_code == 200
    status, text = _html(world, draft_id, page)
    assert status == 200 and f"摘要 never-{where}" in text  # the latest version is the approved one
    d = world.get("admin", draft_id).json()
    assert (
        world.edit("analyst", draft_id, d["revision"], summary=f"未批准的新版本 {where}").status_code == 200
    )
    status, text = _html(world, draft_id, page)
    assert status == 200 and f"摘要 never-{where}" in text and "未批准的新版本" not in text
