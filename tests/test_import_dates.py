"""Dates as exports write them (knowledge/dates.py): date-times, Excel serials, several styles in one column,
and the month-first/day-first ruling per column with its evidence."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.dates import date_token, parse_date, read_token, rule_column


@pytest.mark.parametrize(
    ("value", "token", "with_time"),
    [
        ("2/24/2003 0:00", "2/24/2003", True),
        ("05-07-2003 00:00", "05-07-2003", True),
        ("2024-03-01 10:22:05", "2024-03-01", True),
        ("2024-03-01T10:22:05Z", "2024-03-01", True),
        ("2024-03-01T23:30:00+08:00", "2024-03-01", True),
        ("3/1/2024 3:05 PM", "3/1/2024", True),
        (" 2024-03-01 ", "2024-03-01", False),
        ("2024年3月1日", "2024年3月1日", False),
        ("2024-03-01 25:00", "2024-03-01 25:00", False),  # not a time: left for the date reader to refuse
    ],
)
def test_date_token(value: str, token: str, with_time: bool) -> None:
    assert date_token(value) == (token, with_time)


@pytest.mark.parametrize(
    ("token", "month_first", "day_first", "style"),
    [
        ("2024-03-01", date(2024, 3, 1), date(2024, 3, 1), "YYYY-MM-DD"),
        ("2024/3/1", date(2024, 3, 1), date(2024, 3, 1), "YYYY/MM/DD"),
        ("2024年3月1日", date(2024, 3, 1), date(2024, 3, 1), "YYYY年M月D日"),
        ("20240301", date(2024, 3, 1), date(2024, 3, 1), "YYYYMMDD"),
        ("2/24/2003", date(2003, 2, 24), None, "a/b/YYYY"),
        ("24/2/2003", None, date(2003, 2, 24), "a/b/YYYY"),
        ("05-07-2003", date(2003, 5, 7), date(2003, 7, 5), "a-b-YYYY"),
        ("5.7.03", date(2003, 5, 7), date(2003, 7, 5), "a.b.YY"),
        ("45352", date(2024, 3, 1), date(2024, 3, 1), "Excel serial"),
        ("24-Feb-2003", date(2003, 2, 24), date(2003, 2, 24), "D-Mon-YYYY"),
        ("Feb 24, 2003", date(2003, 2, 24), date(2003, 2, 24), "Mon D, YYYY"),
    ],
)
def test_read_token(token: str, month_first: date | None, day_first: date | None, style: str) -> None:
    reading = read_token(token)
    assert reading is not None
    assert (reading.month_first, reading.day_first, reading.style) == (month_first, day_first, style)


@pytest.mark.parametrize("token", ["31/31/2024", "2024-13-01", "12345", "99999", "soon", "2024-02-30", ""])
def test_not_dates(token: str) -> None:
    assert read_token(token) is None


def test_ruling_from_the_unambiguous_values() -> None:
    tokens = [("2/24/2003", True, 3), ("05-07-2003", True, 2), ("2003-05-07", False, 1)]
    r = rule_column("ORDERDATE", tokens)
    assert (r.order, r.basis, r.month_first_only, r.ambiguous, r.with_time) == ("month_first", "values", 3, 2, 5)
    assert parse_date("05-07-2003 00:00", r) == date(2003, 5, 7)
    day = rule_column("日期", [("24/2/2003", False, 1), ("05/07/2003", False, 4)])
    assert (day.order, day.basis) == ("day_first", "values")
    assert parse_date("05/07/2003", day) == date(2003, 7, 5)
    assert "day first (from 1 values that can be read only that way); 4 ambiguous" in day.describe()


def test_ruling_by_default_and_by_mapping() -> None:
    r = rule_column("d", [("05/07/2003", False, 2)])
    assert (r.order, r.basis) == ("month_first", "default")
    forced = rule_column("d", [("05/07/2003", False, 2)], order="day_first")
    assert forced.basis == "mapping" and parse_date("05/07/2003", forced) == date(2003, 7, 5)
    mixed = rule_column("d", [("2/24/2003", False, 5), ("24/2/2003", False, 1), ("5/7/2003", False, 1)])
    assert mixed.conflicting and mixed.order == "month_first"
    assert parse_date("24/2/2003", mixed) == date(2003, 2, 24)  # read the only way it can be


def test_date_format_list() -> None:
    r = rule_column("d", [("2003.24.02", False, 1)], formats=("%Y.%d.%m", "%d/%m/%Y %H:%M"))
    assert r.basis == "formats"
    assert parse_date("2003.24.02", r) == date(2003, 2, 24)
    assert parse_date("24/02/2003 10:00", r) == date(2003, 2, 24)
    with pytest.raises(ValueError, match="date_format"):
        parse_date("2003-02-24", r)
