"""How a question was read, said back in the question's language: "Read as: change in won revenue by region,
2017Q3 → 2017Q4, largest drop first" / "理解为：各区域赢单金额的变化，2017Q3 → 2017Q4，降幅最大的在前"."""

from __future__ import annotations

import re
from typing import Any

from agent.metric_def import OPEN_METRICS
from agent.wording import metric_word as metric_label
from fupan.query import MetricQuery


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def period_text(label: str | None, vocab: Any, lang: str) -> str:
    """A period label as shown: the whole data range is 'all data (2016-01..2019-12)'."""
    if not label:
        return ""
    cal = getattr(vocab, "calendar", None)
    if cal is not None and not cal.empty and ".." in label and label == cal.all_time().label:
        return _t(lang, f"全部数据（{label}）", f"all data ({label})")
    return label


def value_text(dim: str, value: str, vocab: Any, lang: str) -> str:
    if not value:
        from fupan.dimensions import blank_label

        return blank_label(lang)
    display = getattr(vocab, "display", {}).get((dim, value)) if vocab is not None else None
    return f"{display} ({value})" if display and lang == "en" else value


def dim_text(dim: str, vocab: Any, lang: str) -> str:
    """A dimension as shown; with the user's own column header when the label is another word
    (产品 read as the Category column: '产品（Category）')."""
    dims = getattr(vocab, "dims", None)
    if dims is not None and dim in dims:
        label = dims.label(dim, lang)
        header = dims.get(dim).header
        if header and header.strip().lower() != label.lower():
            return f"{label}（{header}）" if lang == "zh" else f"{label} ({header})"
        return label
    from agent.wording import dim_label

    return dim_label(dim, lang)


def segment_text(filters: dict[str, list[str]], vocab: Any, lang: str, only: list[str] | None = None) -> str:
    parts = []
    for dim, values in filters.items():
        if only is not None and dim not in only:
            continue
        shown = ("、" if lang == "zh" else " or ").join(value_text(dim, v, vocab, lang) for v in values)
        if dim == "manager" and _team_lead(vocab):  # a manager's filter: the deals of the reps reporting to them
            shown = _t(lang, f"{shown} 团队", f"{shown}'s team")
        parts.append(shown)
    return " · ".join(parts)


def _team_lead(vocab: Any) -> bool:
    """Whether the data's manager column names team leads ('manager', 'Sales Manager', 主管), not an account
    manager or 客户经理 (often the rep who owns the account): only then is its filter called a team."""
    dims = getattr(vocab, "dims", None)
    if dims is None or "manager" not in dims:
        return True
    header = (dims.get("manager").header or "").lower()
    return not header or not re.search(r"account|client|customer|客户", header)


def as_of(q: MetricQuery, vocab: Any, lang: str) -> str | None:
    """'as of the export (data to 2026-09)' for an open-deal reading (agent/router_pipeline.py); None for any
    other: open deals are known at the export only, so their figures have no period of their own."""
    if not set(q.metrics) & set(OPEN_METRICS):
        return None
    cal = getattr(vocab, "calendar", None)
    last = cal.months[-1] if cal is not None and not cal.empty else ""
    if lang == "zh":
        return f"截至导出时（数据至 {last}）" if last else "截至导出时"
    return f"as of the export (data to {last})" if last else "as of the export"


def exclusion_text(q: MetricQuery, vocab: Any, lang: str) -> str:
    """'excluding Technology' / '不含 Technology' (agent/router_exclude.py); '' without exclusions."""
    if not q.exclude:
        return ""
    names = _sep(lang).join(value_text(d, v, vocab, lang) for d, vs in q.exclude.items() for v in vs)
    return f"不含 {names}" if lang == "zh" else f"excluding {names}"


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def base_text(q: MetricQuery, vocab: Any, lang: str) -> str:
    """The base as shown: 'target', or the period it stands for (previous → 2026Q2, yoy → 2025Q3)."""
    if q.base == "target":
        return _t(lang, "目标", "target")
    if q.base in {"previous", "yoy"} and q.period:
        from fupan.periods import parse_period, previous_period, same_period_last_year

        fy = vocab.calendar.fy if vocab is not None and hasattr(vocab, "calendar") else 1
        p = parse_period(q.period, fy)
        return (previous_period(p) if q.base == "previous" else same_period_last_year(p)).label
    return period_text(q.base, vocab, lang)


def restate(q: MetricQuery, vocab: Any = None) -> str:
    lang = q.language
    body = _body(q, vocab, lang)
    if q.exclude:
        body += ("，" if lang == "zh" else ", ") + exclusion_text(q, vocab, lang)
    return _t(lang, f"理解为：{body}", f"Read as: {body}")


def _body(q: MetricQuery, vocab: Any, lang: str) -> str:  # noqa: C901 — one clause per operation
    metrics = ("、" if lang == "zh" else ", ").join(metric_label(m, lang) for m in q.metrics)
    metric = metric_label(q.metrics[0], lang) if q.metrics else ""
    seg = segment_text(q.filters, vocab, lang)
    where = _t(lang, f"{seg} ", f" for {seg}") if seg else ""
    period = as_of(q, vocab, lang) or period_text(q.period, vocab, lang)
    by = dim_text(q.group_by[0], vocab, lang) if q.group_by else ""
    base = base_text(q, vocab, lang)
    top = _top_words(q, lang)
    op = q.operation
    if op == "value":
        return _t(lang, f"{where}{metrics}，{period}", f"{metrics}{where}, {period}")
    if op == "compare":
        if by:
            return _t(lang, f"{where}各{by}{metric}，{period} 对比 {base}", f"{metric} by {by}{where}, {period} vs {base}")
        return _t(lang, f"{where}{metric}，{period} 对比 {base}", f"{metric}{where}, {period} vs {base}")
    if op == "rank":
        if q.grain and not by:
            unit = {"month": ("月份", "month"), "quarter": ("季度", "quarter"), "year": ("年份", "year")}[q.grain]
            return _t(lang, f"{where}{metric}按{unit[0]}排名，{period_span(q, vocab, lang)}，{top}",
                      f"{metric}{where} by {unit[1]}, {period_span(q, vocab, lang)}, {top}")  # fmt: skip
        return _t(lang, f"{where}各{by}{metric}排名，{period}，{top}", f"{metric} by {by}{where}, {period}, {top}")
    if op == "rank_change":
        return _t(
            lang,
            f"{where}各{by}{metric}的变化，{base} → {period}，{top}",
            f"change in {metric} by {by}{where}, {base} → {period}, {top}",
        )
    if op == "share":
        return _share(q, vocab, lang, metric, by, period)
    if op == "breakdown":
        return _t(lang, f"{where}各{by}{metric}，{period}", f"{metric} by {by}{where}, {period}")
    if op == "trend":
        return _t(lang, f"{where}{metric}走势，{period_span(q, vocab, lang)}", f"{metric}{where} over {period_span(q, vocab, lang)}")
    if op == "contribution":
        if q.base == "target":
            return _t(lang, f"{where}各{by}对{metric}目标缺口的贡献，{period}", f"each {by}'s part of the gap between {metric} and target{where}, {period}")  # fmt: skip
        return _t(lang, f"{where}各{by}对{metric}变化的贡献，{base} → {period}，{top}", f"each {by}'s part of the change in {metric}{where}, {base} → {period}, {top}")  # fmt: skip
    if op == "decompose":
        if q.decomposition == "drivers":
            parts = _t(lang, "结单数 × 赢单率 × 平均客单价", "closed deals × win rate × average deal size")
        else:
            parts = _t(lang, "赢单数（单子多少）× 平均客单价（单子大小）", "won deals (fewer or more) × average deal size (smaller or bigger)")  # fmt: skip
        return _t(lang, f"{where}{metric}的变化拆成 {parts}，{base} → {period}", f"change in {metric}{where} split into {parts}, {base} → {period}")  # fmt: skip
    if op == "funnel":
        return _t(lang, f"{where}阶段转化漏斗，{period}", f"stage funnel{where}, {period}")
    if op == "why":
        if q.base == "target":
            return _t(lang, f"{where}{metric}为什么没有达到目标，{period}", f"why {metric}{where} ended where it did against target, {period}")  # fmt: skip
        return _t(lang, f"{where}{metric}为什么变化，{base} → {period}", f"why {metric}{where} changed, {base} → {period}")
    if op == "themes":
        return _t(lang, f"{where}笔记中最常出现的主题，{period}", f"the most frequent themes in the notes{where}, {period}")
    return op


def _top_words(q: MetricQuery, lang: str) -> str:
    if q.n is None and q.operation == "contribution":
        return _t(lang, "全部列出", "every one listed")
    if q.n is None and q.operation == "rank":
        return _t(lang, "从低到高" if q.order == "asc" else "从高到低", "lowest first" if q.order == "asc" else "highest first")
    n = q.n or 1
    if q.operation == "rank_change":
        if q.order == "asc":
            return _t(lang, "降幅最大的在前" if n > 1 else "降幅最大的", "largest drop first" if n > 1 else "the largest drop")
        return _t(lang, "增幅最大的在前" if n > 1 else "增幅最大的", "largest rise first" if n > 1 else "the largest rise")
    if q.order == "asc":
        return _t(lang, f"最低的 {n} 个", f"lowest {n}" if n > 1 else "the lowest")
    return _t(lang, f"最高的 {n} 个", f"top {n}" if n > 1 else "the highest")


def period_span(q: MetricQuery, vocab: Any, lang: str) -> str:
    if not q.periods:
        return ""
    if len(q.periods) == 1:
        return period_text(q.periods[0], vocab, lang)
    return f"{q.periods[0]} → {q.periods[-1]}"


def _share(q: MetricQuery, vocab: Any, lang: str, metric: str, by: str, period: str) -> str:
    if by:
        seg = segment_text(q.filters, vocab, lang)
        where = _t(lang, f"{seg} ", f" in {seg}") if seg else ""
        return _t(lang, f"{where}各{by}占{metric}的比例，{period}", f"each {by}'s share of {metric}{where}, {period}")
    if q.base and q.base not in {"previous", "yoy", "target"}:
        seg = segment_text(q.filters, vocab, lang)
        where = _t(lang, f"{seg} ", f" for {seg}") if seg else ""
        whole = period_text(q.base, vocab, lang)
        return _t(lang, f"{where}{period} 占 {whole} {metric}的比例", f"{period}'s share of {whole} {metric}{where}")
    part_dims = q.part or list(q.filters)
    part = segment_text(q.filters, vocab, lang, only=part_dims)
    context = {d: v for d, v in q.filters.items() if d not in part_dims}
    whole = segment_text(context, vocab, lang) or _t(lang, "全部", "the total")
    return _t(lang, f"{part} 占 {whole} {metric}的比例，{period}", f"{part}'s share of {metric} in {whole}, {period}")
