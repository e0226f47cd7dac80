"""Reports a manager can send: a ReviewDraft exported as Markdown, standalone HTML, XLSX, DOCX or PDF (zh or en).

from agent.reports import export_report
export_report(draft, "xlsx", Path("review.xlsx"), language="en", meta=ReportMeta(company="Acme"))

`meta` (agent/reports/meta.py) is what the cover and the file name say: company, version, status, author,
approver and approval date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from agent.reports.meta import ReportMeta
from fupan.errors import InputError
from fupan.report import ReviewDraft

ReportFormat = Literal["md", "html", "xlsx", "docx", "pdf"]
FORMATS: tuple[str, ...] = get_args(ReportFormat)


def _writer(fmt: str) -> Callable[..., list[Path]]:
    if fmt == "md":
        from agent.reports.markdown import write_markdown

        return write_markdown
    if fmt == "html":
        from agent.reports.html import write_html

        return write_html
    if fmt == "xlsx":
        from agent.reports.xlsx import write_xlsx

        return write_xlsx
    if fmt == "docx":
        from agent.reports.docx import write_docx

        return write_docx
    if fmt == "pdf":
        from agent.reports.pdf import write_pdf

        return write_pdf
    raise InputError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")


def export_report(
    draft: ReviewDraft, fmt: str, out: Path, *, language: str | None = None, meta: ReportMeta | None = None
) -> list[Path]:
    """Write the report in `fmt` to `out` (labels in `language`, default the draft's); returns files written."""
    from agent.reports.safe_text import printable
    from agent.reports.view import build_view

    write = _writer(fmt)
    return write(build_view(printable(draft), language, meta=meta), Path(out))


MEDIA_TYPES = {
    "md": "application/zip",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def report_bytes(
    draft: ReviewDraft, fmt: str, *, language: str | None = None, meta: ReportMeta | None = None
) -> tuple[bytes, str, str]:
    """The report as one file for a download: (bytes, media type, file extension).
    Markdown comes as a zip holding review.md and its chart images."""
    import io
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory() as tmp:
        files = export_report(draft, fmt, Path(tmp) / f"review.{fmt}", language=language, meta=meta)
        if fmt != "md":
            return files[0].read_bytes(), MEDIA_TYPES[fmt], fmt
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(tmp))
        return buf.getvalue(), MEDIA_TYPES[fmt], "zip"


def render_report_html(
    draft: ReviewDraft, *, language: str | None = None, meta: ReportMeta | None = None
) -> str:
    """The standalone HTML report as a string (for the API and the page)."""
    from agent.reports.html import render_html
    from agent.reports.safe_text import printable
    from agent.reports.view import build_view

    return render_html(build_view(printable(draft), language, meta=meta))


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ReportFormat",
    "ReportMeta",
    "export_report",
    "render_report_html",
    "report_bytes",
]
