"""Measure words for the router: the data's own measures (profit, quantity, discount …; `MeasureDef` on the
registry) become metric words, with the aggregation a question asks for.

- The user's header, its plain form, the names in both languages and the dictionary's synonyms
  (knowledge/dictionaries/measures.tsv: 利润/profit, 数量/quantity, 折扣/discount …) name the measure.
- 总/合计/总额/sum/total before or after the word → the sum; 平均/均值/average/mean/avg → the mean; with no
  aggregation word, the measure's default (quantity and profit are summed, a discount or a price averaged).
- margin/利润率/毛利率 next to a profit-like measure (or alone) → Σ profit ÷ Σ amount.

`prepare(vocab)` adds the words to a vocabulary once; `readings(s, drafts, vocab)` offers the other readings
when the measure word is ambiguous (it names two measures) or the aggregation is unclear (a plain number with
no aggregation word): the router then asks back instead of choosing.
"""

from __future__ import annotations

import re

from agent.measures import is_measure_metric, metric_id, parse, register
from fupan.dimensions import MeasureDef
from fupan.query import MetricQuery

_SUM_EN = ("total {w}", "sum of {w}", "total of {w}", "{w} total", "overall {w}", "sum {w}", "{w} sum")
_MEAN_EN = ("average {w}", "avg {w}", "mean {w}", "average of {w}", "mean of {w}", "{w} average", "avg. {w}",
            "average {w} per line", "average {w} per order line", "simple average {w}", "simple avg {w}",
            "simple mean {w}", "unweighted average {w}")  # fmt: skip
_SUM_ZH = ("总{w}", "{w}总额", "{w}合计", "{w}总计", "{w}总和", "合计{w}", "{w}总量", "总{w}额", "{w}之和", "{w}加总")
_MEAN_ZH = ("平均{w}", "{w}平均", "{w}均值", "{w}平均值", "平均的{w}", "{w}的平均值")  # not 平均每单/人均: per order or per
# person is not the mean over the file's rows (order lines), so those words are left for the router to ask about
_MARGIN_EN = ("{w} margin", "{w} margins", "{w} rate", "{w} ratio", "{w} margin rate", "{w} margin %")
_MARGIN_ZH = ("{w}率", "{w}占比")
_MARGIN_ALONE = ("margin", "margins", "profit margin", "gross margin", "利润率", "毛利率", "利润占比", "毛利占比")


# words that name a built-in metric but, beside a measure, only say what is measured ('units … sold', 'days to
# ship for … orders', '卖了多少件'): the measure is the question
_CONTEXT = re.compile(
    r"^(?:sold|sell|sells|selling|best[ -]selling|top[ -]selling|orders?|order lines?|lines?|订单|订单行|卖|卖出|卖了|售出|"
    r"销售|卖得最好|卖得最多|畅销)$"
)


# how a mean or a sum is taken, said beside the measure ('(simple average per line)', '按行简单平均', 'in total'):
# explained by the reading's aggregation
_HOW = {
    "mean": re.compile(
        r"(?:\b(?:simple|plain|unweighted|straight)\s+)?\b(?:average|mean|avg)\b(?:\s+(?:per|over|of)\s+(?:the\s+)?"
        r"(?:order\s+)?lines?\b)?|\b(?:per|over|of)\s+(?:the\s+)?(?:order\s+)?lines?\b(?:\s+\w+)?|\b(?:simple|unweighted)\b|"
        r"简单平均|算术平均|按行平均|逐行平均|平均"
    ),
    "sum": re.compile(r"\b(?:in\s+total|altogether|combined|overall)\b|一共|总共|合计|加起来"),
}


def _is_zh(word: str) -> bool:
    return not word.isascii()


def measure_words(measures: tuple[MeasureDef, ...]) -> dict[str, list[str]]:
    """word (lower case) → the measure metric ids it may name, the most likely first."""
    out: dict[str, list[str]] = {}

    def add(word: str, mid: str) -> None:
        key = word.strip().lower()
        if key and mid not in out.setdefault(key, []):
            out[key].append(mid)

    for m in measures:
        plain = metric_id(m.id, m.aggregation)
        for w in dict.fromkeys(x.strip().lower() for x in (m.header, m.name_zh, m.name_en, *m.words) if x.strip()):
            add(w, plain)
            sums, means, margins = (_SUM_ZH, _MEAN_ZH, _MARGIN_ZH) if _is_zh(w) else (_SUM_EN, _MEAN_EN, _MARGIN_EN)
            for pattern in sums:
                add(pattern.format(w=w), metric_id(m.id, "sum"))
            for pattern in means:
                add(pattern.format(w=w), metric_id(m.id, "mean"))
            if m.margin:
                for pattern in margins:
                    add(pattern.format(w=w), metric_id(m.id, "margin"))
        if m.margin:
            for w in _MARGIN_ALONE:
                add(w, metric_id(m.id, "margin"))
    return out


def prepare(vocab: object) -> None:
    """Add the data's measure words to the vocabulary's metric words (once per vocabulary): they go before the
    built-in words, so 'profit' in data with a Profit column names it rather than the 'no profit data' note."""
    if getattr(vocab, "_measure_words", None) is not None:
        return
    dims = vocab.dims  # type: ignore[attr-defined]
    register(dims)
    words = measure_words(dims.measures)
    vocab._measure_words = words  # type: ignore[attr-defined]
    if not words:
        return
    from agent.router_vocab import _lexicon, _longest_first, load_builtin_words

    pairs = {w: ids[0] for w, ids in words.items()}
    for w, mid in vocab.metric_words:  # type: ignore[attr-defined]
        pairs.setdefault(w, mid)
    vocab.metric_words = _longest_first(pairs.items())  # type: ignore[attr-defined]
    vocab._index = None  # type: ignore[attr-defined]
    vocab.lexicon = _lexicon(vocab, load_builtin_words())  # type: ignore[attr-defined,arg-type]


def _unclear(metric: str, dims: object, words: list[str]) -> list[str]:
    """A plain number measure named with no aggregation word: both readings."""
    parsed = parse(metric)
    if parsed is None:
        return []
    m = next((x for x in dims.measures if x.id == parsed[0]), None)  # type: ignore[attr-defined]
    if m is None or m.unit != "number":
        return []
    plain = {w.strip().lower() for w in (m.header, m.name_zh, m.name_en, *m.words)}
    if any(w.strip().lower() in plain for w in words):
        return [metric_id(m.id, "sum"), metric_id(m.id, "mean")]
    return []


def readings(s: object, drafts: list[MetricQuery], vocab: object) -> list[MetricQuery]:
    """The drafts, with one more reading per other measure an ambiguous word may name, or per aggregation when
    the question names none for a plain number (the router then asks back)."""
    words_map: dict[str, list[str]] = getattr(vocab, "_measure_words", None) or {}
    if not drafts or not words_map:
        return drafts
    first = drafts[0]
    if not any(is_measure_metric(m) for q in drafts for m in q.metrics):
        return drafts
    context = {
        h.what for h in getattr(s, "metrics", [])
        if not is_measure_metric(h.what) and _CONTEXT.match(s.lower[h.start : h.end])  # type: ignore[attr-defined]
    }
    if context and len(first.metrics) > 1:  # 'units of binders sold', 'days to ship for … orders': context words
        kept = [m for m in first.metrics if m not in context]
        drafts = [q.model_copy(update={"metrics": kept}) if q.metrics == first.metrics else q for q in drafts]
        first = drafts[0]
    if context and len(drafts) > 1:  # 'best selling product by units': one reading per metric, the measure's wins
        measured = [q for q in drafts if is_measure_metric(q.metric)]
        if measured and all(q.metric in context for q in drafts if not is_measure_metric(q.metric)):
            drafts = measured
            first = drafts[0]
    if not is_measure_metric(first.metric):
        return drafts
    _mark_how(s, first.metric or "")
    hits = [h for h in getattr(s, "metrics", []) if is_measure_metric(h.what)]
    said = [s.lower[h.start : h.end] for h in hits]  # type: ignore[attr-defined]
    options: list[str] = []
    for word in said:
        options += words_map.get(word, [])
    options += _unclear(first.metric or "", vocab.dims, said)  # type: ignore[attr-defined]
    options = [o for o in dict.fromkeys(options) if o != first.metric]
    if not options:
        return drafts
    extra = [first.model_copy(update={"metrics": [o, *first.metrics[1:]]}) for o in options]
    return [first, *extra][:3] + drafts[1:]


def _mark_how(s: object, metric: str) -> None:
    """Mark the words that say how the measure is aggregated as used, when they agree with the reading."""
    parsed = parse(metric)
    pattern = _HOW.get(parsed[1]) if parsed else None
    if pattern is None:
        return
    for m in pattern.finditer(s.lower):  # type: ignore[attr-defined]
        s.mark(m.start(), m.end())  # type: ignore[attr-defined]
