"""The review as an XLSX workbook: the four tables managers use, evidence, and the charts."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from agent.reports.files import atomic_write
from agent.reports.safe_text import guard_sheet
from agent.reports.tables import Cell, ReportTable
from agent.reports.view import ReportView
from fupan.formatting import SYMBOLS

_HEAD = PatternFill("solid", fgColor="DCE3EE")
_WIDE = {"text": 42, "citations": 16, "date": 12, "number": 14, "ratio": 11}
_MONEY = {**{code: f'"{sym}"#,##0' for code, sym in SYMBOLS.items()}, "money": "#,##0", "days": '0" d"'}


def _cell_value(cell: Cell, view: ReportView) -> object:
    if cell.kind == "citations":
        return "\n".join(f"[{c.number}] {c.id}" for c in view.citations.refs(cell.evidence))
    return cell.value


def _number_format(cell: Cell) -> str | None:
    if cell.kind == "ratio":
        return "0.0%"
    if cell.kind == "number":
        return _MONEY.get(cell.unit, "#,##0.##")
    if cell.kind == "date":
        return "yyyy-mm-dd"
    return None


def _write_table(ws: Worksheet, table: ReportTable, view: ReportView) -> None:
    ws.append(table.columns)
    for col in ws[1]:
        col.font, col.fill = Font(bold=True), _HEAD
    for row in table.rows:
        ws.append([_cell_value(c, view) for c in row])
        for xl, cell in zip(ws[ws.max_row], row, strict=True):
            xl.alignment = Alignment(wrap_text=True, vertical="top")
            if fmt := _number_format(cell):
                xl.number_format = fmt
    kinds = [c.kind for c in table.rows[0]] if table.rows else []
    for i, kind in enumerate(kinds, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDE.get(kind, 20)
    ws.freeze_panes = "A2"


def _write_evidence(ws: Worksheet, view: ReportView) -> None:
    L = view.L
    ws.append(["#", L.id, L.label, L.value, L.excerpt, L.how])
    for col in ws[1]:
        col.font, col.fill = Font(bold=True), _HEAD
    for c in view.citations.items:
        ev = c.evidence
        ws.append(
            [c.number, c.id, ev.label if ev else L.missing, ev.value if ev else None, ev.text if ev else None]
            + [ev.sql if ev else None]
        )
    for letter, width in zip("ABCDEF", (5, 48, 30, 14, 50, 60), strict=True):
        ws.column_dimensions[letter].width = width


def _write_charts(ws: Worksheet, view: ReportView) -> None:
    row = 1
    for chart in view.charts:
        ws.cell(row=row, column=1, value=chart.spec.title).font = Font(bold=True)
        cites = " ".join(f"[{c.number}] {c.id}" for c in chart.citations)
        ws.cell(row=row + 1, column=1, value=f"{view.L.source}: {cites}")
        image = Image(io.BytesIO(chart.png))
        image.width, image.height = 640, 340
        ws.add_image(image, f"A{row + 2}")
        row += 22


def write_xlsx(view: ReportView, out: Path) -> list[Path]:
    wb = Workbook()
    wb.remove(wb.active)
    for table in view.tables:
        _write_table(wb.create_sheet(table.title[:31]), table, view)
    _write_evidence(wb.create_sheet(view.L.evidence), view)
    if view.charts:
        _write_charts(wb.create_sheet(view.L.charts), view)
    wb.properties.title = view.draft.title
    for ws in wb.worksheets:
        guard_sheet(ws)  # text stays text: no formula from a lesson or a note
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(out, buf.getvalue())
    return [out]
