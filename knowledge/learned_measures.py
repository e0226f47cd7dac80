"""Measures learned from the data: every numeric column of the user's deal or order file other than the amount
(profit, quantity, discount, shipping cost, price each, MSRP …), named by its header, with its words in the other
language from `dictionaries/measures.tsv`, a unit and a default aggregation.

A numeric column is a measure unless its header says it is a code, an id or a calendar part (Row ID, Postal
Code, ORDERLINENUMBER, QTR_ID, YEAR_ID) or its values run 1, 2, 3 … (a row number).

The unit and the default aggregation follow the header's words:
- money, summed: profit, cost, freight, tax (利润, 成本, 运费); a price (price each, unit price, MSRP, 单价) is money
  too, but averaged — a sum of unit prices means nothing;
- count, summed: quantity, units, qty (数量, 件数, 销量);
- ratio, averaged: discount, rate, percent (折扣, 率) when the values lie between 0 and 1;
- days, averaged: days (天数);
- anything else: a number, summed by default (the router offers both readings when a question names no
  aggregation).
A profit-like money measure (profit, gross profit, 利润, 毛利) also has a margin: Σ measure ÷ Σ amount.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fupan.dimensions import Aggregation, MeasureDef, MeasureUnit, dimension_id
from knowledge.learned_dimensions import RESERVED, _cjk, plain, split_compound

_DICT = Path(__file__).parent / "dictionaries" / "measures.tsv"
_CODE_WORDS = {
    "id", "ids", "code", "codes", "number", "no", "num", "nr", "postal", "zip", "postcode", "phone", "tel",
    "fax", "year", "month", "qtr", "quarter", "week", "line", "key", "index", "seq", "sequence", "row",
}  # fmt: skip
_CODE_ZH = ("编号", "代码", "编码", "邮编", "邮政编码", "电话", "年份", "月份", "季度", "行号", "序号", "单号", "号码")
_MONEY = re.compile(r"profit|cost|freight|tax|revenue|margin|fee|expense|price|msrp|利润|毛利|成本|运费|税|费用|价", re.I)
_PRICE = re.compile(r"price|msrp|each|单价|价格|标价|零售价", re.I)
_COUNT = re.compile(r"quantit|\bunits?\b|\bqty\b|数量|件数|销量|个数", re.I)
_RATIO = re.compile(r"discount|rate|percent|pct|ratio|share|折扣|率|占比", re.I)
_DAYS = re.compile(r"\bdays?\b|天数|天", re.I)
_PROFIT = re.compile(r"profit|利润|毛利|盈利", re.I)


_PHRASES = {
    "units sold", "gross profit", "list price", "price per unit", "ship time", "shipping time", "days to deliver",
    "delivery cost", "shipping costs", "discount rate", "suggested retail price", "price each", "unit price",
    "shipping cost",
}


@lru_cache(maxsize=1)
def dictionary() -> dict[str, tuple[list[str], list[str]]]:
    """English word → (Chinese words, other English words), from dictionaries/measures.tsv."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for line in _DICT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, zh, others = [*line.split("\t"), "", ""][:3]
        out.setdefault(en.strip().lower(), (zh.split(), _phrases(others)))
    return out


def _phrases(text: str) -> list[str]:
    """'units qty units sold' → ['units', 'qty', 'units sold']: known multi-word phrases kept together."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            phrase = " ".join(words[i : i + n])
            if n == 1 or phrase in _PHRASES:
                out.append(phrase)
                i += n
                break
    return out


def _words_of_header(header: str) -> str:
    """`QUANTITYORDERED` → `quantity ordered`, `PRICEEACH` → `price each`, `Unit_Price` → `unit price`: split on
    the dictionaries' words (the dimensions' and the measures')."""
    vocab = {w for en, (_, others) in dictionary().items() for phrase in (en, *others) for w in phrase.split()}
    vocab |= {"ordered", "each", "sold", "per", "total", "net", "gross", "avg", "average", "amount", "value"}
    out = []
    for token in plain(header).split():
        split = split_compound(token)
        if split == token and token.isalpha():
            best: dict[int, list[str]] = {0: []}
            for i in range(1, len(token) + 1):
                for j in range(max(0, i - 14), i):
                    if j in best and token[j:i] in vocab and (i not in best or len(best[j]) + 1 < len(best[i])):
                        best[i] = [*best[j], token[j:i]]
            parts = best.get(len(token))
            split = " ".join(parts) if parts else token
        out.append(split)
    return " ".join(out)


def _name(header: str) -> str:
    """The English name of a measure header: as written when it is already a name (`Profit`), else its words."""
    if header.isupper() or "_" in header or header.islower():
        return _words_of_header(header)
    return header.strip()


def translate(header: str) -> tuple[str | None, list[str]]:
    """(English dictionary word, Chinese words) for a measure header, the longest entry the header contains."""
    table = dictionary()
    if _cjk(header):
        h = header.strip()
        for en, (zh, _) in sorted(table.items(), key=lambda kv: -max(len(w) for w in kv[1][0] or [""])):
            if h in zh:
                return en, [h, *[w for w in zh if w != h]]
        for en, (zh, _) in table.items():
            if any(w in h for w in zh if len(w) >= 2):
                return en, [h, *zh]
        return None, [h]
    words = _words_of_header(header)
    for en in sorted(table, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(en)}(?![a-z])", words) or words.replace(" ", "") == en.replace(" ", ""):
            return en, table[en][0]
    return None, []


def is_code(header: str) -> bool:
    """A header naming a code, an id or a calendar part rather than a quantity."""
    if _cjk(header):
        return any(w in header for w in _CODE_ZH)
    return any(w in _CODE_WORDS for w in _words_of_header(header).split())


def measure_unit(header: str, en: str | None, zh: list[str], low: float | None, high: float | None) -> tuple[MeasureUnit, Aggregation]:
    text = " ".join([header, plain(header), en or "", *zh])
    if _DAYS.search(text):
        return "days", "mean"
    if _PRICE.search(text):
        return "money", "mean"
    if _COUNT.search(text):
        return "count", "sum"
    if _RATIO.search(text) and low is not None and high is not None and 0 <= low and high <= 1:
        return "ratio", "mean"
    if _MONEY.search(text):
        return "money", "sum"
    return "number", "sum"


def learned_measure(
    header: str, *, taken: set[str], low: float | None = None, high: float | None = None, derived: str | None = None
) -> MeasureDef:
    """A measure for one numeric column (`low`/`high`: its smallest and largest value, for ratios)."""
    en, zh = translate(header)
    base = dimension_id((_name(header) if not _cjk(header) else "") or en or "measure", ())
    measure_id = dimension_id(base, taken | RESERVED)
    if _cjk(header):
        name_zh, name_en = header.strip(), (en or header.strip())
    else:
        name_en = _name(header)
        name_zh = zh[0] if zh else name_en
    unit, aggregation = measure_unit(header, en, zh, low, high)
    words: list[str] = []
    for w in (header.strip(), plain(header), _words_of_header(header), name_en, name_zh, en or "", *zh, *(dictionary()[en][1] if en else [])):
        w = w.strip()
        if w and w.lower() not in (x.lower() for x in words):
            words.append(w)
    return MeasureDef(
        id=measure_id,
        header=header,
        name_zh=name_zh[:60],
        name_en=name_en[:60],
        unit=unit,
        aggregation=aggregation,
        words=tuple(words),
        margin=unit == "money" and aggregation == "sum" and bool(_PROFIT.search(" ".join([header, en or "", *zh]))),
        derived=derived,
    )


_SHIP = re.compile(r"ship|deliver|dispatch|发货|发运|配送|送达|交货", re.I)


def days_measure(header: str, close_header: str, *, taken: set[str]) -> MeasureDef:
    """The days from the close (order) date to the date column `header`, averaged by default: 'days to ship'
    when the header is a shipping or delivery date, else 'days from <close> to <header>'."""
    derived = f"{header.strip()} − {close_header.strip()}"
    if _SHIP.search(header):
        zh, others = dictionary()["days to ship"]
        name_en, name_zh, words = "days to ship", zh[0], ["days to ship", *zh, *others]
    else:
        name_en = f"days from {_name(close_header)} to {_name(header)}"
        name_zh = f"{close_header.strip()}到{header.strip()}天数"
        words = [name_en, name_zh]
    measure_id = dimension_id(dimension_id(name_en, ()), taken | RESERVED)
    return MeasureDef(
        id=measure_id,
        header=header,
        name_zh=name_zh[:60],
        name_en=name_en[:60],
        unit="days",
        aggregation="mean",
        words=tuple(dict.fromkeys(words)),
        derived=derived,
    )
