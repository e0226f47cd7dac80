"""The review as a Word document: the four tables, the charts with their citations, the evidence list."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from agent.reports.files import atomic_write
from agent.reports.tables import ReportTable
from agent.reports.view import ReportView

_EAST_ASIAN_FONT = "Noto Sans CJK SC"


def _base_style(doc: DocumentObject) -> None:
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), _EAST_ASIAN_FONT)


def _table(doc: DocumentObject, table: ReportTable, view: ReportView) -> None:
    doc.add_heading(table.title, level=2)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value.text(view.lang, view.citations)


def _charts(doc: DocumentObject, view: ReportView) -> None:
    doc.add_heading(view.L.charts, level=2)
    if not view.charts:
        doc.add_paragraph(view.L.no_charts)
    for chart in view.charts:
        doc.add_picture(io.BytesIO(chart.png), width=Inches(6.2))
        caption = doc.add_paragraph(style="Caption")
        caption.add_run(chart.spec.title)
        caption.add_run(f" — {view.L.source}: " + " ".join(f"[{c.number}] {c.id}" for c in chart.citations))


def _evidence(doc: DocumentObject, view: ReportView) -> None:
    doc.add_heading(view.L.evidence, level=2)
    for c in view.citations.items:
        ev = c.evidence
        para = doc.add_paragraph()
        para.add_run(f"[{c.number}] ").bold = True
        para.add_run(c.id)
        if ev is None:
            para.add_run(f" — {view.L.missing}")
            continue
        if ev.label:
            para.add_run(f" — {ev.label}")
        if ev.value is not None:
            para.add_run(f": {view.value_text(c)}").bold = True
        if ev.text:
            doc.add_paragraph(ev.text, style="Quote")
        if ev.sql:
            sql = doc.add_paragraph().add_run(ev.sql)
            sql.font.size, sql.font.name = Pt(7.5), "DejaVu Sans Mono"


def build_docx(view: ReportView) -> DocumentObject:
    d, L = view.draft, view.L
    doc = Document()
    _base_style(doc)
    doc.core_properties.title = d.title
    doc.add_heading(d.title, level=1)
    doc.add_paragraph(f"{L.period}: {d.period} · {L.scope}: {view.scope} · {L.writer}: {d.writer}")
    doc.add_heading(L.summary, level=2)
    doc.add_paragraph(d.summary)
    for table in view.tables:
        _table(doc, table, view)
    _charts(doc, view)
    _evidence(doc, view)
    return doc


def write_docx(view: ReportView, out: Path) -> list[Path]:
    buf = io.BytesIO()
    build_docx(view).save(buf)
    atomic_write(out, buf.getvalue())
    return [out]
