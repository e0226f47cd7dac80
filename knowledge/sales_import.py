"""Reading and validating sales files: encodings, delimiters, headers, stage map, the import report."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, Field

from fupan.errors import InputError
from knowledge.mapping import CANONICAL_STAGES, STAGE_MAP, TARGET_METRICS, Mapping, norm

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d")
CATEGORY_FIELDS = ("rep", "manager", "region", "product", "lead_source", "account")


class Issue(BaseModel):
    file: str
    row: int | None = Field(None, description="line in the file (header = 1)")
    column: str | None = None
    value: str | None = None
    reason: str


class ImportReport(BaseModel):
    file: str
    kind: str
    snapshot_id: str = ""
    encoding: str = ""
    delimiter: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)
    columns: dict[str, str] = Field(default_factory=dict, description="canonical field -> source column")
    unchanged: bool = Field(False, description="the same file was already the current data")


def sniff_encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(raw) > 3 and raw[1:4:2] == b"\x00\x00":
        return "utf-16-le"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise InputError("cannot detect the encoding (tried UTF-8, UTF-16, GB18030)") from None


def read_table(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str, str]:
    """Every cell as a string ('' for blank); returns the frame, the encoding and the delimiter."""
    if not path.exists():
        raise InputError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False)
        return _strings(frame), "xlsx", ""
    if suffix == ".parquet":
        return _strings(pd.read_parquet(path)), "parquet", ""
    raw = path.read_bytes()
    encoding = sniff_encoding(raw)
    text = raw.decode(encoding).lstrip("\ufeff")
    delimiter = _sniff_delimiter(text)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    return _strings(frame), encoding, delimiter


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame.astype(object).where(frame.notna(), "").astype(str)


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def parse_date(value: str, fmt: str | None) -> tuple[date, str]:
    value = value.strip()
    for candidate in ([fmt] if fmt else []) + list(DATE_FORMATS):
        try:
            return datetime.strptime(
                value[:10] if candidate == "%Y-%m-%d" else value, candidate
            ).date(), candidate
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).date(), "iso"
    except ValueError:
        raise ValueError(f"not a date (expected e.g. 2026-07-15{' or ' + fmt if fmt else ''})") from None


def parse_amount(value: str) -> Decimal:
    cleaned = re.sub(r"[,\s¥$￥]|CNY|RMB|元", "", value.strip())
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not amount.is_finite():
        raise ValueError("not a finite number")
    return amount


class Validated(BaseModel):
    records: list[dict[str, object]]
    rejected: list[Issue]
    warnings: list[Issue]


def validate_rows(
    frame: pd.DataFrame, kind: str, mapping: Mapping, file: str, stage_map: dict[str, str] | None = None
) -> Validated:
    stages = {norm(k): v for k, v in {**STAGE_MAP, **(stage_map or {}), **mapping.stage_map}.items()}
    records: list[dict[str, object]] = []
    rejected: list[Issue] = []
    warnings: list[Issue] = []
    date_formats: dict[str, set[str]] = defaultdict(set)
    cols = mapping.columns
    for i, row in enumerate(frame.to_dict("records")):
        line = i + 2
        rec: dict[str, object] = {"_line": line}
        problems: list[Issue] = []
        for field, column in cols.items():
            rec[field] = str(row.get(column, "")).strip()
        for field, value in mapping.constants.items():
            rec[field] = value
        if mapping.order_id:
            rec["order_id"] = str(row.get(mapping.order_id, "")).strip() or None
        for field in list(rec):
            if field.startswith("_") or field == "order_id":
                continue
            value = rec[field]
            column = cols.get(field, field)
            try:
                rec[field] = _convert(kind, field, str(value), mapping, stages, date_formats, column)
            except ValueError as exc:
                problems.append(Issue(file=file, row=line, column=column, value=str(value), reason=str(exc)))
        if problems:
            rejected += problems
            continue
        warnings += _row_warnings(kind, rec, cols, file, line)
        records.append(rec)
    for column, formats in date_formats.items():
        if len(formats) > 1:
            warnings.append(
                Issue(file=file, column=column, reason=f"mixed date formats: {', '.join(sorted(formats))}")
            )
    return Validated(records=records, rejected=rejected, warnings=warnings)


def _convert(
    kind: str,
    field: str,
    value: str,
    mapping: Mapping,
    stages: dict[str, str],
    date_formats: dict[str, set[str]],
    column: str,
) -> object:
    if field.endswith("_date"):
        if not value:
            return None
        parsed, fmt = parse_date(value, mapping.date_format)
        date_formats[column].add(fmt)
        return parsed
    if field in ("amount", "target", "list_price"):
        if not value:
            if field == "list_price":
                return None
            raise ValueError("blank amount")
        return parse_amount(value)
    if field == "stage":
        stage = stages.get(norm(value))
        if stage is None:
            raise ValueError(f"unknown stage (known: {', '.join(CANONICAL_STAGES)}; add it to the stage map)")
        return stage
    if kind == "targets" and field == "metric":
        return TARGET_METRICS.get(norm(value), value or "won_revenue")
    if kind == "targets" and field == "period":
        from agent.periods import parse_period

        try:
            return parse_period(value).label
        except InputError as exc:
            raise ValueError(exc.message) from None
    return value or None


def _row_warnings(
    kind: str, rec: dict[str, object], cols: dict[str, str], file: str, line: int
) -> list[Issue]:
    out: list[Issue] = []
    amount = rec.get("amount")
    if isinstance(amount, Decimal) and amount < 0:
        out.append(
            Issue(file=file, row=line, column=cols.get("amount"), value=str(amount), reason="negative amount")
        )
    created, closed = rec.get("created_date"), rec.get("close_date")
    if isinstance(created, date) and isinstance(closed, date) and closed < created:
        out.append(
            Issue(
                file=file,
                row=line,
                column=cols.get("close_date"),
                value=str(closed),
                reason=f"close date before create date {created}",
            )
        )
    if kind == "opportunities" and rec.get("stage") in ("won", "lost") and closed is None:
        out.append(
            Issue(
                file=file,
                row=line,
                column=cols.get("close_date"),
                value="",
                reason=f"{rec.get('stage')} deal without a close date",
            )
        )
    return out


def table_warnings(frame: pd.DataFrame, kind: str, mapping: Mapping, file: str) -> list[Issue]:
    """Whole-file checks: duplicate ids, duplicate rows, blank cells in filled columns, near-duplicate values."""
    out: list[Issue] = []
    id_col = mapping.columns.get({"opportunities": "opportunity_id"}.get(kind, ""), "")
    if id_col and id_col != mapping.row_id:
        dup = frame[frame.duplicated(id_col, keep=False) & (frame[id_col] != "")]
        for key, group in dup.groupby(id_col, sort=False):
            lines = [int(i) + 2 for i in group.index]
            out.append(
                Issue(
                    file=file,
                    row=lines[-1],
                    column=id_col,
                    value=str(key),
                    reason=f"duplicate id on rows {', '.join(map(str, lines))}; the last row wins",
                )
            )
    body = [c for c in frame.columns if c not in (mapping.row_id, id_col)]
    dups = frame[frame.duplicated(body, keep=False)]
    for _, group in dups.groupby(body, sort=False):
        lines = [int(i) + 2 for i in group.index]
        out.append(
            Issue(
                file=file,
                row=lines[-1],
                value=None,
                reason=f"rows {', '.join(map(str, lines))} are identical"
                + (f" except {mapping.row_id}" if mapping.row_id else "")
                + "; all are kept",
            )
        )
    for column in frame.columns:
        blank = frame.index[frame[column].str.strip() == ""]
        if 0 < len(blank) < len(frame) / 2:
            lines = [int(i) + 2 for i in blank]
            shown = ", ".join(map(str, lines[:50])) + (" ..." if len(lines) > 50 else "")
            out.append(
                Issue(
                    file=file, column=column, value="", reason=f"{len(lines)} blank value(s) on rows {shown}"
                )
            )
    for field in CATEGORY_FIELDS:
        column = mapping.columns.get(field)
        if column and column in frame.columns:
            out += near_duplicates(sorted(set(frame[column]) - {""}), column, file)
    return out


def _fold(value: str) -> str:
    v = re.sub(r"\s+", "", value).lower()
    return re.sub(r"(区|地区|大区|省|市|公司|有限公司|region)$", "", v) or v


def near_duplicates(values: list[str], column: str, file: str) -> list[Issue]:
    groups: dict[str, list[str]] = defaultdict(list)
    for v in values:
        groups[_fold(v)].append(v)
    return [
        Issue(
            file=file,
            column=column,
            value=" / ".join(vs),
            reason=f"values look like the same thing spelled differently: {', '.join(repr(v) for v in vs)}",
        )
        for vs in groups.values()
        if len(vs) > 1
    ]
