"""The row-by-row reference for the SQL validator (knowledge/sales_validate.py): the same rules, one row and one
cell at a time in plain Python. tests/test_import_sql_check.py runs both on messy data and compares every
accepted value and every issue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from knowledge.dates import STRIP, date_token, parse_date, rule_column
from knowledge.import_report import Issue
from knowledge.mapping import CANONICAL_STAGES, STAGE_MAP, norm
from knowledge.sales_validate import amount_text, read_amount


@dataclass
class Spec:
    field: str
    header: str  # the column, or the constant's field name
    kind: str  # text, date, money, stage
    constant: str | None = None


def _stage(value: str, stages: dict[str, str]) -> str:
    if not value:
        raise ValueError("blank stage")
    stage = stages.get(norm(value))
    if stage is None:
        raise ValueError(f"unknown stage (known: {', '.join(CANONICAL_STAGES)}; add it to the stage map)")
    return stage


def reference_check(
    rows: list[dict[str, str]], specs: list[Spec], *, file: str, first_line: int = 2, layout: str = "crm"
) -> tuple[list[dict[str, object]], list[Issue], list[Issue]]:
    """(accepted records with _line, rejected issues, row warnings) exactly as the SQL check reports them."""
    stages = {norm(k): v for k, v in STAGE_MAP.items()}
    rulings = {}
    for s in specs:
        if s.kind == "date" and s.constant is None:
            counts: Counter[tuple[str, bool]] = Counter()
            for row in rows:
                v = (row.get(s.header) or "").strip(STRIP)
                if v:
                    counts[date_token(v)] += 1
            rulings[s.header] = rule_column(s.header, [(t, h, n) for (t, h), n in counts.items()])
    accepted, rejected, warnings = [], [], []
    for i, row in enumerate(rows):
        line = first_line + i
        rec: dict[str, object] = {"_line": line}
        problems = []
        stage_spec = next((s for s in specs if s.field == "stage"), None)
        stage = None
        if stage_spec is not None:
            raw = stage_spec.constant if stage_spec.constant is not None else row.get(stage_spec.header) or ""
            try:
                stage = _stage(raw.strip(STRIP), stages)
            except ValueError:
                stage = None
        for s in specs:
            raw = s.constant if s.constant is not None else (row.get(s.header) or "")
            v = raw.strip(STRIP)
            try:
                rec[s.field] = _convert(s, v, stage, stage_spec is not None, rulings, stages, layout)
            except ValueError as exc:
                problems.append(Issue(file=file, row=line, column=s.header, value=raw, reason=str(exc)))
        if problems:
            rejected += problems
            continue
        accepted.append(rec)
        warnings += _warnings(rec, specs, file, line)
    return accepted, rejected, warnings


def _convert(s: Spec, v: str, stage, has_stage: bool, rulings, stages, layout):  # type: ignore[no-untyped-def]
    if s.kind == "date":
        return parse_date(v, rulings[s.header]) if v else None
    if s.kind == "money":
        if not v:
            if s.field == "list_price":
                return None
            if s.field == "target":
                raise ValueError("blank target")
            if not has_stage:
                raise ValueError("blank amount")
            if stage in ("won", "lost"):
                raise ValueError(f"blank amount on a {stage} deal")
            if stage is None:
                raise ValueError("blank amount")
            return None
        return read_amount(v)
    if s.kind == "stage":
        return _stage(v, stages)
    return v or None


def _warnings(rec: dict[str, object], specs: list[Spec], file: str, line: int) -> list[Issue]:
    out = []
    by = {s.field: s for s in specs}
    amount = rec.get("amount")
    if isinstance(amount, Decimal) and amount < 0:
        out.append(Issue(file=file, row=line, column=by["amount"].header, value=amount_text(amount), reason="negative amount"))
    created, closed = rec.get("created_date"), rec.get("close_date")
    if "created_date" in by and "close_date" in by and by["created_date"].header != by["close_date"].header:
        if isinstance(created, date) and isinstance(closed, date) and closed < created:
            out.append(
                Issue(file=file, row=line, column=by["close_date"].header, value=str(closed),
                      reason=f"close date before create date {created}")
            )
    if "stage" in by and rec.get("stage") in ("won", "lost") and ("close_date" not in by or closed is None):
        label = by["close_date"].header if "close_date" in by else "close date"
        out.append(Issue(file=file, row=line, column=label, value="", reason=f"{rec.get('stage')} deal without a close date"))
    return out
