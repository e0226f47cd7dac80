"""Ask, the funnel shape: stage-to-stage conversion (lead → opportunity → order) and the weakest step."""

from __future__ import annotations

from agent import tools
from agent.ask import Collector, _raw, _seg, _t
from agent.numbers import fmt
from agent.router import Intent
from agent.wording import metric_label
from fupan.answers import AnswerTable
from fupan.deps import Deps

FUNNEL_METRICS = ("conversion_lead_to_opportunity", "conversion_opportunity_to_order", "win_rate")


def answer_funnel(deps: Deps, intent: Intent, col: Collector) -> tuple[str, AnswerTable, dict[str, str]]:
    lang, engine = intent.language, tools.engine_for(deps)
    values = [engine.value(m, intent.period, intent.filters or None) for m in FUNNEL_METRICS]
    known = [v for v in values if v.value is not None]
    who = _seg(intent) or _t(lang, "全公司", "Company-wide")
    parts = [f"{metric_label(v.metric, lang)} {fmt(v.value, v.unit, lang)} {col.cite(v)}" for v in known]
    text = _t(
        lang,
        f"{who} {intent.period} 漏斗：" + "，".join(parts) + "。",
        f"{who}, {intent.period} funnel: " + ", ".join(parts) + ".",
    )
    if known:
        weakest = min(known[:2] or known, key=lambda v: v.value)
        text += _t(
            lang,
            f"最薄弱的环节是{metric_label(weakest.metric, lang)}。",
            f" The weakest step is {metric_label(weakest.metric, lang)}.",
        )
    table = AnswerTable(
        columns=[_t(lang, "环节", "step"), _t(lang, "转化率", "rate")],
        rows=[[metric_label(v.metric, lang), v.value] for v in values],
        evidence=[v.evidence_id for v in values],
    )
    named = {v.metric: _raw(v.value) for v in values}
    return text, table, named
