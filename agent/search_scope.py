"""Filters named in a search query: "上季度华东客户怎么说价格" → region 华东, the previous quarter, and the words
left to search ("客户怎么说价格"), with a restatement of how the query was read.

One small function, `scope_of(text, deps)`, built on the same period finder as `ask`
(agent/router_periods.py) and on the values in the data: the sales data's dimensions (region, rep, product,
account → the notes' customer, with the region aliases of knowledge/aliases.yaml) and the values the notes
themselves carry. A value is applied only when the notes have that field at all; a named value the notes lack
is still applied (the search then finds nothing, and says why) — never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.router_periods import Calendar, find_periods, period_spans, quarter_label
from knowledge.deps import Deps
from knowledge.documents import FIELD_NAMES, SearchFilters

# the sales dimensions that are note fields, and the field each one filters
DIMENSION_FIELDS = {"region": "region", "rep": "rep", "product": "product", "account": "customer"}
# open ranges: words just before the period ("since July 2025", "从7月") or just after it ("7月以来")
# (exclusive words move the bound one period: "after July" starts in August, "before Q2" ends with Q1)
_SINCE_BEFORE = re.compile(r"(?:\bsince|\bfrom|从|自)\s*$", re.I)
_SINCE_AFTER = re.compile(r"^\s*(?:以来|至今|起|onwards?\b|and later\b)", re.I)
_AFTER_BEFORE = re.compile(r"\bafter\s*$", re.I)
_AFTER_AFTER = re.compile(r"^\s*(?:之后|以后)", re.I)
_UNTIL_BEFORE = re.compile(r"(?:\buntil|\bup to|\bthrough|截至|截止|到)\s*$", re.I)
_UNTIL_AFTER = re.compile(r"^\s*为止", re.I)
_BEFORE_BEFORE = re.compile(r"\bbefore\s*$", re.I)
_BEFORE_AFTER = re.compile(r"^\s*(?:之前|以前)", re.I)
_CONNECTOR = re.compile(
    r"^(?:in|during|from|to|between|and|since|of|for|until|before|after|through|within|the)$|^[在从到于的至和及]$",
    re.I,
)


class SearchScope(BaseModel):
    """How a search query was read: filters (fields and period range), the words that named them, and the
    text left to search."""

    query: str = Field(..., description="the query without the words read as filters")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    used: list[str] = Field(default_factory=list, description="words of the query read as filters")
    not_applied: list[str] = Field(
        default_factory=list, description="named filters the notes cannot apply (they lack that field)"
    )
    named: dict[str, list[str]] = Field(
        default_factory=dict, description="field → values the query names (applied or not)"
    )
    restatement: str = ""
    language: Literal["zh", "en"] = "zh"


def scope_of(text: str, deps: Deps, *, base: SearchFilters | None = None) -> SearchScope:
    """Read the filters a query names (see the module docstring); `base` filters (options the user gave)
    win over words in the query."""
    language: Literal["zh", "en"] = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
    filters = (base or SearchFilters()).model_copy()
    spans: list[tuple[int, int]] = []
    used: list[str] = []
    not_applied: list[str] = []
    have = {f: deps.docs.field_values(f) for f in set(DIMENSION_FIELDS.values())}
    named: dict[str, list[str]] = {}
    for _word, field, value, span in _named_values(text, deps, have):
        if any(s[0] < span[1] and span[0] < s[1] for s in spans):
            continue
        named.setdefault(field, []).append(value)
        if filters.values(field):
            continue
        spans.append(span)
        used.append(text[span[0] : span[1]])
        if have[field]:
            setattr(filters, field, value)
        else:
            not_applied.append(f"{FIELD_NAMES[field][0 if language == 'zh' else 1]} {value}")
    if not (filters.period_from or filters.period_to):
        period_from, period_to, period_words = _period_range(text, deps)
        if period_words:
            filters.period_from, filters.period_to = period_from, period_to
            spans += period_words
            used += [text[a:b].strip() for a, b in period_words]
    query = _without(text, spans) or text
    scope = SearchScope(
        query=query, filters=filters, used=used, not_applied=not_applied, named=named, language=language
    )
    scope.restatement = restate(scope)
    return scope


def _named_values(
    text: str, deps: Deps, have: dict[str, dict[str, int]]
) -> list[tuple[str, str, str, tuple[int, int]]]:
    """(word, field, value, span) for every data value (or region alias) the text names, longest first."""
    words: dict[tuple[str, str], str] = {}
    for field, values in have.items():
        words.update({(v.lower(), field): v for v in values if len(v) >= 2})
    for dim, field in DIMENSION_FIELDS.items():
        words.update({(v.lower(), field): v for v in _sales_values(deps, dim) if len(v) >= 2})
    from knowledge.workspace_aliases import load_aliases

    for region, aliases in load_aliases(deps.settings).values.get("region", {}).items():
        if region in have["region"] or not have["region"]:
            words.update({(a.lower(), "region"): region for a in aliases})
    lower = text.lower()
    found = []
    for (word, field), value in sorted(words.items(), key=lambda kv: -len(kv[0][0])):
        pattern = r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])" if word.isascii() else re.escape(word)
        if m := re.search(pattern, lower):
            found.append((word, field, value, (m.start(), m.end())))
    return found


def _sales_values(deps: Deps, dim: str) -> list[str]:
    """A dimension's values in the sales data (none when no sales data was imported)."""
    try:
        if deps.sales.current_snapshot_id() is None or dim not in deps.sales.dimensions():
            return []
        from agent.tools import engine_for

        return list(engine_for(deps).dimension_values(dim))
    except Exception:  # noqa: BLE001 — no sales data (or an old store) means no sales vocabulary
        return []


def current_quarter(deps: Deps) -> str:
    """The quarter relative words resolve against: the latest with sales data, else the latest note's."""
    try:
        if deps.sales.current_snapshot_id() is not None:
            from agent.tools import engine_for
            from fupan.periods import quarters

            fy = deps.settings.fiscal_year_start_month
            with_data = quarters(engine_for(deps).periods_available(), fy)
            if with_data:
                return with_data[-1].label
    except Exception:  # noqa: BLE001 — fall back to the notes' dates
        pass
    latest = deps.docs.date_range()[1]
    day = latest or dt.date.today()
    return quarter_label(day.year, (day.month - 1) // 3 + 1)


def _calendar(deps: Deps) -> Calendar:
    """The months relative words resolve against: the quarters from the sales data and the notes' dates (the
    latest of them is "this quarter"), as `current_quarter` reads them."""
    from fupan.periods import parse_period, shift

    quarters = {current_quarter(deps)}
    first, last = deps.docs.date_range()
    if first and last:
        q = quarter_label(first.year, (first.month - 1) // 3 + 1)
        end = quarter_label(last.year, (last.month - 1) // 3 + 1)
        while parse_period(q).start <= parse_period(end).start and len(quarters) < 400:
            quarters.add(q)
            q = shift(parse_period(q), 1).label
    latest = max(quarters, key=lambda label: parse_period(label).start)
    keep = sorted(q for q in quarters if parse_period(q).start <= parse_period(latest).start)
    return Calendar.from_quarters(keep, deps.settings.fiscal_year_start_month)


def _period_range(text: str, deps: Deps) -> tuple[str | None, str | None, list[tuple[int, int]]]:
    """(from, to, spans): the periods the text names as an inclusive range; 'since …' leaves `to` open."""
    from fupan.periods import parse_period, shift

    cal = _calendar(deps)
    words = find_periods(text, cal)
    labels = list(words.periods)
    if words.last_n:  # "last 3 quarters": the span ending at the named period, or the latest with data
        n, grain = words.last_n
        end = parse_period(labels[0], cal.fy) if labels else cal.current(grain)
        labels = [shift(end, -(n - 1)).label, end.label]
    if not labels:
        return None, None, []
    periods = [parse_period(label) for label in labels]
    first = min(periods, key=lambda p: p.start).label
    last = max(periods, key=lambda p: p.end).label
    spans = _merge(period_spans(text))
    if len(periods) == 1 and spans:
        from fupan.periods import shift

        before, after = text[max(0, spans[0][0] - 12) : spans[0][0]], text[spans[-1][1] :]
        both = spans + _open_word(text, spans)
        if _SINCE_BEFORE.search(before) or _SINCE_AFTER.match(after):
            return first, None, both
        if _AFTER_BEFORE.search(before) or _AFTER_AFTER.match(after):
            return shift(periods[0], 1).label, None, both
        if _UNTIL_BEFORE.search(before) or _UNTIL_AFTER.match(after):
            return None, last, both
        if _BEFORE_BEFORE.search(before) or _BEFORE_AFTER.match(after):
            return None, shift(periods[0], -1).label, both
    return first, last, spans


def _open_word(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The span of the 'since'/'以来' word itself, so it leaves the searched text too."""
    start, end = spans[0][0], spans[-1][1]
    found = []
    if m := re.search(r"(?:since|after|from|until|before|up to|through|从|自|截至|截止|到)\s*$", text[:start], re.I):
        found.append((m.start(), m.end()))
    if m := re.match(r"\s*(?:以来|之后|以后|至今|起|onwards?|and later|之前|以前|为止)", text[end:], re.I):
        found.append((end + m.start(), end + m.end()))
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans removed, and the connecting words left dangling next to them."""
    if not spans:
        return text.strip()
    keep, cursor = [], 0
    for start, end in _merge(spans):
        keep.append(text[cursor:start])
        keep.append("\0")
        cursor = end
    keep.append(text[cursor:])
    tokens = re.findall(r"\0|[A-Za-z0-9'’-]+|[^\sA-Za-z0-9'’\0]", "".join(keep))
    out = []
    for i, token in enumerate(tokens):
        near = (i > 0 and tokens[i - 1] == "\0") or (i + 1 < len(tokens) and tokens[i + 1] == "\0")
        if token == "\0" or (near and _CONNECTOR.match(token)):
            continue
        out.append(token)
    joined = " ".join(out)
    joined = re.sub(r"(?<=[\u4e00-\u9fff，。、？！]) (?=[\u4e00-\u9fff，。、？！])", "", joined)
    return re.sub(r"\s+([,.?!，。？！])", r"\1", joined).strip(" ,，")


def restate(scope: SearchScope) -> str:
    """How the query was read, in its language: filters, period, what is searched."""
    f = scope.filters
    zh = scope.language == "zh"
    parts = [
        f"{FIELD_NAMES[name][0 if zh else 1]}={'/'.join(f.values(name))}"
        for name in FIELD_NAMES
        if f.values(name)
    ]
    if f.period_from or f.period_to:
        if f.period_from == f.period_to:
            parts.append(f"{'期间' if zh else 'period'} {f.period_from}")
        else:
            start = f.period_from or ("最早" if zh else "the start")
            end = f.period_to or ("至今" if zh else "now")
            parts.append(f"{'期间' if zh else 'period'} {start}–{end}")
    if f.kinds:
        parts.append(("类型=" if zh else "kind=") + "/".join(f.kinds))
    missing = ""
    if scope.not_applied:
        missing = (
            f"（笔记没有这些字段，未按其筛选：{'、'.join(scope.not_applied)}）"
            if zh
            else f" (not applied, the notes lack the field: {', '.join(scope.not_applied)})"
        )
    if zh:
        return f"按 {'，'.join(parts)} 搜索：{scope.query}{missing}" if parts else f"搜索：{scope.query}{missing}"
    where = f" in {', '.join(parts)}" if parts else ""
    return f"Searched for '{scope.query}'{where}{missing}"
