"""Dates as exports write them: date-times, Excel serial numbers and several styles in one column.

A value is read in two steps. `date_token` drops a trailing time of day (`2/24/2003 0:00`, `2024-03-01 10:22:05`,
`2024-03-01T10:22:05Z`; the date is kept as written, never shifted to another time zone). Then `parse_token`
reads the date part in one of the known styles: ISO (`2024-03-01`, `/` or `.`), `2024年3月1日`, `20240301`,
`1/3/2024` (month or day first), month names (`24-Feb-2003`, `Feb 24, 2003`) or an Excel serial number
(`45352`, days since 1899-12-30).

Whether `1/3/2024` is January 3 or March 1 is decided once per column (`rule_column`) from the values that can
be read only one way (`24/2/2003` is day first, `2/24/2003` month first). The ruling, its evidence and the number
of values whose reading depends on it go into the import report. Several `date_format`s (strptime) may be given
in a mapping file instead; then only those are tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

DateOrder = Literal["month_first", "day_first"]

# A time of day after the date: " 0:00", " 10:22:05.123", "T10:22:05Z", " 3:05 PM", "T23:30:00+08:00".
# ASCII classes only: the same pattern runs in DuckDB (RE2) and here.
TIME_SUFFIX = (
    r"[ T](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]+)?)?[ ]*(?:[AaPp][.]?[Mm][.]?)?[ ]*"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
STRIP = " \t\r\n\u00a0\u3000"  # what a cell is trimmed of, here and in SQL
_TIME = re.compile(TIME_SUFFIX)
_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMBIGUOUS = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ,]+(\d{4}|\d{2})$")
_MONTH_NAME_DAY = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
SERIAL_RANGE = (20000, 80000)  # Excel serial numbers of 1954-10-03 .. 2119-01-11
_EXCEL_EPOCH = date(1899, 12, 30)
NOT_A_DATE = "not a date (expected e.g. 2026-07-15)"


def date_token(value: str) -> tuple[str, bool]:
    """The date part of a value and whether a time of day followed it."""
    value = value.strip(STRIP)
    token = _TIME.sub("", value)
    return token.strip(STRIP), token != value


@dataclass(frozen=True)
class Reading:
    """How a token reads: the date(s) it can be, and its style (e.g. `M/D/YYYY`)."""

    month_first: date | None
    day_first: date | None
    style: str

    @property
    def ambiguous(self) -> bool:
        return self.month_first is not None and self.day_first is not None and self.month_first != self.day_first


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    return datetime.strptime(text, "%y").year  # 69-99 → 19xx, 00-68 → 20xx, as strptime does


def read_token(token: str) -> Reading | None:
    """Every date `token` can mean, or None when it is not a date in any known style."""
    if m := _ISO.match(token):
        d = _make(int(m[1]), int(m[3]), int(m[4]))
        sep = m[2]
        return Reading(d, d, f"YYYY{sep}MM{sep}DD") if d else None
    if m := _ZH.match(token):
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        return Reading(d, d, "YYYY年M月D日") if d else None
    if m := _COMPACT.match(token):
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        return Reading(d, d, "YYYYMMDD") if d and 1900 <= d.year <= 2100 else None
    if m := _AMBIGUOUS.match(token):
        a, sep, b, y = int(m[1]), m[2], int(m[3]), _year(m[4])
        yy = "YYYY" if len(m[4]) == 4 else "YY"
        style = f"a{sep}b{sep}{yy}"  # a/b: which is the month is the column's ruling
        mf, df = _make(y, a, b), _make(y, b, a)
        return Reading(mf, df, style) if mf or df else None
    if _SERIAL.match(token):
        serial = float(token)
        if SERIAL_RANGE[0] <= serial < SERIAL_RANGE[1]:
            d = _EXCEL_EPOCH + timedelta(days=int(serial))
            return Reading(d, d, "Excel serial")
        return None
    if m := _DAY_MONTH_NAME.match(token):
        month = _MONTHS.get(m[2].lower())
        d = _make(_year(m[3]), month, int(m[1])) if month else None
        return Reading(d, d, "D-Mon-YYYY") if d else None
    if m := _MONTH_NAME_DAY.match(token):
        month = _MONTHS.get(m[1].lower())
        d = _make(int(m[3]), month, int(m[2])) if month else None
        return Reading(d, d, "Mon D, YYYY") if d else None
    return None


@dataclass
class DateRuling:
    """How one column's dates are read, with the evidence for the order of `1/3/2024`-style values."""

    column: str
    order: DateOrder = "month_first"
    basis: Literal["values", "default", "mapping", "formats", "none"] = "none"
    month_first_only: int = 0  # values readable only month first (2/24/2003)
    day_first_only: int = 0  # values readable only day first (24/2/2003)
    ambiguous: int = 0  # values whose reading depends on the order (5/7/2003)
    with_time: int = 0
    styles: dict[str, int] = field(default_factory=dict)
    formats: tuple[str, ...] = ()

    @property
    def conflicting(self) -> bool:
        return self.month_first_only > 0 and self.day_first_only > 0

    def describe(self) -> str:
        """One line for the import report."""
        first, second = ("M", "D") if self.order == "month_first" else ("D", "M")
        shown = {
            (s.replace("a", first, 1).replace("b", second, 1) if s.startswith("a") else s): n
            for s, n in self.styles.items()
        }
        styles = ", ".join(f"{s} ({n:,})" for s, n in sorted(shown.items(), key=lambda p: (-p[1], p[0])))
        text = f"dates in {self.column}: {styles or 'none'}"
        if self.with_time:
            text += f"; {self.with_time:,} with a time of day (the date is kept as written)"
        if self.basis == "formats":
            return text + f"; read with date_format {', '.join(self.formats)}"
        if self.basis == "none":
            return text
        order = "month first" if self.order == "month_first" else "day first"
        if self.basis == "mapping":
            why = "as the mapping says"
        elif self.basis == "default":
            why = "by default: no value can be read only one way"
        else:
            evidence = self.month_first_only if self.order == "month_first" else self.day_first_only
            why = f"from {evidence:,} values that can be read only that way"
        return text + f"; {order} ({why}); {self.ambiguous:,} ambiguous value(s)"


def rule_column(
    column: str,
    tokens: Iterable[tuple[str, bool, int]],
    order: DateOrder | None = None,
    formats: tuple[str, ...] = (),
) -> DateRuling:
    """The ruling for one column from its distinct (token, has time, rows) triples."""
    ruling = DateRuling(column=column, formats=formats)
    for token, has_time, count in tokens:
        if not token:
            continue
        ruling.with_time += count if has_time else 0
        if formats:
            style = next((f for f in formats if _strptime(token, f) is not None), None)
            if style:
                ruling.styles[style] = ruling.styles.get(style, 0) + count
            continue
        reading = read_token(token)
        if reading is None:
            continue
        style = reading.style + (" +time" if has_time else "")
        ruling.styles[style] = ruling.styles.get(style, 0) + count
        if reading.month_first and not reading.day_first:
            ruling.month_first_only += count
        elif reading.day_first and not reading.month_first:
            ruling.day_first_only += count
        elif reading.ambiguous:
            ruling.ambiguous += count
    if formats:
        ruling.basis = "formats"
    elif order is not None:
        ruling.order, ruling.basis = order, "mapping"
    elif ruling.month_first_only or ruling.day_first_only:
        ruling.basis = "values"
        ruling.order = "day_first" if ruling.day_first_only > ruling.month_first_only else "month_first"
    elif ruling.ambiguous:
        ruling.basis = "default"
    return ruling


def _strptime(text: str, fmt: str) -> date | None:
    try:
        return datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def parse_date(value: str, ruling: DateRuling) -> date:
    """One value under its column's ruling; ValueError with the reason otherwise."""
    value = value.strip(STRIP)
    token, _ = date_token(value)
    if ruling.formats:
        for candidate in (value, token):
            for fmt in ruling.formats:
                if (d := _strptime(candidate, fmt)) is not None:
                    return d
        raise ValueError(f"not a date in the mapping's date_format ({', '.join(ruling.formats)})")
    reading = read_token(token)
    if reading is None:
        raise ValueError(NOT_A_DATE)
    first, second = (
        (reading.month_first, reading.day_first)
        if ruling.order == "month_first"
        else (reading.day_first, reading.month_first)
    )
    d = first or second
    if d is None:  # pragma: no cover - read_token returns None then
        raise ValueError(NOT_A_DATE)
    return d
