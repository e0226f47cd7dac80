"""Reading and validating sales files: encodings, delimiters, headers, stage map, the import report."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

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
    return _strings(_read_csv(text, delimiter)), encoding, delimiter


def _read_csv(text: str, delimiter: str) -> pd.DataFrame:
    """pandas' C parser; pyarrow's (several times faster) when the file has no quotes, so no quoted line
    breaks or escapes, and unique headers: then both read the same cells."""
    header = text.split("\n", 1)[0].rstrip("\r").split(delimiter)
    if '"' not in text and len(set(header)) == len(header) and len(text) > 1_000_000:
        try:
            return pd.read_csv(
                io.BytesIO(text.encode("utf-8")),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                engine="pyarrow",
            )
        except (ValueError, pa.ArrowException):  # ragged rows and the like: the C parser's handling applies
            pass
    return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if (
        all(pd.api.types.is_string_dtype(t) and not pd.api.types.is_object_dtype(t) for t in frame.dtypes)
        and not frame.isna().any().any()
    ):
        return frame  # already text without gaps (CSV read as str with keep_default_na=False)
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
        from fupan.periods import parse_period

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
            out += near_duplicates(sorted(set(frame[column].unique().tolist()) - {""}), column, file)
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


# ---- the fast path: the same checks, column by column ----------------------------------------------------------
_PLAIN_NUMBER = r"-?[0-9]+(\.[0-9]+)?"


class FrameValidated(BaseModel):
    """validate_frame's result: accepted rows as one frame (dates ISO text, amounts decimal text, `_line`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    frame: pd.DataFrame
    rejected: list[Issue]
    warnings: list[Issue]


def validate_frame(
    frame: pd.DataFrame, kind: str, mapping: Mapping, file: str, stage_map: dict[str, str] | None = None
) -> FrameValidated:
    """validate_rows, vectorised: every distinct value is converted once (plain numbers not at all), so a
    million rows take seconds; the issues (file, row, column, value, reason) are the same, in the same order."""
    stages = {norm(k): v for k, v in {**STAGE_MAP, **(stage_map or {}), **mapping.stage_map}.items()}
    cols, n = mapping.columns, len(frame)
    raw: dict[str, pd.Series] = {f: frame[c].astype(str).str.strip() for f, c in cols.items()}
    raw |= {f: pd.Series([str(v)] * n, index=frame.index, dtype=object) for f, v in mapping.constants.items()}
    order = [f for f in raw if not f.startswith("_") and f != "order_id"]
    out: dict[str, object] = {"_line": np.arange(2, n + 2)}
    errors: list[tuple[int, int, Issue]] = []
    bad = np.zeros(n, dtype=bool)
    first_format: list[tuple[int, int, str, set[str]]] = []
    for pos, field in enumerate(order):
        column = cols.get(field, field)
        values, errs, fmts = _convert_column(kind, field, raw[field], mapping, stages)
        out[field] = values
        for i in np.flatnonzero(pd.notna(errs)):
            errors.append(
                (
                    int(i),
                    pos,
                    Issue(
                        file=file, row=int(i) + 2, column=column, value=str(raw[field].iat[i]), reason=errs[i]
                    ),
                )
            )
            bad[i] = True
        if fmts is not None:
            seen = np.flatnonzero(pd.notna(fmts))
            if len(seen):
                first_format.append((int(seen[0]), pos, column, set(fmts[seen])))
    if mapping.order_id:
        ids = frame[mapping.order_id].astype(str).str.strip()
        out["order_id"] = ids.astype(object).where(ids != "", None).to_numpy()
    elif "order_id" in raw:
        out["order_id"] = raw["order_id"].astype(object).to_numpy()
    accepted = pd.DataFrame(out, index=frame.index).iloc[np.flatnonzero(~bad)].reset_index(drop=True)
    warnings = _frame_warnings(kind, accepted, cols, file)
    for _, _, column, formats in sorted(first_format, key=lambda t: (t[0], t[1])):
        if len(formats) > 1:
            warnings.append(
                Issue(file=file, column=column, reason=f"mixed date formats: {', '.join(sorted(formats))}")
            )
    rejected = [issue for _, _, issue in sorted(errors, key=lambda t: (t[0], t[1]))]
    return FrameValidated(frame=accepted, rejected=rejected, warnings=warnings)


def _convert_column(
    kind: str, field: str, values: pd.Series, mapping: Mapping, stages: dict[str, str]
) -> tuple[object, np.ndarray, np.ndarray | None]:
    """(converted values, error reason or None, date format or None) per row, via each distinct value once."""
    n = len(values)
    if not _needs_conversion(kind, field):  # plain text: blank -> NULL, as _convert does
        return values.where(values != "", None), np.full(n, None, dtype=object), None
    fast = np.zeros(n, dtype=bool)
    if field in ("amount", "target", "list_price"):
        fast = values.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
    codes, uniques = pd.factorize(values.where(~fast, ""), sort=False)
    converted = np.empty(len(uniques), dtype=object)
    reasons = np.empty(len(uniques), dtype=object)
    formats = np.empty(len(uniques), dtype=object)
    for k, value in enumerate(np.asarray(uniques, dtype=object).tolist()):
        converted[k], reasons[k], formats[k] = _convert_one(kind, field, str(value), mapping, stages)
    result = converted[codes]
    if fast.any():
        result[fast] = values.to_numpy(dtype=object)[fast]
    errs = reasons[codes]
    errs[fast] = None
    return result, errs, formats[codes] if field.endswith("_date") else None


def _needs_conversion(kind: str, field: str) -> bool:
    special = field.endswith("_date") or field in ("amount", "target", "list_price", "stage")
    return special or (kind == "targets" and field in ("metric", "period"))


def _convert_one(
    kind: str, field: str, value: str, mapping: Mapping, stages: dict[str, str]
) -> tuple[object, str | None, str | None]:
    """One value through _convert: (value for the database, error reason, date format used)."""
    seen: dict[str, set[str]] = defaultdict(set)
    try:
        converted = _convert(kind, field, value, mapping, stages, seen, "c")
    except ValueError as exc:
        return None, str(exc), None
    if isinstance(converted, date):
        return converted.isoformat(), None, next(iter(seen["c"]))
    if isinstance(converted, Decimal):
        return str(converted), None, None
    return converted, None, None


def _frame_warnings(kind: str, accepted: pd.DataFrame, cols: dict[str, str], file: str) -> list[Issue]:
    """_row_warnings for every accepted row: negative amount, close before create, won/lost without close."""
    found: list[tuple[int, int, Issue]] = []
    lines = accepted["_line"].to_numpy()
    if "amount" in accepted:
        amounts = accepted["amount"]
        for i in np.flatnonzero(amounts.astype(str).str.startswith("-").to_numpy(dtype=bool)):
            value = Decimal(str(amounts.iat[i]))
            if value < 0:
                issue = Issue(
                    file=file,
                    row=int(lines[i]),
                    column=cols.get("amount"),
                    value=str(value),
                    reason="negative amount",
                )
                found.append((int(i), 0, issue))
    created = accepted.get("created_date")
    closed = accepted.get("close_date")
    if created is not None and closed is not None:
        both = created.notna() & closed.notna()
        early = both & (closed.where(both, "").astype(str) < created.where(both, "").astype(str))
        for i in np.flatnonzero(early.to_numpy(dtype=bool)):
            reason = f"close date before create date {created.iat[i]}"
            issue = Issue(
                file=file,
                row=int(lines[i]),
                column=cols.get("close_date"),
                value=str(closed.iat[i]),
                reason=reason,
            )
            found.append((int(i), 1, issue))
    if kind == "opportunities" and "stage" in accepted:
        no_close = closed.isna() if closed is not None else pd.Series(True, index=accepted.index)
        open_end = accepted["stage"].isin(["won", "lost"]) & no_close
        for i in np.flatnonzero(open_end.to_numpy(dtype=bool)):
            stage = accepted["stage"].iat[i]
            issue = Issue(
                file=file,
                row=int(lines[i]),
                column=cols.get("close_date"),
                value="",
                reason=f"{stage} deal without a close date",
            )
            found.append((int(i), 2, issue))
    return [issue for _, _, issue in sorted(found, key=lambda t: (t[0], t[1]))]
