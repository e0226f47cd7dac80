"""Matching a file's columns to fields, shared by the table recognizer (knowledge/recognize.py) and the
targets recognizer (knowledge/targets_import.py): a score per (field, column) from the header and the values,
and the best-first assignment of one column per field. See knowledge/recognize.py for the scoring rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.column_profile import ColumnProfile
from knowledge.import_report import FieldMatch
from knowledge.mapping import SYNONYMS, TARGET_METRICS, Layout, Mapping, norm

FieldType = str  # id, text, date, money, stage, period, metric, year
TYPES: dict[str, FieldType] = {
    "opportunity_id": "id", "order_id": "code", "stage": "stage", "amount": "money", "created_date": "date",
    "engaged_date": "date", "close_date": "date", "period": "period", "year": "year", "metric": "metric",
    "target": "money", "list_price": "money",
}  # fmt: skip
THRESHOLD = 0.4


@dataclass
class Recognized:
    kind: str
    kind_basis: str
    layout: Layout
    mapping: Mapping
    matches: list[FieldMatch] = field(default_factory=list)
    unused: dict[str, str] = field(default_factory=dict)
    dimension_columns: list[tuple[str, str]] = field(default_factory=list)  # (header, origin data|attribute)
    measure_columns: list[str] = field(default_factory=list)  # numeric columns kept as measures (deals only)
    notes: list[str] = field(default_factory=list)


# ---- scores ------------------------------------------------------------------------------------------------
def cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def header_score(words: list[str], header: str) -> float:
    """1 (minus a little per rank) when the header is one of `words`; 0.6 when it contains one; else 0."""
    h = norm(header)
    compact = h.replace(" ", "")
    for i, w in enumerate(words):
        wn = norm(w)
        if h == wn or compact == wn.replace(" ", ""):
            return 1.0 - 0.01 * i
    tokens = h.split()
    best = 0.0
    for i, w in enumerate(words):
        wn = norm(w)
        if cjk(wn):
            hit = len(wn) >= 2 and wn in compact
        else:
            wt = wn.split()
            hit = len(wn) >= 3 and any(tokens[k : k + len(wt)] == wt for k in range(len(tokens)))
        if hit:
            best = max(best, 0.6 - 0.005 * i)
    return best


def value_fit(kind: FieldType, p: ColumnProfile) -> float:
    """How well a column's values fit a field type, 0..1 (0 = impossible)."""
    if p.filled == 0:
        return 0.2
    if kind == "id":
        return 1.0 if p.unique_share >= 0.8 else 0.0
    if kind == "date":
        share = max(p.date_share, p.serial_share)
        return share if share >= 0.5 else 0.0
    if kind == "money":
        return p.number_share if p.number_share >= 0.8 else 0.0
    if kind == "stage":
        return 0.5 + 0.5 * p.stage_share
    if kind == "year":
        return 1.0 if p.integer_share >= 0.9 else 0.0
    if kind in ("period", "metric", "code"):
        return 1.0
    return max(0.1, 1.0 - 0.8 * max(p.number_share, p.date_share))


def candidates(kind: str, profiles: list[ColumnProfile]) -> list[tuple[float, str, str, str]]:
    out = []
    for f, words in SYNONYMS[kind].items():
        for p in profiles:
            h = header_score(words, p.header)
            if not h:
                continue
            fit = value_fit(TYPES.get(f, "text"), p)
            if h >= 0.7:  # the header says so: odd values are reported row by row, not a reason to look elsewhere
                fit = max(fit, 0.3)
            if fit == 0:
                continue
            score = h * (0.4 + 0.6 * fit)
            how = "is a word for it" if h >= 0.7 else "contains a word for it"
            out.append((score, f, p.header, f"header {p.header!r} {how}{_values_note(f, p)}"))
    return out


def _values_note(f: str, p: ColumnProfile) -> str:
    kind = TYPES.get(f, "text")
    if kind == "date":
        return f"; {max(p.date_share, p.serial_share):.0%} dates"
    if kind == "money":
        return f"; {p.number_share:.0%} numbers"
    if kind == "stage":
        return f"; {p.stage_share:.0%} known stage names"
    if kind == "id":
        return f"; {p.unique_share:.0%} unique"
    return ""


def assign(cands: list[tuple[float, str, str, str]], fixed: dict[str, str]) -> dict[str, FieldMatch]:
    chosen: dict[str, FieldMatch] = {
        f: FieldMatch(field=f, column=c, confidence=1.0, why="set in the mapping") for f, c in fixed.items()
    }
    used = set(fixed.values())
    for score, f, header, why in sorted(cands, key=lambda t: (-t[0], t[1], t[2])):
        if score < THRESHOLD or f in chosen or header in used:
            continue
        chosen[f] = FieldMatch(field=f, column=header, confidence=round(min(score, 1.0), 2), why=why)
        used.add(header)
    return chosen


def target_metric_of(header: str) -> str | None:
    """The metric a target header names: 目标销售额 → won_revenue, 新客户目标 → new_customers."""
    h = norm(header)
    for word, metric in sorted(TARGET_METRICS.items(), key=lambda p: -len(p[0])):
        if norm(word) in h:
            return metric
    return None
