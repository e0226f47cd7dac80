"""Period names as target sheets write them: `2024Q1`, `2024年1月`, and without a year (`1月`, `Q1`, `一季度`, `Jan`).

A name without a year takes the year of the sheet: from the mapping (`year:`), the title above the header, the
sheet name or the file name (`2024年区域目标.xlsx`), in that order; the report says where it came from. Several
different years there, or none, and a yearless name is refused with a hint.
"""

from __future__ import annotations

import re

from fupan.errors import InputError
from fupan.periods import make_period, parse_period

_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MONTH_NAMES = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}  # fmt: skip
TOTAL_WORDS = ("合计", "总计", "全年", "年度合计", "小计", "total", "sum", "year total", "annual", "fy total")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _zh_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _ZH_DIGITS:
        return _ZH_DIGITS[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _ZH_DIGITS:
        return 10 + _ZH_DIGITS[text[1]]
    return None


def yearless(text: str) -> tuple[str, int] | None:
    """('month', 3) for 3月 / Mar / M3; ('quarter', 1) for Q1 / 一季度 / 第1季度; ('half', 1) for H1 / 上半年."""
    t = text.strip().lower().replace(" ", "")
    if m := re.fullmatch(r"(\d{1,2}|[一二三四五六七八九十]{1,2})月(份)?", t):
        n = _zh_number(m[1])
        return ("month", n) if n and 1 <= n <= 12 else None
    if m := re.fullmatch(r"m(\d{1,2})", t):
        n = int(m[1])
        return ("month", n) if 1 <= n <= 12 else None
    if t.rstrip(".") in _MONTH_NAMES:
        return "month", _MONTH_NAMES[t.rstrip(".")]
    if m := re.fullmatch(r"q([1-4])", t) or re.fullmatch(r"第?([1-4一二三四])季度?", t):
        n = _zh_number(m[1])
        return ("quarter", n) if n else None
    if m := re.fullmatch(r"h([12])", t):
        return "half", int(m[1])
    if t in ("上半年", "下半年"):
        return "half", 1 if t == "上半年" else 2
    return None


def with_year(text: str) -> str | None:
    """The canonical label of a period name that carries its year, or None."""
    t = text.strip()
    m = re.fullmatch(r"([A-Za-z]{3,9})\.?[\s\-/]*((?:19|20)\d{2})", t)
    if m and m[1].lower() in _MONTH_NAMES:
        return f"{m[2]}-{_MONTH_NAMES[m[1].lower()]:02d}"
    try:
        return parse_period(t).label
    except InputError:
        return None


def period_label(text: str, year: int | None, fy: int = 1) -> str | None:
    """The canonical label (2024Q1, 2024-03, 2024H1, 2024) of a period name, using `year` when it has none."""
    full = with_year(text)
    if full is not None:
        return parse_period(full, fy).label
    short = yearless(text)
    if short is None or year is None:
        return None
    grain, index = short
    return make_period(year, grain, index, fy).label  # type: ignore[arg-type]


def is_period_name(text: str) -> bool:
    return with_year(text) is not None or yearless(text) is not None


def is_total(text: str) -> bool:
    return text.strip().lower() in TOTAL_WORDS


def sheet_year(*places: tuple[str, str]) -> tuple[int | None, str]:
    """The year named by the first place that names exactly one (place name, text) → (year, where)."""
    for where, text in places:
        years = sorted(set(_YEAR.findall(text or "")))
        if len(years) == 1:
            return int(years[0]), where
        if len(years) > 1:
            raise InputError(
                f"the {where} names several years ({', '.join(years)}); which one do the periods belong to?",
                hint="pass --year or set year: in the mapping file",
            )
    return None, ""
