"""Import a folder of sales files as a user exports them: each file's kind read from its content, side tables
(team, products, accounts) before the deals so the deals are checked against them, targets last.

A file named after its kind (`opportunities.csv`, `targets.xlsx`, …) is that kind; any other name is recognised
from its headers and values, as `fupan import FILE` does. Files that are not sales tables (README.md, notes,
images) are listed as skipped, never guessed at. Two files of one kind are refused before anything is imported,
because each import replaces its kind's current snapshot.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from fupan.errors import InputError
from knowledge.import_report import ImportReport

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet")
ORDER = ("team", "products", "accounts", "opportunities", "targets")
_SAMPLE_BYTES = 2_000_000  # larger CSVs are recognised from their first lines (a copy of the head)
_SAMPLE_LINES = 5_000


class Importer(Protocol):
    def import_file(self, path: Path | str, kind: str | None = None, **options: object) -> ImportReport: ...


class PlannedFile(BaseModel):
    path: str
    kind: str
    why: str


class FolderPlan(BaseModel):
    """What a folder holds: the files to import, in order, and the files left out with the reason."""

    folder: str
    files: list[PlannedFile] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict)


def plan_folder(store: Importer, folder: Path) -> FolderPlan:
    """Recognise each table file of `folder` (dry runs: nothing is imported) and order them for import."""
    if not folder.is_dir():
        raise InputError("not a folder", file=str(folder))
    plan = FolderPlan(folder=str(folder))
    found: list[PlannedFile] = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_dir():
            plan.skipped[path.name] = "a folder (not read)"
        elif path.suffix.lower() not in TABLE_SUFFIXES:
            plan.skipped[path.name] = "not a table (CSV, TSV, XLSX or Parquet)"
        elif path.stem.lower() in ORDER:
            found.append(PlannedFile(path=str(path), kind=path.stem.lower(), why="the file's name"))
        else:
            kind, why = _recognise(store, path)
            found.append(PlannedFile(path=str(path), kind=kind, why=why))
    by_kind: dict[str, list[str]] = {}
    for f in found:
        by_kind.setdefault(f.kind, []).append(Path(f.path).name)
    doubles = {k: names for k, names in by_kind.items() if len(names) > 1}
    if doubles:
        kind, names = next(iter(doubles.items()))
        raise InputError(
            f"{len(names)} files in the folder are {kind}: {', '.join(names)}; nothing was imported",
            file=str(folder),
            hint=f"each import replaces the current {kind}: import them one at a time (fupan import FILE), "
            "or combine them into one file",
        )
    if not found:
        raise InputError(
            "no sales tables in the folder (CSV, TSV, XLSX or Parquet)",
            file=str(folder),
            hint="give the file itself: fupan import FILE",
        )
    plan.files = sorted(found, key=lambda f: (ORDER.index(f.kind), f.path))
    return plan


def import_folder(
    store: Importer,
    folder: Path,
    *,
    on_file: Callable[[PlannedFile], None] | None = None,
    **options: object,
) -> tuple[FolderPlan, list[ImportReport]]:
    """Import every table of the folder in plan order; each file is its own atomic import (a refusal raises
    after the files before it were imported: the caller names them, and `fupan import --undo --kind K` takes any
    of them back)."""
    plan = plan_folder(store, folder)
    reports = []
    for f in plan.files:
        if on_file:
            on_file(f)
        reports.append(store.import_file(Path(f.path), f.kind, **options))
    return plan, reports


def _recognise(store: Importer, path: Path) -> tuple[str, str]:
    """The kind the import would read `path` as, from a dry run (of the first lines for a large CSV)."""
    if path.suffix.lower() in (".csv", ".tsv") and path.stat().st_size > _SAMPLE_BYTES:
        with tempfile.TemporaryDirectory(prefix="fupan-folder-") as tmp:
            head = Path(tmp) / path.name
            with path.open("rb") as src, head.open("wb") as out:
                for i, line in enumerate(src):
                    if i >= _SAMPLE_LINES:
                        break
                    out.write(line)
            report = store.import_file(head, None, dry_run=True)
    else:
        report = store.import_file(path, None, dry_run=True)
    return report.kind, report.kind_basis or "its headers"
