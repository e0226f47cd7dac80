"""The one formatter (fupan/formatting.py): money in the data's currency, zh and en, no scientific notation, and
the grounding check reads back every figure it writes, within the precision it was written with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.grounding import check_grounding
from agent.numbers import parse_figures
from fupan.evidence import Evidence
from fupan.formatting import fmt, fmt_money, fmt_plain, is_money, money_unit, table_cell


@pytest.mark.parametrize(
    ("value", "lang", "currency", "text"),
    [
        (1_097_000, "en", "USD", "$1.10M"),
        (982_491, "en", "USD", "$982,491"),
        (-982_491.4, "en", "USD", "-$982,491"),
        (2_349_800_000, "en", "USD", "$2.35B"),
        (1_097_000, "en", "CNY", "¥1.10M"),
        (1_097_000, "en", None, "1.10M"),
        (1_097_000, "zh", "CNY", "109.7万"),
        (1_100_000, "zh", "CNY", "110万"),
        (110_000_000, "zh", "CNY", "1.1亿"),
        (9_824, "zh", "CNY", "¥9,824"),
        (1_100_000, "zh", "USD", "$110万"),
        (9_824, "zh", None, "9,824"),
        (1e20, "en", "USD", "$100,000,000,000.00B"),
        (1e20, "zh", "CNY", "1,000,000,000,000亿"),
    ],
)
def test_money(value: float, lang: str, currency: str | None, text: str) -> None:
    assert fmt_money(value, lang, currency) == text


def test_units_and_plain_cells() -> None:
    assert fmt(0.4123, "ratio", "en") == "41.2%"
    assert fmt(1_097_000.0, "USD", "en") == "$1.10M"
    assert fmt(1_097_000.0, "money", "en") == "1.10M"  # currency unknown: no symbol rather than a wrong one
    assert fmt(12345.0, "count", "zh") == "12,345"
    assert is_money("USD") and is_money("money") and not is_money("ratio") and not is_money(None)
    assert money_unit("usd") == "USD" and money_unit("") == "money"
    assert fmt_plain(1.097e6) == "1,097,000" and fmt_plain(1e20) == "100,000,000,000,000,000,000"
    assert fmt_plain(0.41234) == "0.4123" and fmt_plain("NA") == "NA"
    assert table_cell(1_097_000.0, "USD", "en") == "$1.10M" and table_cell(1_097_000.0) == "1,097,000"


@given(
    value=st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    lang=st.sampled_from(["zh", "en"]),
    unit=st.sampled_from(["CNY", "USD", "EUR", "GBP", "HKD", "money", "ratio", "days", "count"]),
)
def test_every_rendered_figure_reads_back_within_its_rounding(value: float, lang: str, unit: str) -> None:
    if unit == "ratio":
        value = value / 1e13
    text = fmt(value, unit, lang)
    assert "e+" not in text and "e-" not in text
    figures = parse_figures(f"the figure is {text} [metric:x:2026Q3]")
    assert len(figures) == 1, text
    fig = figures[0]
    assert abs(fig.value - value) <= fig.tolerance + 1e-9 * max(1.0, abs(value)), (text, fig)


def test_grounding_accepts_dollar_figures_and_rejects_wrong_ones() -> None:
    evidence = {
        "metric:won_revenue:2004": Evidence(
            id="metric:won_revenue:2004", kind="metric", label="2004 sales", value=4_724_162.6, unit="USD"
        ),
        "metric:won_revenue:2003": Evidence(
            id="metric:won_revenue:2003", kind="metric", label="2003 sales", value=3_516_979.54, unit="USD"
        ),
    }
    good = (
        f"2004 sales were {fmt(4_724_162.6, 'USD', 'en')}, up {fmt(4_724_162.6 - 3_516_979.54, 'USD', 'en')} "
        f"on 2003 ({fmt(3_516_979.54, 'USD', 'en')})."
    )
    assert good == "2004 sales were $4.72M, up $1.21M on 2003 ($3.52M)."
    assert check_grounding({"text": good}, evidence) == []
    bad = check_grounding({"text": "2004 sales were $4.92M."}, evidence)
    assert [f.value for f in bad] == ["$4.92M"]
