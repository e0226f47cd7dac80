"""The deterministic Ask writer: a routed intent → computed figures → a short cited answer (zh or en).

Every figure in the text is rendered by agent/numbers.py from a metric-engine value and followed by its
evidence id in brackets; the answer's `evidence` holds each cited id's evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent import tools
from agent.numbers import fmt, fmt_change
from agent.router import Intent, Vocabulary, build_vocabulary
from agent.router_periods import shift_quarter
from agent.wording import dim_label, higher_is_better, metric_label, segment_label, value_label
from fupan.answers import AnswerTable
from fupan.deps import Deps
from fupan.evidence import Evidence

if TYPE_CHECKING:
    from agent.metric_engine import MetricValue


class Collector:
    """Evidence cited while writing one answer or draft."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.evidence: dict[str, Evidence] = {}

    def cite(self, mv: MetricValue) -> str:
        """Register a MetricValue and return its bracketed id for the text."""
        ev = mv.to_evidence(label_language=self.lang)
        self.evidence[ev.id] = ev
        return f"[{ev.id}]"

    def add(self, ev: Evidence) -> str:
        self.evidence[ev.id] = ev
        return f"[{ev.id}]"


def vocabulary_for(deps: Deps) -> Vocabulary:
    """The router vocabulary for the current data snapshot (cached per snapshot)."""
    engine = tools.engine_for(deps)
    key = f"vocabulary:{deps.sales.current_snapshot_id()}"
    cache = deps._cache  # noqa: SLF001
    if key not in cache:
        dims = {
            d: list(engine.dimension_values(d))
            for d in ("region", "rep", "manager", "product", "lead_source", "account")
        }
        cache[key] = build_vocabulary(dims, list(engine.periods_available()))
    return cache[key]


def resolve_base(intent: Intent) -> str | None:
    """A concrete base period label for 'previous' / 'yoy' / a label."""
    if not intent.period or not intent.base or intent.base == "target":
        return intent.base
    if "Q" not in intent.period and intent.base in {"previous", "yoy"}:
        from fupan.periods import parse_period, previous_period, same_period_last_year

        period = parse_period(intent.period)
        return (previous_period(period) if intent.base == "previous" else same_period_last_year(period)).label
    if intent.base == "previous":
        return shift_quarter(intent.period, -1)
    if intent.base == "yoy":
        return shift_quarter(intent.period, -4)
    return intent.base


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _seg(intent: Intent, extra: dict[str, str] | None = None) -> str:
    seg = {**intent.filters, **(extra or {})}
    return segment_label(seg, intent.language) if seg else ""


def answer_value(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m = intent.language, intent.metric or ""
    mv = tools.engine_for(deps).value(m, intent.period, intent.filters or None)
    who = _seg(intent) or _t(lang, "全公司", "Company-wide")
    shown = fmt(mv.value, mv.unit, lang)
    if mv.value is None:
        text = _t(
            lang,
            f"{who} {intent.period} 没有可计算{metric_label(m, lang)}的数据。",
            f"{who} has no data to compute {metric_label(m, lang)} for {intent.period}.",
        )
    else:
        text = _t(
            lang,
            f"{who} {intent.period} 的{metric_label(m, lang)}为 {shown} {col.cite(mv)}。",
            f"{who}: {metric_label(m, lang)} in {intent.period} was {shown} {col.cite(mv)}.",
        )
    table = AnswerTable(
        columns=[
            _t(lang, "指标", "metric"),
            _t(lang, "期间", "period"),
            _t(lang, "数值", "value"),
            _t(lang, "分子", "numerator"),
            _t(lang, "分母", "denominator"),
        ],
        rows=[[metric_label(m, lang), intent.period, mv.value, mv.numerator, mv.denominator]],
        evidence=[mv.evidence_id],
    )
    return text, table, {"value": _raw(mv.value), m: _raw(mv.value)}


def _raw(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".") if not float(value).is_integer() else str(int(value))


def _direction(change: float | None, lang: str) -> str:
    if change is None or change == 0:
        return _t(lang, "持平", "flat")
    return _t(lang, "上升", "up") if change > 0 else _t(lang, "下降", "down")


def answer_compare(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m = intent.language, intent.metric or ""
    base = resolve_base(intent) or ""
    result = tools.engine_for(deps).compare(
        m, intent.period, base, by=[intent.by] if intent.by else None, filters=intent.filters or None
    )
    rows = list(result.rows)
    table = AnswerTable(
        columns=[
            _t(lang, "分组", "segment"),
            base,
            intent.period,
            _t(lang, "变化", "change"),
            _t(lang, "变化率", "% change"),
        ],
        rows=[
            [segment_label(dict(r.dims), lang), r.base.value, r.current.value, r.change, r.pct_change]
            for r in rows
        ],
        evidence=[r.current.evidence_id for r in rows],
    )
    label = metric_label(m, lang)
    if not intent.by and rows:
        r = rows[0]
        who = _seg(intent) or _t(lang, "全公司", "Company-wide")
        cur, old = fmt(r.current.value, r.current.unit, lang), fmt(r.base.value, r.base.unit, lang)
        delta = fmt_change(r.change, r.current.unit, lang)
        text = _t(
            lang,
            f"{who} {intent.period} 的{label}为 {cur} {col.cite(r.current)}，{base} 为 {old} {col.cite(r.base)}，"
            f"{_direction(r.change, lang)} {delta}。",
            f"{who}: {label} was {cur} in {intent.period} {col.cite(r.current)} against {old} in {base} "
            f"{col.cite(r.base)}, {_direction(r.change, lang)} {delta}.",
        )
        named = {
            "current": _raw(r.current.value),
            "base": _raw(r.base.value),
            "change": _raw(r.change),
            "pct_change": _raw(r.pct_change),
            "value": _raw(r.current.value),
        }
        return text, table, named
    movers = sorted((r for r in rows if r.change is not None), key=lambda r: r.change)
    parts = []
    for r in movers[:2] + movers[-2:] if len(movers) > 4 else movers:
        name = segment_label(dict(r.dims), lang)
        parts.append(
            f"{name} {fmt(r.base.value, r.base.unit, lang)} {col.cite(r.base)} → "
            f"{fmt(r.current.value, r.current.unit, lang)} {col.cite(r.current)}"
        )
    text = _t(
        lang,
        f"{label}（{intent.period} 对比 {base}，按{dim_label(intent.by or '', lang)}）："
        + "；".join(parts)
        + "。",
        f"{label}, {intent.period} vs {base} by {dim_label(intent.by or '', lang)}: "
        + "; ".join(parts)
        + ".",
    )
    named = {f"change:{segment_label(dict(r.dims), 'zh')}": _raw(r.change) for r in rows}
    return text, table, named


def answer_trend(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m = intent.language, intent.metric or ""
    values = tools.engine_for(deps).trend(m, intent.periods, intent.filters or None)
    who = _seg(intent) or _t(lang, "全公司", "Company-wide")
    parts = [f"{v.period} {fmt(v.value, v.unit, lang)} {col.cite(v)}" for v in values]
    known = [v for v in values if v.value is not None]
    table = AnswerTable(
        columns=[_t(lang, "期间", "period"), metric_label(m, lang)],
        rows=[[v.period, v.value] for v in values],
        evidence=[v.evidence_id for v in values],
    )
    text = _t(
        lang,
        f"{who}{metric_label(m, lang)}走势：" + "，".join(parts) + "。",
        f"{who}, {metric_label(m, lang)} by quarter: " + ", ".join(parts) + ".",
    )
    if len(known) >= 2:
        hi = max(known, key=lambda v: v.value)
        lo = min(known, key=lambda v: v.value)
        text += _t(
            lang,
            f"最高在 {hi.period}，最低在 {lo.period}。",
            f" Highest in {hi.period}, lowest in {lo.period}.",
        )
    return text, table, {v.period: _raw(v.value) for v in values}


def _ranked(deps: Deps, intent: Intent) -> list[Any]:
    result = tools.engine_for(deps).compute(
        intent.metric, intent.period, by=[intent.by], filters=intent.filters or None
    )
    rows = [r for r in result.rows if r.value is not None]
    return sorted(rows, key=lambda r: r.value, reverse=intent.order == "desc")


def answer_top(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m, by = intent.language, intent.metric or "", intent.by or "rep"
    rows = _ranked(deps, intent)
    top = rows[: intent.n]
    names = [value_label(by, r.dims.get(by, ""), lang) for r in top]
    parts = [f"{n} {fmt(r.value, r.unit, lang)} {col.cite(r)}" for n, r in zip(names, top, strict=True)]
    best = intent.order == "desc"
    where = f"{_seg(intent)} " if intent.filters else ""
    word = _t(lang, "最高" if best else "最低", "highest" if best else "lowest")
    text = _t(
        lang,
        f"{where}{intent.period} {metric_label(m, lang)}{word}的{dim_label(by, lang)}："
        + "，".join(parts)
        + "。",
        f"{where}{intent.period}, {word} {metric_label(m, lang)} by {dim_label(by, lang)}: "
        + ", ".join(parts)
        + ".",
    )
    table = AnswerTable(
        columns=[dim_label(by, lang), metric_label(m, lang)],
        rows=[[r.dims.get(by, ""), r.value] for r in rows],
        evidence=[r.evidence_id for r in rows],
    )
    named = {f"top_{i + 1}": r.dims.get(by, "") for i, r in enumerate(top)}
    named.update({"top": top[0].dims.get(by, "") if top else "", "value": _raw(top[0].value) if top else ""})
    return text, table, named


def answer_breakdown(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, m, by = intent.language, intent.metric or "", intent.by or "region"
    intent = intent.model_copy(update={"order": "desc" if higher_is_better(m) else "asc"})
    rows = _ranked(deps, intent)
    parts = [
        f"{value_label(by, r.dims.get(by, ''), lang)} {fmt(r.value, r.unit, lang)} {col.cite(r)}"
        for r in rows[:8]
    ]
    where = f"{_seg(intent)} " if intent.filters else ""
    text = _t(
        lang,
        f"{where}{intent.period} 各{dim_label(by, lang)}{metric_label(m, lang)}：" + "，".join(parts) + "。",
        f"{where}{metric_label(m, lang)} by {dim_label(by, lang)}, {intent.period}: "
        + ", ".join(parts)
        + ".",
    )
    if len(rows) > 8:
        text += _t(lang, f"（另有 {len(rows) - 8} 项见表）", f" ({len(rows) - 8} more in the table)")
    table = AnswerTable(
        columns=[dim_label(by, lang), metric_label(m, lang)],
        rows=[[r.dims.get(by, ""), r.value] for r in rows],
        evidence=[r.evidence_id for r in rows],
    )
    return text, table, {r.dims.get(by, ""): _raw(r.value) for r in rows}
