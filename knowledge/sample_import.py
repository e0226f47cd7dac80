"""Import the sample company's files (see evals/sample_company.py) into a SalesStore."""

from __future__ import annotations

from pathlib import Path

from fupan.errors import InputError
from knowledge.sales_import import ImportReport

# side tables first so opportunities are checked against them
SAMPLE_FILES = (
    ("team.csv", "team"),
    ("products.csv", "products"),
    ("accounts.csv", "accounts"),
    ("opportunities.csv", "opportunities"),
    ("targets.csv", "targets"),
)


def import_sample_company(store: object, folder: Path | str) -> list[ImportReport]:
    folder = Path(folder)
    if not (folder / "opportunities.csv").exists():
        raise InputError("no opportunities.csv in the folder", file=str(folder))
    reports = []
    for name, kind in SAMPLE_FILES:
        if (folder / name).exists():
            preset = "fxiaoke" if kind == "opportunities" else None
            reports.append(store.import_file(folder / name, kind, preset=preset))  # type: ignore[attr-defined]
    return reports
