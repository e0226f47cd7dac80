"""Which files of a folder are notes: a folder ingests what it can and names every file it leaves out.

- Tables (CSV/TSV/XLSX) with a text column, call transcripts and JSONL files are notes.
- A table with one row per call keyed by a transcript's call id (`conversations.csv` next to `messages.csv`)
  is read *with* the transcript for its fields (outcome, ...), not on its own.
- Markdown, TXT and DOCX files in a folder are not notes unless the user names a note kind (`--kind`): a
  folder's README is not a review. (Reviews and lessons enter the knowledge base only through approval.)
- Other tables, other file types and unreadable files are listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fupan.errors import InputError
from knowledge.doc_ingest import (
    SUPPORTED_SUFFIXES,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    detect_columns,
    find_companion,
    table_headers,
    transcript_columns,
)
from knowledge.documents import NOTE_KINDS, SkippedFile


@dataclass
class FolderPlan:
    """The files to ingest, in order, and the ones left out with their reasons."""

    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def plan_path(path: Path, kind: str | None = None) -> FolderPlan:
    """The file itself, or the notes files of a folder (not recursive); see the module docstring."""
    if not path.exists():
        raise InputError("file or folder not found", file=str(path))
    if path.is_file():
        return FolderPlan(files=[path])
    plan = FolderPlan()
    companions: dict[Path, Path] = {}
    candidates = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    for file in candidates:
        reason = _reason_to_skip(file, kind, companions)
        if reason is None:
            plan.files.append(file)
        else:
            plan.skipped.append(reason)
    plan.files = [f for f in plan.files if f not in companions]
    plan.skipped = [s for s in plan.skipped if Path(s.file) not in companions]
    for companion, transcript in companions.items():
        plan.skipped.append(
            SkippedFile(
                file=str(companion), reason=f"per-call fields (outcome, ...) read with {transcript.name}"
            )
        )
    order = {p: i for i, p in enumerate(candidates)}
    plan.skipped.sort(key=lambda s: order.get(Path(s.file), 0))
    if not plan.files:
        listed = "; ".join(f"{Path(s.file).name}: {s.reason}" for s in plan.skipped[:5])
        raise InputError(
            f"no notes files in the folder ({listed or 'it is empty'})",
            file=str(path),
            hint="notes are CSV/XLSX tables with a text column, call transcripts or JSONL; "
            "pass --kind visit_note to take Markdown/TXT/DOCX files as notes",
        )
    return plan


_NO_TEXT = "no text column (text, note, content, 内容, 正文, 跟进记录 ...): not a notes table"


def _reason_to_skip(file: Path, kind: str | None, companions: dict[Path, Path]) -> SkippedFile | None:
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return SkippedFile(file=str(file), reason=f"not a notes file type ({suffix or 'no extension'})")
    if suffix in TEXT_SUFFIXES:
        if kind in NOTE_KINDS:
            return None
        return SkippedFile(
            file=str(file),
            reason="a text document, not a notes table; pass --kind visit_note (or call_note) to ingest "
            "the folder's text files as notes",
        )
    if suffix not in TABLE_SUFFIXES:
        return None  # JSONL: one note per line
    try:
        headers = table_headers(file)
    except InputError as exc:
        return SkippedFile(file=str(file), reason=exc.message, level="error")
    transcript = transcript_columns(headers)
    if transcript:
        companion = find_companion(file, transcript[0])
        if companion is not None:
            companions[companion] = file
        return None
    if "text" in detect_columns(headers):
        return None
    return SkippedFile(file=str(file), reason=_NO_TEXT)
