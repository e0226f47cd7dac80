"""The drafter's first half: goal vs result rows and the report's charts, all from engine figures."""

from __future__ import annotations

from typing import Any

from agent.ask import Collector
from agent.numbers import fmt, fmt_change
from agent.router_periods import shift_quarter
from agent.wording import metric_label, region_label
from fupan.report import ChartSeries, ChartSpec, GoalResult

CORE_METRICS = (
    "new_customers",
    "win_rate",
    "conversion_lead_to_opportunity",
    "conversion_opportunity_to_order",
    "avg_deal_size",
    "sales_cycle_median",
    "repurchase_rate",
    "churned_customers",
)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def revenue_goal(engine: Any, period: str, segment: dict[str, str], col: Collector) -> GoalResult:
    lang = col.lang
    figs = {
        m: engine.value(m, period, segment or None)
        for m in ("won_revenue", "target", "achievement_rate", "gap")
    }
    for f in figs.values():
        if f.value is not None:
            col.cite(f)
    ach = figs["achievement_rate"].value
    note = ""
    if ach is not None:
        note = _t(
            lang,
            "达成" if ach >= 1 else f"未达成，缺口 {fmt(abs(figs['gap'].value or 0), figs['gap'].unit, lang)}",
            "target met" if ach >= 1 else f"missed by {fmt(abs(figs['gap'].value or 0), figs['gap'].unit, lang)}",
        )
    return GoalResult(
        metric="won_revenue",
        label=metric_label("won_revenue", lang),
        segment=dict(segment),
        target=figs["target"].value,
        actual=figs["won_revenue"].value,
        achievement=ach,
        gap=figs["gap"].value,
        unit=figs["won_revenue"].unit,
        note=note,
        evidence=[f.evidence_id for f in figs.values() if f.value is not None],
    )


def metric_goal(
    engine: Any, metric: str, period: str, segment: dict[str, str], col: Collector
) -> GoalResult | None:
    lang = col.lang
    cur = engine.value(metric, period, segment or None)
    if cur.value is None:
        return None
    notes, ids = [], [col.cite(cur)[1:-1]]
    for word_zh, word_en, base in (
        ("环比", "QoQ", shift_quarter(period, -1)),
        ("同比", "YoY", shift_quarter(period, -4)),
    ):
        old = engine.value(metric, base, segment or None)
        if old.value is None:
            continue
        ids.append(col.cite(old)[1:-1])
        change = cur.value - old.value
        way = (
            _t(lang, "升" if change > 0 else "降", "up" if change > 0 else "down")
            if change
            else _t(lang, "持平", "flat")
        )
        notes.append(
            _t(
                lang,
                f"{word_zh}{way} {fmt_change(change, cur.unit, lang)}（{base}：{fmt(old.value, old.unit, lang)}）",
                f"{word_en} {way} {fmt_change(change, cur.unit, lang)} ({base}: {fmt(old.value, old.unit, lang)})",
            )
        )
    return GoalResult(
        metric=metric,
        label=metric_label(metric, lang),
        segment=dict(segment),
        actual=cur.value,
        unit=cur.unit,
        note=_t(lang, "；", "; ").join(notes),
        evidence=ids,
    )


def goal_rows(
    engine: Any, period: str, scope: dict[str, str], regions: list[str], col: Collector
) -> list[GoalResult]:
    rows = [revenue_goal(engine, period, scope, col)]
    if "region" not in scope:
        rows += [revenue_goal(engine, period, {**scope, "region": r}, col) for r in regions]
    rows += [g for m in CORE_METRICS if (g := metric_goal(engine, m, period, scope, col))]
    return rows


def charts(
    engine: Any,
    period: str,
    scope: dict[str, str],
    regions: list[str],
    quarters: list[str],
    col: Collector,
    gap_rows: list[Any],
    pareto_rows: list[tuple[str, Any]],
) -> list[ChartSpec]:
    lang, specs = col.lang, []
    if "region" not in scope and regions:
        tgt = [engine.value("target", period, {**scope, "region": r}) for r in regions]
        act = [engine.value("won_revenue", period, {**scope, "region": r}) for r in regions]
        for f in tgt + act:
            col.cite(f)
        specs.append(
            ChartSpec(
                kind="target_vs_actual",
                title=_t(lang, f"{period} 各区域目标 vs 实际", f"{period} target vs actual by region"),
                categories=[region_label(r, lang) for r in regions],
                unit=engine.money,
                series=[
                    ChartSeries(
                        name=_t(lang, "目标", "target"),
                        values=[f.value for f in tgt],
                        evidence=[f.evidence_id for f in tgt],
                    ),
                    ChartSeries(
                        name=_t(lang, "实际", "actual"),
                        values=[f.value for f in act],
                        evidence=[f.evidence_id for f in act],
                    ),
                ],
            )
        )
    funnel = [
        engine.value(m, period, scope or None)
        for m in ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")
    ]
    for f in funnel:
        col.cite(f)
    specs.append(
        ChartSpec(
            kind="funnel",
            title=_t(lang, f"{period} 漏斗转化", f"{period} funnel conversion"),
            unit="ratio",
            categories=[metric_label(f.metric, lang) for f in funnel],
            series=[
                ChartSeries(
                    name=period, values=[f.value for f in funnel], evidence=[f.evidence_id for f in funnel]
                )
            ],
        )
    )
    if gap_rows:
        specs.append(
            ChartSpec(
                kind="waterfall",
                title=_t(lang, f"{period} 缺口分解（按区域）", f"{period} gap by region"),
                unit=engine.money,
                categories=[region_label(r.dims.get("region", ""), lang) for r in gap_rows],
                series=[
                    ChartSeries(
                        name=_t(lang, "缺口", "gap"),
                        values=[r.value for r in gap_rows],
                        evidence=[r.evidence_id for r in gap_rows],
                    )
                ],
            )
        )
    if pareto_rows:
        specs.append(
            ChartSpec(
                kind="pareto",
                title=_t(lang, "销售额下滑贡献（帕累托）", "Revenue decline by contributor (Pareto)"),
                unit=engine.money,
                categories=[name for name, _ in pareto_rows],
                series=[
                    ChartSeries(
                        name=_t(lang, "变化", "change"),
                        values=[r.change for _, r in pareto_rows],
                        evidence=[r.current.evidence_id for _, r in pareto_rows],
                    )
                ],
            )
        )
    trend = engine.trend("won_revenue", quarters, scope or None)
    targets = [engine.value("target", q, scope or None) for q in quarters]
    for f in [*trend, *targets]:
        col.cite(f)
    specs.append(
        ChartSpec(
            kind="trend",
            title=_t(lang, "季度销售额与目标", "Revenue and target by quarter"),
            unit=engine.money,
            categories=list(quarters),
            series=[
                ChartSeries(
                    name=_t(lang, "销售额", "revenue"),
                    values=[f.value for f in trend],
                    evidence=[f.evidence_id for f in trend],
                ),
                ChartSeries(
                    name=_t(lang, "目标", "target"),
                    values=[f.value for f in targets],
                    evidence=[f.evidence_id for f in targets],
                ),
            ],
        )
    )
    return specs
