"""The bilingual question router: one typed MetricQuery per reading, restatements, coverage, follow-ups.

Table-driven: each case names the query fields it expects. `_fields` flattens a routing into the names these
tables use (operation "top" is the rank operation; `filters` shows single values).
"""

from __future__ import annotations

import pytest

from agent.router import Routing, Vocabulary, build_vocabulary, route
from agent.router_periods import Calendar, find_periods
from agent.router_spelling import build_lexicon, distance, resolve_word, undouble_chinese
from fupan.dimensions import DimensionRegistry
from knowledge.workspace_aliases import WorkspaceAliases

QUARTERS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
ALIASES = WorkspaceAliases(
    values={"region": {"华东": ["East", "East China", "华东区"], "华南": ["South", "Southern"], "华北": ["North"]}},
    unknown={"region": ["West", "Western", "Central", "华西", "西部", "西南"]},
)


def make_vocab(dims: dict[str, list[str]], aliases: WorkspaceAliases | None = ALIASES) -> Vocabulary:
    return build_vocabulary(DimensionRegistry(), dims, Calendar.from_quarters(QUARTERS), aliases=aliases)


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    dims = {
        "region": ["华东", "华南", "华北"],
        "rep": ["张伟", "李娜", "王强"],
        "manager": ["赵敏", "钱进"],
        "product": ["澜图CRM", "澜图BI"],
        "lead_source": ["官网", "展会"],
        "account": ["远航零售", "Acme Retail"],
    }
    return make_vocab(dims)


def _fields(r: Routing) -> dict[str, object]:
    q = r.reading.query if r.reading else None
    if q is None:
        return {"status": r.status, "missing": r.message}
    return {
        "status": r.status,
        "shape": "top" if q.operation == "rank" else q.operation,
        "metric": q.metric,
        "period": q.period,
        "periods": q.periods,
        "base": q.base,
        "filters": q.single_filters(),
        "by": q.group_by[0] if q.group_by else None,
        "n": q.n,
        "order": q.order,
        "language": q.language,
        "missing": r.message,
    }


def read(question: str, vocab: Vocabulary, **kw: object) -> dict[str, object]:
    return _fields(route(question, vocab, **kw))  # type: ignore[arg-type]


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
    got = read(question, vocab)
    assert {k: got.get(k) for k in expected} == expected and got["status"] == "answer"


def test_language_follows_the_question(vocab: Vocabulary) -> None:
    assert read("华东赢单率", vocab)["language"] == "zh"
    assert read("East win rate", vocab)["language"] == "en"


def _query(question: str, vocab: Vocabulary):  # type: ignore[no-untyped-def]
    reading = route(question, vocab).reading
    assert reading is not None, question
    return reading.query


def test_follow_up_inherits_metric_period_and_shape(vocab: Vocabulary) -> None:
    south = read("and in the South?", vocab, previous=_query("What was East's win rate in Q2?", vocab))
    assert (south["metric"], south["period"], south["filters"], south["shape"]) == (
        "win_rate",
        "2026Q2",
        {"region": "华南"},
        "value",
    )
    zh = read("那华北呢?", vocab, previous=_query("华东三季度的客单价同比", vocab))
    assert (zh["metric"], zh["base"], zh["filters"], zh["shape"]) == (
        "avg_deal_size",
        "yoy",
        {"region": "华北"},
        "compare",
    )


def test_follow_up_to_a_region_not_in_the_data_is_refused(vocab: Vocabulary) -> None:
    west = read("and in the West?", vocab, previous=_query("East win rate in Q3", vocab))
    assert west["status"] == "refuse" and "West" in str(west["missing"]) and "华东" in str(west["missing"])


@pytest.mark.parametrize("question", ["客户满意度怎么样", "What was our profit margin in Q3?"])
def test_unavailable_data_is_named(vocab: Vocabulary, question: str) -> None:
    got = read(question, vocab)
    assert got["status"] == "refuse" and got["missing"]


@pytest.mark.parametrize(
    "question", ["三季度最好的销售是谁", "who's our best rep in Q3", "2026年增长率多少", "华南三季度转化率多少"]
)
def test_a_question_with_several_likely_metrics_offers_readings(vocab: Vocabulary, question: str) -> None:
    r = route(question, vocab)
    assert r.status == "clarify" and 2 <= len(r.readings) <= 3
    assert len({x.query.metric for x in r.readings}) == len(r.readings)
    assert all(x.restatement.startswith(("理解为：", "Read as: ")) for x in r.readings)


def test_informal_how_did_it_go_reads_as_revenue_against_target(vocab: Vocabulary) -> None:
    for question in ["how'd East do in Q3?", "华东Q3咋样"]:
        got = read(question, vocab)
        assert (got["status"], got["shape"], got["metric"], got["base"], got["filters"]) == (
            "answer", "compare", "won_revenue", "target", {"region": "华东"}
        ), question


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
        ("revenue in September 2026", ["2026-09"], None),
        ("Sept. 2026 bookings", ["2026-09"], None),
        ("win rate in October", ["2025-10"], None),
        ("win rate in July", ["2026-07"], None),
        ("may I see Q2 revenue", ["2026Q2"], None),
        ("bookings in H1 2026", ["2026H1"], None),
        ("H2 of 2025", ["2025H2"], None),
    ],
)
def test_period_words(text: str, periods: list[str], base: str | None) -> None:
    words = find_periods(text, Calendar.from_quarters(QUARTERS))
    assert (words.periods, words.base) == (periods, base)


def test_the_query_round_trips_through_a_turn(vocab: Vocabulary) -> None:
    from fupan.query import MetricQuery

    q = _query("华东三季度赢单率", vocab)
    assert MetricQuery.model_validate(q.model_dump()) == q


# ---- top-N: the ranked dimension is the one the question names ----------------------------------------------

TOP_CASES = [
    ("2026Q3销售额最高的区域是哪个?", "region", 1, "desc", "won_revenue"),
    ("三季度赢单率最高的产品是哪个?", "product", 1, "desc", "win_rate"),
    ("2026Q3成交率最低的产品是哪个?", "product", 1, "asc", "win_rate"),
    ("二季度赢单数最多的客户是哪个?", "account", 1, "desc", "won_deals"),
    ("三季度销售额最高的线索来源是哪个?", "lead_source", 1, "desc", "won_revenue"),
    ("2026Q3成交率最高的负责人是谁?", "rep", 1, "desc", "win_rate"),
    ("按销售额排名的区域", "region", None, "desc", "won_revenue"),
    ("业绩排名前两位的产品", "product", 2, "desc", "won_revenue"),
    ("排名后两位的区域的赢单率", "region", 2, "asc", "win_rate"),
    ("销售额前三的客户", "account", 3, "desc", "won_revenue"),
    ("top rep by bookings in 2026Q2", "rep", 1, "desc", "won_revenue"),
    ("top region by average order value in Q2 2026", "region", 1, "desc", "avg_deal_size"),
    ("top product by close rate in last quarter", "product", 1, "desc", "win_rate"),
    ("top account by revenue in Q3", "account", 1, "desc", "won_revenue"),
    ("top lead source by win rate in 2026Q2", "lead_source", 1, "desc", "win_rate"),
    ("top customers by revenue", "account", 3, "desc", "won_revenue"),
    ("Top 5 reps by win rate", "rep", 5, "desc", "win_rate"),
    ("top-2 regions by bookings", "region", 2, "desc", "won_revenue"),
    ("bottom 2 products by win rate", "product", 2, "asc", "win_rate"),
    ("Which region had the lowest win rate in Q3 2026?", "region", 1, "asc", "win_rate"),
    ("赢单率排名第一的销售是谁?", "rep", 1, "desc", "win_rate"),
    ("销售额排第一的产品", "product", 1, "desc", "won_revenue"),
    ("三季度成交额最高的三个客户", "account", 3, "desc", "won_revenue"),
    ("三季度哪个产品卖得最好?", "product", 1, "desc", "won_revenue"),
    ("哪个渠道带来的赢单最多?", "lead_source", 1, "desc", "won_deals"),
    ("the three best reps by win rate", "rep", 3, "desc", "win_rate"),
    ("Which is the best-selling product?", "product", 1, "desc", "won_revenue"),
]


@pytest.mark.parametrize(("question", "by", "n", "order", "metric"), TOP_CASES, ids=[c[0] for c in TOP_CASES])
def test_top_n_ranks_the_named_dimension(
    vocab: Vocabulary, question: str, by: str, n: int, order: str, metric: str
) -> None:
    got = read(question, vocab)
    assert (got["shape"], got["by"], got["n"], got["order"], got["metric"]) == ("top", by, n, order, metric)


def test_top_n_inside_a_segment_keeps_the_segment(vocab: Vocabulary) -> None:
    got = read("华东赢单率最高的销售", vocab)
    assert (got["shape"], got["by"], got["filters"]) == ("top", "rep", {"region": "华东"})


def test_a_metric_word_containing_a_dimension_word_is_not_the_ranked_dimension(vocab: Vocabulary) -> None:
    # 销售额 contains 销售 (rep); 按销售额排名 ranks the region the question names
    assert read("按销售额排名的区域", vocab)["by"] == "region"
    assert read("ranking by repurchase rate, which product leads?", vocab)["by"] == "product"


@pytest.mark.parametrize(
    "question", ["前三季度的销售额", "top of the funnel in Q3", "第一季度销售额", "过去4个季度赢单率趋势"]
)
def test_quarters_and_funnels_are_not_top_n(vocab: Vocabulary, question: str) -> None:
    assert read(question, vocab).get("shape") != "top"


# ---- spelling slips ----------------------------------------------------------------------------------------

TYPO_CASES = [
    ("How did South's rveenue change from Q2 to Q3 2026?", dict(metric="won_revenue", shape="compare")),
    ("How did South's reevnue in Q3 compare year over year?", dict(metric="won_revenue", base="yoy")),
    ("South reveune trend", dict(metric="won_revenue", shape="trend", filters={"region": "华南"})),
    ("How did South's won daels change from Q2 to Q3 2026?", dict(metric="won_deals", base="2026Q2")),
    ("top rep by average order vlaue in 2026Q2", dict(metric="avg_deal_size", shape="top", by="rep")),
    ("South average deal size trned", dict(metric="avg_deal_size", shape="trend")),
    ("top product by deals won in last qaurter", dict(period="2026Q2", by="product", shape="top")),
    ("Whcih porduct had the highest win rate?", dict(by="product", shape="top", metric="win_rate")),
    ("Suoth win rate trend", dict(metric="win_rate", shape="trend", filters={"region": "华南"})),
    ("Nrth revenue in Q3", dict(metric="won_revenue", filters={"region": "华北"}, period="2026Q3")),
    ("Acme Retial revenue in Q3", dict(metric="won_revenue", filters={"account": "Acme Retail"})),
    ("win rate by prodcut in Q2", dict(shape="breakdown", by="product", period="2026Q2")),
    ("revenue by prodcuts", dict(shape="breakdown", by="product")),
    (
        "pipeline coverage for the Suothern region",
        dict(metric="pipeline_coverage", filters={"region": "华南"}),
    ),
]


@pytest.mark.parametrize(("question", "expected"), TYPO_CASES, ids=[c[0] for c in TYPO_CASES])
def test_misspelt_words_resolve(vocab: Vocabulary, question: str, expected: dict[str, object]) -> None:
    got = read(question, vocab)
    assert {k: got.get(k) for k in expected} == expected
    assert got["status"] == "answer"


@pytest.mark.parametrize(
    ("word", "target", "edits"),
    [
        ("rveenue", "revenue", 1),
        ("suoth", "south", 1),
        ("daels", "deals", 1),
        ("abc", "abd", 1),
        ("trned", "trends", 2),
        ("quarter", "qaurter", 1),
        ("revenue", "reveune", 1),
        ("north", "south", 2),
    ],
)
def test_damerau_levenshtein(word: str, target: str, edits: int) -> None:
    assert distance(word, target, 3) == edits
    assert distance(word, target, edits - 1) == edits  # capped at limit + 1


def test_a_slip_resolves_only_to_a_unique_word_of_four_letters_or_more() -> None:
    lexicon = build_lexicon(
        vocabulary=["trend", "tread", "revenue", "pipeline created"],
        keywords=[],
        common=["rate"],
        segments=[],
        metrics=[],
    )
    assert resolve_word("treed", lexicon) is None  # trend and tread are both one edit away
    assert resolve_word("trnd", lexicon) == "trend"
    assert resolve_word("rvneue", lexicon) is None  # 6 letters, two edits away: one edit at most
    assert resolve_word("piepline", lexicon) == "pipeline"  # 8 letters: two edits allowed
    assert resolve_word("rte", lexicon) is None  # under 4 letters: never corrected
    assert resolve_word("raet", lexicon) == "rate"
    assert resolve_word("pipeliens", lexicon) == "pipeline"  # 9 letters, two edits, same first letter
    assert resolve_word("ipepline", lexicon) is None  # two edits but the first letter differs


def test_the_closest_word_wins_and_a_tie_resolves_nothing() -> None:
    lexicon = build_lexicon(
        vocabulary=["product", "products", "trend", "tread"], keywords=[], common=[], segments=[], metrics=[]
    )
    assert resolve_word("prodcuts", lexicon) == "products"  # one edit from products, two from product
    assert resolve_word("treed", lexicon) is None


def test_a_chinese_slip_is_never_answered_as_another_question(vocab: Vocabulary) -> None:
    got = read("三季度销售颔是多少", vocab)  # 颔 for 额: 销售 alone is a dimension word, 颔 explains nothing
    assert got["status"] != "answer"
    assert read("华喃三季度赢单率", vocab)["status"] != "answer"  # 华喃 is no region: never the company total


def test_a_chinese_homophone_slip_in_a_metric_word_is_read(vocab: Vocabulary) -> None:
    got = read("上季度整体赢单律是多少", vocab)  # 律 for 率 (same sound)
    assert (got["status"], got["metric"], got["period"]) == ("answer", "win_rate", "2026Q2")


# ---- unknown names are never dropped -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Shanghai win rate trend", "Shanghai"),
        ("What was revenue in Atlantis in Q3?", "Atlantis"),
        ("Which rep had the best win rate for Globex?", "Globex"),
        ("How did the Acme Wholesale revenue change?", "Wholesale"),
        ("Did Shanghai hit the target?", "Shanghai"),
        ("Shanghai's revenue in Q3", "Shanghai"),
    ],
)
def test_a_name_not_in_the_data_is_named_not_dropped(vocab: Vocabulary, question: str, word: str) -> None:
    got = read(question, vocab)
    assert got["status"] in {"refuse", "clarify"} and word in str(got["missing"])
    assert got.get("filters") in (None, {}) or got["status"] == "clarify"


@pytest.mark.parametrize("question", ["Suoht win rate trend", "What was the Nrtoh win rate?"])
def test_a_region_like_word_that_matches_no_region_is_an_unknown_region(
    vocab: Vocabulary, question: str
) -> None:
    got = read(question, vocab)
    assert got["status"] in {"refuse", "clarify"}
    assert any(w in str(got["missing"]) for w in ("Suoht", "Nrtoh"))


def test_a_follow_up_to_an_unknown_name_is_flagged(vocab: Vocabulary) -> None:
    first = _query("East win rate in Q3", vocab)
    assert "Narnia" in str(read("and in Narnia?", vocab, previous=first)["missing"])
    assert read("and in the Suoth?", vocab, previous=first)["filters"] == {"region": "华南"}


@pytest.mark.parametrize(
    "question",
    [
        "How did sales go in Q3?",
        "What was the cumulative revenue in 2026?",
        "Show me the win rate by region for the last quarter",
        "Give me the top 3 reps by bookings",
        "What was the company's revenue in Q3 2026?",
        "Explain North's result aganist target in 2026Q3",
        "Why did East miss its Q3 target?",
        "Overall win rate this quarter compared with a year ago",
        "Which channel brings the most won revenue?",
        "revenue in september 2026",
        "How are we tracking against quota?",
    ],
)
def test_ordinary_words_are_not_mistaken_for_names(vocab: Vocabulary, question: str) -> None:
    got = read(question, vocab)
    assert got["status"] == "answer", (question, got)


# ---- doubled Chinese characters ----------------------------------------------------------------------------

DOUBLED_CASES = [
    ("2026年年第三季度全公司的赢单数", dict(shape="value", metric="won_deals", period="2026Q3", base=None)),
    ("2026Q3按区区域看完成率", dict(shape="breakdown", by="region", metric="achievement_rate")),
    ("华华南的销售额", dict(filters={"region": "华南"}, metric="won_revenue")),
    ("三季度赢单单率最高的产品", dict(shape="top", by="product", metric="win_rate")),
    ("2026年第第二季度各产品客单价", dict(period="2026Q2", by="product", metric="avg_deal_size")),
]


@pytest.mark.parametrize(("question", "expected"), DOUBLED_CASES, ids=[c[0] for c in DOUBLED_CASES])
def test_doubled_characters_are_made_single(
    vocab: Vocabulary, question: str, expected: dict[str, object]
) -> None:
    got = read(question, vocab)
    assert {k: got.get(k) for k in expected} == expected


def test_real_doubled_words_are_left_alone(vocab: Vocabulary) -> None:
    from agent.router_scan import known_spans

    def spans(text: str) -> list[tuple[int, int]]:
        return known_spans(text, vocab)

    assert undouble_chinese("再看看华南呢", spans) == "再看看华南呢"
    assert undouble_chinese("谢谢，三季度销售额", spans) == "谢谢，三季度销售额"
    assert undouble_chinese("2026年年第三季度", spans) == "2026年第三季度"


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("深圳区三季度销售额", "深圳区"),
        ("成渝大区赢单率", "成渝大区"),
        ("西部大区赢单率", "西部"),
        ("成都片区的客单价", "成都片区"),
    ],
)
def test_a_chinese_region_name_not_in_the_data_is_named(vocab: Vocabulary, question: str, named: str) -> None:
    got = read(question, vocab)
    assert got["status"] == "refuse" and named in str(got["missing"])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("华东区三季度销售额", dict(filters={"region": "华东"}, status="answer")),
        ("各大区销售额", dict(shape="breakdown", by="region", status="answer")),
        ("哪个区的销售额最高", dict(shape="top", by="region", status="answer")),
        ("分区看销售额", dict(shape="breakdown", by="region", status="answer")),
        ("社区团购的销售额", dict(status="clarify")),  # 社区团购 is no name in the data: never the company total
    ],
)
def test_region_words_that_are_not_names(
    vocab: Vocabulary, question: str, expected: dict[str, object]
) -> None:
    got = read(question, vocab)
    assert {k: got.get(k) for k in expected} == expected


# ---- dimensions learned from the user's data ---------------------------------------------------------------


@pytest.fixture(scope="module")
def orders_vocab() -> Vocabulary:
    """An order export's registry: the core region has no values; country, territory, product line, status and
    sub-category were learned at import under the user's own headers."""
    from fupan.dimensions import CORE_DIMENSIONS, DimensionDef

    learned = [
        DimensionDef(id="country", name_zh="国家", name_en="country", words=("国家", "country", "countries"),
                     origin="data", header="COUNTRY"),
        DimensionDef(id="territory", name_zh="地区", name_en="territory", words=("地区", "territory", "territories"),
                     origin="data", header="TERRITORY"),
        DimensionDef(id="productline", name_zh="产品线", name_en="product line", words=("产品线", "product line"),
                     origin="data", header="PRODUCTLINE"),
        DimensionDef(id="status", name_zh="状态", name_en="status", words=("状态", "status"), origin="data",
                     header="STATUS"),
        DimensionDef(id="sub_category", name_zh="子类", name_en="sub-category", words=("子类", "sub-category",
                     "sub-categories", "subcategory"), origin="data", header="Sub-Category"),
    ]  # fmt: skip
    registry = DimensionRegistry([*CORE_DIMENSIONS, *learned])
    values = {
        "country": ["USA", "France", "Spain", "Japan"],
        "territory": ["NA", "EMEA", "APAC", "Japan"],
        "productline": ["Classic Cars", "Motorcycles", "Planes"],
        "status": ["Shipped", "Cancelled", "On Hold"],
        "sub_category": ["Phones", "Chairs", "Binders"],
        "account": ["Euro Shopping Channel", "Mini Gifts"],
        "product": ["S10_1678", "S10_1949"],
    }
    months = tuple(f"{y}-{m:02d}" for y in (2003, 2004, 2005) for m in range(1, 13) if (y, m) <= (2005, 5))
    return build_vocabulary(registry, values, Calendar(months), aliases=None, has_targets=False, has_losses=False)


LEARNED_CASES = [
    ("sales by country in 2004", dict(shape="breakdown", by="country", period="2004", metric="won_revenue")),
    ("2004年各地区销售额", dict(shape="breakdown", by="territory", period="2004")),
    ("EMEA sales by country 2004", dict(shape="breakdown", by="country", filters={"territory": "EMEA"})),
    ("top 3 product lines by sales in 2004", dict(shape="top", by="productline", n=3, order="desc")),
    ("2004比2003增长最多的产品线", dict(shape="rank_change", by="productline", period="2004", base="2003")),
    ("phones sales in november", dict(shape="value", filters={"sub_category": "Phones"}, period="2004-11")),
    ("按状态看订单数", dict(shape="breakdown", by="status", metric="won_deals")),
    ("share of 2004 sales from the USA", dict(shape="share", filters={"country": "USA"}, period="2004")),
    ("sales in november", dict(shape="value", period="2004-11")),
    ("今年1-5月和去年同期比销售额", dict(shape="compare", period="2005-01..2005-05", base="yoy")),
]


@pytest.mark.parametrize(("question", "expected"), LEARNED_CASES, ids=[c[0] for c in LEARNED_CASES])
def test_learned_dimensions_are_read_by_the_users_words(
    orders_vocab: Vocabulary, question: str, expected: dict[str, object]
) -> None:
    got = read(question, orders_vocab)
    assert got["status"] == "answer", (question, got)
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("sales in Japan", "clarify"),  # a country and a territory: both readings, never one silently
        ("Q2 sales?", "clarify"),  # 2005Q2 has only April and May: 2005Q2 or 2004Q2
        ("revenue from Brazil", "refuse"),
        ("sales for Q3 2005", "refuse"),  # no data after May 2005: no data, never 0
        ("which rep closed the most deals", "refuse"),  # no rep column in this data
        ("2004年销售额最高的产品", "clarify"),  # 产品 (the product code) or 产品线 (product line)
        ("今年的销售目标完成率", "refuse"),  # no targets were imported
    ],
)
def test_ambiguity_and_absence_in_learned_data(orders_vocab: Vocabulary, question: str, status: str) -> None:
    r = route(question, orders_vocab)
    assert r.status == status, (question, r.status, r.message, [x.restatement for x in r.readings])
    if status == "clarify":
        assert len(r.readings) == 2


# ---- the misreadings issue 12 found, each a regression case ------------------------------------------------

ISSUE_CASES = [
    ("Which 3 reps had the highest win rate in Q3?", dict(shape="top", by="rep", n=3)),
    ("revenue in dec", dict(shape="value", period="2025-12")),
    ("how many new customers did the South land in Q3", dict(shape="value", metric="new_customers")),
    ("Q3 vs Q2 revenue change: how much came from fewer deals vs smaller deals?", dict(shape="decompose")),
    ("三季度销售额贡献最大的销售", dict(shape="top", by="rep", metric="won_revenue")),  # 贡献: a plain ranking
    ("revenue in the second half of 2025", dict(shape="value", period="2025H2")),
    ("month-by-month won revenue in 2026", dict(shape="trend", periods=["2026-01", "2026-02", "2026-03", "2026-04",
                                                                        "2026-05", "2026-06", "2026-07", "2026-08",
                                                                        "2026-09"])),  # fmt: skip
    ("Median sales cycle of won deals in Q3 by region", dict(shape="breakdown", by="region")),
    ("赵敏团队里Q3赢单率最低的是谁?", dict(shape="top", by="rep", order="asc", filters={"manager": "赵敏"})),
    ("Q3 achievement rate by region against target", dict(shape="breakdown", metric="achievement_rate")),
    ("Which region contributed most to the Q3 target gap?", dict(shape="contribution", by="region", base="target")),
    ("Which region had the largest drop in won revenue from Q2 to Q3?",
     dict(shape="rank_change", by="region", order="asc", period="2026Q3", base="2026Q2")),  # fmt: skip
]


@pytest.mark.parametrize(("question", "expected"), ISSUE_CASES, ids=[c[0] for c in ISSUE_CASES])
def test_issue_misreadings_are_read_right(vocab: Vocabulary, question: str, expected: dict[str, object]) -> None:
    got = read(question, vocab)
    assert got["status"] == "answer", (question, got)
    assert {k: got.get(k) for k in expected} == expected


def test_an_unsupported_dimension_is_never_replaced_by_another(vocab: Vocabulary) -> None:
    got = read("win rate by industry sector in Q3", vocab)
    assert got["status"] != "answer"  # 'industry sector' is no dimension here: asked back, never 'by rep'
    assert "industry" in str(got["missing"]) or "sector" in str(got["missing"])
