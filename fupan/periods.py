"""Reporting periods: month, quarter, half and year labels, with a configurable fiscal year start.

A run of whole months is a period too: `2005-01..2005-05` (January to May 2005, e.g. "this year so far" or
"January to May vs the same months last year") and `2016-01..2019-12` (all the data). Its previous period is
the run of the same length just before it; its same period last year is the run twelve months earlier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel

from fupan.errors import InputError

Grain = Literal["month", "quarter", "half", "year", "range"]
_ZH_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class Period(BaseModel):
    label: str
    grain: Grain
    start: date
    end: date  # exclusive
    fiscal_year_start_month: int = 1


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _fy_start(year: int, fy_month: int) -> date:
    """Fiscal year `year` starts in `fy_month` of the calendar year before when fy_month > 1 (FY named by its end)."""
    return date(year if fy_month == 1 else year - 1, fy_month, 1)


def make_period(year: int, grain: Grain, index: int, fiscal_year_start_month: int = 1) -> Period:
    fy = fiscal_year_start_month
    if grain == "month":
        start = date(year, index, 1)
        label = f"{year}-{index:02d}"
    else:
        start = _add_months(_fy_start(year, fy), (index - 1) * _MONTHS[grain])
        label = {"quarter": f"{year}Q{index}", "half": f"{year}H{index}", "year": f"{year}"}[grain]
    return Period(
        label=label,
        grain=grain,
        start=start,
        end=_add_months(start, _MONTHS[grain]),
        fiscal_year_start_month=fy,
    )


_PATTERNS: list[tuple[re.Pattern[str], Grain]] = [
    (re.compile(r"^(\d{4})\s*-?\s*[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})\s*年?\s*第?\s*([1-4一二三四])\s*季度?$"), "quarter"),
    (re.compile(r"^[Qq]([1-4])\s*(\d{4})$"), "quarter"),
    (re.compile(r"^(\d{4})\s*-?\s*[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})\s*年?\s*([上下])半年$"), "half"),
    (re.compile(r"^(\d{4})\s*[-/年]\s*(\d{1,2})\s*月?$"), "month"),
    (re.compile(r"^(\d{4})\s*年?$"), "year"),
    (re.compile(r"^[Ff][Yy]\s*(\d{4})$"), "year"),
]


_RANGE = re.compile(r"^(\d{4})-(\d{2})\s*\.\.\s*(\d{4})-(\d{2})$")


def month_range(start: date, end: date, fiscal_year_start_month: int = 1) -> Period:
    """The run of whole months from `start`'s month up to (not including) `end`'s month start."""
    first = date(start.year, start.month, 1)
    stop = end if end.day == 1 else _add_months(date(end.year, end.month, 1), 1)
    last = _add_months(stop, -1)
    if stop <= first:
        raise InputError(f"empty month range {first:%Y-%m}..{last:%Y-%m}")
    return Period(
        label=f"{first:%Y-%m}..{last:%Y-%m}",
        grain="range",
        start=first,
        end=stop,
        fiscal_year_start_month=fiscal_year_start_month,
    )


def parse_period(text: str, fiscal_year_start_month: int = 1) -> Period:
    """Parse 2026Q3, 2026-Q3, 2026年三季度, 2026年第3季度, 2026-07, 2026H1, 2026年上半年, 2026, FY2026, or a
    run of months 2005-01..2005-05."""
    raw = str(text).strip()
    if m := _RANGE.match(raw):
        y1, m1, y2, m2 = (int(g) for g in m.groups())
        if 1 <= m1 <= 12 and 1 <= m2 <= 12 and (y1, m1) <= (y2, m2):
            return month_range(date(y1, m1, 1), _add_months(date(y2, m2, 1), 1), fiscal_year_start_month)
    for pattern, grain in _PATTERNS:
        m = pattern.match(raw)
        if not m:
            continue
        groups = m.groups()
        if pattern.pattern.startswith("^[Qq]"):
            groups = (groups[1], groups[0])
        year = int(groups[0])
        if grain == "year":
            return make_period(year, "year", 1, fiscal_year_start_month)
        token = groups[1]
        index = _ZH_NUM[token] if token in _ZH_NUM else int(token)
        if grain == "month" and not 1 <= index <= 12:
            break
        return make_period(year, grain, index, fiscal_year_start_month)
    raise InputError(
        f"cannot read period {raw!r}",
        hint="use e.g. 2026Q3, 2026-Q3, 2026年第3季度, 2026-07, 2026H1 or 2026",
    )


def period_label(text: str) -> str:
    """The label of a period a person typed (2026-Q3 -> 2026Q3); the whole text must be a period, so
    `2026Q3' OR 1=1` is an InputError, not a question about 2026Q3."""
    return parse_period(text).label


def quarters(labels: Iterable[str], fiscal_year_start_month: int = 1) -> list[Period]:
    """The quarters among period labels (the engine's `periods_available()`, a page's choices), oldest first:
    parsed once here, so no caller looks for a "Q" in a label or compares labels as strings."""
    parsed = (parse_period(label, fiscal_year_start_month) for label in labels)
    return sorted((p for p in parsed if p.grain == "quarter"), key=lambda p: p.start)


def quarters_through(labels: Iterable[str], last: Period) -> list[Period]:
    """The quarters among `labels` that end by the end of `last` (a quarter, month, half, year or range),
    oldest first."""
    return [q for q in quarters(labels, last.fiscal_year_start_month) if q.end <= last.end]


def _index(p: Period) -> tuple[int, int]:
    if p.grain == "month":
        return p.start.year, p.start.month
    year = int(p.label[:4])
    if p.grain == "year":
        return year, 1
    return year, int(p.label[5:])


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def shift(p: Period, steps: int) -> Period:
    """Move a period by `steps` periods of its own grain (a month range by its own length)."""
    if p.grain == "range":
        length = _months_between(p.start, p.end)
        return month_range(
            _add_months(p.start, steps * length), _add_months(p.end, steps * length), p.fiscal_year_start_month
        )
    year, index = _index(p)
    per_year = 12 // _MONTHS[p.grain]
    total = year * per_year + (index - 1) + steps
    return make_period(total // per_year, p.grain, total % per_year + 1, p.fiscal_year_start_month)


def previous_period(p: Period) -> Period:
    return shift(p, -1)


def same_period_last_year(p: Period) -> Period:
    if p.grain == "range":
        return month_range(_add_months(p.start, -12), _add_months(p.end, -12), p.fiscal_year_start_month)
    return shift(p, -(12 // _MONTHS[p.grain]))


def period_of(d: date, grain: Grain, fiscal_year_start_month: int = 1) -> Period:
    """The period of a given grain that contains a date."""
    if grain == "month":
        return make_period(d.year, "month", d.month, fiscal_year_start_month)
    if grain == "range":
        raise ValueError("a month range is not a grain of the calendar")
    fy = fiscal_year_start_month
    offset = (d.month - fy) % 12
    fy_year = d.year + (1 if fy > 1 and d.month >= fy else 0)
    return make_period(fy_year, grain, offset // _MONTHS[grain] + 1, fy)
