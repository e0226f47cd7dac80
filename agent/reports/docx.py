"""The review as a Word document a director can sign and send: A4, a cover (title, company, period, version and
status, author, approver and date once approved), a table of contents, page numbers, the summary, the four
tables, the charts with their citations, and a compact annex.

The annex lists each cited figure once (number, what it is, value) and then each metric's definition and SQL
once — not the full query of every figure, which stays in the XLSX evidence sheet and the HTML report.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from agent.reports.files import atomic_write
from agent.reports.tables import ReportTable
from agent.reports.view import ReportView
from fupan.evidence import parse_evidence_id

_EAST_ASIAN_FONT = "Noto Sans CJK SC"
A4 = (Cm(21.0), Cm(29.7))


def _base_style(doc: DocumentObject) -> None:
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), _EAST_ASIAN_FONT)


def _page(doc: DocumentObject) -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.0))


def _field(paragraph, instruction: str, placeholder: str = "") -> None:  # type: ignore[no-untyped-def]
    """A Word field (PAGE, NUMPAGES, TOC …) with a cached result Word replaces when it updates fields."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _footer(doc: DocumentObject, view: ReportView) -> None:
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if view.lang == "zh":
        para.add_run("第 ")
        _field(para, "PAGE", "1")
        para.add_run(" 页 / 共 ")
        _field(para, "NUMPAGES", "1")
        para.add_run(" 页")
    else:
        para.add_run("Page ")
        _field(para, "PAGE", "1")
        para.add_run(" of ")
        _field(para, "NUMPAGES", "1")


def _update_fields_on_open(doc: DocumentObject) -> None:
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _cover(doc: DocumentObject, view: ReportView) -> None:
    d, L, m = view.draft, view.L, view.meta
    for _ in range(4):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.add_run(d.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = [
        (L.cover_company, m.company),
        (L.period, d.period),
        (L.scope, view.scope),
        (L.version, f"v{m.version}" if m.version is not None else ""),
        (L.report_status, m.status_label(view.lang)),
        (L.author, m.author),
        (L.approver, m.approver),
        (L.approved_on, m.approved_at.date().isoformat() if m.approved_at else ""),
    ]
    grid = doc.add_table(rows=0, cols=2)
    grid.style = "Table Grid"
    for key, value in rows:
        if not value:
            continue
        cells = grid.add_row().cells
        cells[0].text, cells[1].text = key, value
        cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: DocumentObject, view: ReportView) -> None:
    doc.add_heading(view.L.contents, level=1)
    para = doc.add_paragraph()
    headings = [view.L.summary, *(t.title for t in view.tables), view.L.charts, view.L.annex]
    _field(para, 'TOC \\o "1-2" \\h \\z \\u', "\n".join(headings))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table(doc: DocumentObject, table: ReportTable, view: ReportView) -> None:
    doc.add_heading(table.title, level=1)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    header = grid.rows[0]
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for cell, name in zip(header.cells, table.columns, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value.text(view.lang, view.citations)
    for row in grid.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(8.5)


def _charts(doc: DocumentObject, view: ReportView) -> None:
    doc.add_heading(view.L.charts, level=1)
    if not view.charts:
        doc.add_paragraph(view.L.no_charts)
    for chart in view.charts:
        doc.add_picture(io.BytesIO(chart.png), width=Cm(16.0))
        caption = doc.add_paragraph(style="Caption")
        caption.add_run(chart.spec.title)
        caption.add_run(f" — {view.L.source}: " + "".join(f"[{c.number}]" for c in chart.citations))


def _metric_of(evidence_id: str) -> str | None:
    try:
        kind, parts = parse_evidence_id(evidence_id)
    except ValueError:
        return None
    return str(parts["name"]) if kind == "metric" else None


def _annex(doc: DocumentObject, view: ReportView) -> None:
    """Each cited figure once (number, what it is, value); then each metric's definition and SQL once."""
    from agent.metrics import REGISTRY

    L = view.L
    doc.add_heading(L.annex, level=1)
    doc.add_heading(L.evidence, level=2)
    grid = doc.add_table(rows=1, cols=3)
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, ("#", L.label, L.value), strict=True):
        cell.text = name
    for c in view.citations.items:
        ev = c.evidence
        cells = grid.add_row().cells
        cells[0].text = f"[{c.number}]"
        if ev is None:
            cells[1].text = L.missing
            continue
        cells[1].text = (ev.label or "") + (f"\n“{ev.text[:160]}”" if ev.text else "")
        cells[2].text = view.value_text(c)
    for row in grid.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(8)
    used = list(dict.fromkeys(m for c in view.citations.items if (m := _metric_of(c.id)) in REGISTRY))
    doc.add_heading(L.methods, level=2)
    for metric in used:
        mdef = REGISTRY[metric]
        para = doc.add_paragraph()
        para.add_run(mdef.name_zh if view.lang == "zh" else mdef.name_en).bold = True
        para.add_run(f" — {mdef.definition_zh if view.lang == 'zh' else mdef.definition_en}")
        sql = " ÷ ".join(x for x in (mdef.numerator_sql, mdef.denominator_sql) if x)
        if sql:
            run = doc.add_paragraph().add_run(sql)
            run.font.size, run.font.name = Pt(7), "DejaVu Sans Mono"


def build_docx(view: ReportView) -> DocumentObject:
    d, L = view.draft, view.L
    doc = Document()
    _base_style(doc)
    _page(doc)
    _footer(doc, view)
    _update_fields_on_open(doc)
    doc.core_properties.title = d.title
    doc.core_properties.author = view.meta.author or "Fupan"
    _cover(doc, view)
    _contents(doc, view)
    doc.add_heading(L.summary, level=1)
    doc.add_paragraph(d.summary)
    doc.add_paragraph(L.grades).runs[0].italic = True
    for table in view.tables:
        _table(doc, table, view)
    _charts(doc, view)
    _annex(doc, view)
    return doc


def write_docx(view: ReportView, out: Path) -> list[Path]:
    buf = io.BytesIO()
    build_docx(view).save(buf)
    atomic_write(out, buf.getvalue())
    return [out]
