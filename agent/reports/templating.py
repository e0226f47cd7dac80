"""The Jinja2 environments of the report templates (HTML autoescaped, Markdown not)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from agent.numbers import fmt
from agent.reports.safe_text import markdown_code, markdown_text
from agent.reports.view import ReportView

TEMPLATES = Path(__file__).parent / "templates"


def _nl2br(text: str) -> Markup:
    return Markup("<br />").join(escape(text).split("\n"))


def _md_cell(text: str) -> str:
    return markdown_text(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


@functools.cache
def html_env(loader: BaseLoader | None = None) -> Environment:
    env = Environment(
        loader=loader or FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nl2br"] = _nl2br
    return env


@functools.cache
def markdown_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = _md_cell
    env.filters["md"] = markdown_text
    env.filters["md_code"] = markdown_code
    return env


def html_citer(
    view: ReportView, href: Callable[[str], str] | None = None
) -> Callable[[Iterable[str]], Markup]:
    """`cite(ids)` for templates: one link per cited id to its evidence entry in this document."""

    def cite(ids: Iterable[str]) -> Markup:
        links = [
            Markup('<a class="cite" href="{}" data-evidence-id="{}" title="{}">[{}]</a>').format(
                href(c.anchor) if href else f"#{c.anchor}", c.id, c.id, c.number
            )
            for c in view.citations.refs(ids)
        ]
        return Markup("").join(links)

    return cite


def template_context(view: ReportView, **extra: object) -> dict[str, object]:
    """The names report templates use: v, d, L, cite, fmt."""
    return {
        "v": view,
        "d": view.draft,
        "L": view.L,
        "cite": html_citer(view),
        "fmt": lambda value, unit: fmt(value, unit, view.lang),
        **extra,
    }
