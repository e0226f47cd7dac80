"""The deterministic Ask writer: a `QueryResult` (agent/query_engine.py) → a short cited answer (zh or en).

Every figure in the text is rendered by agent/numbers.py from a metric-engine value and followed by its
evidence id in brackets; the answer's `evidence` holds each cited id's evidence. `answers` holds the named
exact values (`value`, `change`, ..., and `items`: the ranked or listed rows as JSON) for evals and callers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agent.numbers import fmt, fmt_change
from agent.query_engine import QueryResult, Row
from agent.router_restate import (
    as_of,
    base_text,
    dim_text,
    exclusion_text,
    period_span,
    period_text,
    segment_text,
    value_text,
)
from agent.wording import higher_is_better, metric_word
from fupan.answers import AnswerTable
from fupan.evidence import Evidence

Written = tuple[str, AnswerTable | None, dict[str, str]]

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


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _raw(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


class Writer:
    """Writes one result; `vocab` gives dimension labels and English display names."""

    def __init__(self, res: QueryResult, vocab: Any, col: Collector) -> None:
        self.res, self.q, self.vocab, self.col = res, res.query, vocab, col
        self.lang = res.query.language
        self.metric = res.query.metric or "won_revenue"

    # ---- pieces ---------------------------------------------------------------------------------------------
    def fig(self, mv: Any) -> str:
        return f"{fmt(mv.value, mv.unit, self.lang)} {self.col.cite(mv)}"

    def who(self) -> str:
        seg = segment_text(self.q.filters, self.vocab, self.lang)
        if self.q.exclude:  # 'The company excluding Technology'
            seg = (seg or _t(self.lang, "全公司", "The company")) + " " + exclusion_text(self.q, self.vocab, self.lang)
        return seg or _t(self.lang, "全公司", "The company")

    def label(self, row: Row) -> str:
        if not self.q.group_by:
            return row.label
        text = " · ".join(value_text(d, row.dims.get(d, ""), self.vocab, self.lang) for d in self.q.group_by)
        return text + _t(self.lang, "（本期无商机）", " (no deals)") if row.no_deals else text

    def by(self) -> str:
        return dim_text(self.q.group_by[0], self.vocab, self.lang) if self.q.group_by else ""

    def mword(self, metric: str | None = None) -> str:
        return metric_word(metric or self.metric, self.lang)

    def period(self) -> str:
        return as_of(self.q, self.vocab, self.lang) or period_text(self.res.period, self.vocab, self.lang)

    def items(self, rows: list[Row], attr: str = "value") -> str:
        out = []
        for r in rows:
            v = getattr(r, attr)
            out.append([r.label, _raw(v.value if hasattr(v, "value") else v)])
        return json.dumps(out, ensure_ascii=False)

    def table(self, rows: list[Row], columns: list[str], cells: Callable[[Row], list[Any]]) -> AnswerTable:
        return AnswerTable(
            columns=columns,
            rows=[cells(r) for r in rows],
            evidence=[(r.value.evidence_id if r.value else "") for r in rows],
        )


def _change_words(w: Writer, change: float | None, unit: str) -> str:
    if change is None:
        return "—"
    if change == 0:
        return _t(w.lang, "持平", "unchanged")
    up = change > 0
    return _t(w.lang, "上升" if up else "下降", "up" if up else "down") + " " + fmt_change(change, unit, w.lang)


# ---- operations ---------------------------------------------------------------------------------------------


def write_value(w: Writer) -> Written:
    r = w.res.total
    assert r is not None and r.value is not None
    values = [r.value, *w.res.extra]
    lang = w.lang
    parts = []
    for mv in values:
        if mv.value is None:
            parts.append(_t(lang, f"{w.mword(mv.metric)}无法计算（没有可计算的数据）", f"{w.mword(mv.metric)} cannot be computed (no deals it counts)"))  # fmt: skip
        else:
            parts.append(_t(lang, f"{w.mword(mv.metric)}为 {w.fig(mv)}", f"{w.mword(mv.metric)} was {w.fig(mv)}"))
    text = _t(lang, f"{w.who()} {w.period()} " + "，".join(parts) + "。", f"{w.who()}, {w.period()}: " + "; ".join(parts) + ".")
    table = AnswerTable(
        columns=[_t(lang, "指标", "metric"), _t(lang, "期间", "period"), _t(lang, "数值", "value")],
        rows=[[w.mword(mv.metric), mv.period, mv.value] for mv in values],
        evidence=[mv.evidence_id for mv in values],
    )
    named = {"value": _raw(r.value.value), **{mv.metric: _raw(mv.value) for mv in values}}
    return text, table, named


def write_compare(w: Writer) -> Written:
    lang, res = w.lang, w.res
    base = res.base_label or ""
    base_shown = _t(lang, "目标", "target") if base == "target" else period_text(base, w.vocab, lang)
    if w.q.group_by:
        rows = res.rows
        parts = [
            f"{w.label(r)} {w.fig(r.base)} → {w.fig(r.value)}"
            for r in (rows[:3] + rows[-3:] if len(rows) > 6 else rows)
            if r.value is not None and r.base is not None
        ]
        text = _t(
            lang,
            f"{w.mword()}，{w.period()} 对比 {base_shown}，按{w.by()}：" + "；".join(parts) + "。",
            f"{w.mword()} by {w.by()}, {w.period()} vs {base_shown}: " + "; ".join(parts) + ".",
        )
        table = w.table(rows, [w.by(), base_shown, w.period(), _t(lang, "变化", "change")],
                        lambda r: [r.label, r.base.value if r.base else None, r.value.value if r.value else None, r.change])  # fmt: skip
        named = {"items": w.items(rows, "change"), **{f"change:{r.label}": _raw(r.change) for r in rows}}
        return text, table, named
    r = res.total
    assert r is not None and r.value is not None and r.base is not None
    unit = r.value.unit
    if base == "target":
        ach, gap = (res.extra + [None, None])[:2]
        text = _t(
            lang,
            f"{w.who()} {w.period()} {w.mword()} {w.fig(r.value)}，目标 {w.fig(r.base)}",
            f"{w.who()}, {w.period()}: {w.mword()} {w.fig(r.value)} against a target of {w.fig(r.base)}",
        )
        if ach is not None and ach.value is not None:
            text += _t(lang, f"，达成率 {w.fig(ach)}", f", {w.fig(ach)} achieved")
        if gap is not None and gap.value is not None:
            word = _t(lang, "缺口" if gap.value < 0 else "超出", "a gap of" if gap.value < 0 else "ahead by")
            text += f"{_sep(lang)}{word} {fmt(abs(gap.value), gap.unit, lang)} {w.col.cite(gap)}"
        text += _t(lang, "。", ".")
        named = {"current": _raw(r.value.value), "base": _raw(r.base.value), "change": _raw(r.change),
                 "value": _raw(r.value.value), "achievement_rate": _raw(ach.value if ach else None),
                 "gap": _raw(gap.value if gap else None)}  # fmt: skip
    else:
        text = _t(
            lang,
            f"{w.who()} {w.mword()}：{w.period()} {w.fig(r.value)}，{base_shown} {w.fig(r.base)}，{_change_words(w, r.change, unit)}",
            f"{w.who()}, {w.mword()}: {w.fig(r.value)} in {w.period()} against {w.fig(r.base)} in {base_shown}, "
            f"{_change_words(w, r.change, unit)}",
        )
        if r.pct_change is not None and unit != "ratio" and r.change:
            text += f"（{abs(r.pct_change):.1%}）" if lang == "zh" else f" ({abs(r.pct_change):.1%})"
        text += _t(lang, "。", ".")
        named = {"current": _raw(r.value.value), "base": _raw(r.base.value), "change": _raw(r.change),
                 "pct_change": _raw(r.pct_change), "value": _raw(r.value.value)}  # fmt: skip
    table = AnswerTable(
        columns=[_t(lang, "期间", "period"), w.mword()],
        rows=[[base_shown, r.base.value], [w.period(), r.value.value]],
        evidence=[r.base.evidence_id, r.value.evidence_id],
    )
    return text, table, named


def write_rank(w: Writer) -> Written:
    lang, q, rows = w.lang, w.q, w.res.rows
    top = rows[: q.n] if q.n else rows[:10]
    if not top:
        return _t(lang, f"{w.period()} 没有可排名的数据。", f"Nothing to rank in {w.period()}."), None, {}
    parts = [f"{w.label(r)} {w.fig(r.value)}" for r in top]
    word = _t(lang, "最高" if q.order == "desc" else "最低", "highest" if q.order == "desc" else "lowest")
    where = segment_text(q.filters, w.vocab, lang)
    if q.grain and not q.group_by:
        scope = period_span(q, w.vocab, lang)
        text = _t(lang, f"{where}{scope} {w.mword()}{word}的期间：", f"{where + ', ' if where else ''}{scope}, {word} {w.mword()}: ")
    else:
        text = _t(lang, f"{where}{w.period()} {w.mword()}{word}的{w.by()}：", f"{where + ', ' if where else ''}{w.period()}, {word} {w.mword()} by {w.by()}: ")  # fmt: skip
    text += _sep(lang).join(parts) + _t(lang, "。", ".")
    if not q.n and len(rows) > len(top):
        text += _more_note(len(rows) - len(top), lang)
    tie = _tie_note(w, rows, q.n) if q.n else ""
    text += tie + _no_deals_note(w, rows, top)
    table = w.table(rows, [w.by() or _t(lang, "期间", "period"), w.mword()], lambda r: [r.label, r.value.value if r.value else None])
    named = {"items": w.items(top if q.n else rows), "top": top[0].label,
             "value": _raw(top[0].value.value if top[0].value else None)}  # fmt: skip
    named.update({f"top_{i + 1}": r.label for i, r in enumerate(top)})
    return text, table, named


def _no_deals_note(w: Writer, rows: list[Row], shown: list[Row]) -> str:
    """Reps of the team table with no deal in the period, when the ranking shown leaves them out."""
    idle = [r for r in rows if r.no_deals and r not in shown]
    if not idle:
        return ""
    names = _sep(w.lang).join(r.label for r in idle[:10])
    return _t(w.lang, f"（团队表中的 {names} 在 {w.period()} 没有商机。）", f" (On the team table with no deals in {w.period()}: {names}.)")


def _more_note(n: int, lang: str) -> str:
    """'(3 more in the table)'; a longer rest is not counted in the text, where its count would read as a figure
    that no evidence cites."""
    if n <= 20:
        return _t(lang, f"（另有 {n} 项见表）", f" ({n} more in the table)")
    return _t(lang, "（其余见表）", " (the rest in the table)")


def _tie_note(w: Writer, rows: list[Row], n: int) -> str:
    if len(rows) <= n or rows[n - 1].value is None or rows[n].value is None:
        return ""
    if rows[n - 1].value.value != rows[n].value.value:  # type: ignore[union-attr]
        return ""
    return _t(w.lang, f"（{w.label(rows[n])} 与第 {n} 名并列）", f" ({w.label(rows[n])} ties with number {n}.)")


def write_rank_change(w: Writer) -> Written:
    lang, q, rows = w.lang, w.q, w.res.rows
    top = rows[: q.n or 1]
    base = period_text(w.res.base_label, w.vocab, lang)
    if not top:
        return _t(lang, "没有可比较的分组。", "No segment has figures in both periods."), None, {}
    unit = top[0].value.unit if top[0].value else ""
    parts = [
        f"{w.label(r)} {w.fig(r.base)} → {w.fig(r.value)}（{_signed(r.change, unit, lang)}）" if lang == "zh"
        else f"{w.label(r)} {w.fig(r.base)} → {w.fig(r.value)} ({_signed(r.change, unit, lang)})"
        for r in top
    ]  # fmt: skip
    fall = q.order == "asc"
    head = _t(
        lang,
        f"{base} → {w.period()}，{w.mword()}{'降幅' if fall else '增幅'}最大的{w.by()}：",
        f"{base} → {w.period()}, {'largest drop' if fall else 'largest rise'} in {w.mword()} by {w.by()}: ",
    )
    text = head + ("；" if lang == "zh" else "; ").join(parts) + _t(lang, "。", ".")
    if fall and (top[0].change or 0) >= 0:
        text += _t(lang, f"（没有{w.by()}下降；这是变化最小的。）", f" (No {w.by()} fell; this is the smallest change.)")
    if not fall and (top[0].change or 0) <= 0:
        text += _t(lang, f"（没有{w.by()}上升；这是降幅最小的。）", f" (No {w.by()} rose; this is the smallest fall.)")
    table = w.table(rows, [w.by(), base, w.period(), _t(lang, "变化", "change")],
                    lambda r: [r.label, r.base.value if r.base else None, r.value.value if r.value else None, r.change])  # fmt: skip
    named = {"items": w.items(top, "change"), "top": top[0].label, "change": _raw(top[0].change)}
    return text, table, named


def _signed(change: float | None, unit: str, lang: str) -> str:
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return sign + fmt_change(change, unit, lang)


def write_breakdown(w: Writer) -> Written:
    lang, rows = w.lang, w.res.rows
    shown = rows[:8]
    parts = [f"{w.label(r)} {w.fig(r.value)}" for r in shown if r.value is not None and r.value.value is not None]
    where = segment_text(w.q.filters, w.vocab, lang)
    text = _t(lang, f"{where}{w.period()} 各{w.by()}{w.mword()}：", f"{w.mword()} by {w.by()}{' for ' + where if where else ''}, {w.period()}: ")  # fmt: skip
    text += _sep(lang).join(parts) + _t(lang, "。", ".")
    if len(rows) > 8:
        text += _more_note(len(rows) - 8, lang)
    text += _no_deals_note(w, rows, [r for r in shown if r.value is not None and r.value.value is not None])
    table = w.table(rows, [w.by(), w.mword()], lambda r: [r.label, r.value.value if r.value else None])
    return text, table, {"items": w.items(rows), **{r.label: _raw(r.value.value if r.value else None) for r in rows}}


def write_share(w: Writer) -> Written:
    lang, q, res = w.lang, w.q, w.res
    if q.group_by:
        rows = res.rows
        total = res.total
        parts = [f"{w.label(r)} {_pct(r.share)}（{w.fig(r.value)}）" if lang == "zh" else f"{w.label(r)} {_pct(r.share)} ({w.fig(r.value)})" for r in rows[:8]]  # fmt: skip
        head = _t(lang, f"{w.period()} {w.mword()}合计 {w.fig(total.value)}，各{w.by()}占比：", f"{w.period()}, {w.mword()} totalled {w.fig(total.value)}; share by {w.by()}: ")  # type: ignore[union-attr]  # fmt: skip
        text = head + ("；" if lang == "zh" else "; ").join(parts) + _t(lang, "。", ".")
        table = w.table(rows, [w.by(), w.mword(), _t(lang, "占比", "share")], lambda r: [r.label, r.value.value if r.value else None, r.share])  # fmt: skip
        return text, table, {"items": w.items(rows, "share")}
    r = res.total
    assert r is not None and r.value is not None and r.base is not None
    share = r.share
    if res.base_label:
        part_name, whole_name = w.period(), period_text(res.base_label, w.vocab, lang)
    else:
        dims = q.part or list(q.filters)
        part_name = segment_text(q.filters, w.vocab, lang, only=dims)
        context = {d: v for d, v in q.filters.items() if d not in dims}
        whole_name = segment_text(context, w.vocab, lang) or _t(lang, "全部", "the total")
    text = _t(
        lang,
        f"{w.period() + ' ' if not res.base_label else ''}{part_name} 的{w.mword()} {w.fig(r.value)}，占 {whole_name}（{w.fig(r.base)}）的 {_pct(share)}。",
        f"{part_name}: {w.mword()} {w.fig(r.value)}{'' if res.base_label else _in_period(w)}, "
        f"{_pct(share)} of {whole_name} ({w.fig(r.base)}).",
    )
    table = AnswerTable(
        columns=[_t(lang, "部分", "part"), _t(lang, "整体", "whole"), _t(lang, "占比", "share")],
        rows=[[r.value.value, r.base.value, share]],
        evidence=[r.value.evidence_id],
    )
    return text, table, {"value": _raw(share), "part": _raw(r.value.value), "whole": _raw(r.base.value)}


def _in_period(w: Writer) -> str:
    """' in 2026Q3', or ', as of the export (…)' for an open-deal figure."""
    return (", " if as_of(w.q, w.vocab, w.lang) else " in ") + w.period()


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%".replace(".0%", "%")


def write_trend(w: Writer) -> Written:
    lang, rows = w.lang, w.res.rows
    parts = [f"{r.label} {w.fig(r.value)}" for r in rows]
    who = segment_text(w.q.filters, w.vocab, lang)
    text = _t(lang, f"{who}{w.mword()}走势：", f"{who + ', ' if who else ''}{w.mword()} over time: ") + _sep(lang).join(parts) + _t(lang, "。", ".")  # fmt: skip
    known = [r for r in rows if r.value is not None and r.value.value is not None]
    if len(known) >= 2:
        hi = max(known, key=lambda r: r.value.value)  # type: ignore[union-attr, return-value]
        lo = min(known, key=lambda r: r.value.value)  # type: ignore[union-attr, return-value]
        text += _t(lang, f"最高在 {hi.label}，最低在 {lo.label}。", f" Highest in {hi.label}, lowest in {lo.label}.")
    if w.res.gaps:
        text += _t(lang, f"（没有数据的期间未列出：{'、'.join(w.res.gaps)}。）", f" (No data for {', '.join(w.res.gaps)}; left out.)")
    table = w.table(rows, [_t(lang, "期间", "period"), w.mword()], lambda r: [r.label, r.value.value if r.value else None])
    return text, table, {"items": w.items(rows), **{r.label: _raw(r.value.value if r.value else None) for r in rows}}


def write_contribution(w: Writer) -> Written:
    lang, q, res = w.lang, w.q, w.res
    total = res.total
    assert total is not None and total.value is not None and total.base is not None
    unit = total.value.unit
    rows = res.rows
    if res.base_label == "target":
        parts = [f"{w.label(r)} {_gap(w, r, unit)}（{w.fig(r.value)} / {w.fig(r.base)}）" if lang == "zh"
                 else f"{w.label(r)} {_gap(w, r, unit)} ({w.fig(r.value)} vs {w.fig(r.base)})" for r in rows]  # fmt: skip
        head = _t(
            lang,
            f"{w.who()} {w.period()} {w.mword()} {w.fig(total.value)}，目标 {w.fig(total.base)}，差 {_gap(w, total, unit)}。各{w.by()}：",
            f"{w.who()}, {w.period()}: {w.mword()} {w.fig(total.value)} against a target of {w.fig(total.base)} "
            f"({_gap(w, total, unit)}). By {w.by()}: ",
        )
    else:
        lead = rows[: q.n] if q.n else rows
        parts = [f"{w.label(r)} {_signed(r.change, unit, lang)}（{w.fig(r.base)} → {w.fig(r.value)}）" if lang == "zh"
                 else f"{w.label(r)} {_signed(r.change, unit, lang)} ({w.fig(r.base)} → {w.fig(r.value)})" for r in lead]  # fmt: skip
        base = period_text(res.base_label, w.vocab, lang)
        head = _t(
            lang,
            f"{w.who()}{w.mword()}从 {base} 的 {w.fig(total.base)} 变为 {w.period()} 的 {w.fig(total.value)}（{_signed(total.change, unit, lang)}）。影响最大的{w.by()}：",
            f"{w.who()}: {w.mword()} moved from {w.fig(total.base)} in {base} to {w.fig(total.value)} in {w.period()} "
            f"({_signed(total.change, unit, lang)}). Most of it came from these {w.by()}s: ",
        )
    text = head + ("；" if lang == "zh" else "; ").join(parts) + _t(lang, "。", ".")
    table = w.table(rows, [w.by(), _t(lang, "基准", "base"), w.period(), _t(lang, "变化", "change")],
                    lambda r: [r.label, r.base.value if r.base else None, r.value.value if r.value else None, r.change])  # fmt: skip
    shown = rows if res.base_label == "target" or not q.n else rows[: q.n]
    named = {"items": w.items(shown, "change"), "change": _raw(total.change), "top": shown[0].label if shown else ""}
    return text, table, named


def _gap(w: Writer, r: Row, unit: str) -> str:
    """The gap to target, cited as the gap figure itself when the engine gave one."""
    if r.delta is not None and r.delta.value is not None:
        sign = "+" if r.delta.value > 0 else ("−" if r.delta.value < 0 else "")
        return f"{sign}{fmt(abs(r.delta.value), r.delta.unit, w.lang)} {w.col.cite(r.delta)}"
    return _signed(r.change, unit, w.lang)


_DRIVER_NAMES = {
    "won_deals": ("赢单数（单子多少）", "won deals (how many)"),
    "avg_deal_size": ("平均客单价（单子大小）", "average deal size (how big)"),
    "closed_deals": ("结单数", "closed deals"),
    "win_rate": ("赢单率", "win rate"),
    "mix": ("结构（组合）", "mix"),
    "rate": ("各组自身变化", "rate within segments"),
}


def write_decompose(w: Writer) -> Written:
    lang, res = w.lang, w.res
    total = res.total
    assert total is not None and total.value is not None and total.base is not None
    base = period_text(res.base_label, w.vocab, lang)
    unit = total.value.unit
    parts = []
    for p in res.parts:
        name = _DRIVER_NAMES.get(p.name, (p.name, p.name))[0 if lang == "zh" else 1]
        level = ""
        if p.evidence and len(p.evidence) == 2:
            level = f"{w.fig(p.evidence[1])} → {w.fig(p.evidence[0])}, "
        if lang == "en":
            parts.append(f"{name} {level}{_signed(p.effect, unit, lang)}")
        else:
            parts.append(f"{name}{'（' + level.rstrip(', ') + '）' if level else ''} {_signed(p.effect, unit, lang)}")
    main = max(res.parts, key=lambda p: abs(p.effect)) if res.parts else None
    text = _t(
        lang,
        f"{w.who()}{w.mword()}从 {base} 的 {w.fig(total.base)} 变为 {w.period()} 的 {w.fig(total.value)}（{_signed(total.change, unit, lang)}）。拆分：" + "；".join(parts) + "。",
        f"{w.who()}: {w.mword()} went from {w.fig(total.base)} in {base} to {w.fig(total.value)} in {w.period()} "
        f"({_signed(total.change, unit, lang)}). Split: " + "; ".join(parts) + ".",
    )
    if main is not None:
        name = _DRIVER_NAMES.get(main.name, (main.name, main.name))[0 if lang == "zh" else 1]
        text += _t(lang, f"主要来自{name}。", f" Mostly {name}.")
    for mv in res.extra:
        w.col.cite(mv)
    table = AnswerTable(
        columns=[_t(lang, "因素", "driver"), base, w.period(), _t(lang, "影响", "effect")],
        rows=[[p.name, p.base, p.current, p.effect] for p in res.parts],
    )
    named = {"total_change": _raw(total.change), "current": _raw(total.value.value), "base": _raw(total.base.value),
             "change": _raw(total.change)}  # fmt: skip
    named.update({f"part:{p.name}": _raw(p.effect) for p in res.parts})
    named.update({  # each driver's own change (157 → 108 won deals: −49), beside its effect on the total
        f"{p.name}_change": _raw(p.current - p.base) for p in res.parts if p.current is not None and p.base is not None
    })
    named["dominant"] = main.name if main else ""
    return text, table, named


def write_funnel(w: Writer) -> Written:
    lang, res = w.lang, w.res
    known = [v for v in res.extra if v.value is not None]
    parts = [f"{w.mword(v.metric)} {w.fig(v)}" for v in known]
    text = _t(lang, f"{w.who()} {w.period()} 漏斗：", f"{w.who()}, {w.period()} funnel: ") + _sep(lang).join(parts) + _t(lang, "。", ".")  # fmt: skip
    if known:
        weakest = min(known[:2] or known, key=lambda v: v.value)  # type: ignore[arg-type, return-value]
        text += _t(lang, f"最薄弱的环节是{w.mword(weakest.metric)}。", f" The weakest step is {w.mword(weakest.metric)}.")
    table = AnswerTable(
        columns=[_t(lang, "环节", "step"), _t(lang, "转化率", "rate")],
        rows=[[w.mword(v.metric), v.value] for v in res.extra],
        evidence=[v.evidence_id for v in res.extra],
    )
    return text, table, {v.metric: _raw(v.value) for v in res.extra}


def write_empty(w: Writer) -> str:
    notes = "、".join(w.res.empty) if w.lang == "zh" else ", ".join(w.res.empty)
    return _t(w.lang, f"没有 {notes} 的数据，无法计算（不按 0 计）。", f"There is no data for {notes}, so this cannot be computed (it is not counted as 0).")  # fmt: skip


WRITERS: dict[str, Callable[[Writer], Written]] = {
    "value": write_value,
    "compare": write_compare,
    "rank": write_rank,
    "rank_change": write_rank_change,
    "breakdown": write_breakdown,
    "share": write_share,
    "trend": write_trend,
    "contribution": write_contribution,
    "decompose": write_decompose,
    "funnel": write_funnel,
}


def better_first(metric: str) -> str:
    return "desc" if higher_is_better(metric) else "asc"


__all__ = ["Collector", "WRITERS", "Writer", "base_text", "better_first", "write_empty"]
