"""Period words in questions, zh and en, resolved against the months the data covers (a `Calendar`).

- Explicit: 2026Q3, Q4 2017, 2026年第三季度, 2026H1, 2017年下半年, second half of 2017, 2026-07, November 2018,
  2004年十一月, 2019, 19年, FY2026; ranges: 2018到2019, 2018-2019, Apr to Sep 2026, 今年1-5月.
- Named without a year (Q3, 三季度, H2, 下半年, November, 十一月, dec): the latest occurrence that has data. When
  that occurrence is only partly covered by the data and an earlier one is complete, both are readings.
- Relative: this/last quarter (本季度/上季度), this/last year (今年/去年, year to date), this/last month,
  all time (所有年份/全部), the last N quarters or months; bases 同比/YoY/去年同期, 环比/QoQ/vs last quarter.
- Series grain: 每个月/monthly/by month, 每季度/quarterly, 每年/yearly.

Every match records its span, so the router knows which words of the question a period explains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from fupan.periods import Grain, Period, make_period, month_range, parse_period, period_of, shift

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12}
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_ABBR = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec")


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The months that have data (any deal created or closed in them) and the fiscal year start."""

    months: tuple[str, ...] = ()
    fy: int = 1

    @classmethod
    def from_quarters(cls, quarters: list[str], fy: int = 1) -> Calendar:
        """A calendar whose every month of these quarters has data (tests, and data known only by quarter)."""
        months: set[str] = set()
        for q in quarters:
            p = parse_period(q, fy)
            d = p.start
            while d < p.end:
                months.add(f"{d:%Y-%m}")
                d = _add_months(d, 1)
        return cls(tuple(sorted(months)), fy)

    @cached_property
    def _set(self) -> frozenset[str]:
        return frozenset(self.months)

    @property
    def empty(self) -> bool:
        return not self.months

    @cached_property
    def first(self) -> date:
        y, m = self.months[0].split("-")
        return date(int(y), int(m), 1)

    @cached_property
    def end(self) -> date:
        """The first day after the last month with data."""
        y, m = self.months[-1].split("-")
        return _add_months(date(int(y), int(m), 1), 1)

    def current(self, grain: Grain) -> Period:
        """The latest period of `grain` that has data (this quarter, this year...)."""
        return period_of(_add_months(self.end, -1), grain, self.fy)

    def quarters(self) -> list[str]:
        """Every quarter with data, oldest first."""
        return sorted({period_of(self._month_date(m), "quarter", self.fy).label for m in self.months})

    def labels(self, grain: Grain, within: Period | None = None) -> list[str]:
        """The periods of `grain` with data (inside `within` when given), oldest first."""
        found = {p.label: p for p in (period_of(self._month_date(m), grain, self.fy) for m in self.months)}
        keep = [p for p in found.values() if within is None or (p.start >= within.start and p.end <= within.end)]
        return [p.label for p in sorted(keep, key=lambda p: p.start)]

    @staticmethod
    def _month_date(month: str) -> date:
        y, m = month.split("-")
        return date(int(y), int(m), 1)

    def has_data(self, period: Period) -> bool:
        d = period.start
        while d < period.end:
            if f"{d:%Y-%m}" in self._set:
                return True
            d = _add_months(d, 1)
        return False

    def partial(self, period: Period) -> bool:
        """Whether the data covers only part of the period (it starts before or ends after the data)."""
        return self.has_data(period) and (period.start < self.first or period.end > self.end)

    def all_time(self) -> Period:
        return month_range(self.first, self.end, self.fy)

    def latest(self, grain: Grain, index: int) -> list[str]:
        """Readings of a period named without its year (Q3, 十一月): the latest occurrence with data; when it is
        only partly covered, the complete one before it as a second reading."""
        if self.empty:
            return []
        year = self.current("year")
        y = int(year.label[:4])
        found: list[Period] = []
        for candidate_year in range(y + 1, y - 30, -1):
            p = make_period(candidate_year, grain, index, self.fy)
            if p.start >= self.end or not self.has_data(p):
                continue
            found.append(p)
            if not self.partial(p):
                break
            if len(found) == 2:
                break
        return [p.label for p in found]


@dataclass
class PeriodMention:
    start: int
    end: int
    labels: list[str]  # one period, or the periods of a range named as a series ("2018到2019")
    kind: str  # explicit | implicit | relative | range | all
    readings: list[str] = field(default_factory=list)  # other readings of an implicit period


@dataclass
class PeriodWords:
    mentions: list[PeriodMention] = field(default_factory=list)
    base: str | None = None  # previous | yoy
    grain: Grain | None = None  # series grain: monthly, quarterly, yearly
    last_n: tuple[int, Grain] | None = None  # "last 4 quarters"
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        out: list[str] = []
        for m in self.mentions:
            for label in m.labels:
                if label not in out:
                    out.append(label)
        return out


def _num(token: str) -> int:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in _EN_ORDINALS:
        return _EN_ORDINALS[token]
    if token in _EN_NUMBERS:
        return _EN_NUMBERS[token]
    if token.startswith("十") and len(token) == 2:
        return 10 + _CN_DIGITS.get(token[1], 0)
    return _CN_DIGITS.get(token, 0)


def _month_index(name: str) -> int:
    name = name.lower().rstrip(".")
    if name.isdigit() or re.fullmatch(r"[一二三四五六七八九十]+", name):
        return _num(name)
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name[:3]))


_Y = r"(?P<y>(?:19|20)\d{2})"
_Q = r"(?P<q>[1-4一二三四])"
_MON = r"(?P<mon>" + "|".join([*_MONTHS, *_MONTH_ABBR]) + r")"
_MON2 = r"(?P<mon2>" + "|".join([*_MONTHS, *_MONTH_ABBR]) + r")"
_ZH_MONTH = r"(?P<zm>十[一二]?|[一二三四五六七八九]|1[0-2]|0?[1-9])"
_ORD = r"(?P<w>first|second|third|fourth|1st|2nd|3rd|4th)"
_HALF_ORD = r"(?P<hw>first|second|1st|2nd)"
_TO = r"\s*(?:to|through|thru|until|till|-|–|~|到|至)\s*"

# (pattern, kind): kinds starting with y carry a year; the order matters (longer phrases first)
_REL_ZH = r"(?P<rel>今年|去年|前年|本年)\s*(?:的\s*)?"
_REL_EN = r"(?P<rel>this|last|previous|prior)\s+(?:year|yr)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_REL_ZH + r"(?:第?" + _Q + r"\s*季度|[Qq](?P<q2>[1-4])|(?P<hz>上|下)半年|" + _ZH_MONTH + r"\s*月"
                r"(?!份?\s*[-到至~]))"), "rel"),  # fmt: skip
    (re.compile(r"[Qq](?P<q2>[1-4])\s*(?:of\s+)?" + _REL_EN, re.I), "rel"),
    (re.compile(_REL_EN + r"'?s?\s+[Qq](?P<q2>[1-4])\b", re.I), "rel"),
    (re.compile(r"\b" + _MON + r"\.?\s+(?:of\s+)?" + _REL_EN, re.I), "rel"),
    (re.compile(_MON + r"\.?" + _TO + _MON2 + r"\.?,?\s*(?:of\s+)?" + _Y, re.I), "yMM"),
    (re.compile(r"(?:" + _Y + r"\s*年?\s*(?:的\s*)?)?前\s*(?P<fq>[二三两23])\s*个?季度"
                r"|(?:the\s+)?first\s+(?P<fqe>two|three|2|3)\s+quarters(?:\s+of)?\s*,?\s*(?:" + _Y.replace("?P<y>", "?P<ye>") + r")?", re.I),
     "yfq"),  # fmt: skip
    (re.compile(_Y + r"\s*年?\s*(?P<m1>1[0-2]|0?[1-9])\s*(?:月份?)?\s*[-到至~]\s*(?P<m2>1[0-2]|0?[1-9])\s*月", re.I), "ymm"),
    (re.compile(r"(?P<rel>今年|去年|前年)\s*(?P<m1>1[0-2]|0?[1-9]|[一二三四五六七八九十]+)\s*[-到至~]\s*"
                r"(?P<m2>1[0-2]|0?[1-9]|[一二三四五六七八九十]+)\s*月"), "rmm"),  # fmt: skip
    (re.compile(r"(?<![\d年\-~到至.])(?P<m1>1[0-2]|0?[1-9])\s*(?:月份?)?\s*[-到至~]\s*(?P<m2>1[0-2]|0?[1-9])\s*月"), "mmz"),
    (re.compile(_Y + _TO + r"(?P<y2>(?:19|20)\d{2})(?!\s*[Qq年-]\s*\d)", re.I), "yy"),
    (re.compile(_Y + r"\s*[-年/]?\s*[Qq]" + _Q), "yq"),
    (re.compile(_Y + r"\s*年\s*第?" + _Q + r"\s*季度?"), "yq"),
    (re.compile(r"[Qq]" + _Q + r"\s*(?:of\s+|,\s*|/\s*)?" + _Y), "yq"),
    (re.compile(_ORD + r"\s+quarter(?:\s+of)?\s*,?\s+" + _Y, re.I), "yq"),
    (re.compile(_Y + r"\s*[-年]?\s*[Hh](?P<h>[12])\b"), "yh"),
    (re.compile(_Y + r"\s*年?\s*(?P<hz>上|下)半年"), "yh"),
    (re.compile(r"\b[Hh](?P<h>[12])\s*(?:of\s+|,\s*)?" + _Y, re.I), "yh"),
    (re.compile(r"(?:the\s+)?" + _HALF_ORD + r"\s+half\s+(?:of\s+)?" + _Y, re.I), "yh"),
    (re.compile(_Y + r"\s*[-/.]\s*(?P<m>1[0-2]|0[1-9])(?![\d.])"), "ym"),
    (re.compile(_Y + r"\s*年\s*" + _ZH_MONTH + r"\s*月(?!份?\s*[-到至~])"), "ymz"),
    (re.compile(r"\b" + _MON + r"\.?,?\s+(?:of\s+)?" + _Y + r"\b", re.I), "yM"),
    (re.compile(r"\b" + _Y + r"\s+" + _MON + r"\b", re.I), "yM"),
    (re.compile(r"(?:FY|fy)\s*" + _Y), "yy1"),
    (re.compile(_Y + r"\s*年(?!\s*[第一二三四1-4上下])"), "yy1"),
    (re.compile(r"(?<![\d.])" + _Y + r"(?![\d.])"), "yy1"),
    (re.compile(r"(?<![\d.])(?P<yy>\d{2})\s*年\s*(?:第?" + _Q + r"\s*季度?|[Qq](?P<q2>[1-4]))"), "y2q"),
    (re.compile(r"(?<![\d.])(?P<yy>\d{2})\s*年(?!\s*[第一二三四1-4上下Qq])"), "y2"),
    (re.compile(r"(?<![\dA-Za-z])[Qq]" + _Q + r"(?![\d])"), "q"),
    (re.compile(r"第?" + _Q + r"\s*季度"), "q"),
    (re.compile(_ORD + r"\s+quarter", re.I), "q"),
    (re.compile(r"(?<![\dA-Za-z])[Hh](?P<h>[12])\b"), "h"),
    (re.compile(r"(?P<hz>上|下)半年"), "h"),
    (re.compile(r"(?:the\s+)?" + _HALF_ORD + r"\s+half\b", re.I), "h"),
    (re.compile(_MON + _TO + _MON2 + r"\b", re.I), "MM"),
    (re.compile(r"(?<![A-Za-z])(?P<mon>" + "|".join(m for m in _MONTHS if m != "may") + r")(?![A-Za-z])", re.I),
     "M"),  # fmt: skip
    (re.compile(r"(?<![A-Za-z])(?P<mon>" + "|".join(_MONTH_ABBR) + r")\.?(?![A-Za-z])", re.I), "M"),
    (re.compile(r"(?<![\d个每各\-~到至])" + _ZH_MONTH + r"\s*月(?!份?\s*[-到至~])"), "Mz"),
]

_RELATIVE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"上个?季度|上一季度|前一季度|上季|last\s+(?:quarter|qtr)|previous\s+(?:quarter|qtr)|prior\s+quarter"
                r"|the\s+quarter\s+before", re.I), "last_quarter"),  # fmt: skip
    (re.compile(r"本季度|这个季度|这季度|当季|当前季度|本季|最近一个?季度|this\s+(?:quarter|qtr)|current\s+quarter"
                r"|(?:latest|most\s+recent|current|this)\s+(?:full\s+)?(?:quarter|qtr)|\bqtd\b|quarter[-\s]to[-\s]date", re.I),
     "this_quarter"),  # fmt: skip
    (re.compile(r"上个月|上月|last\s+month|previous\s+month", re.I), "last_month"),
    (re.compile(r"本月|这个月|当月|最近一个月|(?:this|current|latest|most\s+recent)\s+month|\bmtd\b|month[-\s]to[-\s]date", re.I),
     "this_month"),
    (re.compile(r"去年|上一年|last\s+(?:year|yr)|previous\s+year|prior\s+year", re.I), "last_year"),
    (re.compile(r"今年(?:到现在|到目前为止|到目前|以来|迄今)?|本年度?|年初至今|this\s+(?:year|yr)|current\s+year"
                r"|year[-\s]to[-\s]date|\bytd\b|so\s+far\s+this\s+year", re.I), "this_year"),  # fmt: skip
    (re.compile(r"所有年份|全部年份|所有时间|全部时间|全部数据|[（(]\s*全部\s*[)）]|历年|有史以来|全期|all[-\s]time|all\s+years"
                r"|all\s+the\s+data|in\s+total|ever\b", re.I), "all"),  # fmt: skip
]
_YOY = re.compile(
    r"同比|去年同期|上年同期|year[-\s]over[-\s]year|\byoy\b|same\s+(?:quarter|period|month)\s+(?:of\s+)?last\s+year"
    r"|a\s+year\s+(?:ago|earlier)|vs\.?\s+(?:the\s+)?same\s+period|同期",
    re.I,
)
_QOQ = re.compile(
    r"环比|比上季度|较上季度|比上个?月|quarter[-\s]over[-\s]quarter|\bqoq\b|month[-\s]over[-\s]month|\bmom\b"
    r"|(?:vs\.?|than|from|versus|compared\s+(?:with|to))\s+(?:the\s+)?(?:last|previous|prior)\s+(?:quarter|month|qtr)"
    r"|(?:vs\.?|than|versus|compared\s+(?:with|to))\s+(?:the\s+)?(?:last|previous|prior)(?:\s+one)?(?![\s\-]*[a-z0-9])",
    re.I,
)  # 'this year vs last': the one before
_LAST_N = re.compile(
    r"(?:过去|最近|近)\s*(?P<n>\d+|[一二三四五六七八九十两]+)\s*个?(?P<gz>季度|月)"
    r"|(?:last|past|previous)\s+(?P<en>\d+|two|three|four|five|six|eight|twelve)\s+(?P<ge>quarters|months|years)",
    re.I,
)
_GRAIN = [
    (re.compile(r"这几个月|近几个月|每个?月|逐月|按月|各月|月度|分月|monthly|mthly|m-o-m|by\s+mo(?:nth)?|per\s+month|each\s+month"
                r"|month[-\s]by[-\s]month|month[-\s]on[-\s]month"
                r"|month[-\s]on[-\s]month\s+trend", re.I), "month"),  # fmt: skip
    (re.compile(r"这几个季度|近几个季度|最近几个季度|每个?季度|逐季|按季度?|各季度?|季度走势|历季|quarterly|qtrly|by\s+(?:quarter|qtr)"
                r"|per\s+quarter|each\s+quarter|these\s+quarters|recent\s+quarters|the\s+last\s+few\s+quarters"
                r"|quarter[-\s]by[-\s]quarter|over\s+the\s+quarters", re.I), "quarter"),  # fmt: skip
    (re.compile(r"每年|逐年|按年|各年|历年|年度走势|yearly|annually|by\s+year|per\s+year|each\s+year|year[-\s]by[-\s]year",
                re.I), "year"),  # fmt: skip
]


class _Resolver:
    def __init__(self, cal: Calendar, now: date | None = None) -> None:
        self.cal = cal
        self.now = now

    def year(self, m: re.Match[str]) -> int:
        return int(m.group("y"))

    def label(self, year: int, grain: Grain, index: int) -> str:
        return make_period(year, grain, index, self.cal.fy).label

    def explicit(self, kind: str, m: re.Match[str]) -> list[str]:
        g = m.groupdict()
        if kind == "rel":
            return self.relative_year(m)
        if kind == "yq":
            return [self.label(self.year(m), "quarter", _num(g.get("q") or g.get("w") or "0"))]
        if kind == "yh":
            half = int(g["h"]) if g.get("h") else (1 if g.get("hz") == "上" or _num(g.get("hw") or "") == 1 else 2)
            return [self.label(self.year(m), "half", half)]
        if kind in {"ym", "ymz", "yM"}:
            month = _month_index(g.get("m") or g.get("zm") or g.get("mon") or "")
            return [f"{self.year(m)}-{month:02d}"] if 1 <= month <= 12 else []
        if kind == "yy1":
            return [self.label(self.year(m), "year", 1)]
        if kind == "y2":
            return [self.label(self._century(int(g["yy"])), "year", 1)]
        if kind == "y2q":
            return [self.label(self._century(int(g["yy"])), "quarter", _num(g.get("q") or g.get("q2") or "0"))]
        return []

    def current(self, grain: Grain) -> Period:
        """'This' quarter/month/year: the one the question says it is in ('we're in Jan 2018'), else the latest
        with data."""
        return period_of(self.now, grain, self.cal.fy) if self.now else self.cal.current(grain)

    def relative_year(self, m: re.Match[str]) -> list[str]:
        """去年四季度, Q4 last year, this year's Q1, November last year."""
        if self.cal.empty:
            return []
        g = m.groupdict()
        back = {"今年": 0, "本年": 0, "this": 0, "去年": 1, "last": 1, "previous": 1, "prior": 1, "前年": 2}
        year = int(self.current("year").label[:4]) - back[g["rel"].lower()]
        if g.get("q") or g.get("q2"):
            return [self.label(year, "quarter", _num(g.get("q") or g.get("q2") or "0"))]
        if g.get("hz"):
            return [self.label(year, "half", 1 if g["hz"] == "上" else 2)]
        month = _month_index(g.get("zm") or g.get("mon") or "")
        return [f"{year}-{month:02d}"] if 1 <= month <= 12 else []

    def _century(self, yy: int) -> int:
        """A two-digit year ('04年', '18年') in the century closest to the data."""
        anchor = self.cal.first.year if not self.cal.empty else 2000
        return min((c + yy for c in (1900, 2000, 2100)), key=lambda y: abs(y - anchor))

    def ranges(self, kind: str, m: re.Match[str]) -> list[str]:
        g = m.groupdict()
        if kind == "yy":
            y1, y2 = int(g["y"]), int(g["y2"])
            return [self.label(y, "year", 1) for y in range(y1, y2 + 1)] if y1 < y2 <= y1 + 30 else []
        if kind in {"yMM", "MM"}:
            a, b = _month_index(g["mon"]), _month_index(g["mon2"])
            year = int(g["y"]) if kind == "yMM" else self._latest_year_for_month(b)
            return [f"{year}-{i:02d}" for i in range(a, b + 1)] if a <= b else []
        if kind == "yfq":  # 前三季度, 'the first three quarters of 2017': Q1 through Q3 of the year, one span
            n = _num(g.get("fq") or g.get("fqe") or "0")
            year_text = g.get("y") or g.get("ye")
            year = int(year_text) if year_text else (int(self.current("year").label[:4]) if not self.cal.empty else 0)
            return [f"{year}-01..{year}-{3 * n:02d}"] if n in {2, 3} and year else []
        if kind in {"ymm", "rmm", "mmz"}:  # '2017年7-8月', '今年7到8月', '7-8月' (the latest year with the last month)
            a, b = _num(g["m1"]), _num(g["m2"])
            if kind == "ymm":
                year = int(g["y"])
            elif kind == "mmz":
                year = self._latest_year_for_month(b)
            else:
                this = int(self.cal.current("year").label[:4]) if not self.cal.empty else 0
                year = this - {"今年": 0, "去年": 1, "前年": 2}[g["rel"]]
            return [f"{year}-{a:02d}..{year}-{b:02d}"] if 1 <= a <= b <= 12 else []
        return []

    def _latest_year_for_month(self, month: int) -> int:
        readings = self.cal.latest("month", month)
        return int(readings[0][:4]) if readings else (self.cal.current("year").start.year if not self.cal.empty else 0)

    def implicit(self, kind: str, m: re.Match[str]) -> list[str]:
        g = m.groupdict()
        if kind == "q":
            return self.cal.latest("quarter", _num(g.get("q") or g.get("w") or "0"))
        if kind == "h":
            half = int(g["h"]) if g.get("h") else (1 if g.get("hz") == "上" or _num(g.get("hw") or "") == 1 else 2)
            return self.cal.latest("half", half)
        month = _month_index(g.get("mon") or g.get("zm") or "")
        return self.cal.latest("month", month) if 1 <= month <= 12 else []

    def relative(self, kind: str) -> list[str]:
        if self.cal.empty:
            return []
        if kind == "this_quarter":
            return [self.current("quarter").label]
        if kind == "last_quarter":
            return [shift(self.current("quarter"), -1).label]
        if kind == "this_month":
            return [self.current("month").label]
        if kind == "last_month":
            return [shift(self.current("month"), -1).label]
        if kind == "this_year":
            return [self.current("year").label]
        if kind == "last_year":
            return [shift(self.current("year"), -1).label]
        return [self.cal.all_time().label]


# 'we're in Jan 2018', 'as of January 2018', '现在是2018年1月': the date relative periods count from
_NOW_EN_LEAD = (
    r"\b(?:we'?re|we\s+are|it'?s|it\s+is|today\s+is|now\s+is|as\s+of|currently|right\s+now)\s+(?:now\s+)?"
    r"(?:in\s+|on\s+)?(?:early\s+|mid[-\s]|late\s+|the\s+start\s+of\s+|the\s+end\s+of\s+)?"
)
_NOW_EN_MONTH = (
    r"(?P<mon>" + "|".join([*_MONTHS, *_MONTH_ABBR]) + r")\.?,?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?" + _Y + r"\b"
)
_NOW_EN_ISO = r"(?P<yb>(?:19|20)\d{2})[-/](?P<mb>1[0-2]|0?[1-9])(?:[-/]\d{1,2})?\b"
_NOW_ZH = (
    r"(?:假设|假如|如果)?(?:现在是|现在|目前是|目前|当前是|今天是|如今是|截至|截止到?|到)\s*(?P<yz>(?:19|20)\d{2})"
    r"\s*(?:年\s*" + _ZH_MONTH + r"\s*月(?:\s*\d{1,2}\s*[日号])?|[-/.](?P<mz>1[0-2]|0?[1-9])(?:[-/.]\d{1,2})?)"
    r"(?=\s*(?:为止)?\s*[，,。；;）)]|\s*(?:为止|的话|来看)|$)"
)
_NOW = re.compile(_NOW_EN_LEAD + r"(?:" + _NOW_EN_MONTH + r"|" + _NOW_EN_ISO + r")|" + _NOW_ZH, re.I)


def _now_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    if g.get("mon"):
        return date(int(g["y"]), _month_index(g["mon"]), 1)
    if g.get("yb"):
        return date(int(g["yb"]), int(g["mb"]), 1)
    month = int(g["mz"]) if g.get("mz") else _month_index(g.get("zm") or "")
    return date(int(g["yz"]), month, 1) if 1 <= month <= 12 else None


def find_periods(text: str, cal: Calendar) -> PeriodWords:
    """The period phrases of `text`, resolved against the calendar, in order of appearance."""
    words = PeriodWords()
    taken = [False] * len(text)
    now = _NOW.search(text)
    rest = text[: now.start()] + " " + text[now.end() :] if now else ""
    if now and not any(p.search(rest) for p in (_LAST_N, *(p for p, _ in _RELATIVE))):
        now = None  # '截至2017年10月的赢单金额' names a period of its own; only a relative period counts from it
    resolver = _Resolver(cal, _now_date(now) if now else None)
    if now:
        for i in range(now.start(), now.end()):
            taken[i] = True
        words.spans.append((now.start(), now.end()))

    def claim(m: re.Match[str]) -> bool:
        if any(taken[m.start() : m.end()]):
            return False
        for i in range(m.start(), m.end()):
            taken[i] = True
        words.spans.append((m.start(), m.end()))
        return True

    for pattern in (_YOY, _QOQ):
        for m in pattern.finditer(text):
            if claim(m):
                words.base = words.base or ("yoy" if pattern is _YOY else "previous")
    for m in _LAST_N.finditer(text):
        if claim(m):
            n = _num(m.group("n") or m.group("en"))
            unit = m.group("gz") or m.group("ge")
            grain: Grain = "month" if unit.lower().startswith(("月", "month")) else (
                "year" if unit.lower().startswith("year") else "quarter"
            )
            words.last_n = (n, grain)
    for pattern, grain_name in _GRAIN:
        for m in pattern.finditer(text):
            if claim(m):
                words.grain = words.grain or grain_name  # type: ignore[assignment]
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            if kind in {"yy", "yMM", "MM", "ymm", "rmm", "mmz", "yfq"}:
                labels, mkind, readings = resolver.ranges(kind, m), "range", []
            elif kind in {"q", "h", "M", "Mz"}:
                found = resolver.implicit(kind, m)
                labels, mkind, readings = found[:1], "implicit", found
                if not found:  # named without a year and never in the data: keep it, to say "no data"
                    labels = [_unseen(kind, m, cal)]
            else:
                labels, mkind, readings = resolver.explicit(kind, m), "explicit", []
            if labels and claim(m):
                words.mentions.append(PeriodMention(m.start(), m.end(), labels, mkind, readings))
    for pattern, kind in _RELATIVE:
        for m in pattern.finditer(text):
            if not any(taken[m.start() : m.end()]) and (labels := resolver.relative(kind)) and claim(m):
                words.mentions.append(PeriodMention(m.start(), m.end(), labels, "all" if kind == "all" else "relative"))
    words.mentions.sort(key=lambda mention: mention.start)
    return words


def _unseen(kind: str, m: re.Match[str], cal: Calendar) -> str:
    """A period named without a year that never has data: its occurrence in the data's last year."""
    g = m.groupdict()
    year = cal.current("year").start.year if not cal.empty else 2000
    if kind == "q":
        return make_period(year, "quarter", _num(g.get("q") or g.get("w") or "1"), cal.fy).label
    if kind == "h":
        return make_period(year, "half", 1 if g.get("hz") == "上" else 2, cal.fy).label
    return f"{year}-{_month_index(g.get('mon') or g.get('zm') or '1'):02d}"


def period_spans(text: str) -> list[tuple[int, int]]:
    """Where period phrases sit in `text` (for the spelling fixes; no calendar needed)."""
    spans = [(m.start(), m.end()) for pattern, _ in _PATTERNS for m in pattern.finditer(text)]
    for pattern in (_NOW, _YOY, _QOQ, _LAST_N, *(p for p, _ in _RELATIVE), *(p for p, _ in _GRAIN)):
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def period_keywords() -> list[str]:
    """The English words of the period patterns (`quarter`, `previous`, ...), for the spelling check."""
    patterns = [p for p, _ in _PATTERNS] + [_YOY, _QOQ, _LAST_N]
    patterns += [p for p, _ in _RELATIVE] + [p for p, _ in _GRAIN]
    return [w for p in patterns for w in re.findall(r"[a-z]{4,}", p.pattern)]


_SHORT_YEARS = (
    re.compile(r"(?<![\w'’])['’](?P<yy>\d{2})(?![\d%])"),  # "november '19", "Q4 '04"
    re.compile(r"(?<=\b[QqHh][1-4])(?P<sp>\s*[-/,]?\s*)(?P<yy>\d{2})(?![\d%])(?!\s*(?:个|%|天|days?))"),  # "Q3 26", "H1/19"
    re.compile(r"(?<![\d.\-/年])(?P<yy>\d{2})(?=\s*(?:到|至|-|~)\s*\d{2}\s*年)"),  # "03到04年"
    re.compile(r"(?<![\d.\-/年])(?P<yy>\d{2})(?=\s*年)"),  # "19年下半年", "18年3月"
)


def expand_short_years(text: str, cal: Calendar) -> str:
    """Two-digit years the router reads as years of the data: "'19", "Q3 26", "19年下半年", "03到04年" become
    2019, 2026 …; only a year within a year of the data's span is taken (so '10年' is never 2010 in 2026 data)."""
    if cal.empty:
        return text
    first, last = cal.first.year, cal.end.year

    def year(m: re.Match[str]) -> str:
        yy = int(m.group("yy"))
        full = min((c + yy for c in (1900, 2000, 2100)), key=lambda y: abs(y - first))
        if not first - 1 <= full <= last + 1:
            return m.group(0)
        sep = " " if m.groupdict().get("sp") is not None else ""
        return f"{sep}{full}"

    for pattern in _SHORT_YEARS:
        text = pattern.sub(year, text)
    return text
