"""Ask, the explaining shapes: "why did East miss its Q3 target?" and "which reps drove the win-rate drop?".

The explanation is built from engine figures only: the gap against target by segment, the drivers of revenue
(won deals, win rate, average deal size, cycle) against the base period, and the segments that moved most.
"""

from __future__ import annotations

from typing import Any

from agent import tools
from agent.ask import Collector, _raw, _seg, _t, resolve_base
from agent.numbers import fmt, fmt_change
from agent.router import Intent
from agent.router_periods import shift_quarter
from agent.wording import dim_label, higher_is_better, metric_label, value_label
from fupan.answers import AnswerTable
from fupan.deps import Deps

DRIVERS = ("won_deals", "win_rate", "avg_deal_size", "sales_cycle_median")


def _moved_badly(metric: str, change: float | None) -> bool:
    return change is not None and change != 0 and (change < 0) == higher_is_better(metric)


def _driver_sentences(
    deps: Deps, intent: Intent, base: str, col: Collector
) -> tuple[list[str], dict[str, str]]:
    lang, parts, named = intent.language, [], {}
    engine = tools.engine_for(deps)
    for metric in DRIVERS:
        row = engine.compare(metric, intent.period, base, filters=intent.filters or None).rows[0]
        if row.current.value is None or row.base.value is None:
            continue
        named[f"{metric}_change"] = _raw(row.change)
        if not _moved_badly(metric, row.change) and intent.base == "target":
            continue
        parts.append(
            _t(
                lang,
                f"{metric_label(metric, lang)}从 {fmt(row.base.value, row.base.unit, lang)} {col.cite(row.base)}"
                f"{_direction_zh(row.change)}到 {fmt(row.current.value, row.current.unit, lang)} {col.cite(row.current)}",
                f"{metric_label(metric, lang)} went from {fmt(row.base.value, row.base.unit, lang)} {col.cite(row.base)} "
                f"to {fmt(row.current.value, row.current.unit, lang)} {col.cite(row.current)}",
            )
        )
    return parts, named


def _direction_zh(change: float | None) -> str:
    return "上升" if (change or 0) > 0 else "下降"


def _worst_segments(
    deps: Deps, intent: Intent, metric: str, base: str, dim: str, col: Collector, n: int = 2
) -> list[str]:
    result = tools.engine_for(deps).compare(
        metric, intent.period, base, by=[dim], filters=intent.filters or None
    )
    rows = [r for r in result.rows if r.change is not None]
    rows.sort(key=lambda r: r.change if higher_is_better(metric) else -r.change)
    lang, out = intent.language, []
    for r in rows[:n]:
        if not _moved_badly(metric, r.change):
            break
        name = value_label(dim, r.dims.get(dim, ""), lang)
        out.append(
            f"{dim_label(dim, lang)} {name}（{fmt(r.base.value, r.base.unit, lang)} {col.cite(r.base)} → "
            f"{fmt(r.current.value, r.current.unit, lang)} {col.cite(r.current)}）"
            if lang == "zh"
            else f"{dim_label(dim, lang)} {name} ({fmt(r.base.value, r.base.unit, lang)} {col.cite(r.base)} → "
            f"{fmt(r.current.value, r.current.unit, lang)} {col.cite(r.current)})"
        )
    return out


def _target_sentence(
    deps: Deps, intent: Intent, col: Collector
) -> tuple[str, AnswerTable | None, dict[str, str]]:
    lang, engine = intent.language, tools.engine_for(deps)
    figs = {
        m: engine.value(m, intent.period, intent.filters or None)
        for m in ("won_revenue", "target", "achievement_rate", "gap")
    }
    who = _seg(intent) or _t(lang, "全公司", "The company")
    if figs["target"].value in (None, 0):
        return (
            _t(
                lang,
                f"{who} {intent.period} 没有设定销售额目标。",
                f"{who} has no revenue target for {intent.period}.",
            ),
            None,
            {},
        )
    f = {m: fmt(v.value, v.unit, lang) for m, v in figs.items()}
    missed = (figs["gap"].value or 0) < 0
    text = _t(
        lang,
        f"{who} {intent.period} 销售额 {f['won_revenue']} {col.cite(figs['won_revenue'])}，目标 {f['target']} {col.cite(figs['target'])}，"
        f"达成率 {f['achievement_rate']} {col.cite(figs['achievement_rate'])}，{'缺口' if missed else '超额'} "
        f"{fmt(abs(figs['gap'].value or 0), 'CNY', lang)} {col.cite(figs['gap'])}。",
        f"{who} booked {f['won_revenue']} in {intent.period} {col.cite(figs['won_revenue'])} against a target of "
        f"{f['target']} {col.cite(figs['target'])}: {f['achievement_rate']} achieved {col.cite(figs['achievement_rate'])}, "
        f"{'a gap of' if missed else 'over by'} {fmt(abs(figs['gap'].value or 0), 'CNY', lang)} {col.cite(figs['gap'])}.",
    )
    named = {m: _raw(v.value) for m, v in figs.items()}
    table = None
    if "region" not in intent.filters:
        rows = engine.compute("gap", intent.period, by=["region"], filters=intent.filters or None).rows
        rows = sorted((r for r in rows if r.value is not None), key=lambda r: r.value)
        table = AnswerTable(
            columns=[dim_label("region", lang), metric_label("gap", lang)],
            rows=[[r.dims.get("region", ""), r.value] for r in rows],
            evidence=[r.evidence_id for r in rows],
        )
        short = [r for r in rows if r.value < 0]
        if short:
            worst = short[0]
            text += _t(
                lang,
                f"缺口最大的是 {worst.dims['region']}（{fmt(abs(worst.value), 'CNY', lang)} {col.cite(worst)}）。",
                f" The largest shortfall is {value_label('region', worst.dims['region'], lang)} "
                f"({fmt(abs(worst.value), 'CNY', lang)} {col.cite(worst)}).",
            )
            named["worst_region"] = worst.dims["region"]
    return text, table, named


def _sign(change: float | None) -> str:
    return "+" if (change or 0) > 0 else ("−" if (change or 0) < 0 else "")


def answer_why(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable | None, dict[str, str]]:
    lang = intent.language
    base = (
        shift_quarter(intent.period, -1)
        if intent.base in {"target", "previous", None}
        else resolve_base(intent)
    )
    text, table, named = ("", None, {})
    # one pass over the data for every figure this answer reads (drivers, worst reps/products, regions)
    tools.engine_for(deps).prefetch(
        [p for p in (intent.period, base) if p],
        [[], ["rep"], ["product"], ["region"]],
        intent.filters or None,
    )
    if intent.base == "target" or intent.metric == "won_revenue":
        text, table, named = _target_sentence(deps, intent, col)
    drivers, driver_named = _driver_sentences(deps, intent, base or "", col)
    named.update(driver_named)
    if drivers:
        text += _t(
            lang,
            f"与 {base} 相比，" + "；".join(drivers) + "。",
            f" Compared with {base}, " + "; ".join(drivers) + ".",
        )
    metric = (
        intent.metric if intent.metric not in {None, "target", "gap", "achievement_rate"} else "won_revenue"
    )
    worst: list[str] = []
    for dim in ("rep", "product") if "rep" not in intent.filters else ("product",):
        worst += _worst_segments(deps, intent, metric, base or "", dim, col, n=1)
    if worst:
        text += _t(
            lang,
            f"{metric_label(metric, lang)}下滑最多的是" + "、".join(worst) + "。",
            f" The biggest declines in {metric_label(metric, lang)}: " + "; ".join(worst) + ".",
        )
    return text.strip(), table, named


def answer_contribution(
    deps: Deps, intent: Intent, col: Collector
) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m, by = intent.language, intent.metric or "won_revenue", intent.by or "rep"
    base = resolve_base(
        intent.model_copy(update={"base": "previous" if intent.base in {None, "target"} else intent.base})
    )
    engine = tools.engine_for(deps)
    total = engine.compare(m, intent.period, base, filters=intent.filters or None).rows[0]
    rows = [
        r
        for r in engine.compare(m, intent.period, base, by=[by], filters=intent.filters or None).rows
        if r.change is not None
    ]
    rows.sort(key=lambda r: _weighted(r), reverse=(total.change or 0) > 0)
    lead = [r for r in rows if (_weighted(r) < 0) == ((total.change or 0) < 0)][: intent.n]
    parts = [
        f"{value_label(by, r.dims.get(by, ''), lang)} {fmt(r.base.value, r.base.unit, lang)} {col.cite(r.base)} → "
        f"{fmt(r.current.value, r.current.unit, lang)} {col.cite(r.current)}"
        for r in lead
    ]
    who = _seg(intent) or _t(lang, "全公司", "Company-wide")
    head = _t(
        lang,
        f"{who}{metric_label(m, lang)}从 {base} 的 {fmt(total.base.value, total.base.unit, lang)} {col.cite(total.base)}"
        f"变为 {intent.period} 的 {fmt(total.current.value, total.current.unit, lang)} {col.cite(total.current)}"
        f"（{_sign(total.change)}{fmt_change(total.change, total.current.unit, lang)}）。",
        f"{who}: {metric_label(m, lang)} moved from {fmt(total.base.value, total.base.unit, lang)} in {base} "
        f"{col.cite(total.base)} to {fmt(total.current.value, total.current.unit, lang)} in {intent.period} "
        f"{col.cite(total.current)} ({_sign(total.change)}{fmt_change(total.change, total.current.unit, lang)}).",
    )
    body = _t(
        lang,
        f"影响最大的{dim_label(by, lang)}：" + "；".join(parts) + "。" if parts else "各分组变化不大。",
        f" Most of it came from these {dim_label(by, lang)}s: " + "; ".join(parts) + "."
        if parts
        else " No segment stands out.",
    )
    table = AnswerTable(
        columns=[dim_label(by, lang), base or "", intent.period, _t(lang, "变化", "change")],
        rows=[[r.dims.get(by, ""), r.base.value, r.current.value, r.change] for r in rows],
        evidence=[r.current.evidence_id for r in rows],
    )
    named = {f"top_{i + 1}": r.dims.get(by, "") for i, r in enumerate(lead)}
    named["top"] = lead[0].dims.get(by, "") if lead else ""
    named["change"] = _raw(total.change)
    return head + body, table, named


def _weighted(row: Any) -> float:
    """A segment's pull on the total change: level change for sums, change × volume for rates."""
    if row.current.unit in {"ratio", "days"}:
        weight = row.current.denominator or row.base.denominator or 1.0
        return (row.change or 0.0) * float(weight)
    return row.change or 0.0
