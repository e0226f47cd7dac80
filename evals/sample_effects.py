"""The planted effects of the sample company, measured on the generated rows (plain Python, not the engine).

These records become eval answers: which segment moved, which metric, by how much, which playbook cause
explains it and which notes support it. The figures are computed here from the generated rows so the eval
never trusts Fupan's own engine to define the truth.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

Row = dict[str, Any]


def _q(day: dt.date | None) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}" if day else ""


def _closed(opps: list[Row], quarter: str, **where: str) -> list[Row]:
    return [
        o
        for o in opps
        if o["stage"] in ("赢单", "输单")
        and _q(o["close"]) == quarter
        and all(o[k] == v for k, v in where.items())
    ]


def _win_rate(rows: list[Row]) -> float | None:
    return round(sum(o["stage"] == "赢单" for o in rows) / len(rows), 4) if rows else None


def _won(rows: list[Row]) -> list[Row]:
    return [o for o in rows if o["stage"] == "赢单"]


def _avg(rows: list[Row]) -> float | None:
    won = _won(rows)
    return round(sum(o["amount"] for o in won) / len(won), 2) if won else None


def _cycle(rows: list[Row]) -> float | None:
    days = [(o["close"] - o["created"]).days for o in _won(rows)]
    return float(statistics.median(days)) if days else None


def _notes(notes: list[dict[str, str]], topic: str, quarter: str, **where: str) -> list[str]:
    return [
        n["note_id"]
        for n in notes
        if n["topic"] == topic
        and _q(dt.date.fromisoformat(n["date"])) == quarter
        and all(n[k] == v for k, v in where.items())
    ]


def measure_effects(
    opps: list[Row], targets: list[tuple[str, str, str, int]], notes: list[dict[str, str]]
) -> list[dict[str, Any]]:
    q, prev = "2026Q3", "2026Q2"
    target = {(p, r): v for p, r, _, v in targets}

    def revenue(region: str) -> float:
        return round(sum(o["amount"] for o in _won(_closed(opps, q, region=region))), 2)

    east_q, east_prev = _closed(opps, q, region="华东"), _closed(opps, prev, region="华东")
    east_lost = [o for o in east_q if o["stage"] == "输单"]
    price_share = sum(o["loss_reason"] in ("价格", "竞品") for o in east_lost) / max(1, len(east_lost))
    north_q, north_prev = _closed(opps, q, region="华北"), _closed(opps, prev, region="华北")

    def bot_share(rows: list[Row]) -> float:
        won = _won(rows)
        return round(sum(o["product"] == "ServiceBot" for o in won) / max(1, len(won)), 4)

    south_q, south_prev = _closed(opps, q, region="华南"), _closed(opps, prev, region="华南")

    def referral_won(rows: list[Row]) -> int:
        return sum(o["source"] == "客户转介绍" for o in _won(rows))

    slow_q, slow_before = _closed(opps, q, rep="周航"), _closed(opps, prev, rep="周航")
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
                "revenue_2026Q3": revenue("华东"),
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
                "revenue_2026Q3": revenue("华北"),
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
                "revenue_2026Q3": revenue("华南"),
                "target_2026Q3": target[(q, "华南")],
            },
            "notes": _notes(notes, "referral", q, region="华南"),
        },
    ]
