"""Ask, the explaining operation: "why did East miss its Q3 target?", "why did sales drop in December?".

The explanation is built from engine figures only, through the same typed queries as every other answer:
- revenue against target: revenue, target, achievement and gap, then the change against the previous period
  split into its drivers (closed deals × win rate × deal size where the data has lost deals, otherwise
  orders × order size);
- any other change: the metric against the base, then the segments that moved it most (reps, products).
"""

from __future__ import annotations

from typing import Any

from agent import query_engine
from agent.ask import Collector, Writer, Written, _signed, _t, write_compare, write_decompose
from agent.numbers import fmt
from agent.wording import higher_is_better
from fupan.query import MetricQuery

_SEGMENT_DIMS = ("rep", "product", "region")


def write_why(engine: Any, q: MetricQuery, vocab: Any, col: Collector) -> Written:
    lang = q.language
    metric = q.metric or "won_revenue"
    text, table, named = "", None, {}
    base = q.base or "previous"
    query_engine.prefetch_for(engine, q)  # one pass over both periods for every figure below
    if base == "target":
        target_q = q.model_copy(update={"operation": "compare", "metrics": ["won_revenue"], "base": "target"})
        res = query_engine.run(engine, target_q, prefetch=False)
        if not res.empty and res.total is not None and res.total.base is not None and res.total.base.value:
            text, table, named = write_compare(Writer(res, vocab, col))
            text += _largest_shortfall(engine, q, vocab, col, named)
        base = "previous"
    if metric == "won_revenue":
        split = "drivers" if getattr(vocab, "has_losses", True) else "deals_size"
        dq = q.model_copy(update={"operation": "decompose", "base": base, "decomposition": split})
        res = query_engine.run(engine, dq, prefetch=False)
        if res.empty:
            return (text or _t(lang, "没有可比较的上一期数据。", "There is no earlier period with data to compare with.")), table, named
        more, dtable, dnamed = write_decompose(Writer(res, vocab, col))
        text = f"{text} {more}".strip() if lang == "en" else text + more
        named.update(dnamed)
        table = table or dtable
    else:
        cq = q.model_copy(update={"operation": "compare", "base": base, "group_by": []})
        res = query_engine.run(engine, cq, prefetch=False)
        if res.empty:
            return _t(lang, "没有可比较的数据。", "There is no data to compare with."), None, {}
        more, table, cnamed = write_compare(Writer(res, vocab, col))
        text += more
        named.update(cnamed)
    movers = _movers(engine, q.model_copy(update={"base": base}), metric, vocab, col)
    if movers:
        text += _t(lang, "变化最大的：" + "；".join(movers) + "。", " Largest movers: " + "; ".join(movers) + ".")
    return text.strip(), table, named


def _largest_shortfall(engine: Any, q: MetricQuery, vocab: Any, col: Collector, named: dict[str, str]) -> str:
    """The segment of the first targeted dimension (not filtered) furthest below its target."""
    lang = q.language
    dims = [d for d in (vocab.dims.targetable() if vocab is not None else ["region"]) if d not in q.filters]
    for dim in dims:
        if vocab is not None and not vocab.values_of(dim):
            continue
        rows = engine.compute("gap", q.period, by=[dim], filters=q.single_filters() or None).rows
        short = sorted((r for r in rows if r.value is not None and r.value < 0), key=lambda r: r.value)
        if not short:
            continue
        worst = short[0]
        name = worst.dims.get(dim, "")
        named[f"worst_{dim}"] = name
        label = vocab.dims.label(dim, lang) if vocab is not None else dim
        shown = f"{fmt(abs(worst.value), worst.unit, lang)} {col.cite(worst)}"
        return _t(lang, f"缺口最大的{label}是 {name}（{shown}）。", f" The largest shortfall by {label} is {name} ({shown}).")
    return ""


def _movers(engine: Any, q: MetricQuery, metric: str, vocab: Any, col: Collector) -> list[str]:
    """For each of rep and product (not already filtered), the segment that moved the metric most badly."""
    out = []
    dims = vocab.dims.ids() if vocab is not None else list(_SEGMENT_DIMS)
    for dim in _SEGMENT_DIMS:
        if dim in q.filters or dim not in dims or (vocab is not None and not vocab.values_of(dim)):
            continue
        rq = q.model_copy(update={"operation": "rank_change", "group_by": [dim], "n": 1, "metrics": [metric],
                                  "order": "asc" if higher_is_better(metric) else "desc"})  # fmt: skip
        res = query_engine.run(engine, rq, prefetch=False)
        if res.empty or not res.rows:
            continue
        r = res.rows[0]
        bad = (r.change or 0) < 0 if higher_is_better(metric) else (r.change or 0) > 0
        if not bad or r.value is None or r.base is None:
            continue
        w = Writer(res, vocab, col)
        out.append(f"{w.by()} {w.label(r)} {w.fig(r.base)} → {w.fig(r.value)}（{_signed(r.change, r.value.unit, q.language)}）"
                   if q.language == "zh" else
                   f"{w.by()} {w.label(r)} {w.fig(r.base)} → {w.fig(r.value)} ({_signed(r.change, r.value.unit, q.language)})")  # fmt: skip
        if len(out) == 2:
            break
    return out
