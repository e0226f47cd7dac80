"""The note an open-pipeline answer carries: open deals whose amount is not known yet are counted as deals and
left out of the amounts, and the answer says how many there are (in total and per segment shown)."""

from __future__ import annotations

from typing import Any

from agent.query_engine import QueryResult


def unknown_amount_note(engine: Any, res: QueryResult, cite: Any, label: Any) -> str:
    """'(12 of these open deals have no amount yet …)' for an answer about the open pipeline's amount; ''
    otherwise. `cite(value)` returns a figure's citation mark, `label(row)` a segment's name as shown."""
    q = res.query
    if "open_pipeline" not in q.metrics or not q.period:
        return ""
    filters = q.single_filters() | {f"{d}!": "|".join(v) for d, v in q.exclude.items()}
    total = engine.value("open_amount_unknown", q.period, filters or None)
    if not total.value:
        return ""
    lang = q.language
    n = int(total.value)
    parts = []
    if q.group_by and res.rows:
        by = engine.compute("open_amount_unknown", q.period, by=q.group_by, filters=filters or None).rows
        counts = {tuple(r.dims.get(d, "") for d in q.group_by): r for r in by}
        for row in res.rows[:8]:
            got = counts.get(tuple(row.dims.get(d, "") for d in q.group_by))
            if got is not None and got.value:
                parts.append(f"{label(row)} {int(got.value)}")
    per = ("：" + "，".join(parts) if lang == "zh" else ": " + ", ".join(parts)) if parts else ""
    if lang == "zh":
        return f"（另有 {n} 笔在手商机还没有金额 {cite(total)}，计入商机数、不计入金额{per}。）"
    return f" ({n} open deal(s) have no amount yet {cite(total)}: counted as deals, not in the amounts{per}.)"
