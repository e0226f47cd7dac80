"""The review as one standalone HTML file: CSS and chart images inline, citations link to the evidence."""

from __future__ import annotations

from pathlib import Path

from agent.reports.files import atomic_write
from agent.reports.templating import html_env, template_context
from agent.reports.view import ReportView


def render_html(view: ReportView) -> str:
    return html_env().get_template("report.html.j2").render(template_context(view))


def write_html(view: ReportView, out: Path) -> list[Path]:
    atomic_write(out, render_html(view).encode("utf-8"))
    return [out]
