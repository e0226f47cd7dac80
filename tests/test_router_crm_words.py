"""Words of a CRM export the router reads from its registry (no company's names in the product): a header's
head noun ('regional_office': office, 办公室), a side table's column named with its table ('product series'),
a won/lost word qualifying another metric (赢单收入, 有赢单的客户), growth in percent between two periods,
and questions that must not be answered as another question (a column the data lacks, an exclusion of a name
not in the data, a manager named only by the office)."""

from __future__ import annotations

import pytest

from agent.router import route
from agent.router_periods import Calendar
from agent.router_vocab import Vocabulary, build_vocabulary
from fupan.dimensions import CORE_DIMENSIONS, DimensionDef, DimensionRegistry
from tests.test_router import _fields


@pytest.fixture(scope="module")
def crm() -> Vocabulary:
    core = {d.id: d for d in CORE_DIMENSIONS}
    dims = [
        core["region"].model_copy(update={"header": "regional_office", "name_en": "regional office"}),
        core["rep"].model_copy(update={"header": "sales_agent"}),
        core["manager"],
        core["product"].model_copy(update={"header": "product"}),
        core["account"].model_copy(update={"header": "account"}),
        DimensionDef(id="sector", name_zh="行业", name_en="sector", words=("sector", "行业"), origin="attribute",
                     header="sector", key="account"),
        DimensionDef(id="series", name_zh="系列", name_en="series", words=("series", "系列"), origin="attribute",
                     header="series", key="product"),
    ]  # fmt: skip
    values = {
        "region": ["Central", "East", "West"],
        "rep": ["Darcel Schlecht", "Zane Levy"],
        "manager": ["Cara Losch", "Rocco Neubert"],
        "product": ["GTX Pro", "GTX Basic", "MG Special"],
        "account": ["Kan-code", "Konex"],
        "sector": ["retail", "technolgy"],
        "series": ["GTX", "MG"],
    }
    months = tuple(f"2017-{m:02d}" for m in range(3, 13))
    return build_vocabulary(DimensionRegistry(dims), values, Calendar(months), has_targets=False)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which office won the most deals in November 2017?",
         dict(shape="top", by="region", metric="won_deals", period="2017-11", n=1)),
        ("2017年四季度各区域办公室的平均成交金额", dict(shape="breakdown", by="region", metric="avg_deal_size")),
        ("2017年四季度有赢单的客户有多少家？", dict(shape="value", metric="won_customers", period="2017Q4")),
        ("2017年9月的赢单收入有多少？", dict(shape="value", metric="won_revenue", period="2017-09")),
        ("2017年各区域办公室赢单销售周期的中位数", dict(shape="breakdown", by="region", metric="sales_cycle_median")),
        ("won revenue by product series in Q4 2017", dict(shape="breakdown", by="series", period="2017Q4")),
        ("2017年四季度各产品系列赢单金额", dict(shape="breakdown", by="series", period="2017Q4")),
        ("Won revenue from technology-sector accounts in 2017Q4?",
         dict(shape="value", filters={"sector": "technolgy"}, period="2017Q4")),
        ("2017年11月相比10月，赢单金额增长了百分之几？",
         dict(shape="compare", metric="won_revenue", period="2017-11", base="2017-10")),
        ("How many won deals did the Central office close in Q3 2017?",
         dict(shape="value", metric="won_deals", filters={"region": "Central"})),
        ("which office grew won revenue the most in Q4 2017",
         dict(shape="rank_change", by="region", period="2017Q4", base="previous", order="desc")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_crm_words_are_read(crm: Vocabulary, question: str, expected: dict[str, object]) -> None:
    got = _fields(route(question, crm))
    assert got["status"] == "answer", (question, got)
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("Show me won revenue by city for 2017", "refuse"),  # no city column: said, not the total
        ("won revenue in Q3 2017 excluding Eastern Europe", "refuse"),  # a name not in the data: never dropped
        ("除了东欧以外2017年的赢单金额", "refuse"),
        ("East区经理2017年的团队业绩怎么样？", "clarify"),  # two managers could be meant
        ("won revenue by office in 2017, month by month", "refuse"),  # a trend split by office is not computed
        ("Q1 sales 2017 compared with 2017", "refuse"),  # overlapping periods
    ],
)
def test_questions_that_are_not_answered_as_another(crm: Vocabulary, question: str, status: str) -> None:
    assert route(question, crm).status == status


def test_a_learned_dimension_is_labelled_by_the_registry_in_written_text(crm: Vocabulary) -> None:
    from agent.wording import dim_label, display_names

    assert dim_label("series", "en") == "series" and dim_label("lead_source", "zh") == "线索来源"
    labelled = crm.dims.with_dimensions(
        [DimensionDef(id="sub_category", name_zh="子类别", name_en="Sub-Category", origin="data", header="Sub-Category")]
    )
    assert dim_label("sub_category", "en") == "sub category"  # outside a job: the id in words, never raw
    with display_names({}, labelled):
        assert (dim_label("sub_category", "en"), dim_label("sub_category", "zh")) == ("Sub-Category", "子类别")
        assert dim_label("region", "zh") == "区域"
