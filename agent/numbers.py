"""Figures in answers and reports: written by the one formatter (fupan/formatting.py), read back here.

The grounding check (agent/grounding.py) reads numbers back with `parse_figures`, so the two agree: whatever
`fmt` writes, `parse_figures` recovers with the precision that was rendered: `$1.10M`, `-$982,491`, `¥1,234`,
`123.5万`, `$110万`, `1.1亿`, `2.35B`, `41.2%`, `3.5 个百分点` / `3.5 pp`, `37 天` / `37 days`, `12`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fupan.formatting import (  # noqa: F401 - the formatter, re-exported for the analyst's modules
    fmt,
    fmt_change,
    fmt_count,
    fmt_days,
    fmt_money,
    fmt_points,
    fmt_ratio,
    is_money,
)

Lang = str  # "zh" | "en"


# ---- reading numbers back -------------------------------------------------------------------------

FigureKind = str  # "percent" | "points" | "money" | "plain"


@dataclass(frozen=True)
class Figure:
    """One number found in text, with the interval of true values that would render to it."""

    raw: str
    value: float
    tolerance: float
    kind: FigureKind
    start: int


_NUMBER = re.compile(
    r"(?P<sign>[-−+])?\s?(?P<cur>[¥￥$€£]|HK\$|JP¥|US\$)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<suffix>%|％|个百分点|pp\b|ppt\b|万|亿|[Mm]\b|[Kk]\b|[Bb]\b)?"
)
# Things that look like numbers but are not figures: evidence ids, dates, periods, ids, ordinals.
_NOT_FIGURES = [
    re.compile(r"\[[^\]]*\]"),
    re.compile(r"(?:metric|note|lesson):[^\s,，。;；)）]+"),
    re.compile(r"\b[A-Z]{1,4}-[\w-]+"),
    re.compile(r"\d{4}-\d{1,2}-\d{1,2}"),
    re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    re.compile(r"\d{4}年\d{1,2}月"),
    re.compile(r"\d{4}\s?-?\s?[QqHh][1-4]"),
    re.compile(r"\b[QqHh][1-4]\b"),
    re.compile(r"\d{4}\s?年(?:第?[一二三四1-4]季度|[上下]半年|度)?"),
    re.compile(r"第\s?\d+\s?(?:季度|周|个?月|步|名|位)"),
    re.compile(r"\b\d{4}-\d{2}\b"),
    # a bare year, but not the integer part of an amount ("2007.6万", "2,019", "2019万")
    re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?!\d|[.,]\d|\s?(?:%|％|万|亿|个百分点|pp\b|天|days?\b))"),
    re.compile(r"(?:Top|TOP|top|前)\s?\d+"),
    re.compile(r"\d+\s?-?\s?[Ww]hy"),
    re.compile(r"\d+\s?(?:个|家)?(?:季度|quarters?|周|weeks?|个月|months?)"),
]


def _mask(text: str) -> str:
    for pattern in _NOT_FIGURES:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def parse_figures(text: str) -> list[Figure]:
    """Every figure in `text`, with the tolerance implied by how it was rounded."""
    figures: list[Figure] = []
    for m in _NUMBER.finditer(_mask(text)):
        num = m.group("num")
        value = float(num.replace(",", ""))
        half = 0.5 * 10 ** (-_decimals(num))
        suffix = (m.group("suffix") or "").lower()
        scale, kind = 1.0, "plain"
        if suffix in {"%", "％"}:
            scale, kind = 0.01, "percent"
        elif suffix in {"个百分点", "pp", "ppt"}:
            scale, kind = 0.01, "points"
        elif suffix == "万":
            scale, kind = 1e4, "money"
        elif suffix == "亿":
            scale, kind = 1e8, "money"
        elif suffix == "m":
            scale, kind = 1e6, "money"
        elif suffix == "k":
            scale, kind = 1e3, "money"
        elif suffix == "b":
            scale, kind = 1e9, "money"
        elif m.group("cur"):
            kind = "money"
        if m.group("sign") in {"-", "−"}:
            value = -value
        start = min(m.start(g) for g in ("sign", "cur", "num") if m.group(g))
        raw = text[start : m.end()].strip()
        figures.append(Figure(raw, value * scale, half * scale + 1e-9, kind, start))
    return figures
