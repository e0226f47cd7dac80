"""The sample company's opportunity record and the few plain-Python aggregates the generator, its measured
effects and its past reviews share (independent of Fupan's metric engine on purpose)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WON, LOST = "赢单", "输单"


@dataclass
class Opportunity:
    opp_id: str
    customer: str
    rep: str
    region: str
    product: str
    source: str
    amount: float
    created: dt.date
    first_touch: dt.date
    close: dt.date | None
    stage: str
    loss_reason: str = ""
    new_customer: bool = False
    tags: list[str] = field(default_factory=list)  # which planted effect shaped it


def quarter_of(day: dt.date | None) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}" if day else ""


def closed(opps: list[Opportunity], quarter: str, **where: str) -> list[Opportunity]:
    """Won or lost deals closed in `quarter`, optionally of one region/rep/... (attribute = value)."""
    return [
        o
        for o in opps
        if o.stage in (WON, LOST)
        and quarter_of(o.close) == quarter
        and all(getattr(o, k) == v for k, v in where.items())
    ]


def won(rows: list[Opportunity]) -> list[Opportunity]:
    return [o for o in rows if o.stage == WON]


def revenue(rows: list[Opportunity]) -> float:
    """Won amount of the rows."""
    return sum(o.amount for o in won(rows))


def win_rate(rows: list[Opportunity]) -> float | None:
    return len(won(rows)) / len(rows) if rows else None
