"""Period parsing and shifting; fiscal years named by the calendar year they end in."""

from __future__ import annotations

from datetime import date

import pytest

from fupan.errors import InputError
from fupan.periods import parse_period, period_of, previous_period, same_period_last_year


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2026Q3", "2026Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-Q3", "2026Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026年三季度", "2026Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026年第3季度", "2026Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-07", "2026-07", date(2026, 7, 1), date(2026, 8, 1)),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026H1", "2026H1", date(2026, 1, 1), date(2026, 7, 1)),
        ("2026年下半年", "2026H2", date(2026, 7, 1), date(2027, 1, 1)),
        ("2026", "2026", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_parse(text: str, label: str, start: date, end: date) -> None:
    p = parse_period(text)
    assert (p.label, p.start, p.end) == (label, start, end)


def test_shifts() -> None:
    q = parse_period("2026Q1")
    assert previous_period(q).label == "2025Q4"
    assert same_period_last_year(q).label == "2025Q1"
    assert previous_period(parse_period("2026-01")).label == "2025-12"
    assert previous_period(parse_period("2026H1")).label == "2025H2"


def test_fiscal_year_april() -> None:
    # FY2026 starting in April runs 2025-04-01 .. 2026-04-01; its Q1 is Apr-Jun 2025.
    q1 = parse_period("2026Q1", fiscal_year_start_month=4)
    assert (q1.start, q1.end) == (date(2025, 4, 1), date(2025, 7, 1))
    assert parse_period("2026", 4).start == date(2025, 4, 1)
    assert period_of(date(2025, 5, 3), "quarter", 4).label == "2026Q1"
    assert previous_period(q1).start == date(2025, 1, 1)


@pytest.mark.parametrize("bad", ["2026Q5", "2026-13", "next quarter", ""])
def test_bad(bad: str) -> None:
    with pytest.raises(InputError):
        parse_period(bad)


def test_month_ranges() -> None:
    r = parse_period("2005-01..2005-05")
    assert (r.label, r.grain, r.start, r.end) == ("2005-01..2005-05", "range", date(2005, 1, 1), date(2005, 6, 1))
    assert same_period_last_year(r).label == "2004-01..2004-05"
    assert previous_period(r).label == "2004-08..2004-12"
    assert parse_period("2016-01..2019-12").end == date(2020, 1, 1)
    with pytest.raises(InputError):
        parse_period("2005-05..2005-01")
