"""The bilingual question router: shapes, metrics, periods, segments and follow-ups."""

from __future__ import annotations

import pytest

from agent.router import Intent, Vocabulary, build_vocabulary, route
from agent.router_periods import find_periods

QUARTERS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    dims = {
        "region": ["华东", "华南", "华北"],
        "rep": ["张伟", "李娜", "王强"],
        "product": ["澜图CRM", "澜图BI"],
    }
    return build_vocabulary(dims, QUARTERS)


CASES = [
    (
        "三季度华东为什么没完成目标?",
        dict(shape="why", metric="won_revenue", period="2026Q3", base="target", filters={"region": "华东"}),
    ),
    (
        "Why did East miss its Q3 target?",
        dict(shape="why", metric="won_revenue", period="2026Q3", base="target", filters={"region": "华东"}),
    ),
    (
        "which reps drove the Q3 win-rate drop?",
        dict(shape="contribution", metric="win_rate", by="rep", period="2026Q3"),
    ),
    (
        "compare Q3 and Q2 average deal size by product",
        dict(shape="compare", metric="avg_deal_size", period="2026Q3", base="2026Q2", by="product"),
    ),
    (
        "华南Q3销售额是多少",
        dict(shape="value", metric="won_revenue", period="2026Q3", filters={"region": "华南"}),
    ),
    (
        "What was the North's win rate last quarter?",
        dict(shape="value", metric="win_rate", period="2026Q2", filters={"region": "华北"}),
    ),
    ("赢单率前三的销售是谁", dict(shape="top", metric="win_rate", by="rep", n=3, order="desc")),
    ("销售周期最短的销售是谁", dict(shape="top", metric="sales_cycle_median", by="rep", n=1, order="asc")),
    ("win rate trend over the last 4 quarters", dict(shape="trend", metric="win_rate", periods=QUARTERS[1:])),
    ("Q3 funnel in the North", dict(shape="funnel", period="2026Q3", filters={"region": "华北"})),
    ("销售周期同比变化", dict(shape="compare", metric="sales_cycle_median", base="yoy")),
    (
        "张伟 2026Q2 的客单价环比",
        dict(
            shape="compare", metric="avg_deal_size", period="2026Q2", base="previous", filters={"rep": "张伟"}
        ),
    ),
    ("各区域达成率", dict(shape="breakdown", metric="achievement_rate", by="region")),
    (
        "new customers in 2026年第二季度 by region",
        dict(shape="breakdown", metric="new_customers", period="2026Q2", by="region"),
    ),
    (
        "澜图BI 上季度赢单数",
        dict(shape="value", metric="won_deals", period="2026Q2", filters={"product": "澜图BI"}),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[c[0] for c in CASES])
def test_route(vocab: Vocabulary, question: str, expected: dict[str, object]) -> None:
    intent = route(question, vocab).model_dump()
    assert {k: intent[k] for k in expected} == expected


def test_language_follows_the_question(vocab: Vocabulary) -> None:
    assert route("华东赢单率", vocab).language == "zh"
    assert route("East win rate", vocab).language == "en"


def test_follow_up_inherits_metric_period_and_shape(vocab: Vocabulary) -> None:
    first = route("What was East's win rate in Q2?", vocab)
    south = route("and in the South?", vocab, previous=first)
    assert (south.metric, south.period, south.filters, south.shape) == (
        "win_rate",
        "2026Q2",
        {"region": "华南"},
        "value",
    )
    zh = route("那华北呢?", vocab, previous=route("华东三季度的客单价同比", vocab))
    assert (zh.metric, zh.base, zh.filters, zh.shape) == (
        "avg_deal_size",
        "yoy",
        {"region": "华北"},
        "compare",
    )


def test_follow_up_to_a_region_not_in_the_data_is_flagged(vocab: Vocabulary) -> None:
    west = route("and in the West?", vocab, previous=route("East win rate in Q3", vocab))
    assert west.unknown == {"region": "West"}


@pytest.mark.parametrize("question", ["客户满意度怎么样", "What was our profit margin in Q3?"])
def test_unavailable_data_is_named(vocab: Vocabulary, question: str) -> None:
    intent = route(question, vocab)
    assert intent.metric is None and intent.missing not in {"", "metric"}


def test_no_metric_asks_for_one(vocab: Vocabulary) -> None:
    assert route("how is it going?", vocab).missing == "metric"


@pytest.mark.parametrize(
    ("text", "periods", "base"),
    [
        ("2026年三季度", ["2026Q3"], None),
        ("2026-Q3", ["2026Q3"], None),
        ("Q3 2026 vs last quarter", ["2026Q3"], "previous"),
        ("上季度", ["2026Q2"], None),
        ("四季度", ["2025Q4"], None),
        ("2025Q3同比", ["2025Q3"], "yoy"),
        ("2026H1", ["2026H1"], None),
        ("2026年上半年", ["2026H1"], None),
        ("2026-07", ["2026-07"], None),
        ("first quarter of 2026", ["2026Q1"], None),
    ],
)
def test_period_words(text: str, periods: list[str], base: str | None) -> None:
    words = find_periods(text, "2026Q3")
    assert (words.periods, words.base) == (periods, base)


def test_intent_round_trips_through_a_turn(vocab: Vocabulary) -> None:
    intent = route("华东三季度赢单率", vocab)
    assert Intent.model_validate(intent.model_dump()) == intent
