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


def import_sample_company(store: object, folder: Path | str, *, replace: bool = False) -> list[ImportReport]:
    """Import the folder's tables; its `aliases.yaml`, when present, becomes the workspace's aliases file."""
    folder = Path(folder)
    if not (folder / "opportunities.csv").exists():
        raise InputError("no opportunities.csv in the folder", file=str(folder))
    reports = []
    for name, kind in SAMPLE_FILES:
        if (folder / name).exists():
            report = store.import_file(folder / name, kind, replace=replace)  # type: ignore[attr-defined]
            reports.append(report)
    if (folder / "aliases.yaml").exists():
        from knowledge.workspace_aliases import install_aliases

        install_aliases(store.settings, folder / "aliases.yaml")  # type: ignore[attr-defined]
    return reports


def ingest_sample_documents(index: object, folder: Path | str) -> list[object]:
    """Index the sample company's notes, past reviews and lessons (the reviews and lessons were approved).

    Returns the knowledge base's ingest reports, in order: notes, each review, lessons.
    """
    folder = Path(folder)
    reports = []
    if (folder / "notes.csv").exists():
        reports.append(index.ingest_file(folder / "notes.csv"))  # type: ignore[attr-defined]
    for review in sorted((folder / "reviews").glob("*.md")):
        reports.append(index.ingest_file(review, kind="review", approved=True))  # type: ignore[attr-defined]
    if (folder / "lessons.jsonl").exists():
        reports.append(index.ingest_file(folder / "lessons.jsonl", approved=True))  # type: ignore[attr-defined]
    return reports
