"""Read documents from CSV/XLSX (one per row or call transcripts), Markdown/TXT, DOCX and JSONL files.

Every row or file that does not become a Document is returned as an IngestIssue naming file and row
(row = line in the file, header = 1), so nothing is dropped silently. Structured fields (outcome, stage, loss
reason, customer, product...) come from columns found by alias; a call transcript takes its calls' fields
from a sibling table keyed by the same call id (e.g. `conversations.csv` next to `messages.csv`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from fupan.errors import InputError
from knowledge.chunking import detect_language
from knowledge.documents import DOC_KINDS, Document, IngestIssue
from knowledge.encodings import sniff_encoding

# canonical field -> header aliases (compared lowercased, spaces/underscores removed)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("noteid", "id", "docid", "记录编号", "编号", "纪要编号", "笔记编号"),
    "text": (
        "text",
        "note",
        "notes",
        "content",
        "body",
        "message",
        "内容",
        "正文",
        "纪要",
        "跟进记录",
        "备注",
        "记录内容",
    ),
    "title": ("title", "subject", "标题", "主题"),
    "kind": ("kind", "type", "类型", "记录类型"),
    "date": ("date", "notedate", "日期", "跟进日期", "拜访日期", "记录日期"),
    "rep": ("rep", "owner", "salesrep", "负责人", "销售", "销售员", "跟进人"),
    "region": ("region", "team", "区域", "大区", "团队"),
    "customer": ("customer", "account", "客户", "客户名称"),
    "opportunity_id": ("opportunityid", "opportunity", "商机编号", "商机"),
    "period": ("period", "期间", "季度"),
    "product": ("product", "产品", "产品线"),
    "outcome": (
        "outcome",
        "disposition",
        "calloutcome",
        "callresult",
        "result",
        "结果",
        "通话结果",
        "跟进结果",
        "拜访结果",
        "结论",
    ),
    "stage": ("stage", "dealstage", "opportunitystage", "阶段", "商机阶段", "销售阶段"),
    "loss_reason": ("lossreason", "lostreason", "reasonlost", "丢单原因", "输单原因"),
    "language": ("language", "lang", "语言"),
}
CALL_ID_ALIASES = ("conversationid", "callid", "通话编号", "会话编号")
SPEAKER_ALIASES = ("author", "speaker", "role", "说话人", "角色")
_TRANSCRIPT_TEXT = ("message", "utterance", "text", "内容", "话术")
_UNDECODABLE = "undecodable bytes (not UTF-8); row skipped — fix the encoding and re-ingest"


def _norm(header: str) -> str:
    return str(header).strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def detect_columns(headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Canonical field -> source column, from a mapping override first, then the alias table."""
    found: dict[str, str] = {}
    by_norm = {_norm(h): h for h in headers}
    for field, column in (mapping or {}).items():
        if field not in FIELD_ALIASES:
            raise InputError(
                f"unknown field {field!r} in mapping", hint=f"fields: {', '.join(FIELD_ALIASES)}"
            )
        if column not in headers:
            raise InputError(f"mapped column {column!r} is not in the file", column=column)
        found[field] = column
    for field, aliases in FIELD_ALIASES.items():
        if field not in found:
            match = next((by_norm[a] for a in aliases if a in by_norm), None)
            if match is not None and match not in found.values():
                found[field] = match
    return found


@dataclass
class FileRead:
    """What one file yields: documents with their locators ('notes.csv:row 7'), issues, the columns each
    field came from, and the sibling tables read for per-call fields."""

    docs: list[tuple[Document, str]] = dataclasses.field(default_factory=list)
    issues: list[IngestIssue] = dataclasses.field(default_factory=list)
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    companions: list[Path] = dataclasses.field(default_factory=list)


TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xls"})
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".docx"})
SUPPORTED_SUFFIXES = TABLE_SUFFIXES | TEXT_SUFFIXES | {".jsonl"}


def read_documents(path: Path, *, kind: str | None = None, mapping: dict[str, str] | None = None) -> FileRead:
    """Documents, issues and columns of one file (see FileRead)."""
    if not path.exists():
        raise InputError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _read_table(path, kind, mapping)
    if suffix == ".jsonl":
        return FileRead(*_read_jsonl(path, kind))
    if suffix in {".md", ".markdown", ".txt"}:
        return FileRead(*_read_text(path, kind))
    if suffix == ".docx":
        return FileRead(*_read_docx(path, kind))
    raise InputError(
        f"unsupported file type {suffix!r}", file=str(path), hint="use CSV, XLSX, MD, TXT, DOCX or JSONL"
    )


def table_headers(path: Path) -> list[str]:
    """The header row of a CSV/TSV/XLSX file (for telling notes from other tables in a folder)."""
    if path.suffix.lower() in {".xlsx", ".xls"}:
        try:
            return [str(c) for c in pd.read_excel(path, nrows=0).columns]
        except Exception as exc:  # openpyxl raises several types for a corrupt workbook
            raise InputError(f"cannot read the workbook: {exc}", file=str(path)) from exc
    raw = path.read_bytes()[:65536]
    if not raw.strip():
        raise InputError("the file is empty", file=str(path))
    try:
        text = raw.decode(sniff_encoding(raw), errors="replace")
    except InputError:
        text = raw.decode("utf-8", errors="replace")
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    try:
        return [str(c) for c in pd.read_csv(io.StringIO(first), sep=sep, nrows=0).columns]
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return []


def transcript_columns(headers: list[str]) -> tuple[str, str] | None:
    """(call id column, speaker column) when the headers are a call transcript's, else None."""
    call_col, speaker_col = _pick(headers, CALL_ID_ALIASES), _pick(headers, SPEAKER_ALIASES)
    return (call_col, speaker_col) if call_col and speaker_col else None


def call_id_column(headers: list[str]) -> str | None:
    return _pick(headers, CALL_ID_ALIASES)


def _decode(path: Path) -> tuple[str, set[int]]:
    """The file's text and the (1-based) lines that are not valid UTF-8 when the rest of the file is.

    Those lines are kept (with replacement characters) so row numbers stay put; readers reject them by row.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=str(path))
    try:
        encoding = sniff_encoding(raw)
    except InputError:
        lines = raw.split(b"\n")
        bad = {n for n, line in enumerate(lines, start=1) if not _is_utf8(line)}
        if len(bad) * 2 > len(lines):
            raise InputError(
                "cannot detect the encoding (tried UTF-8, UTF-16, GB18030)",
                file=str(path),
                hint="save the file as UTF-8",
            ) from None
        return raw.decode("utf-8", errors="replace"), bad
    return raw.decode(encoding), set()


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _frame(path: Path) -> tuple[pd.DataFrame, set[int]]:
    if path.suffix.lower() in {".xlsx", ".xls"}:
        try:
            return pd.read_excel(path, dtype=str, keep_default_na=False), set()
        except Exception as exc:  # openpyxl raises several types for a corrupt workbook
            raise InputError(f"cannot read the workbook: {exc}", file=str(path)) from exc
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    text, bad = _decode(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable table: {exc}", file=str(path)) from exc
    return frame, bad


def _pick(headers: list[str], aliases: tuple[str, ...]) -> str | None:
    by_norm = {_norm(h): h for h in headers}
    return next((by_norm[a] for a in aliases if a in by_norm), None)


def _read_table(path: Path, kind: str | None, mapping: dict[str, str] | None) -> FileRead:
    frame, bad = _frame(path)
    headers = [str(c) for c in frame.columns]
    transcript = transcript_columns(headers)
    if transcript and not (mapping or {}).get("doc_id"):
        return _read_transcripts(path, frame, *transcript, kind, bad)
    columns = detect_columns(headers, mapping)
    if "text" not in columns:
        raise InputError(
            "no text column found",
            file=str(path),
            hint="name it text/内容/正文 or pass a mapping text=<column>",
        )
    docs, issues = [], []
    for i, row in enumerate(frame.to_dict("records")):
        line = i + 2
        if line in bad:
            issues.append(IngestIssue(file=str(path), row=line, message=_UNDECODABLE))
            continue
        fields = {f: str(row.get(c, "")).strip() for f, c in columns.items()}
        fields.setdefault("doc_id", f"{path.stem}-{line}")
        if not fields["doc_id"]:
            fields["doc_id"] = f"{path.stem}-{line}"
        doc, issue = _build(fields, kind, str(path), line)
        if doc:
            docs.append((doc, f"{path.name}:row {line}"))
        if issue:
            issues.append(issue)
    return FileRead(docs, issues, columns)


def _read_transcripts(
    path: Path, frame: pd.DataFrame, call_col: str, speaker_col: str, kind: str | None, bad: set[int]
) -> FileRead:
    """One document per call: turns 'Speaker: text' in file order; per-call fields from a sibling table."""
    text_col = _pick([str(c) for c in frame.columns], _TRANSCRIPT_TEXT)
    if text_col is None:
        raise InputError(
            "transcript file has no message column", file=str(path), hint="name it message or text"
        )
    time_col = _pick([str(c) for c in frame.columns], ("timestamp", "time", "时间"))
    companion = find_companion(path, call_col)
    per_call, companion_columns = _call_fields(companion, call_col) if companion else ({}, {})
    docs, issues = [], []
    calls: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, row in enumerate(frame.to_dict("records")):
        call_id = str(row[call_col]).strip()
        if i + 2 in bad:
            issues.append(IngestIssue(file=str(path), row=i + 2, message=_UNDECODABLE))
            continue
        if not call_id:
            issues.append(
                IngestIssue(
                    file=str(path), row=i + 2, message=f"empty {call_col}; turn not attached to a call"
                )
            )
            continue
        calls.setdefault(call_id, []).append((i + 2, row))
    for call_id, turns in calls.items():
        lines = [
            f"{str(r[speaker_col]).strip() or '?'}: {str(r[text_col]).strip()}"
            for _, r in turns
            if str(r[text_col]).strip()
        ]
        first = turns[0][1]
        fields = {"doc_id": call_id, "text": "\n".join(lines), "kind": "call_note"}
        if time_col and str(first.get(time_col, "")).strip():
            fields["date"] = str(first[time_col])[:10]
        fields.update(per_call.get(call_id, {}))
        doc, issue = _build(fields, kind, str(path), turns[0][0])
        if doc:
            meta = {"turns": str(len(lines)), "rows": f"{turns[0][0]}-{turns[-1][0]}"}
            docs.append(
                (
                    doc.model_copy(update={"metadata": {**doc.metadata, **meta}}),
                    f"{path.name}:rows {meta['rows']}",
                )
            )
        if issue:
            issues.append(issue)
    columns = {"doc_id": call_col, "text": f"{speaker_col}: {text_col}"}
    if time_col:
        columns["date"] = time_col
    columns.update({f: f"{companion.name}:{c}" for f, c in companion_columns.items()} if companion else {})
    return FileRead(docs, issues, columns, [companion] if companion else [])


_COMPANION_MAX_BYTES = 50 * 1024 * 1024


def find_companion(path: Path, call_col: str) -> Path | None:
    """A sibling table with one row per call, keyed by the transcript's call id column (conversations.csv
    next to messages.csv); a file named like calls/conversations is preferred when there are several."""
    found = []
    for sibling in sorted(path.parent.iterdir()):
        if sibling == path or sibling.suffix.lower() not in TABLE_SUFFIXES or not sibling.is_file():
            continue
        if sibling.stat().st_size > _COMPANION_MAX_BYTES:
            continue
        try:
            headers = table_headers(sibling)
        except InputError:
            continue
        if _norm(call_col) in {_norm(h) for h in headers} and transcript_columns(headers) is None:
            found.append(sibling)
    found.sort(key=lambda p: (not any(w in p.stem.lower() for w in ("conversation", "call", "通话")), p.name))
    return found[0] if found else None


def _call_fields(path: Path, call_col: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """call id → {field: value} from a per-call table; known fields by alias, other columns as metadata."""
    frame, _ = _frame(path)
    headers = [str(c) for c in frame.columns]
    key = next(h for h in headers if _norm(h) == _norm(call_col))
    columns = {
        f: c
        for f, c in detect_columns([h for h in headers if h != key]).items()
        if f not in {"doc_id", "text", "kind", "language"}
    }
    extra = [h for h in headers if h != key and h not in columns.values()]
    out: dict[str, dict[str, str]] = {}
    for row in frame.to_dict("records"):
        values = {f: str(row[c]).strip() for f, c in columns.items() if str(row[c]).strip()}
        values.update({h: str(row[h]).strip() for h in extra if str(row[h]).strip()})
        out[str(row[key]).strip()] = values
    return out, {**columns, **{h: h for h in extra}}


def _read_jsonl(path: Path, kind: str | None) -> tuple[list[tuple[Document, str]], list[IngestIssue]]:
    docs, issues = [], []
    text, bad = _decode(path)
    for line_no, line in enumerate(text.split("\n"), start=1):
        if line_no in bad:
            issues.append(IngestIssue(file=str(path), row=line_no, message=_UNDECODABLE))
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            issues.append(IngestIssue(file=str(path), row=line_no, message=f"not JSON: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            issues.append(IngestIssue(file=str(path), row=line_no, message="line is not a JSON object"))
            continue
        fields = {k: v for k, v in obj.items()}
        fields.setdefault("doc_id", fields.pop("id", f"{path.stem}-{line_no}"))
        doc, issue = _build(fields, kind, str(path), line_no)
        if doc:
            docs.append((doc, f"{path.name}:line {line_no}"))
        if issue:
            issues.append(issue)
    return docs, issues


def _read_text(path: Path, kind: str | None) -> tuple[list[tuple[Document, str]], list[IngestIssue]]:
    text, bad = _decode(path)
    if bad:
        lines = ", ".join(str(n) for n in sorted(bad)[:10])
        raise InputError(f"lines {lines} are not valid UTF-8", file=str(path), hint="save the file as UTF-8")
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.strip()), path.stem)
    fields = {"doc_id": path.stem, "text": text, "title": title, "kind": kind or "review"}
    doc, issue = _build(fields, kind, str(path), None)
    return ([(doc, path.name)] if doc else []), ([issue] if issue else [])


def _read_docx(path: Path, kind: str | None) -> tuple[list[tuple[Document, str]], list[IngestIssue]]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a corrupt package
        raise InputError(f"cannot read DOCX: {exc}", file=str(path)) from exc
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        paragraphs += [" | ".join(c.text.strip() for c in row.cells) for row in table.rows]
    title = document.core_properties.title or (paragraphs[0] if paragraphs else path.stem)
    fields = {"doc_id": path.stem, "text": "\n".join(paragraphs), "title": title, "kind": kind or "review"}
    doc, issue = _build(fields, kind, str(path), None)
    return ([(doc, path.name)] if doc else []), ([issue] if issue else [])


def _build(
    fields: dict[str, Any], kind: str | None, file: str, row: int | None
) -> tuple[Document | None, IngestIssue | None]:
    """A Document from raw fields, or the reason it cannot be one."""
    fields = {k: v for k, v in fields.items() if v is not None}
    if kind:
        fields["kind"] = kind
    fields.setdefault("kind", "call_note")
    if fields["kind"] not in DOC_KINDS:
        return None, IngestIssue(
            file=file, row=row, message=f"kind {fields['kind']!r} is not one of {', '.join(DOC_KINDS)}"
        )
    text = str(fields.get("text", "")).strip()
    if not text:
        return None, IngestIssue(file=file, row=row, message="empty document (no text)")
    if not fields.get("language"):
        fields["language"] = detect_language(text)
    if isinstance(fields.get("date"), str):
        fields["date"] = _parse_date(fields["date"])
    known = set(Document.model_fields)
    extra = {k: str(v) for k, v in fields.items() if k not in known and str(v).strip()}
    base: dict[str, Any] = {k: (v if k in {"date", "metadata"} else str(v)) for k, v in fields.items() if k in known}
    base["metadata"] = {**{k: str(v) for k, v in dict(base.get("metadata") or {}).items()}, **extra}
    try:
        return Document(**base), None
    except ValidationError as exc:
        err = exc.errors()[0]
        column = ".".join(str(p) for p in err["loc"])
        return None, IngestIssue(
            file=file, row=row, message=f"{column}: {err['msg']} ({fields.get(column)!r})"
        )


def _parse_date(text: str) -> dt.date | str | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return text  # pydantic then reports the bad value by row
