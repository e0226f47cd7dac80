"""The grounding check and the number formatter agree; wrong and made-up numbers are caught."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.grounding import check_grounding
from agent.numbers import fmt, fmt_change, parse_figures
from agent.validate import validate_draft
from fupan.evidence import Evidence
from fupan.report import ActionItem, ReviewDraft, RootCauseChain, WhyLink


def metric(eid: str, value: float, unit: str) -> Evidence:
    return Evidence(id=eid, kind="metric", value=value, unit=unit)


EVIDENCE = {
    e.id: e
    for e in [
        metric("metric:won_revenue:2026Q3:region=华东", 3_456_789.0, "CNY"),
        metric("metric:target:2026Q3:region=华东", 4_200_000.0, "CNY"),
        metric("metric:gap:2026Q3:region=华东", -743_211.0, "CNY"),
        metric("metric:win_rate:2026Q3:region=华东", 0.31234, "ratio"),
        metric("metric:win_rate:2026Q2:region=华东", 0.4521, "ratio"),
        metric("metric:sales_cycle_median:2026Q3:region=华东", 37.0, "days"),
        Evidence(id="note:n-17#0", kind="note", text="客户说竞品报价低了 15%，预算只有 80 万。"),
    ]
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@given(
    value=st.floats(min_value=-5e9, max_value=5e9, allow_nan=False),
    unit=st.sampled_from(["CNY", "ratio", "days", "count"]),
)
def test_every_rendered_figure_is_read_back_within_its_rounding(lang: str, value: float, unit: str) -> None:
    if unit == "ratio":
        value = value / 5e9
    text = f"数值 {fmt(value, unit, lang)} 。"
    figs = parse_figures(text)
    assert len(figs) == 1, (text, figs)
    assert abs(abs(figs[0].value) - abs(value)) <= figs[0].tolerance + 1e-9 * abs(value)


def test_correct_figures_in_all_rendered_formats_pass() -> None:
    text = (
        "华东 2026Q3 销售额 345.7万，目标 420万，缺口 74.3万；赢单率 31.2%（0.312），较 2026Q2 的 45.2% 下降 "
        f"{fmt_change(0.31234 - 0.4521, 'ratio', 'zh')}，周期 37 天。English: ¥3,456,789 and 37 days."
    )
    assert check_grounding({"summary": text}, EVIDENCE) == []


def test_wrong_number_is_caught() -> None:
    findings = check_grounding({"chains[0].problem": "华东销售额 355.7万，缺口 74.3万。"}, EVIDENCE)
    assert [f.value for f in findings] == ["355.7万"]
    assert findings[0].severity == "error" and findings[0].location == "chains[0].problem"


def test_made_up_percentage_is_caught() -> None:
    findings = check_grounding({"summary": "赢单率 31.2%，客户流失率上升到 18.5%。"}, EVIDENCE)
    assert [(f.value, f.severity) for f in findings] == [("18.5%", "error")]


def test_number_only_in_a_note_is_a_quote_not_an_error() -> None:
    findings = check_grounding({"chains[0].links[3].claim": "客户记录提到竞品报价低 15%。"}, EVIDENCE)
    assert [(f.value, f.severity) for f in findings] == [("15%", "warning")]


def test_ids_dates_and_periods_are_not_figures() -> None:
    text = "见 [metric:win_rate:2026Q3:region=华东]，2026-12-31 前完成，2025Q3 同比，L-2026Q1-01，前 3 名。"
    assert check_grounding({"summary": text}, {}) == []


def _draft(claim: str) -> ReviewDraft:
    chain = RootCauseChain(
        id="C1",
        problem="华东未完成目标",
        category="product_market",
        links=[WhyLink(claim=claim, evidence=[])],
        root_cause="竞品降价",
    )
    action = ActionItem(
        id="A1",
        action="竞品应对",
        owner="王强",
        deadline=dt.date(2026, 12, 31),
        metric="win_rate",
        baseline=0.31234,
        target=0.38,
        checkpoint="每月检查",
        evidence=["metric:win_rate:2026Q3:region=华东"],
    )
    return ReviewDraft(period="2026Q3", title="t", chains=[chain], actions=[action], evidence=dict(EVIDENCE))


def test_validate_draft_marks_the_draft_when_a_claim_is_ungrounded() -> None:
    good = validate_draft(None, _draft("赢单率从 45.2% 降至 31.2%。"))
    assert good.grounded, good.findings
    bad = validate_draft(None, _draft("赢单率从 45.2% 降至 29.9%。"))
    assert not bad.grounded
    assert [f.location for f in bad.findings] == ["chains[0].links[0].claim"]


AMOUNTS_LIKE_YEARS = [
    ("2026Q2 为 2007.6万 [metric:won_revenue:2026Q2]", "2007.6万", 20_076_000.0),
    ("2026Q2为2007.6万", "2007.6万", 20_076_000.0),
    ("Q2 2026 bookings were ¥2,019,500.", "¥2,019,500", 2_019_500.0),
    ("2026年 2019.5 万", "2019.5 万", 20_195_000.0),
    ("2025Q4 -2010.5万", "-2010.5万", -20_105_000.0),
    ("2026H1 周期 2018 天", "2018", 2018.0),
    ("in 2026Q3 the median cycle was 2020 days", "2020", 2020.0),
]


@pytest.mark.parametrize(("text", "raw", "value"), AMOUNTS_LIKE_YEARS, ids=[a[0] for a in AMOUNTS_LIKE_YEARS])
def test_an_amount_whose_integer_part_looks_like_a_year_is_read_whole(
    text: str, raw: str, value: float
) -> None:
    figures = parse_figures(text)
    assert [(f.raw, f.value) for f in figures] == [(raw, value)]
    assert text[figures[0].start :].startswith(raw)


def test_the_period_before_a_figure_is_not_part_of_it() -> None:
    evidence = {"metric:won_revenue:2026Q2": metric("metric:won_revenue:2026Q2", 20_076_100.0, "CNY")}
    text = "全公司 2026Q3 的赢单金额为 1250.5万，2026Q2 为 2007.6万 [metric:won_revenue:2026Q2]。"
    evidence["metric:won_revenue:2026Q3"] = metric("metric:won_revenue:2026Q3", 12_505_200.0, "CNY")
    assert check_grounding({"text": text}, evidence) == []
    wrong = text.replace("2007.6万", "2017.6万")
    assert [f.value for f in check_grounding({"text": wrong}, evidence)] == ["2017.6万"]


@pytest.mark.parametrize(
    "text", ["2026 年度回顾", "FY2026 results", "in 2025, 2026 and 2027", "2026年第二季度"]
)
def test_bare_years_are_still_not_figures(text: str) -> None:
    assert parse_figures(text) == []


@pytest.mark.parametrize(
    ("name", "dim", "text"),
    [
        ("GTK 500", "product", "GTK 500: won revenue was ¥123,456 [{id}]."),
        ("销售13", "rep", "销售13 2026Q3 赢单金额为 12.3万 [{id}]。"),
        ("2号店", "account", "2号店 的赢单金额为 12.3万 [{id}]。"),
        ("Q4 Campaign 2026", "lead_source", "Q4 Campaign 2026 brought ¥123,456 [{id}]."),
    ],
)
def test_digits_inside_a_cited_name_are_not_figures(name: str, dim: str, text: str) -> None:
    eid = f"metric:won_revenue:2026Q3:{dim}={name}"
    evidence = {eid: metric(eid, 123_456.0, "CNY")}
    assert check_grounding({"text": text.format(id=eid)}, evidence) == []
    # the same digits outside the name are still checked
    stray = check_grounding({"text": text.format(id=eid) + " 500"}, evidence)
    assert stray and stray[0].value == "500"
