"""The planted effects of the sample company, measured on the generated rows (plain Python, not the engine).

These records become eval answers: which segment moved, which metric, by how much, which playbook cause
explains it and which notes support it. The figures are computed here from the generated rows so the eval
never trusts Fupan's own engine to define the truth.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from evals.sample_model import LOST, Opportunity, closed, quarter_of, revenue, win_rate, won


def _win_rate(rows: list[Opportunity]) -> float | None:
    rate = win_rate(rows)
    return round(rate, 4) if rate is not None else None


def _avg(rows: list[Opportunity]) -> float | None:
    deals = won(rows)
    return round(revenue(deals) / len(deals), 2) if deals else None


def _cycle(rows: list[Opportunity]) -> float | None:
    days = [(o.close - o.created).days for o in won(rows) if o.close]
    return float(statistics.median(days)) if days else None


def _notes(notes: list[dict[str, str]], topic: str, quarter: str, **where: str) -> list[str]:
    return [
        n["note_id"]
        for n in notes
        if n["topic"] == topic
        and quarter_of(dt.date.fromisoformat(n["date"])) == quarter
        and all(n[k] == v for k, v in where.items())
    ]


def measure_effects(
    opps: list[Opportunity], targets: list[tuple[str, str, str, int]], notes: list[dict[str, str]]
) -> list[dict[str, Any]]:
    q, prev = "2026Q3", "2026Q2"
    target = {(p, r): v for p, r, _, v in targets}

    def region_revenue(region: str) -> float:
        return round(revenue(closed(opps, q, region=region)), 2)

    east_q, east_prev = closed(opps, q, region="华东"), closed(opps, prev, region="华东")
    east_lost = [o for o in east_q if o.stage == LOST]
    price_share = sum(o.loss_reason in ("价格", "竞品") for o in east_lost) / max(1, len(east_lost))
    north_q, north_prev = closed(opps, q, region="华北"), closed(opps, prev, region="华北")

    def bot_share(rows: list[Opportunity]) -> float:
        deals = won(rows)
        return round(sum(o.product == "ServiceBot" for o in deals) / max(1, len(deals)), 4)

    south_q, south_prev = closed(opps, q, region="华南"), closed(opps, prev, region="华南")

    def referral_won(rows: list[Opportunity]) -> int:
        return sum(o.source == "客户转介绍" for o in won(rows))

    slow_q, slow_before = closed(opps, q, rep="周航"), closed(opps, prev, rep="周航")
    return [
        {
            "id": "east_win_rate_drop",
            "zh": "华东：竞品云帆软件6月中旬降价后，华东三季度赢单率明显下降，丢单原因集中在价格和竞品，未完成目标。",
            "en": "East: after competitor 云帆软件 cut prices in mid-June, East's Q3 win rate fell, losses cite price and the competitor, and East missed its target.",
            "segment": {"region": "华东"},
            "metric": "win_rate",
            "direction": "down",
            "cause": "competitor_price_cut",
            "category": "product_market",
            "measured": {
                "win_rate_2026Q2": _win_rate(east_prev),
                "win_rate_2026Q3": _win_rate(east_q),
                "price_or_competitor_share_of_losses_2026Q3": round(price_share, 4),
                "revenue_2026Q3": region_revenue("华东"),
                "target_2026Q3": target[(q, "华东")],
            },
            "notes": _notes(notes, "competitor_price_cut", q, region="华东"),
        },
        {
            "id": "south_rep_cycle",
            "zh": "华南销售周航：自2026年4月起新建商机的决策链拉长，三季度赢单的销售周期（中位数）明显变长。",
            "en": "South rep 周航: deals created since April 2026 face longer approval chains; his Q3 won deals took much longer to close (median cycle).",
            "segment": {"rep": "周航", "region": "华南"},
            "metric": "sales_cycle",
            "direction": "up",
            "cause": "decision_chain_delay",
            "category": "process",
            "measured": {
                "median_cycle_days_2026Q2": _cycle(slow_before),
                "median_cycle_days_2026Q3": _cycle(slow_q),
                "region_median_cycle_days_2026Q3": _cycle(south_q),
            },
            "notes": _notes(notes, "decision_delay", q, rep="周航"),
        },
        {
            "id": "north_mix_shift",
            "zh": "华北：5月中旬起客户预算收紧，转向低价的ServiceBot入门版，产品结构变化使三季度平均客单价下降，未完成目标。",
            "en": "North: from mid-May budget-constrained customers switched to the low-priced ServiceBot starter package; the product-mix shift cut Q3 average deal size and North missed its target.",
            "segment": {"region": "华北"},
            "metric": "avg_deal_size",
            "direction": "down",
            "cause": "budget_freeze",
            "category": "product_market",
            "measured": {
                "avg_deal_size_2026Q2": _avg(north_prev),
                "avg_deal_size_2026Q3": _avg(north_q),
                "servicebot_share_of_won_2026Q2": bot_share(north_prev),
                "servicebot_share_of_won_2026Q3": bot_share(north_q),
                "revenue_2026Q3": region_revenue("华北"),
                "target_2026Q3": target[(q, "华北")],
            },
            "notes": _notes(notes, "budget", q, region="华北"),
        },
        {
            "id": "south_referral_success",
            "zh": "华南：5月启动客户转介绍计划，三季度转介绍来源的新客户赢单大增，赢单率高，超额完成目标（成功经验）。",
            "en": "South: the customer referral programme launched in May brought many new-customer wins in Q3 at a high win rate; South beat its target (a success to copy).",
            "segment": {"region": "华南"},
            "metric": "new_customers",
            "direction": "up",
            "cause": "winning_play",
            "category": "process",
            "measured": {
                "referral_won_2026Q2": referral_won(south_prev),
                "referral_won_2026Q3": referral_won(south_q),
                "win_rate_2026Q3": _win_rate(south_q),
                "revenue_2026Q3": region_revenue("华南"),
                "target_2026Q3": target[(q, "华南")],
            },
            "notes": _notes(notes, "referral", q, region="华南"),
        },
    ]
