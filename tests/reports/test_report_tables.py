"""XLSX, DOCX and PDF exports checked cell by cell and page by page against the draft: the four tables, number
formats set per cell from the unit (percentages, money, days, counts), metric names instead of ids, evidence
grades, native Excel charts, A4 pages with a cover, contents and page numbers, a compact annex."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from agent.metrics import REGISTRY
from agent.reports import ReportMeta, export_report
from agent.reports.labels import category_label, grade_label, label
from agent.reports.xlsx import number_format
from agent.wording import metric_label, segment_label
from fupan.report import ReviewDraft

LANGS = ["zh", "en"]
META = ReportMeta(
    company="蓝图科技",
    version=3,
    status="approved",
    author="小李",
    approver="王经理",
    approved_at=dt.datetime(2026, 10, 9, 8, 30, tzinfo=dt.UTC),
)
# a bare registry id (won_deals, sales_cycle_median …) written where a reader sees it
RAW_ID = re.compile(
    r"(?<![:\w])("
    + "|".join(sorted((m for m in REGISTRY if "_" in m), key=len, reverse=True))
    + r")(?![\w=])"
)


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def workbooks(drafts: dict[str, ReviewDraft], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("xlsx")
    books = {}
    for lang, draft in drafts.items():
        export_report(draft, "xlsx", folder / f"review-{lang}.xlsx", meta=META)
        books[lang] = load_workbook(folder / f"review-{lang}.xlsx")
    return books


@pytest.fixture(scope="module")
def documents(drafts: dict[str, ReviewDraft], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("docx")
    docs = {}
    for lang, draft in drafts.items():
        export_report(draft, "docx", folder / f"review-{lang}.docx", meta=META)
        docs[lang] = Document(str(folder / f"review-{lang}.docx"))
    return docs


@pytest.fixture(scope="module")
def pdfs(drafts: dict[str, ReviewDraft], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("pdf")
    out = {}
    for lang, draft in drafts.items():
        export_report(draft, "pdf", folder / f"review-{lang}.pdf", meta=META)
        out[lang] = PdfReader(str(folder / f"review-{lang}.pdf"))
    return out


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_the_drafts_carry_every_grade_and_a_check_first_action(drafts: dict[str, ReviewDraft]) -> None:
    for draft in drafts.values():  # so the exports below show every kind of link
        grades = {link.grade for c in draft.chains for link in c.links}
        assert grades == {"figure", "record", "hypothesis"}
        assert any(a.check_first for a in draft.actions) and any(c.hypothesis for c in draft.chains)


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_sheets_and_the_summary_sheet(
    workbooks: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    wb, draft = workbooks[lang], drafts[lang]
    expected = [
        "summary",
        "performance",
        "root_causes",
        "lessons",
        "actions",
        "evidence",
        "charts",
        "chart_data",
    ]
    assert wb.sheetnames == [label(n, lang) for n in expected]
    summary = {r[0]: r[1] for r in wb[label("summary", lang)].iter_rows(min_row=2, values_only=True)}
    assert summary[label("cover_company", lang)] == "蓝图科技" and summary[label("version", lang)] == "v3"
    assert summary[label("approver", lang)] == "王经理" and summary[label("summary", lang)] == draft.summary
    assert summary[label("approved_on", lang)].date() == dt.date(2026, 10, 9)
    for name in expected[:6]:
        ws = wb[label(name, lang)]
        assert (
            str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
            and ws.page_setup.orientation == "landscape"
        )


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_performance_cells_have_their_units_formats(
    workbooks: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft = drafts[lang]
    ws = workbooks[lang][label("performance", lang)]
    assert [c.value for c in ws[1]][:6] == [
        label(c, lang) for c in ("metric", "target", "actual", "achievement", "gap", "note")
    ]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(draft.goals) > 3
    for row, goal in zip(rows, draft.goals, strict=True):
        metric, target, actual, achievement, gap, note, cites = row
        assert metric.value.startswith(goal.label) and (note.value or "") == goal.note
        got = (target.value, actual.value, achievement.value, gap.value)
        for value, expected in zip(got, (goal.target, goal.actual, goal.achievement, goal.gap), strict=True):
            assert value == (None if expected is None else pytest.approx(expected, rel=1e-12))
        assert actual.number_format == number_format(goal.unit, lang)
        assert achievement.number_format == "0.0%"
        assert re.fullmatch(r"(\[\d+\])+", cites.value), cites.value  # marks, not raw ids
    formats = {g.metric: r[2].number_format for r, g in zip(rows, draft.goals, strict=True)}
    assert formats["win_rate"] == formats["repurchase_rate"] == "0.0%"  # never 0.42
    assert formats["new_customers"] == "#,##0"  # never "37."
    assert formats["won_revenue"] == '"¥"#,##0'
    assert formats["sales_cycle_median"] == ('0.0 "天"' if lang == "zh" else '0.0 "days"')


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_root_causes_lessons_and_actions_match_the_draft(
    workbooks: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    draft, wb = drafts[lang], workbooks[lang]
    chains = _rows(wb[label("root_causes", lang)])
    assert len(chains) == len(draft.chains) > 0
    for row, chain in zip(chains, draft.chains, strict=True):
        assert row[0] == chain.problem
        assert (
            row[2] == (f"[{grade_label('hypothesis', lang)}] " if chain.hypothesis else "") + chain.root_cause
        )
        assert (row[3] or "") == chain.verification and row[4] == category_label(chain.category, lang)
        links = [link for link in chain.links if link.claim != chain.problem]
        lines = _lines(row[1])
        assert len(lines) == len(links)
        for line, link in zip(lines, links, strict=True):
            assert line.startswith(f"[{grade_label(link.grade, lang)}] ", line.index(" ") + 1)
            assert link.claim in line and (not link.check or link.check in line)
    lessons = _rows(wb[label("lessons", lang)])
    assert [(r[0], r[1], r[2]) for r in lessons] == [
        (label(x.type, lang), x.content, x.scenario) for x in draft.lessons
    ]
    ws = wb[label("actions", lang)]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(draft.actions) > 0
    for row, a in zip(rows, draft.actions, strict=True):
        values = [c.value for c in row]
        deadline = values[2].date() if isinstance(values[2], dt.datetime) else values[2]
        prefix = f"[{label('check_first', lang)}] " if a.check_first else ""
        assert (values[0], values[1], deadline) == (prefix + a.action, a.owner, a.deadline)
        assert ((values[3] or ""), (values[4] or ""), values[5]) == (
            a.resources,
            a.checkpoint,
            label(a.status, lang),
        )
        assert values[6] == metric_label(a.metric, lang) and values[6] != a.metric
        assert (values[7], values[8]) == (a.baseline, a.target)
        unit = REGISTRY[a.metric].unit
        # the sample company's amounts are in yuan (read from its Chinese headers at import)
        expected = '"¥"#,##0' if unit == "money" else number_format(unit, lang)
        assert row[7].number_format == row[8].number_format == expected


@pytest.mark.parametrize("lang", LANGS)
def test_no_raw_metric_id_outside_the_evidence_sheet(workbooks: dict, lang: str) -> None:
    for ws in workbooks[lang].worksheets:
        if ws.title in (label("evidence", lang),):
            continue
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not RAW_ID.search(value), (ws.title, value[:120])


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_evidence_and_native_charts(workbooks: dict, drafts: dict[str, ReviewDraft], lang: str) -> None:
    draft, wb = drafts[lang], workbooks[lang]
    ws = wb[label("evidence", lang)]
    evidence = {r[4].value: r for r in ws.iter_rows(min_row=2)}
    cited = {e for g in draft.goals for e in g.evidence} | {e for a in draft.actions for e in a.evidence}
    assert cited <= set(evidence)
    for eid, ev in draft.evidence.items():
        if ev.value is not None:
            assert evidence[eid][2].value == pytest.approx(ev.value, rel=1e-12)
            if ev.unit == "ratio":
                assert evidence[eid][2].number_format == "0.0%"
    charts = wb[label("charts", lang)]
    assert len(charts._charts) == len(draft.charts) == 5 and not charts._images
    titles = [c.value for c in charts["A"] if c.value]
    assert all(any(t.startswith(chart.title) for t in titles) for chart in draft.charts)
    data = wb[label("chart_data", lang)]
    funnel = next(c for c in draft.charts if c.kind == "funnel")
    start = next(r for r in range(1, data.max_row + 1) if data.cell(r, 1).value == funnel.title)
    for i, value in enumerate(funnel.series[0].values, start=2):
        cell = data.cell(start + i, 2)
        assert cell.value == pytest.approx(value, rel=1e-12) and cell.number_format == "0.0%"


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("lang", LANGS)
def test_docx_is_a4_with_cover_contents_and_page_numbers(
    documents: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    doc, draft = documents[lang], drafts[lang]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    cover = dict(_table_rows(doc.tables[0]))
    assert cover[label("cover_company", lang)] == "蓝图科技" and cover[label("period", lang)] == draft.period
    assert cover[label("approver", lang)] == "王经理" and cover[label("approved_on", lang)] == "2026-10-09"
    assert cover[label("report_status", lang)] == ("已批准" if lang == "zh" else "approved")
    body = doc.element.body.xml
    assert 'TOC \\o "1-2"' in body
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert 'w:updateFields w:val="true"' in doc.settings.element.xml


@pytest.mark.parametrize("lang", LANGS)
def test_docx_tables_match_the_draft(documents: dict, drafts: dict[str, ReviewDraft], lang: str) -> None:
    draft, doc = drafts[lang], documents[lang]
    assert len(doc.tables) == 6  # cover, four tables, annex
    perf, causes, lessons, actions = (_table_rows(t) for t in doc.tables[1:5])
    assert perf[0][:6] == [
        label(c, lang) for c in ("metric", "target", "actual", "achievement", "gap", "note")
    ]
    assert [r[0] for r in perf[1:]] == [
        g.label + (f" · {segment_label(g.segment, lang)}" if g.segment else "") for g in draft.goals
    ]
    assert [r[5] for r in perf[1:]] == [g.note or "—" for g in draft.goals]
    win = next(r for r, g in zip(perf[1:], draft.goals, strict=True) if g.metric == "win_rate")
    assert win[2].endswith("%")
    assert [r[0] for r in causes[1:]] == [c.problem for c in draft.chains]
    assert [(r[0], r[1], r[2]) for r in lessons[1:]] == [
        (label(x.type, lang), x.content, x.scenario) for x in draft.lessons
    ]
    assert [(r[1], r[2], r[5], r[6]) for r in actions[1:]] == [
        (a.owner, a.deadline.isoformat(), label(a.status, lang), metric_label(a.metric, lang))
        for a in draft.actions
    ]
    texts = [p.text for p in doc.paragraphs]
    body = texts[: texts.index(label("annex", lang))]  # the annex defines metrics in the registry's words
    text = "\n".join(body) + "\n".join(c.text for t in doc.tables[:5] for r in t.rows for c in r.cells)
    assert not RAW_ID.search(text), RAW_ID.search(text)


@pytest.mark.parametrize("lang", LANGS)
def test_docx_annex_is_compact(documents: dict, drafts: dict[str, ReviewDraft], lang: str) -> None:
    draft, doc = drafts[lang], documents[lang]
    annex = _table_rows(doc.tables[5])
    assert len(annex) == 1 + len(draft.evidence)
    paragraphs = [p.text for p in doc.paragraphs]
    total = sum(len(t) for t in paragraphs) + sum(
        len(c.text) for t in doc.tables for r in t.rows for c in r.cells
    )
    sql = sum(len(t) for t in paragraphs if "FILTER (WHERE" in t)
    assert 0 < sql < 0.2 * total  # once per metric, not once per figure (it was ~85% of the text)
    assert len(doc.inline_shapes) == len(draft.charts) == 5
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    for caption, chart in zip(captions, draft.charts, strict=True):
        assert caption.startswith(chart.title) and re.search(r"\[\d+\]", caption)


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_pages_are_a4_with_a_cover_and_numbers(
    pdfs: dict, drafts: dict[str, ReviewDraft], lang: str
) -> None:
    reader, draft = pdfs[lang], drafts[lang]
    pages = reader.pages
    assert len(pages) >= 4
    for page in pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (596, 843)
    texts = [
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", page.extract_text())).replace("⻚", "页")
        for page in pages
    ]  # the PDF's text layer spells some CJK characters with their radical forms
    cover = texts[0]
    assert re.sub(r"\s+", "", draft.title) in cover and "蓝图科技" in cover and "王经理" in cover
    assert label("approver", lang).replace(" ", "") in cover
    for n, text in enumerate(texts, start=1):
        marker = f"第{n}页/共{len(pages)}页" if lang == "zh" else f"Page{n}of{len(pages)}"
        assert marker in text, (n, text[-80:])
    body = "".join(texts)
    assert re.sub(r"\s+", "", label("hypothesis", lang)) in body
    assert re.sub(r"\s+", "", draft.chains[0].problem)[:12] in body


def test_unknown_format_is_a_user_error(drafts: dict[str, ReviewDraft], tmp_path: Path) -> None:
    from fupan.errors import InputError

    with pytest.raises(InputError, match="unknown report format 'rtf'"):
        export_report(drafts["zh"], "rtf", tmp_path / "r.rtf")
    assert not (tmp_path / "r.rtf").exists()


def test_file_names_say_company_period_version_and_status(drafts: dict[str, ReviewDraft]) -> None:
    from agent.reports.meta import content_disposition, report_filename

    assert report_filename(drafts["zh"], META, "pdf") == "蓝图科技-2026Q3-复盘报告-v3-已批准.pdf"
    assert report_filename(drafts["en"], META, "docx") == "蓝图科技-2026Q3-review-v3-approved.docx"
    unsaved = ReportMeta()
    assert report_filename(drafts["en"], unsaved, "xlsx") == "2026Q3-review-unsaved.xlsx"
    header = content_disposition("蓝图科技-2026Q3-复盘报告-v3-已批准.pdf")
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''%E8%93%9D" in header
    io.BytesIO(header.encode("latin-1"))  # the header itself is plain ASCII
