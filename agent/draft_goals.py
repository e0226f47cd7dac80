"""The drafter's first half: goal vs result rows and the report's charts, all from engine figures.

A change the data cannot compare (agent/draft_comparable.py) is not written as one: the row says why instead
("环比不可比：2025Q3 之前没有赢单记录…"), and a metric the data do not track says so next to its value."""

from __future__ import annotations

from typing import Any

from agent.draft_comparable import Comparability
from agent.metric_values import MetricValue
from agent.numbers import fmt, fmt_change
from agent.wording import metric_label, region_label
from fupan.messages import say
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


Goals = tuple[list[GoalResult], list[MetricValue]]  # rows, and the figures they cite in order


def revenue_goal(
    engine: Any, period: str, segment: dict[str, str], lang: str, cmp: Comparability, base: str
) -> tuple[GoalResult, list[MetricValue]]:
    """Revenue against target for one segment (or its change, without a target), and the figures it cites."""
    figs = {
        m: engine.value(m, period, segment or None)
        for m in ("won_revenue", "target", "achievement_rate", "gap")
    }
    cited = [f for f in figs.values() if f.value is not None]
    ach = figs["achievement_rate"].value
    note = ""
    if ach is not None:
        gap = figs["gap"]
        note = (
            say("goals.met", lang)
            if ach >= 1
            else say("goals.missed_by", lang, gap=fmt(abs(gap.value or 0), gap.unit, lang))
        )
    ids = [f.evidence_id for f in cited]
    verdict = cmp.value(figs["won_revenue"])
    if not verdict.ok:
        note = (note + say("draft.clause_sep", lang) if note else "") + verdict.text(lang)
    elif ach is None:
        change, more = _change_note(
            engine, "won_revenue", figs["won_revenue"], base, segment, lang, cmp, say("goals.qoq", lang)
        )
        note, ids, cited = change, ids + [m.evidence_id for m in more], cited + more
    row = GoalResult(
        metric="won_revenue",
        label=metric_label("won_revenue", lang),
        segment=dict(segment),
        target=figs["target"].value,
        actual=figs["won_revenue"].value,
        achievement=ach,
        gap=figs["gap"].value,
        unit=figs["won_revenue"].unit,
        note=note,
        evidence=ids,
    )
    return row, cited


def _change_note(
    engine: Any,
    metric: str,
    cur: Any,
    base: str,
    segment: dict[str, str],
    lang: str,
    cmp: Comparability,
    word: str,
) -> tuple[str, list[MetricValue]]:
    """'环比降 9.1 个百分点（2026Q2：51.1%）', or '环比不可比：…' when the change is an artefact; with the
    base period's figure it cites."""
    old = engine.value(metric, base, segment or None)
    verdict = cmp.change(cur, old)
    if not verdict.ok:
        return say("goals.not_comparable", lang, word=word, why=verdict.text(lang)), []
    change = cur.value - old.value
    way = say("goals.up" if change > 0 else "goals.down", lang) if change else say("goals.flat", lang)
    text = say(
        "goals.change",
        lang,
        word=word,
        way=way,
        change=fmt_change(change, cur.unit, lang),
        base=base,
        old=fmt(old.value, old.unit, lang),
    )
    return text, [old]


def metric_goal(
    engine: Any,
    metric: str,
    period: str,
    segment: dict[str, str],
    lang: str,
    cmp: Comparability,
    bases: tuple[str, str],
) -> tuple[GoalResult, list[MetricValue]] | None:
    """One core metric with its QoQ and YoY change, and the figures it cites; None when it has no value."""
    cur = engine.value(metric, period, segment or None)
    if cur.value is None:
        return None
    cited = [cur]
    verdict = cmp.value(cur)
    if not verdict.ok:
        notes = [verdict.text(lang)]  # no trend from a value that is itself an artefact
    else:
        notes = []
        for word, base in zip(("goals.qoq", "goals.yoy"), bases, strict=True):
            text, more = _change_note(engine, metric, cur, base, segment, lang, cmp, say(word, lang))
            notes.append(text)
            cited += more
    row = GoalResult(
        metric=metric,
        label=metric_label(metric, lang),
        segment=dict(segment),
        actual=cur.value,
        unit=cur.unit,
        note=say("draft.clause_sep", lang).join(n for n in dict.fromkeys(notes) if n),
        evidence=[m.evidence_id for m in cited],
    )
    return row, cited


def goal_rows(
    engine: Any,
    period: str,
    scope: dict[str, str],
    regions: list[str],
    lang: str,
    cmp: Comparability,
    bases: tuple[str, str],
) -> Goals:
    """Revenue against target for the scope and each region, then the core metrics with QoQ and YoY; with
    the figures they cite, in order."""
    segs = [scope] + ([{**scope, "region": r} for r in regions] if "region" not in scope else [])
    found = [revenue_goal(engine, period, seg, lang, cmp, bases[0]) for seg in segs]
    found += [g for m in CORE_METRICS if (g := metric_goal(engine, m, period, scope, lang, cmp, bases))]
    return [row for row, _ in found], [f for _, figures in found for f in figures]


def charts(
    engine: Any,
    period: str,
    scope: dict[str, str],
    regions: list[str],
    quarters: list[str],
    lang: str,
    gap_rows: list[Any],
    pareto_rows: list[tuple[str, Any]],
    cmp: Comparability,
) -> tuple[list[ChartSpec], list[MetricValue]]:
    """The report's charts in reading order, and every figure a chart shows (cited, in that order)."""
    regional = region_figures(engine, period, scope, regions)
    funnel = funnel_figures(engine, period, scope, cmp)
    specs = [
        target_vs_actual_chart(period, regions, *regional, engine.money, lang),
        funnel_chart(period, funnel, lang),
        gap_chart(period, gap_rows, engine.money, lang),
        pareto_chart(pareto_rows, engine.money, lang),
    ]
    trend = engine.trend("won_revenue", quarters, scope or None)
    targets = [engine.value("target", q, scope or None) for q in quarters]
    specs.append(trend_chart(quarters, trend, targets, engine.money, lang))
    shown = [*regional[0], *regional[1], *funnel, *trend, *targets]
    return [spec for spec in specs if spec is not None], shown


def region_figures(
    engine: Any, period: str, scope: dict[str, str], regions: list[str]
) -> tuple[list[Any], list[Any]]:
    """Each region's target and won revenue (company-wide reviews only)."""
    if "region" in scope or not regions:
        return [], []
    tgt = [engine.value("target", period, {**scope, "region": r}) for r in regions]
    act = [engine.value("won_revenue", period, {**scope, "region": r}) for r in regions]
    return tgt, act


def funnel_figures(engine: Any, period: str, scope: dict[str, str], cmp: Comparability) -> list[Any]:
    """The funnel's conversion rates, only for the stages the data record."""
    funnel = [
        engine.value(m, period, scope or None)
        for m in ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")
    ]
    return [f for f in funnel if not cmp.value(f).code.startswith("untracked")]


def _series(name: str, figures: list[Any]) -> ChartSeries:
    return ChartSeries(
        name=name, values=[f.value for f in figures], evidence=[f.evidence_id for f in figures]
    )


def target_vs_actual_chart(
    period: str, regions: list[str], tgt: list[Any], act: list[Any], money: str, lang: str
) -> ChartSpec | None:
    if not tgt:
        return None
    return ChartSpec(
        kind="target_vs_actual",
        title=say("draft.chart_target_vs_actual", lang, period=period),
        categories=[region_label(r, lang) for r in regions],
        unit=money,
        series=[
            _series(say("draft.series_target", lang), tgt),
            _series(say("draft.series_actual", lang), act),
        ],
    )


def funnel_chart(period: str, funnel: list[Any], lang: str) -> ChartSpec | None:
    if len(funnel) < 2:
        return None
    return ChartSpec(
        kind="funnel",
        title=say("draft.chart_funnel", lang, period=period),
        unit="ratio",
        categories=[metric_label(f.metric, lang) for f in funnel],
        series=[_series(period, funnel)],
    )


def gap_chart(period: str, gap_rows: list[Any], money: str, lang: str) -> ChartSpec | None:
    if not gap_rows:
        return None
    return ChartSpec(
        kind="waterfall",
        title=say("draft.chart_gap", lang, period=period),
        unit=money,
        categories=[region_label(r.dims.get("region", ""), lang) for r in gap_rows],
        series=[_series(say("draft.series_gap", lang), gap_rows)],
    )


def pareto_chart(pareto_rows: list[tuple[str, Any]], money: str, lang: str) -> ChartSpec | None:
    if not pareto_rows:
        return None
    return ChartSpec(
        kind="pareto",
        title=say("draft.chart_pareto", lang),
        unit=money,
        categories=[name for name, _ in pareto_rows],
        series=[
            ChartSeries(
                name=say("draft.series_change", lang),
                values=[r.change for _, r in pareto_rows],
                evidence=[r.current.evidence_id for _, r in pareto_rows],
            )
        ],
    )


def trend_chart(
    quarters: list[str], trend: list[Any], targets: list[Any], money: str, lang: str
) -> ChartSpec:
    return ChartSpec(
        kind="trend",
        title=say("draft.chart_trend", lang),
        unit=money,
        categories=list(quarters),
        series=[
            _series(say("draft.series_revenue", lang), trend),
            _series(say("draft.series_target", lang), targets),
        ],
    )
