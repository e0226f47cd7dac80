"""Numbers as people read them, in one place: the CLI, answers, reports and the page all format through here.

Money, in the data's currency (an ISO code stored with each import's snapshot; `money` when it is unknown, then
no symbol is shown rather than a wrong one):
- en: `$982,491` below a million, `$1.10M`, `$2.35B` (three significant figures);
- zh: `9,824` below 万 with the symbol, `123.5万`, `1.1亿` (CNY carries no symbol with 万/亿; another currency
  keeps its symbol: `$110万`).
Ratios `41.2%`, changes of ratios in points (`3.5 pp` / `3.5 个百分点`), days, counts `12,345`. Never
scientific notation. The grounding check (agent/grounding.py, via agent/numbers.parse_figures) reads every one
of these back with the precision it was written with.
"""

from __future__ import annotations

import math

SYMBOLS: dict[str, str] = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"}
MONEY_UNITS = {"money", *SYMBOLS}


def is_money(unit: str | None) -> bool:
    """Whether a unit is an amount of money: `money` (currency unknown) or an ISO currency code."""
    return unit is not None and (unit in MONEY_UNITS or (len(unit) == 3 and unit.isalpha() and unit.isupper()))


def money_unit(currency: str | None) -> str:
    """The unit of an amount in `currency` (an ISO code), or `money` when the currency is not known."""
    return currency.upper() if currency else "money"


def symbol(currency: str | None) -> str:
    if not currency or currency == "money":
        return ""
    return SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return value


def fmt_money(value: float, lang: str = "zh", currency: str | None = "CNY") -> str:
    """An amount: `$1.10M` / `$982,491` in English, `123.5万` / `1.1亿` in Chinese."""
    value = _finite(float(value))
    sign = "-" if value < 0 else ""
    amount = abs(value)
    sym = symbol(currency)
    if lang == "zh":
        big = sym if currency not in (None, "CNY", "money") else ""
        if amount >= 1e8:
            return f"{sign}{big}{_trim(f'{amount / 1e8:,.2f}')}亿"
        if amount >= 1e4:
            return f"{sign}{big}{_trim(f'{amount / 1e4:,.1f}')}万"
        return f"{sign}{sym}{amount:,.0f}"
    if amount >= 1e9:
        return f"{sign}{sym}{amount / 1e9:,.2f}B"
    if amount >= 1e6:
        return f"{sign}{sym}{amount / 1e6:,.2f}M"
    return f"{sign}{sym}{amount:,.0f}"


def fmt_ratio(value: float) -> str:
    """A ratio as a percentage with one decimal: 0.4123 → 41.2%."""
    return f"{_trim(f'{_finite(float(value)) * 100:,.1f}')}%"


def fmt_points(delta: float, lang: str = "zh") -> str:
    """A change between two ratios in percentage points, unsigned: 0.035 → 3.5 个百分点 / 3.5 pp."""
    text = _trim(f"{abs(_finite(float(delta))) * 100:,.1f}")
    return f"{text} 个百分点" if lang == "zh" else f"{text} pp"


def fmt_days(value: float, lang: str = "zh") -> str:
    text = _trim(f"{_finite(float(value)):,.1f}")
    return f"{text} 天" if lang == "zh" else f"{text} days"


def fmt_count(value: float) -> str:
    value = _finite(float(value))
    return f"{value:,.0f}" if value.is_integer() else _trim(f"{value:,.1f}")


def fmt(value: float | None, unit: str | None, lang: str = "zh") -> str:
    """Render one figure in its unit (an ISO currency code or `money`, ratio, days, count); None → '—'."""
    if value is None:
        return "—"
    if is_money(unit):
        return fmt_money(value, lang, None if unit == "money" else unit)
    if unit == "ratio":
        return fmt_ratio(value)
    if unit == "days":
        return fmt_days(value, lang)
    return fmt_count(value)


def fmt_change(delta: float | None, unit: str | None, lang: str = "zh") -> str:
    """An unsigned change: points for ratios, the unit's own format otherwise."""
    if delta is None:
        return "—"
    if unit == "ratio":
        return fmt_points(delta, lang)
    return fmt(abs(delta), unit, lang)


def fmt_plain(value: object) -> str:
    """A table cell that is not a known figure: numbers with separators and no exponent, text as it is."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.0f}" if value.is_integer() else _trim(f"{value:,.4f}")
    return str(value)


def table_cell(value: object, unit: str | None = None, lang: str = "zh") -> str:
    """One cell of a CLI or page table: a figure in its unit when the column's unit is known."""
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        return fmt(float(value), unit, lang)
    return fmt_plain(value)
