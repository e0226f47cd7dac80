"""Past reviews (2026Q1 in Chinese, 2026Q2 in English) and the approved lessons of the sample company.

The reviews' figures are computed from the generated rows, so they agree with what the metric engine will
report; the lessons are the team's earlier conclusions (with whether the action worked) that lesson search
should surface before a new campaign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from evals.sample_model import Opportunity, closed, revenue, win_rate

REGION_EN = {"华东": "East", "华南": "South", "华北": "North"}


def _figures(
    period: str, opps: list[Opportunity], targets: list[tuple[str, str, str, int]]
) -> list[dict[str, Any]]:
    rows = []
    for region in ("华东", "华南", "华北"):
        deals = closed(opps, period, region=region)
        booked = revenue(deals)
        target = next(v for p, r, _, v in targets if p == period and r == region)
        rows.append(
            {
                "region": region,
                "target": target,
                "revenue": booked,
                "achievement": booked / target if target else 0.0,
                "win_rate": win_rate(deals) or 0.0,
            }
        )
    return rows


def review_markdown(
    period: str, language: str, opps: list[Opportunity], targets: list[tuple[str, str, str, int]]
) -> str:
    figures = _figures(period, opps, targets)
    if language == "zh":
        lines = [
            f"# {period} 销售复盘（已批准）",
            "",
            "## 目标与结果",
            "",
            "| 区域 | 目标 | 实际 | 达成率 | 赢单率 |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {f['region']} | {f['target']:,.0f} | {f['revenue']:,.0f} | {f['achievement']:.1%} | {f['win_rate']:.1%} |"
            for f in figures
        ]
        lines += [
            "",
            "## 原因分析",
            "",
            "- 华东：竞品在个别行业试探性降价，我们坚持价值销售，用总拥有成本对比守住了价格。",
            "- 华南：展会线索转化偏低；老客户转介绍的商机赢单率明显更高。",
            "- 华北：电话营销外呼线索质量低，投入大、转化差。",
            "",
            "## 经验与教训",
            "",
            "- 成功经验：面对竞品价格战，不直接跟价，用 TCO 对比 + 实施服务打包守住报价（适用场景：竞品降价、客户比价）。",
            "- 成功经验：老客户转介绍是新客户拓展最有效的来源（适用场景：新客户开拓、新区域进入）。",
            "- 失败教训：大规模电话外呼不能替代线索筛选（适用场景：线索不足时的补量动作）。",
            "",
            "## 行动计划",
            "",
            "- 华东经理赵敏：4月30日前完成 TCO 对比材料，覆盖全部在谈大客户。",
            "- 华南经理钱进：二季度试点客户转介绍奖励，检查点为转介绍商机数。",
        ]
    else:
        lines = [
            f"# {period} sales review (approved)",
            "",
            "## Goals and results",
            "",
            "| Region | Target | Actual | Achievement | Win rate |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {REGION_EN[f['region']]} | {f['target']:,.0f} | {f['revenue']:,.0f} | {f['achievement']:.1%} | {f['win_rate']:.1%} |"
            for f in figures
        ]
        lines += [
            "",
            "## Root causes",
            "",
            "- Large deals stalled late because approvers (finance, GM) were discovered late in the cycle.",
            "- A blanket Q2 discount in the South pulled deals forward but lowered the average deal size.",
            "- North's DataHub pilot with reference customers shortened the sales cycle.",
            "",
            "## Lessons",
            "",
            "- Success: pilot a new product with 3 reference customers before the broad launch (scenario: product launch).",
            "- Failure: blanket discounts buy timing, not demand (scenario: quarter-end pressure).",
            "- Success: map the decision chain in the first two weeks of any deal above 200k (scenario: large deals).",
            "",
            "## Action plan",
            "",
            "- South manager 钱进: weekly review of deals older than 60 days, from July 1; checkpoint: stalled deals re-qualified.",
            "- North manager 孙立: keep DataHub reference visits monthly; checkpoint: cycle of DataHub won deals.",
        ]
    return "\n".join(lines) + "\n"


LESSONS: tuple[dict[str, str], ...] = (
    {
        "id": "L-2026Q1-01",
        "kind": "lesson",
        "period": "2026Q1",
        "region": "华东",
        "product": "",
        "language": "zh",
        "outcome": "worked",
        "title": "竞品价格战：不直接跟价，用 TCO 对比守价",
        "text": "面对竞品降价和客户比价，不要直接跟价；用总拥有成本（TCO）对比和实施服务打包守住报价，华东一季度在谈大客户的价格基本守住。适用场景：竞品降价、客户拿低价方案压价。",
    },
    {
        "id": "L-2026Q1-02",
        "kind": "lesson",
        "period": "2026Q1",
        "region": "华南",
        "product": "",
        "language": "zh",
        "outcome": "worked",
        "title": "新客户拓展：老客户转介绍最有效",
        "text": "新客户拓展中，老客户转介绍来的商机赢单率明显高于展会和电话营销线索，应建立转介绍激励并给介绍人反馈。适用场景：新客户开拓、进入新区域、新产品首批客户。",
    },
    {
        "id": "A-2026Q1-03",
        "kind": "action_item",
        "period": "2026Q1",
        "region": "华北",
        "product": "",
        "language": "zh",
        "outcome": "did_not_work",
        "title": "华北大规模电话外呼",
        "text": "行动项：华北两周大规模电话外呼补充线索。结果：线索质量低，赢单率没有提升，投入的人力挤占了重点商机跟进，不建议重复。",
    },
    {
        "id": "L-2026Q1-04",
        "kind": "lesson",
        "period": "2026Q1",
        "region": "",
        "product": "DataHub",
        "language": "zh",
        "outcome": "unknown",
        "title": "新产品上市需提前储备售前资源",
        "text": "DataHub 上市初期售前资源不足，演示排队导致商机推进变慢；新产品上市前应提前储备售前并准备标准演示环境。适用场景：新产品发布、集中推广期。",
    },
    {
        "id": "L-2026Q2-01",
        "kind": "lesson",
        "period": "2026Q2",
        "region": "华东",
        "product": "",
        "language": "en",
        "outcome": "worked",
        "title": "Map the decision chain early on large deals",
        "text": "For deals above 200k, map the decision chain (department head, finance, general manager) in the first two weeks; discovering approvers late delayed signing by a month or more. Scenario: large or multi-department deals.",
    },
    {
        "id": "A-2026Q2-02",
        "kind": "action_item",
        "period": "2026Q2",
        "region": "华南",
        "product": "",
        "language": "en",
        "outcome": "worked",
        "title": "Weekly review of stalled pipeline",
        "text": "Action: the regional manager reviews every deal older than 60 days each week; stalled deals are re-qualified or closed. Result: pipeline hygiene improved and forecast accuracy rose. Scenario: long cycles, stalled approvals.",
    },
    {
        "id": "L-2026Q2-03",
        "kind": "lesson",
        "period": "2026Q2",
        "region": "华北",
        "product": "DataHub",
        "language": "en",
        "outcome": "worked",
        "title": "Launch a new product with reference customers first",
        "text": "When launching a new product, pilot it with three reference customers before the broad launch; early references shortened the sales cycle of DataHub in the North. Scenario: product launch, new-customer campaigns.",
    },
    {
        "id": "A-2026Q2-04",
        "kind": "action_item",
        "period": "2026Q2",
        "region": "华南",
        "product": "",
        "language": "en",
        "outcome": "did_not_work",
        "title": "Blanket quarter-end discount",
        "text": "Action: a blanket 15% discount for deals closing in the last month of the quarter. Result: it pulled two deals forward but lowered the average deal size and trained customers to wait; not repeated. Scenario: quarter-end pressure.",
    },
)


def lessons_rows() -> list[dict[str, str]]:
    """Approved lessons and past action items (kind lesson | action_item) as JSONL rows."""
    rows = []
    for lesson in LESSONS:
        period = lesson["period"]
        end_month = int(period[-1]) * 3
        rows.append(
            {**lesson, "date": dt.date(int(period[:4]), end_month, 28).isoformat(), "approved": "true"}
        )
    return rows
