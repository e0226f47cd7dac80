"""XLSX and DOCX exports: the four tables managers use, checked cell by cell against the draft."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from agent.reports import export_report
from agent.reports.labels import category_label, label
from agent.wording import segment_label
from fupan.report import ReviewDraft

LANGS = ["zh", "en"]


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def workbooks(drafts: dict[str, ReviewDraft], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("xlsx")
    books = {}
    for lang, draft in drafts.items():
        export_report(draft, "xlsx", folder / f"review-{lang}.xlsx")
        books[lang] = load_workbook(folder / f"review-{lang}.xlsx")
    return books


@pytest.fixture(scope="module")
def documents(drafts: dict[str, ReviewDraft], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("docx")
    docs = {}
    for lang, draft in drafts.items():
        export_report(draft, "docx", folder / f"review-{lang}.docx")
        docs[lang] = Document(str(folder / f"review-{lang}.docx"))
    return docs


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_has_the_four_tables_named_in_the_language(workbooks: dict, lang: str) -> None:
    names = workbooks[lang].sheetnames
    expected = ["performance", "root_causes", "lessons", "actions", "evidence", "charts"]
    assert names == [label(n, lang) for n in expected]
    perf = workbooks[lang][label("performance", lang)]
    header = [c.value for c in perf[1]][:6]
    assert header == [label(c, lang) for c in ("metric", "target", "actual", "achievement", "gap", "note")]
    actions = workbooks[lang][label("actions", lang)]
    assert [c.value for c in actions[1]][:6] == [
        label(c, lang) for c in ("action", "owner", "deadline", "resources", "checkpoint", "status")
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_performance_rows_are_the_goals(
    workbooks: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft = drafts[lang]
    rows = _rows(workbooks[lang][label("performance", lang)])
    assert len(rows) == len(draft.goals) > 3
    for row, goal in zip(rows, draft.goals, strict=True):
        metric, target, actual, achievement, gap, note, cites = row
        assert metric.startswith(goal.label)
        assert (target, actual, achievement, gap) == (goal.target, goal.actual, goal.achievement, goal.gap)
        assert (note or "") == goal.note
        assert all(e in cites for e in goal.evidence)
    east = next(r for r in rows if "华东" in r[0])
    assert east[3] == pytest.approx(east[2] / east[1])


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_root_causes_lessons_and_actions_match_the_draft(
    workbooks: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft, wb = drafts[lang], workbooks[lang]
    chains = _rows(wb[label("root_causes", lang)])
    assert len(chains) == len(draft.chains) > 0
    for row, chain in zip(chains, draft.chains, strict=True):
        assert row[0] == chain.problem and row[2] == chain.root_cause
        assert (row[3] or "") == chain.verification
        assert row[4] == category_label(chain.category, lang)
        whys = [link.claim for link in chain.links if link.claim != chain.problem]
        assert [line.split(". ", 1)[1] for line in _lines(row[1])] == whys
    lessons = _rows(wb[label("lessons", lang)])
    assert [(r[0], r[1], r[2]) for r in lessons] == [
        (label(x.type, lang), x.content, x.scenario) for x in draft.lessons
    ]
    actions = _rows(wb[label("actions", lang)])
    assert len(actions) == len(draft.actions) > 0
    for row, a in zip(actions, draft.actions, strict=True):
        deadline = row[2].date() if isinstance(row[2], dt.datetime) else row[2]
        assert (row[0], row[1], deadline) == (a.action, a.owner, a.deadline)
        assert ((row[3] or ""), (row[4] or ""), row[5]) == (a.resources, a.checkpoint, label(a.status, lang))
        assert (row[6], row[7], row[8]) == (a.metric, a.baseline, a.target)


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_evidence_and_charts_sheets(workbooks: dict, drafts: dict[str, ReviewDraft], lang: str) -> None:
    draft, wb = drafts[lang], workbooks[lang]
    evidence = {r[1]: r for r in _rows(wb[label("evidence", lang)])}
    cited = {e for g in draft.goals for e in g.evidence} | {e for a in draft.actions for e in a.evidence}
    assert cited <= set(evidence)
    for eid, ev in draft.evidence.items():
        if ev.value is not None:
            assert evidence[eid][3] == ev.value
    charts = wb[label("charts", lang)]
    assert len(charts._images) == len(draft.charts) == 5
    titles = [c.value for c in charts["A"] if c.value]
    assert all(any(chart.title == t for t in titles) for chart in draft.charts)


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("lang", LANGS)
def test_docx_tables_match_the_draft(documents: dict, drafts: dict[str, ReviewDraft], lang: str) -> None:
    draft, doc = drafts[lang], documents[lang]
    perf, causes, lessons, actions = (_table_rows(t) for t in doc.tables[:4])
    assert len(doc.tables) == 4
    assert perf[0][:6] == [
        label(c, lang) for c in ("metric", "target", "actual", "achievement", "gap", "note")
    ]
    assert [r[0] for r in perf[1:]] == [
        g.label + (f" · {segment_label(g.segment, lang)}" if g.segment else "") for g in draft.goals
    ]
    assert [r[5] for r in perf[1:]] == [g.note or "—" for g in draft.goals]
    assert [(r[0], r[2]) for r in causes[1:]] == [(c.problem, c.root_cause) for c in draft.chains]
    assert [(r[0], r[1], r[2]) for r in lessons[1:]] == [
        (label(x.type, lang), x.content, x.scenario) for x in draft.lessons
    ]
    assert [(r[0], r[1], r[2], r[5]) for r in actions[1:]] == [
        (a.action, a.owner, a.deadline.isoformat(), label(a.status, lang)) for a in draft.actions
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_docx_charts_carry_their_citations(
    documents: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft, doc = drafts[lang], documents[lang]
    assert len(doc.inline_shapes) == len(draft.charts) == 5
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(draft.charts)
    for caption, chart in zip(captions, draft.charts, strict=True):
        assert caption.startswith(chart.title)
        assert all(e in caption for s in chart.series for e in s.evidence if e)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert all(eid in body for eid in draft.evidence)


def test_unknown_format_is_a_user_error(drafts: dict[str, ReviewDraft], tmp_path: Path) -> None:
    from fupan.errors import InputError

    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        export_report(drafts["zh"], "pdf", tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
