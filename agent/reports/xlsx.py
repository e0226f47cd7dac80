"""The review as an XLSX workbook: a summary sheet, the four tables managers use, the evidence, and native Excel
charts over a chart-data sheet.

Every number is a number with a format set per cell from its unit: ratios as percentages (41.2%), money with
the currency and thousands separators, days and counts as whole or one-decimal numbers — never 0.42 for a
win rate or "37." for a count. Table cells cite by number ([1][4]); the evidence sheet maps each number to its
label, value, excerpt or SQL. Sheets print on A4, landscape, one page wide.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from agent.reports.files import atomic_write
from agent.reports.safe_text import guard_sheet
from agent.reports.tables import Cell, ReportTable
from agent.reports.view import ReportView
from agent.wording import metric_unit
from fupan.evidence import parse_evidence_id
from fupan.formatting import is_money, symbol

_HEAD = PatternFill("solid", fgColor="DCE3EE")
_WIDE = {"text": 42, "citations": 12, "date": 12, "number": 14, "ratio": 11}


def number_format(unit: str | None, lang: str) -> str:
    """The Excel format of a value in `unit`."""
    if unit == "ratio":
        return "0.0%"
    if is_money(unit):  # the data's currency (an ISO code); `money` (unknown) shows no symbol
        sym = symbol(unit)
        return f'"{sym}"#,##0' if sym else "#,##0"
    if unit == "days":
        return '0.0 "天"' if lang == "zh" else '0.0 "days"'
    return "#,##0"


def _cell_format(cell: Cell, lang: str) -> str | None:
    if cell.kind == "ratio":
        return "0.0%"
    if cell.kind == "number":
        return number_format(cell.unit, lang)
    if cell.kind == "date":
        return "yyyy-mm-dd"
    return None


def _cell_value(cell: Cell, view: ReportView) -> object:
    if cell.kind == "citations":
        return view.citations.marks(cell.evidence)
    return cell.value


def _head(ws: Worksheet) -> None:
    for col in ws[1]:
        col.font, col.fill = Font(bold=True), _HEAD
        col.alignment = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws: Worksheet, title: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.left.text = title[:200]


def _write_table(ws: Worksheet, table: ReportTable, view: ReportView) -> None:
    ws.append(table.columns)
    _head(ws)
    for row in table.rows:
        ws.append([_cell_value(c, view) for c in row])
        for xl, cell in zip(ws[ws.max_row], row, strict=True):
            xl.alignment = Alignment(wrap_text=True, vertical="top")
            if fmt := _cell_format(cell, view.lang):
                xl.number_format = fmt
    kinds = [c.kind for c in table.rows[0]] if table.rows else []
    for i, kind in enumerate(kinds, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDE.get(kind, 20)
    ws.freeze_panes = "A2"


def _write_summary(ws: Worksheet, view: ReportView) -> None:
    d, L, m = view.draft, view.L, view.meta
    rows = [
        (L.cover_company, m.company or "—"),
        (L.period, d.period),
        (L.scope, view.scope),
        (L.version, f"v{m.version}" if m.version is not None else "—"),
        (L.report_status, m.status_label(view.lang)),
        (L.author, m.author or "—"),
        (L.approver, m.approver or "—"),
        (L.approved_on, m.approved_at.date() if m.approved_at else "—"),
        (L.summary, d.summary),
        ("", L.grades),
    ]
    ws.append([d.title])
    ws["A1"].font = Font(bold=True, size=14)
    for key, value in rows:
        ws.append([key, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if hasattr(value, "year"):
            ws.cell(row=ws.max_row, column=2).number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 110


def _evidence_unit(evidence_id: str, unit: str | None) -> str | None:
    try:
        kind, parts = parse_evidence_id(evidence_id)
    except ValueError:
        return unit
    return unit or (metric_unit(str(parts["name"])) if kind == "metric" else None)


def _write_evidence(ws: Worksheet, view: ReportView) -> None:
    L = view.L
    ws.append(["#", L.label, L.value, L.excerpt, L.id, L.how])
    _head(ws)
    for c in view.citations.items:
        ev = c.evidence
        ws.append(
            [c.number, ev.label if ev else L.missing, ev.value if ev else None, ev.text if ev else None, c.id]
            + [ev.sql if ev else None]
        )
        value = ws.cell(row=ws.max_row, column=3)
        if ev is not None and ev.value is not None:
            value.number_format = number_format(_evidence_unit(c.id, ev.unit), view.lang)
        for col in (2, 4, 6):
            ws.cell(row=ws.max_row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (5, 34, 14, 50, 40, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def _write_charts(charts_ws: Worksheet, data_ws: Worksheet, view: ReportView) -> None:
    """Each chart's categories and series as a small table on the data sheet, and a native chart over it."""
    row, anchor = 1, 1
    for chart in view.charts:
        spec = chart.spec
        data_ws.cell(row=row, column=1, value=spec.title).font = Font(bold=True)
        head = row + 1
        data_ws.cell(row=head, column=1, value="")
        for j, series in enumerate(spec.series, start=2):
            data_ws.cell(row=head, column=j, value=series.name).font = Font(bold=True)
        for i, category in enumerate(spec.categories, start=1):
            data_ws.cell(row=head + i, column=1, value=category)
            for j, series in enumerate(spec.series, start=2):
                value = series.values[i - 1] if i - 1 < len(series.values) else None
                cell = data_ws.cell(row=head + i, column=j, value=value)
                cell.number_format = number_format(spec.unit, view.lang)
        last = head + len(spec.categories)
        native = LineChart() if spec.kind == "trend" else BarChart()
        native.title = spec.title
        native.height, native.width = 8, 16
        native.y_axis.number_format = number_format(spec.unit, view.lang)
        native.y_axis.majorGridlines = None
        values = Reference(data_ws, min_col=2, max_col=1 + len(spec.series), min_row=head, max_row=last)
        native.add_data(values, titles_from_data=True)
        native.set_categories(Reference(data_ws, min_col=1, min_row=head + 1, max_row=last))
        cites = " ".join(f"[{c.number}]" for c in chart.citations)
        charts_ws.cell(row=anchor, column=1, value=f"{spec.title} — {view.L.source}: {cites}").font = Font(
            bold=True
        )
        charts_ws.add_chart(native, f"A{anchor + 1}")
        row, anchor = last + 2, anchor + 18
    data_ws.column_dimensions["A"].width = 28


def write_xlsx(view: ReportView, out: Path) -> list[Path]:
    wb = Workbook()
    wb.remove(wb.active)
    summary = wb.create_sheet(view.L.summary)
    _write_summary(summary, view)
    _print_setup(summary, view.draft.title)
    for table in view.tables:
        ws = wb.create_sheet(table.title[:31])
        _write_table(ws, table, view)
        _print_setup(ws, view.draft.title)
    evidence = wb.create_sheet(view.L.evidence)
    _write_evidence(evidence, view)
    _print_setup(evidence, view.draft.title)
    if view.charts:
        charts = wb.create_sheet(view.L.charts)
        _write_charts(charts, wb.create_sheet(view.L.chart_data[:31]), view)
    wb.properties.title = view.draft.title
    for ws in wb.worksheets:
        guard_sheet(ws)  # text stays text: no formula from a lesson or a note
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(out, buf.getvalue())
    return [out]
