"""The metric registry: every figure Fupan reports is defined once here (names, definitions, SQL, unit).

SQL expressions are aggregates over the `base` relation (the `opportunities` view plus `first_won`, the
account's first won close date over all data) with the parameters `$s`/`$e` (period start, exclusive end)
and `$ps`/`$pe` (the previous period of the same grain, used by churn).
"""

from __future__ import annotations

from agent.measures import metric_def
from agent.metric_def import CREATED, DEAL_KEY, LOST, OPEN, OPEN_METRICS, WON, MetricDef, Unit
from fupan.errors import InputError

__all__ = ["CREATED", "DEAL_KEY", "LOST", "OPEN", "OPEN_METRICS", "REGISTRY", "WON", "MetricDef", "Unit", "get_metric", "registry_markdown"]


def _m(**kw: object) -> MetricDef:
    return MetricDef(**kw)  # type: ignore[arg-type]


_DEFS = [
    _m(
        id="won_revenue",
        name_zh="赢单金额",
        name_en="Won revenue",
        unit="money",
        higher_is_better=True,
        aggregation="sum",
        definition_zh="结单日期在期间内、阶段为赢单的商机金额合计。",
        definition_en="Sum of the amount of deals won (stage won) with a close date in the period.",
        synonyms_zh=["销售额", "业绩", "收入", "赢单额", "成交额"],
        synonyms_en=["revenue", "sales", "bookings"],
        numerator_sql=f"sum(amount) FILTER (WHERE {WON})",
    ),
    _m(
        id="target",
        name_zh="目标",
        name_en="Target",
        unit="money",
        higher_is_better=True,
        aggregation="sum",
        definition_zh="期间内的销售额目标合计（目标表中 指标=销售额）。",
        definition_en="Sum of the revenue targets for the period (targets table, metric won_revenue).",
        synonyms_zh=["目标值", "指标", "任务"],
        synonyms_en=["quota", "goal"],
        source="targets",
    ),
    _m(
        id="achievement_rate",
        name_zh="目标达成率",
        name_en="Achievement rate",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="赢单金额 ÷ 目标。",
        definition_en="Won revenue ÷ target.",
        synonyms_zh=["达成率", "完成率"],
        synonyms_en=["attainment", "quota attainment"],
        source="derived",
    ),
    _m(
        id="gap",
        name_zh="目标缺口",
        name_en="Gap to target",
        unit="money",
        higher_is_better=True,
        aggregation="sum",
        definition_zh="赢单金额 − 目标；负数表示未完成。",
        definition_en="Won revenue − target; negative means short of target.",
        synonyms_zh=["缺口", "差距"],
        synonyms_en=["shortfall", "gap"],
        source="derived",
    ),
    _m(
        id="won_deals",
        name_zh="赢单数",
        name_en="Won deals",
        unit="count",
        higher_is_better=True,
        aggregation="count",
        definition_zh="结单日期在期间内的赢单笔数（订单数据按订单号去重）。",
        definition_en="Number of deals won with a close date in the period (order data: distinct order ids).",
        synonyms_zh=["成交数", "赢单笔数", "订单数"],
        synonyms_en=["deals won", "orders"],
        numerator_sql=f"count(*) FILTER (WHERE {WON} AND {DEAL_KEY})",
    ),
    _m(
        id="lost_deals",
        name_zh="输单数",
        name_en="Lost deals",
        unit="count",
        higher_is_better=False,
        aggregation="count",
        definition_zh="结单日期在期间内的输单笔数。",
        definition_en="Number of deals lost with a close date in the period.",
        synonyms_zh=["丢单数", "输单笔数"],
        synonyms_en=["deals lost"],
        numerator_sql=f"count(*) FILTER (WHERE {LOST} AND {DEAL_KEY})",
    ),
    _m(
        id="win_rate",
        name_zh="赢单率",
        name_en="Win rate",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="赢单数 ÷（赢单数 + 输单数），按期间内结单的商机计。",
        definition_en="Won deals ÷ (won + lost deals), over deals closed in the period.",
        synonyms_zh=["胜率", "赢率", "成交率"],
        synonyms_en=["close rate", "win ratio"],
        numerator_sql=f"count(*) FILTER (WHERE {WON} AND {DEAL_KEY})",
        denominator_sql=f"count(*) FILTER (WHERE (({WON}) OR ({LOST})) AND {DEAL_KEY})",
    ),
    _m(
        id="conversion_lead_to_opportunity",
        name_zh="线索转商机率",
        name_en="Lead-to-opportunity conversion",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="期间内创建的商机中，阶段已超过“线索”（商机确认及以后，含赢单/输单）的比例。",
        definition_en="Of the deals created in the period, the share past the lead stage (qualified or later, incl. won/lost).",
        synonyms_zh=["线索转化率"],
        synonyms_en=["lead conversion"],
        numerator_sql=f"count(*) FILTER (WHERE {CREATED} AND stage <> 'lead')",
        denominator_sql=f"count(*) FILTER (WHERE {CREATED})",
    ),
    _m(
        id="conversion_opportunity_to_order",
        name_zh="商机转订单率",
        name_en="Opportunity-to-order conversion",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="期间内创建且已过线索阶段的商机中，已赢单的比例。",
        definition_en="Of the deals created in the period and past the lead stage, the share won.",
        synonyms_zh=["商机转化率", "订单转化率"],
        synonyms_en=["opportunity conversion"],
        numerator_sql=f"count(*) FILTER (WHERE {CREATED} AND stage = 'won')",
        denominator_sql=f"count(*) FILTER (WHERE {CREATED} AND stage <> 'lead')",
    ),
    _m(
        id="new_customers",
        name_zh="新客户数",
        name_en="New customers",
        unit="count",
        higher_is_better=True,
        aggregation="count",
        definition_zh="首次赢单发生在期间内的客户数。",
        definition_en="Customers whose first ever won deal closed in the period.",
        synonyms_zh=["新客", "新增客户"],
        synonyms_en=["new accounts", "new logos"],
        numerator_sql=f"count(DISTINCT account) FILTER (WHERE {WON} AND close_date = first_won)",
    ),
    _m(
        id="won_customers",
        name_zh="成交客户数",
        name_en="Customers won",
        unit="count",
        higher_is_better=True,
        aggregation="count",
        definition_zh="期间内有赢单的客户数（按客户去重）。",
        definition_en="Distinct customers with a deal won in the period.",
        synonyms_zh=["下单客户数", "购买客户数", "成交客户"],
        synonyms_en=["buying customers", "active customers", "customers who bought"],
        numerator_sql=f"count(DISTINCT account) FILTER (WHERE {WON})",
    ),
    _m(
        id="avg_deal_size",
        name_zh="平均客单价",
        name_en="Average deal size",
        unit="money",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="赢单金额 ÷ 赢单数。",
        definition_en="Won revenue ÷ won deals.",
        synonyms_zh=["客单价", "平均单笔金额", "平均成交额"],
        synonyms_en=["deal size", "average order value"],
        numerator_sql=f"sum(amount) FILTER (WHERE {WON})",
        denominator_sql=f"count(*) FILTER (WHERE {WON} AND {DEAL_KEY})",
    ),
    _m(
        id="sales_cycle_median",
        name_zh="销售周期中位数",
        name_en="Median sales cycle",
        unit="days",
        higher_is_better=False,
        aggregation="median",
        definition_zh="期间内赢单商机从创建（有首次跟进日期时用它）到结单的天数中位数。",
        definition_en="Median days from creation (or first engagement when present) to close of deals won in the period.",
        synonyms_zh=["销售周期", "成交周期"],
        synonyms_en=["sales cycle", "cycle time"],
        numerator_sql=f"median(close_date - coalesce(engaged_date, created_date)) FILTER (WHERE {WON})",
    ),
    _m(
        id="sales_cycle_mean",
        name_zh="平均销售周期",
        name_en="Mean sales cycle",
        unit="days",
        higher_is_better=False,
        aggregation="mean",
        definition_zh="期间内赢单商机从创建（有首次跟进日期时用它）到结单的平均天数。",
        definition_en="Mean days from creation (or first engagement when present) to close of deals won in the period.",
        synonyms_zh=["平均成交周期"],
        synonyms_en=["average sales cycle"],
        numerator_sql=f"avg(close_date - coalesce(engaged_date, created_date)) FILTER (WHERE {WON})",
    ),
    _m(
        id="pipeline_created",
        name_zh="新增商机金额",
        name_en="Pipeline created",
        unit="money",
        higher_is_better=True,
        aggregation="sum",
        definition_zh="创建日期在期间内的商机金额合计（不论阶段）。",
        definition_en="Sum of the amount of deals created in the period, any stage.",
        synonyms_zh=["新增管道", "新增商机"],
        synonyms_en=["new pipeline", "pipeline generated"],
        numerator_sql=f"sum(amount) FILTER (WHERE {CREATED})",
    ),
    _m(
        id="open_deals",
        name_zh="在手商机数",
        name_en="Open deals",
        unit="count",
        higher_is_better=True,
        aggregation="count",
        definition_zh="导出时既未赢单也未输单的商机笔数（按当前阶段，不分期间）。",
        definition_en="Number of deals neither won nor lost at the export (by their current stage, any period).",
        synonyms_zh=["未关闭商机数", "在途商机数"],
        synonyms_en=["open opportunities", "open deal count"],
        numerator_sql=f"count(*) FILTER (WHERE {OPEN} AND {DEAL_KEY})",
    ),
    _m(
        id="open_pipeline",
        name_zh="在手商机金额",
        name_en="Open pipeline",
        unit="money",
        higher_is_better=True,
        aggregation="sum",
        definition_zh="导出时既未赢单也未输单的商机金额合计；还没有金额的商机不计入金额，另行列出。",
        definition_en="Sum of the amount of deals neither won nor lost at the export; deals without an amount yet "
        "are left out of the sum and counted apart.",
        synonyms_zh=["未关闭商机金额", "在途商机金额"],
        synonyms_en=["open pipeline amount", "open pipeline value"],
        numerator_sql=f"sum(amount) FILTER (WHERE {OPEN})",
    ),
    _m(
        id="open_amount_unknown",
        name_zh="金额未知的在手商机数",
        name_en="Open deals without an amount",
        unit="count",
        higher_is_better=False,
        aggregation="count",
        definition_zh="导出时未关闭、还没有金额的商机笔数。",
        definition_en="Number of open deals at the export whose amount is not known yet.",
        numerator_sql=f"count(*) FILTER (WHERE {OPEN} AND amount IS NULL AND {DEAL_KEY})",
    ),
    _m(
        id="pipeline_coverage",
        name_zh="管道覆盖率",
        name_en="Pipeline coverage",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="期间内新增商机金额 ÷ 期间目标。",
        definition_en="Pipeline created in the period ÷ the period's target.",
        synonyms_zh=["覆盖率", "管道倍数"],
        synonyms_en=["coverage"],
        source="derived",
    ),
    _m(
        id="repurchase_rate",
        name_zh="复购率",
        name_en="Repurchase rate",
        unit="ratio",
        higher_is_better=True,
        aggregation="ratio",
        definition_zh="期间内赢单的客户中，此前已有赢单的客户比例。",
        definition_en="Of the customers with a won deal in the period, the share that had won before the period.",
        synonyms_zh=["回购率", "老客户比例"],
        synonyms_en=["repeat rate", "repeat purchase rate"],
        numerator_sql=f"count(DISTINCT account) FILTER (WHERE {WON} AND first_won < $s)",
        denominator_sql=f"count(DISTINCT account) FILTER (WHERE {WON})",
    ),
    _m(
        id="churned_customers",
        name_zh="流失客户数",
        name_en="Churned customers",
        unit="count",
        higher_is_better=False,
        aggregation="count",
        definition_zh="上一期有赢单、本期没有赢单的客户数。",
        definition_en="Customers with a won deal in the previous period and none in this period.",
        synonyms_zh=["流失客户", "流失数"],
        synonyms_en=["churn", "lost customers"],
        numerator_sql="count(DISTINCT account) FILTER (WHERE stage = 'won' AND close_date >= $ps "
        "AND close_date < $pe AND NOT won_in_period)",
    ),
]

class _Registry(dict[str, MetricDef]):
    """The built-in metrics; a measure metric of the data (`profit__sum`, agent/measures.py) resolves on lookup
    but is never listed (iteration gives the built-in ones)."""

    def __missing__(self, key: str) -> MetricDef:
        found = metric_def(key) if isinstance(key, str) else None
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        if super().__contains__(key):
            return True
        return isinstance(key, str) and metric_def(key) is not None

    def get(self, key: str, default: MetricDef | None = None) -> MetricDef | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


REGISTRY: dict[str, MetricDef] = _Registry({d.id: d for d in _DEFS})


def get_metric(metric_id: str) -> MetricDef:
    try:
        return REGISTRY[metric_id]
    except KeyError:
        raise InputError(
            f"unknown metric {metric_id!r}", hint=f"valid metrics: {', '.join(REGISTRY)}"
        ) from None


def registry_markdown() -> str:
    """The README's metric table, generated from the registry so the two cannot drift apart."""
    lines = [
        "| id | 指标 | metric | unit | 定义 | definition |",
        "|---|---|---|---|---|---|",
    ]
    for d in REGISTRY.values():
        lines.append(
            f"| `{d.id}` | {d.name_zh} | {d.name_en} | {d.unit} | {d.definition_zh} | {d.definition_en} |"
        )
    return "\n".join(lines)
