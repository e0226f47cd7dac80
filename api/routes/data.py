"""Uploads: sales tables (→ validation report) and notes (→ ingest report). Company-wide analyst keys."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from api.auth import Caller, ServiceDep
from api.upload_names import safe_upload_name, without_folder
from fupan.errors import FupanError, InputError
from knowledge.documents import IngestReport
from knowledge.sales_import import ImportReport
from knowledge.sales_snapshots import UndoReport

router = APIRouter(prefix="/data", tags=["data"])
SalesKind = Literal["opportunities", "targets", "team", "products", "accounts"]
NoteKind = Literal["call_note", "visit_note"]


@contextmanager
def _saved(upload: UploadFile) -> Iterator[Path]:
    """The upload in a temp folder under a safe name (the readers go by the file suffix)."""
    with tempfile.TemporaryDirectory(prefix="fupan-upload-") as folder:
        path = Path(folder) / safe_upload_name(upload.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        yield path


def _unreadable(path: Path, exc: Exception) -> InputError:
    detail = str(exc).replace(f"{path.parent}/", "")[:200]
    return InputError(
        f"could not read the file ({type(exc).__name__}: {detail})",
        file=path.name,
        hint="upload CSV (UTF-8/GBK), XLSX or Parquet with a header row",
    )


def _public(report: IngestReport, path: Path) -> IngestReport:
    """The ingest report naming the uploaded file, never the server's temp folder."""
    prefix = f"{path.parent}/"
    report.source = report.source.replace(prefix, "")
    for issue in report.issues:
        issue.file = issue.file.replace(prefix, "")
    return report


@router.post("/sales", response_model=ImportReport)
def import_sales(
    caller: Caller,
    service: ServiceDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX or Parquet export")],
    kind: Annotated[SalesKind | None, Form(description="which table the file is (default: recognised)")] = None,
    strict: Annotated[bool, Form(description="reject the whole file on any warning")] = False,
    replace: Annotated[
        bool, Form(description="allow the file to remove more than import_max_removed_share of the rows")
    ] = False,
    dry_run: Annotated[bool, Form(description="check and report only; nothing is imported")] = False,
    currency: Annotated[str | None, Form(pattern=r"^[A-Za-z]{3}$", description="ISO code of the amounts")] = None,
    year: Annotated[int | None, Form(ge=1900, le=2200, description="year of period names without one")] = None,
) -> ImportReport:
    """Import a sales table; the report says how it was read (kind, layout, columns with their confidence,
    dimensions, dates, currency) and names every rejected row (file, row, column, value). A file with no
    accepted rows, a strict import with issues, or one that would remove most rows (without `replace`) is
    refused with 422 and changes nothing."""
    options = {"strict": strict, "replace": replace, "dry_run": dry_run, "currency": currency, "year": year}
    with _saved(file) as path:
        try:
            return service.import_sales(caller, path, kind, **options)  # type: ignore[return-value,arg-type]
        except FupanError as exc:
            raise without_folder(exc, path.parent) from None
        except Exception as exc:  # noqa: BLE001 — malformed files are the caller's input, not a 500
            raise _unreadable(path, exc) from exc


@router.post("/sales/undo", response_model=UndoReport)
def undo_sales_import(
    caller: Caller,
    service: ServiceDep,
    kind: Annotated[
        SalesKind | None, Form(description="which table (default: the last one imported)")
    ] = None,
) -> UndoReport:
    """Restore the snapshot the last import replaced; the replaced one is kept (undo again to redo)."""
    return service.undo_import(caller, kind)


@router.post("/documents", response_model=IngestReport)
def ingest_documents(
    caller: Caller,
    service: ServiceDep,
    file: Annotated[UploadFile, File(description="notes: CSV/XLSX/MD/TXT/DOCX/JSONL or a transcript CSV")],
    kind: Annotated[NoteKind | None, Form(description="kind when the file does not say")] = None,
) -> IngestReport:
    """Ingest call and visit notes. Reviews, lessons and action items enter only by approval."""
    with _saved(file) as path:
        try:
            return _public(service.ingest_documents(caller, path, kind=kind), path)
        except FupanError as exc:
            raise without_folder(exc, path.parent) from None
        except Exception as exc:  # noqa: BLE001
            raise _unreadable(path, exc) from exc
