"""The question router: a question in Chinese or English → how it was read (`Routing`).

1. `router_scan.scan` finds what each word names: periods, values of the data (and the workspace's aliases),
   metric words, dimension words (from the `DimensionRegistry`), operation and direction cues.
2. `compose` builds one typed `MetricQuery` from them (operation, metric, periods, base, filters, group-by,
   order, n) — the same type the engine runs and the LLM fills.
3. Coverage: a content word that no part of the reading explains, a name that is not in the data, a period
   with no data, or two equally good readings (a name in two dimensions, "best" with no metric, Q2 only partly
   in the data) never lead to an answer of a different question: the routing asks back with one to three
   readings (`status="clarify"`) or says what it cannot answer (`status="refuse"`).

A follow-up ("and in the South?", "那华北呢?") fills what it does not say from the previous query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent import router_exclude, router_measures, router_pipeline, router_reasons
from agent.router_compose import compose, how_many_doubt
from agent.router_restate import restate
from agent.router_scan import Scan, ValueHit, detect_language, near_values, scan
from agent.router_vocab import ValueWord, Vocabulary, build_vocabulary
from agent.wording import metric_word
from fupan.messages import say
from fupan.periods import parse_period
from fupan.query import MetricQuery, Reading

__all__ = ["Routing", "Vocabulary", "build_vocabulary", "detect_language", "route"]
Status = Literal["answer", "clarify", "refuse"]
@dataclass
class Routing:
    """The router's verdict: answer `readings[0]`, ask back with `readings`, or refuse with `message`."""

    status: Status
    readings: list[Reading] = field(default_factory=list)
    message: str = ""
    language: str = "zh"

    @property
    def reading(self) -> Reading | None:
        return self.readings[0] if self.readings else None


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def route(
    question: str,
    vocab: Vocabulary,
    *,
    previous: MetricQuery | None = None,
    language: str | None = None,
    default_period: str | None = None,
) -> Routing:
    """Read one question (see the module docstring)."""
    router_measures.prepare(vocab)  # the data's measures (profit, quantity …) as metric words
    s = scan(question, vocab, language)
    lang = s.lang
    _data_words(s, vocab)
    if refusal := _refusal(s, vocab):
        return Routing("refuse", message=refusal, language=lang)
    if s.unknown:
        return _unknown_name(s, vocab, previous, default_period)
    drafts = _data_readings(s, compose(s, vocab, previous=previous, default_period=default_period), vocab)
    if isinstance(drafts, str):
        return Routing("refuse", message=drafts, language=lang)
    if missing := _no_data(drafts[0], vocab, lang):
        return Routing("refuse", message=missing, language=lang)
    drafts = router_measures.readings(s, drafts, vocab)  # another measure or aggregation the words may mean
    how_many_doubt(s, drafts[0])
    readings = [_reading(q, s, vocab) for q in drafts]
    unexplained = _explained_by_header(_explained_by_metric(s.unexplained(), drafts[0]), drafts[0], vocab)
    for r in readings:
        r.unexplained = unexplained
    if len(readings) > 1:
        return Routing("clarify", readings[:3], _t(lang, "这个问题有几种理解：", "This question can be read several ways:"), lang)
    if s.loose and not unexplained:
        word, header = s.loose[0]
        readings[0].confidence = 0.5
        return Routing(
            "clarify",
            readings,
            _t(lang, f"数据中没有叫“{word}”的列，最接近的是“{header}”；是不是想问：",
               f"The data has no column called '{word}'; the closest is '{header}'. Did you mean:"),
            lang,
        )
    for w in unexplained:  # 'won revenue by city' with no city column: said, not answered without the grouping
        if w.lower() in _GRAIN_WORDS:
            continue
        by = re.search(r"(?:\bby|\bper|按|各)\s*(?:the\s+)?(?:(?P<dim>[a-z]+)\s+)?" + re.escape(w) + r"(?![a-z])", s.text, re.I)
        if by and (not by.group("dim") or by.group("dim").lower() in _dim_word_set(vocab)):  # 'by customer city'
            return Routing(
                "refuse",
                message=_t(lang, f"数据中没有“{w}”这一列，无法按它分组。", f"The data has no '{w}' column to group by."),
                language=lang,
            )
    if unexplained:
        readings[0].confidence = 0.5
        words = "、".join(unexplained) if lang == "zh" else ", ".join(f"'{w}'" for w in unexplained)
        return Routing(
            "clarify",
            readings,
            _t(lang, f"没看懂“{words}”；是不是想问：", f"I could not place {words}. Did you mean:"),
            lang,
        )
    return Routing("answer", readings, language=lang)


def _data_words(s: Scan, vocab: Vocabulary) -> None:
    """Words the data's own columns explain: 'right now', 'amounts', 'by stage' of an open-pipeline question;
    '丢单原因' as the loss-reason column (not 'why'), 'price related'."""
    router_pipeline.mark_words(s)
    router_reasons.mark_words(s, "loss_reason" in vocab.dims)


def _data_readings(s: Scan, drafts: list[MetricQuery] | str, vocab: Vocabulary) -> list[MetricQuery] | str:
    """Open deals as of the export; exclusions as `not in`; a loss-reason question counting lost deals."""
    if isinstance(drafts, str):
        return drafts
    drafts = router_pipeline.adjust(s, drafts, vocab)
    if isinstance(drafts, str):
        return drafts
    return [router_reasons.adjust(s, router_exclude.apply(s, q)) for q in drafts]


def _dim_word_set(vocab: Vocabulary) -> set[str]:
    return {w for w, _ in vocab.dim_words}


_GRAIN_WORDS = {"year", "years", "quarter", "quarters", "month", "months", "week", "weeks", "年", "季度", "月", "周"}
_CREATED_METRICS = {"conversion_lead_to_opportunity", "conversion_opportunity_to_order", "pipeline_created"}
_CREATED_WORDS = re.compile(r"^(?:创建的?|新建的?|商机|created|creation|deals?|opportunit(?:y|ies)|opps?|pipeline)$", re.I)


def _explained_by_metric(words: list[str], q: MetricQuery) -> list[str]:
    """'deals created in Q2', '二季度创建的商机': what a created-date metric counts anyway."""
    if q.metric in _CREATED_METRICS:
        return [w for w in words if not _CREATED_WORDS.match(w)]
    return words


def _explained_by_header(words: list[str], q: MetricQuery, vocab: Vocabulary) -> list[str]:
    """'orders shipped first class': a word formed on the header of a column the reading filters or groups by
    (Ship Mode) says that column, which the reading already uses."""
    heads = {
        t
        for d in [*q.filters, *q.group_by, *q.part]
        if d in vocab.dims
        for t in re.findall(r"[a-z]{4,}", (vocab.dims.get(d).header or "").lower())
    }
    return [w for w in words if not any(w.lower().startswith(t) for t in heads)]


def _reading(q: MetricQuery, s: Scan, vocab: Vocabulary) -> Reading:
    return Reading(query=q, restatement=restate(q, vocab), used=_used_words(s))


def _used_words(s: Scan) -> list[str]:
    words, i = [], 0
    while i < len(s.text):
        if s.used[i]:
            j = i
            while j < len(s.text) and s.used[j]:
                j += 1
            piece = s.text[i:j].strip()
            if piece:
                words.append(piece)
            i = j
        else:
            i += 1
    return words


# ---- refusals -----------------------------------------------------------------------------------------------


def _refusal(s: Scan, vocab: Vocabulary) -> str:
    if s.unavailable:
        return s.unavailable
    if not vocab.has_targets and any(h.what in _TARGET_METRICS for h in s.metrics):  # '各销售的业绩目标达成率'
        return _no_data(MetricQuery(metrics=["target"]), vocab, s.lang)
    if not vocab.has_losses and (lost := [h.what for h in s.metrics if h.what in _LOSS_METRICS]):
        return say("ask.no_losses", s.lang, metric=metric_word(lost[0], s.lang))  # order data: a win rate is no figure
    if not vocab.has_losses and (funnel := _FUNNEL_WORDS.search(s.text)):  # 'how many leads did we convert'
        return say("ask.no_losses", s.lang, metric=funnel.group(0))
    return ""


_FUNNEL_WORDS = re.compile(
    r"\b(?:leads?|conver(?:t|ts|ted|sion|sions)|pipeline|funnel|opportunit(?:y|ies)|opps?)\b|线索|转化|商机|漏斗", re.I
)


_LOSS_METRICS = ("win_rate", "lost_deals", "conversion_lead_to_opportunity", "conversion_opportunity_to_order")


def _unknown_name(
    s: Scan, vocab: Vocabulary, previous: MetricQuery | None, default_period: str | None
) -> Routing:
    """A name that is not in the data: offer the close names that are (as readings), or say it is unknown."""
    lang = s.lang
    word, dim = s.unknown[0]
    near = near_values(word, vocab)
    if dim:
        near = [v for v in near if v.dim == dim] or near
    if near:
        readings = []
        for v in near[:3]:
            s2 = _with_value(s, v)
            drafts = compose(s2, vocab, previous=previous, default_period=default_period)
            if isinstance(drafts, list) and drafts and not _no_data(drafts[0], vocab, lang):
                readings.append(_reading(drafts[0], s2, vocab))
        if readings:
            names = "、".join(v.value for v in near[:3]) if lang == "zh" else ", ".join(v.value for v in near[:3])
            return Routing(
                "clarify",
                readings,
                _t(lang, f"数据中没有“{word}”；是不是指 {names}？", f"'{word}' is not in the data; did you mean {names}?"),
                lang,
            )
    known = _known_names_hint(vocab, dim, lang)
    return Routing(
        "refuse",
        message=_t(
            lang,
            f"数据中没有“{word}”{('这个' + vocab.dims.label(dim, 'zh')) if dim in vocab.dims else ''}，无法回答。{known}",
            f"'{word}' is not {('a ' + vocab.dims.label(dim, 'en')) if dim in vocab.dims else 'a name'} in the data, "
            f"so this cannot be answered. {known}",
        ).strip(),
        language=lang,
    )


def _with_value(s: Scan, v: ValueWord) -> Scan:
    from copy import deepcopy

    s2 = deepcopy(s)
    s2.unknown = s2.unknown[1:]
    s2.values.append(ValueHit(len(s2.text), len(s2.text), [v]))
    return s2


def _known_names_hint(vocab: Vocabulary, dim: str, lang: str) -> str:
    if dim and dim in vocab.dims:
        names = vocab.values_of(dim)
        if 0 < len(names) <= 12:
            label = vocab.dims.label(dim, lang)
            return _t(lang, f"数据中的{label}：{'、'.join(names)}。", f"{label.capitalize()}s in the data: {', '.join(names)}.")
    return _t(lang, "请检查拼写，或使用数据中的名称。", "Check the spelling or use a name from the data.")


_TARGET_METRICS = {"target", "gap", "achievement_rate", "pipeline_coverage"}


def _no_data(q: MetricQuery, vocab: Vocabulary, lang: str) -> str:
    """'no data for …' when a period the query needs has no data at all, or it needs targets and there are none."""
    cal = vocab.calendar
    if cal.empty:
        return _t(lang, "工作区里还没有销售数据。", "There is no sales data in the workspace yet.")
    if not vocab.has_targets and (q.base == "target" or _TARGET_METRICS & set(q.metrics)):
        return _t(
            lang,
            "数据中没有目标，无法计算达成率或缺口；请先导入目标表（fupan import targets.csv --kind targets）。",
            "The data has no targets, so achievement and gaps cannot be computed; import a targets file first "
            "(fupan import targets.csv --kind targets).",
        )
    needed = list(q.periods)
    if q.base and q.base not in {"previous", "yoy", "target"}:
        needed.append(q.base)
    for label in needed:
        try:
            p = parse_period(label, cal.fy)
        except Exception:  # noqa: BLE001 — an unreadable label is reported like a missing one
            return _t(lang, f"看不懂期间 {label}。", f"I cannot read the period {label}.")
        if not cal.has_data(p):
            span = f"{cal.first:%Y-%m}..{cal.months[-1]}"
            return _t(lang, f"没有 {label} 的数据；数据覆盖 {span}。", f"There is no data for {label}; the data covers {span}.")
    return ""
