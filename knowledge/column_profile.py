"""What each column of a staged source holds, judged on its values: dates, money, stages, statuses, names, ids.

Recognition (knowledge/recognize.py) weighs these next to the header names. Shares are over the non-blank values
of the first rows (`SAMPLE_ROWS`); the number of distinct values is estimated over all rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from knowledge.dates import STRIP, date_token, read_token
from knowledge.mapping import norm
from knowledge.sales_source import STAGE, Staged, blank_sql, dirty_sql

SAMPLE_ROWS = 20_000
DIRTY_COUNTED = 1000  # nearly unique text columns with this many values in the sample: cells needing a trim counted
NUMBER = r"[+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = re.compile(f"^{NUMBER}$")
# What amounts may carry around the number; removed before reading it (see sales_validate.amount_sql).
MONEY_NOISE = r"[,  ¥$￥€£]|CNY|RMB|USD|EUR|GBP|JPY|HKD|元"
_NOISE = re.compile(MONEY_NOISE)
CURRENCY_SIGNS: dict[str, str] = {
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "$": "USD",
    "USD": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "JPY": "JPY",
    "HKD": "HKD",
}
ORDER_STATUSES = {
    "shipped", "cancelled", "canceled", "resolved", "on hold", "in process", "disputed", "delivered", "completed",
    "complete", "pending", "processing", "returned", "refunded", "paid", "open", "closed", "invoiced",
    "已发货", "已取消", "已完成", "已签收", "待发货", "处理中", "已退货", "已付款", "待付款", "已关闭",
}  # fmt: skip
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_URL = re.compile(r"^(https?://|www\.)", re.I)
_PHONE = re.compile(r"^[+(]?[0-9][0-9 ().+\-]{6,}$")


def clean_number(value: str) -> str | None:
    """The number text inside an amount cell (`¥1,234.50` → `1234.50`, `(12.00)` → `-12.00`), or None."""
    text = value.strip(STRIP).translate(_FULL_WIDTH)
    negative = text.startswith("(") and text.endswith(")")
    text = _NOISE.sub("", text[1:-1] if negative else text)
    if not _NUMBER.match(text):
        return None
    return f"-{text.lstrip('+')}" if negative and not text.startswith("-") else text


@dataclass
class ColumnProfile:
    header: str
    column: str
    rows: int = 0
    filled: int = 0  # non-blank values in the sample
    distinct: int = 0  # estimated, all rows
    blanks: int = 0  # blank cells (empty or whitespace), all rows
    date_share: float = 0.0
    number_share: float = 0.0
    integer_share: float = 0.0
    decimal_share: float = 0.0
    stage_share: float = 0.0  # of distinct values, those in the stage map
    status_share: float = 0.0  # of distinct values, order statuses
    contact_share: float = 0.0  # phone numbers, e-mails, URLs
    avg_length: float = 0.0
    serial_share: float = 0.0  # numbers in the Excel serial date range (dates only if the header says so)
    sequence: bool = False  # 1, 2, 3, … (a row number)
    sample_distinct: int = 0  # distinct non-blank values in the sample
    dirty: int | None = None  # cells a trim would change (edge whitespace, empty text), all rows; None: not counted
    currencies: dict[str, int] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)

    @property
    def blank_share(self) -> float:
        sample = min(self.rows, SAMPLE_ROWS)
        return 1 - self.filled / sample if sample else 1.0

    @property
    def unique_share(self) -> float:
        return min(1.0, self.distinct / self.rows) if self.rows else 0.0

    @property
    def texty(self) -> float:
        """How much the column looks like text rather than numbers or dates (0..1)."""
        return max(0.0, 1.0 - max(self.number_share, self.date_share))


def profile(con: duckdb.DuckDBPyConnection, staged: Staged, stage_words: set[str]) -> list[ColumnProfile]:
    cols = [f"c{i}" for i in range(len(staged.headers))]
    if not cols:
        return []
    out = []
    for header, col in zip(staged.headers, cols, strict=True):
        rows = con.execute(
            f"SELECT {col}, count(*) FROM (SELECT {col} FROM {STAGE} LIMIT {SAMPLE_ROWS}) "
            f"WHERE NOT {blank_sql(col)} GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        p = ColumnProfile(header=header, column=col, rows=staged.rows)
        _fill(p, [(str(v), int(n)) for v, n in rows], stage_words)
        out.append(p)
    # one pass over all rows: distinct cells (of the raw cells: an estimate anyway) and blank cells per column,
    # and for text columns of many values (ids, names: too many to list) the cells a trim would change, so that
    # a column with none is stored and compared as it is (no per-row trim test in the write and the id checks)
    texts = [
        p for p in out
        if p.sample_distinct >= max(DIRTY_COUNTED, 0.9 * p.filled) and max(p.number_share, p.date_share) < 0.5
    ]
    approx = ", ".join(f"approx_count_distinct({c})" for c in cols)
    blanks = ", ".join(f"count(*) FILTER (WHERE {blank_sql(c)})" for c in cols)
    dirty = "".join(f", count(*) FILTER (WHERE {dirty_sql(p.column)})" for p in texts)
    counts = con.execute(f"SELECT {approx}, {blanks}{dirty} FROM {STAGE}").fetchone() or ()
    for i, p in enumerate(out):
        p.distinct, p.blanks = int(counts[i] or 0), int(counts[len(cols) + i] or 0)
    for k, p in enumerate(texts):
        p.dirty = int(counts[2 * len(cols) + k] or 0)
    return out


def _fill(p: ColumnProfile, values: list[tuple[str, int]], stage_words: set[str]) -> None:
    total = sum(n for _, n in values)
    p.filled = total
    p.sample_distinct = len(values)
    if not total:
        return
    dates = numbers = integers = decimals = contacts = length = 0
    for value, n in values:
        v = value.strip(STRIP)
        length += len(v) * n
        token, _ = date_token(v)
        reading = read_token(token)
        if reading is not None and reading.style != "Excel serial":
            dates += n
        number = clean_number(v)
        if number is not None:
            numbers += n
            if re.fullmatch(r"-?[0-9]+", number):
                integers += n
            if "." in number:
                decimals += n
            for sign, code in CURRENCY_SIGNS.items():
                if sign in v:
                    p.currencies[code] = p.currencies.get(code, 0) + n
        if _EMAIL.match(v) or _URL.match(v) or (_PHONE.match(v) and not re.fullmatch(r"-?[0-9.]+", v)):
            contacts += n
    distinct = [norm(v) for v, _ in values]
    p.date_share, p.number_share = dates / total, numbers / total
    p.integer_share, p.decimal_share = integers / total, decimals / total
    p.contact_share, p.avg_length = contacts / total, length / total
    p.stage_share = sum(1 for v in distinct if v in stage_words) / len(distinct)
    p.status_share = sum(1 for v in distinct if v in ORDER_STATUSES) / len(distinct)
    p.top = [v for v, _ in values[:8]]
    if p.integer_share == 1.0 and all(n == 1 for _, n in values):
        ints = sorted(int(v.strip(STRIP)) for v, _ in values)
        p.sequence = ints[-1] - ints[0] + 1 == len(ints)
    serials = sum(n for v, n in values if (r := read_token(v.strip(STRIP))) and r.style == "Excel serial")
    p.serial_share = serials / total
