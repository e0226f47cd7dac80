"""The review as a PDF: the standalone HTML report, with a cover, printed on A4 by the system's headless
Chromium through Playwright (`executable_path`, never a downloaded browser), offline: every request other than
the inline data is refused, so nothing is fetched while printing. Page numbers are in the footer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from agent.reports.files import atomic_write
from agent.reports.templating import html_env, template_context
from agent.reports.view import ReportView
from fupan.errors import NotAvailable

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_MARGIN = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}


def chromium_path() -> str:
    for path in (*CHROMIUM_PATHS, shutil.which("chromium") or ""):
        if path and Path(path).exists():
            return path
    raise NotAvailable(
        "PDF export needs Chromium, which is not installed",
        hint="install it (Debian/Ubuntu: apt-get install chromium; make setup does it), or export docx/html",
    )


def render_print_html(view: ReportView) -> str:
    """The report with its cover, every collapsible part open (a printed page cannot be clicked)."""
    html = html_env().get_template("report_print.html.j2").render(template_context(view))
    return html.replace("<details ", "<details open ").replace("<details>", "<details open>")


def _footer(view: ReportView) -> str:
    text = (
        '第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页'
        if view.lang == "zh"
        else 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
    )
    return f'<div style="width:100%;font-size:8px;color:#555;text-align:center;">{text}</div>'


def print_pdf(html: str, footer: str) -> bytes:
    """Print `html` to an A4 PDF in headless Chromium; no network."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(("data:", "about:")) else route.abort()
                ),
            )
            page.set_content(html, wait_until="load")
            return page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin=_MARGIN,  # type: ignore[arg-type]  # playwright types it as a TypedDict
            )
        finally:
            browser.close()


def write_pdf(view: ReportView, out: Path) -> list[Path]:
    atomic_write(out, print_pdf(render_print_html(view), _footer(view)))
    return [out]
