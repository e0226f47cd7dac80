"""The review as Markdown, charts as PNG files in a folder next to it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agent.reports.files import atomic_write
from agent.reports.safe_text import markdown_fence
from agent.reports.templating import markdown_env
from agent.reports.view import ReportView


def render_markdown(view: ReportView, assets: str) -> str:
    """The Markdown text; images are referenced as `<assets>/<chart file>`."""

    def cite_md(ids: Iterable[str]) -> str:
        return "".join(f"[[{c.number}]](#{c.anchor})" for c in view.citations.refs(ids))

    template = markdown_env().get_template("report.md.j2")
    return template.render(
        v=view, d=view.draft, L=view.L, cite_md=cite_md, assets=assets, sql_fence=lambda t: markdown_fence(t)[0]
    )


def write_markdown(view: ReportView, out: Path) -> list[Path]:
    """Write `out` and its chart images (`<stem>_files/`); returns every file written."""
    folder = out.with_name(f"{out.stem}_files")
    written = []
    if view.charts:
        folder.mkdir(parents=True, exist_ok=True)
        for chart in view.charts:
            path = folder / chart.filename
            path.write_bytes(chart.png)
            written.append(path)
    atomic_write(out, render_markdown(view, folder.name).encode("utf-8"))
    return [out, *written]
