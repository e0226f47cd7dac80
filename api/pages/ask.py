"""Asking a question from any screen: the answer with how it was read (the restatement), its table, and its
citations as footnotes; when Fupan asks back, its numbered readings are buttons that ask again that way.

`ask_question` is the one call into the analyst (the same `ReviewService.ask` the API's POST /ask uses).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from agent.numbers import fmt
from api.pages.base import Page, guarded, page_of, render
from fupan.answers import Answer
from fupan.errors import FupanError

router = APIRouter()
MAX_QUESTION = 500


def ask_question(page: Page, question: str, reading: int | None) -> Answer:
    """Ask; with `reading`, answer the numbered reading of the clarification this question gave."""
    return page.service.ask(page.user, question, language=None, reading=reading)


_CITED = re.compile(r"\s?\[((?:metric|note|lesson):[^\]\s]+)\]")


def answer_html(answer: Answer) -> tuple[Markup, list[tuple[int, str]]]:
    """The answer's text with each `[evidence id]` turned into a numbered footnote link; and the notes."""
    numbers: dict[str, int] = {}
    out, last = [], 0
    for m in _CITED.finditer(answer.text):
        evidence_id = m.group(1)
        n = numbers.setdefault(evidence_id, len(numbers) + 1)
        out.append(escape(answer.text[last : m.start()]))
        out.append(
            Markup(
                '<sup class="fn"><a class="cite" href="#fn-{}" id="fnref-{}-{}" aria-describedby="h-notes">[{}]</a></sup>'
            ).format(n, n, m.start(), n)
        )
        last = m.end()
    out.append(escape(answer.text[last:]))
    return Markup("").join(out), [(n, e) for e, n in numbers.items()]


def _cell(value: object, unit: str | None, lang: str) -> str:
    if isinstance(value, float):
        return fmt(value, unit, lang)
    return "—" if value is None else str(value)


@router.get("/ask", response_class=HTMLResponse)
@guarded
def ask(request: Request, q: str = "", reading: int | None = None) -> Response:
    page = page_of(request)
    question = q.strip()[:MAX_QUESTION]
    answer, error = None, None
    if question:
        try:
            answer = ask_question(page, question, reading)
        except FupanError as exc:
            error = exc
    from api.pages.base import told

    text, notes = answer_html(answer) if answer else (Markup(""), [])
    return render(
        page,
        "ask.html.j2",
        q=question,
        answer=answer,
        error=error,
        told=told(error, page.T) if error else "",
        cell=lambda v, unit=None: _cell(v, unit, answer.language if answer else page.lang),
        max_question=MAX_QUESTION,
        text=text,
        notes=notes,
        row_unit=lambda i: _row_unit(answer, i) if answer else None,
    )


def _row_unit(answer: Answer, index: int) -> str | None:
    table = answer.table
    if table is None or index >= len(table.evidence):
        return None
    ev = answer.evidence.get(table.evidence[index])
    return ev.unit if ev is not None else None
