"""Period words in questions, zh and en: 2026Q3, Q3, 三季度, 上季度, last quarter, 2026H1, 2026-07, 同比, 环比.

Relative words resolve against `current`, the latest quarter that has data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "两": 2,
}
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def split_quarter(label: str) -> tuple[int, int]:
    year, _, q = label.partition("Q")
    return int(year), int(q)


def shift_quarter(label: str, by: int) -> str:
    year, q = split_quarter(label)
    index = year * 4 + (q - 1) + by
    return quarter_label(index // 4, index % 4 + 1)


@dataclass
class PeriodWords:
    periods: list[str] = field(default_factory=list)  # in order of appearance, deduplicated
    base: str | None = None  # "previous" | "yoy" | "target"
    trend_quarters: int | None = None  # "last 4 quarters" → 4; 0 = all available


def _num(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token.lower() in _EN_ORDINALS:
        return _EN_ORDINALS[token.lower()]
    if token.lower() in _EN_NUMBERS:
        return _EN_NUMBERS[token.lower()]
    return _CN_DIGITS.get(token, 0)


_Q = r"(?P<q>[1-4一二三四])"
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAME = (
    r"(?P<mon>"
    + "|".join(
        [*_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec"]
    )
    + r")"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?P<y>20\d{2})\s*[-年]?\s*[Qq]" + _Q), "yq"),
    (re.compile(r"(?P<y>20\d{2})\s*年?\s*第?" + _Q + r"\s*季度?"), "yq"),
    (re.compile(r"[Qq]" + _Q + r"\s*(?:of\s+)?(?P<y>20\d{2})"), "yq"),
    (re.compile(r"(?P<w>first|second|third|fourth)\s+quarter(?:\s+of)?\s+(?P<y>20\d{2})", re.I), "yw"),
    (re.compile(r"(?P<y>20\d{2})\s*[-年]?\s*[Hh](?P<h>[12])"), "yh"),
    (re.compile(r"(?P<y>20\d{2})\s*年?\s*(?P<hz>上|下)半年"), "yh"),
    (re.compile(r"(?P<y>20\d{2})\s*[-年/]\s*(?P<m>1[0-2]|0?[1-9])\s*月?(?![\d])"), "ym"),
    (re.compile(r"\b" + _MONTH_NAME + r"\.?,?\s+(?:of\s+)?(?P<y>20\d{2})\b", re.I), "yM"),
    (re.compile(r"\b[Hh](?P<h>[12])\s*(?:of\s+)?(?P<y>20\d{2})\b"), "yh"),
    (re.compile(r"\b(?P<mon>" + "|".join(m for m in _MONTHS if m != "may") + r")\b", re.I), "M"),
    (re.compile(r"(?<![\dQq])[Qq]" + _Q + r"(?!\d)"), "q"),
    (re.compile(r"第?" + _Q + r"\s*季度"), "q"),
    (re.compile(r"(?P<w>first|second|third|fourth)\s+quarter", re.I), "w"),
    (re.compile(r"(?P<y>20\d{2})\s*年(?!\s*[第一二三四1-4上下])"), "y"),
    (re.compile(r"\b(?:FY|fy)?(?P<y>20\d{2})\b"), "y"),
]

_PREVIOUS_QUARTER = re.compile(
    r"上个?季度|上一季度|前一季度|last quarter|previous quarter|prior quarter", re.I
)
_THIS_QUARTER = re.compile(
    r"本季度|这个季度|这季度|当季|当前季度|最近一个?季度|this quarter|current quarter|latest quarter|most recent quarter",
    re.I,
)
_YOY = re.compile(
    r"同比|去年同期|year[- ]over[- ]year|yoy|same quarter last year|a year (?:ago|earlier)", re.I
)
_QOQ = re.compile(
    r"环比|比上季度|较上季度|quarter[- ]over[- ]quarter|qoq|vs\.? (?:last|the previous|the prior) quarter"
    r"|than (?:last|the previous|the prior) quarter|from (?:last|the previous) quarter",
    re.I,
)
_TREND_N = re.compile(
    r"(?:过去|最近|近)\s*(?P<n>\d|[一二三四五六七八九十两])\s*个?季度|(?:last|past|previous)\s+(?P<en>\d|two|three|four|five|six|eight)\s+quarters",
    re.I,
)
_TREND_ALL = re.compile(
    r"各季度|每个季度|逐季|历季|over the quarters|quarter by quarter|by quarter|each quarter", re.I
)


def _resolve(kind: str, m: re.Match[str], current: str) -> str:
    cur_year, cur_q = split_quarter(current)
    if kind in {"yq", "yw"}:
        q = _num(m.group("q") if kind == "yq" else m.group("w"))
        return quarter_label(int(m.group("y")), q)
    if kind == "yh":
        half = int(m.group("h")) if m.groupdict().get("h") else (1 if m.group("hz") == "上" else 2)
        return f"{m.group('y')}H{half}"
    if kind == "ym":
        return f"{m.group('y')}-{int(m.group('m')):02d}"
    if kind in {"yM", "M"}:
        month = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(m.group("mon").lower()[:3]))
        year = int(m.group("y")) if kind == "yM" else (cur_year if month <= cur_q * 3 else cur_year - 1)
        return f"{year}-{month:02d}"
    if kind == "y":
        return m.group("y")
    q = _num(m.group("q") if kind == "q" else m.group("w"))
    return quarter_label(cur_year if q <= cur_q else cur_year - 1, q)


def find_periods(text: str, current: str) -> PeriodWords:
    """Period labels named in `text` (relative words resolved against `current`)."""
    words = PeriodWords()
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), _resolve(kind, m, current)))
    explicit = bool(found)
    for m in _THIS_QUARTER.finditer(text):
        found.append((m.start(), current))
    previous_word = _PREVIOUS_QUARTER.search(text)
    if previous_word and not explicit and not _THIS_QUARTER.search(text):
        found.append((previous_word.start(), shift_quarter(current, -1)))
    for _, label in sorted(found):
        if label not in words.periods:
            words.periods.append(label)
    if _YOY.search(text):
        words.base = "yoy"
    elif _QOQ.search(text) or (
        previous_word and words.periods and words.periods[0] != shift_quarter(current, -1)
    ):
        words.base = "previous"
    if trend := _TREND_N.search(text):
        words.trend_quarters = _num(trend.group("n") or trend.group("en"))
    elif _TREND_ALL.search(text):
        words.trend_quarters = 0
    return words


def period_spans(text: str) -> list[tuple[int, int]]:
    """Where period phrases sit in `text` (every pattern's matches, overlapping or not)."""
    spans = [(m.start(), m.end()) for pattern, _ in _PATTERNS for m in pattern.finditer(text)]
    for pattern in (_PREVIOUS_QUARTER, _THIS_QUARTER, _YOY, _QOQ, _TREND_N, _TREND_ALL):
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def period_keywords() -> list[str]:
    """The English words of the period patterns (`quarter`, `previous`, ...), for the spelling check."""
    patterns = [p for p, _ in _PATTERNS]
    patterns += [_PREVIOUS_QUARTER, _THIS_QUARTER, _YOY, _QOQ, _TREND_N, _TREND_ALL]
    return [w for p in patterns for w in re.findall(r"[a-z]{4,}", p.pattern)]
