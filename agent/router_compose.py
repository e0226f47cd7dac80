"""The second pass of the router: a `Scan` → the typed `MetricQuery` (or several, when the question can be
read more than one way; or a message saying what is missing).

Rules, in words:
- Operation: funnel, themes, decompose ("fewer deals or smaller deals"), why, contribution ("drove",
  贡献, "split … by"), share (占比, "what %"), rank_change (a rank word and a change word or a base: "largest
  drop"), trend (趋势, a series grain, a range of periods), compare (vs, 对比, 环比, two periods), rank (top,
  最低, "which X … most"), breakdown (by/各/按 + dimension), else value.
- Periods: two periods → the later is the period, the earlier the base; a series grain expands a period into
  its months/quarters/years with data; no period → the latest quarter for comparisons and target figures,
  otherwise all the data.
- Direction: lowest/worst/最低/后N → ascending; for a change, drop/下降 → ascending (largest drop first);
  best/worst flip for metrics where lower is better (sales cycle).
- Ambiguity is never settled silently: a name in two dimensions, "best" or "how are we doing" without a
  metric, a word that names several metrics (转化率), a period named without its year that the data covers
  only partly — each gives one reading per meaning.
"""

from __future__ import annotations

import re
from itertools import product as cartesian

from agent.router_periods import PeriodMention
from agent.router_scan import Scan, ValueHit
from agent.router_vocab import Vocabulary
from agent.wording import metric_word
from fupan.messages import say
from fupan.periods import parse_period
from fupan.query import MetricQuery

_WHO = re.compile(r"\bwho\b|\bwhose\b|谁", re.I)
_WHICH_PERIOD = re.compile(
    r"which\s+(?P<en>month|quarter|year)|哪个月|哪一个月|哪个季度|哪一季度|哪一年|哪年", re.I
)
_CONTEXT_BEFORE = re.compile(r"(?:\bin\s+(?:the\s+)?|\bwithin\s+(?:the\s+)?|在|^)\s*$", re.I)
_CONTEXT_AFTER = re.compile(r"^\s*(?:里|里面|中|内|的.{0,6}(?:里|中))")
_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|same for|那|那么|还有|再看|再看看)|呢\s*[?？]?\s*$", re.I)
_TITLE = re.compile(r"([\u4e00-\u9fff])(?:经理|总监|主管|总)")
_PLURAL = re.compile(
    r"哪些|哪几|\bwhich\s+(?!is\b|was\b|has\b|does\b|this\b|sales\b|series\b|business\b|class\b|status\b|address\b)\w+s\b|\bwho\s+are\b|\b(?:top|bottom)\s+(?:\w+\s+)?\w+s\b(?<!ss)(?<!sales)(?<!status)(?<!class)(?<!business)|几个(?!百分点|点)|几位", re.I
)
_PER_DEAL = re.compile(r"\b(?:per|a|each|every)\s+(?:won\s+|closed\s+|single\s+)?(?:deal|order|opportunity|opp|win|sale|transaction)\b|每(?:一)?[单笔]", re.I)
_LOSS_MAKING = re.compile(r"亏损|亏钱|亏本|赔钱|\blos(?:t|e|es|ing)\s+(?:the\s+most\s+)?money\b|\bbiggest\s+loss(?:es)?\b", re.I)
_AVERAGES = {"avg_deal_size", "sales_cycle_mean"}
_PER = re.compile(r"\bper\s+(?:the\s+)?[a-z]+(?<!s)\b|人均|户均|客均", re.I)


def _per_average(s: Scan, metric: str) -> bool:
    """'sales per customer': an amount per person reads as an average as much as a list by customer."""
    from agent.metrics import REGISTRY

    m = _PER.search(s.text)
    return bool(m) and REGISTRY[metric].aggregation in {"sum", "count"} and not re.search(r"\bby\b|按|各", s.text)


_WHOLE_RANKING = re.compile(
    r"排名|排行|\branking\b|\brank\b|\w+\s+first\b|sorted|ascending|descending|从低到高|从高到低|从小到大|从大到小|升序|降序",
    re.I,
)
_FIRST = re.compile(r"第一|第1|number\s+one|\bno\.?\s*1\b|(?:(?<!lowest )(?<!smallest )(?<!highest )(?<!largest )(?<!biggest )(?<!fewest )(?<!least )(?<!most )(?<!worst )(?<!best ))\bfirst\b", re.I)
_EACH = re.compile(r"各|分别|每个|\beach\b|\bsplit\b|\bby\s+\w+", re.I)
_GROWTH = re.compile(r"增长率|growth\s+rate|\bgrowth\b", re.I)
_MOVED = re.compile(
    r"增长|增加|上升|提升|提高|上涨|涨(?!价)|下降|下滑|降低|减少|降(?!价)|掉(?!单)|跌|回落|"
    r"\b(?:grew|grow(?:s|n|ing)?|rose|rise[sn]?|rising|increas\w*|improv\w*|growth|增速|增幅|降幅|jump\w*|"
    r"drop\w*|fell|fall(?:s|en|ing)?|declin\w*|decreas\w*|shrank|shrunk|shrink\w*)\b",
    re.I,
)
_PCT_CHANGE = re.compile(
    r"(?:增长|下降|增加|减少|上涨|下跌|涨|跌|变化)了?(?:百分之几|百分之多少|多少%|几%|多少个百分比|多少百分比)"
    r"|\b(?:grow|grew|rise|rose|increas|decreas|drop|fell|fall|chang)\w*\s+(?:by\s+)?(?:what|how\s+many)\s+(?:%|percent)",
    re.I,
)
_CLOSED_DEALS = re.compile(r"closed\s+deals|结单数|结单|win\s+rate|赢单率", re.I)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def compose(
    s: Scan, vocab: Vocabulary, *, previous: MetricQuery | None = None, default_period: str | None = None
) -> list[MetricQuery] | str:
    """One query per reading of the question (first = the most likely), or what is missing."""
    lang = s.lang
    _title_names(s, vocab)
    filter_sets = _filter_sets(s, vocab)
    group_sets = _group_sets(s, vocab)
    if isinstance(group_sets, str):
        return group_sets
    period_sets = _period_sets(s, vocab)
    if group_sets == [[]] and len({h.what for h in s.metrics}) >= 2:
        for hit in s.metrics:  # 'orders by deal size': a grouping by a column the data does not have
            by = re.search(r"(?:\bby|\bper|按|各)\s*(?:the\s+)?$", s.text[: hit.start], re.I)
            if by:
                s.doubts.append(s.text[by.start() : hit.end].strip())
    follow = previous if previous is not None and _is_follow_up(s) else None
    metric_sets = [list(follow.metrics)] if follow is not None and not s.metrics else _metric_sets(s, vocab)
    out: list[MetricQuery] = []
    for filters, group_by, periods, metrics in cartesian(filter_sets, group_sets, period_sets, metric_sets):
        q = _one(s, vocab, filters, group_by, periods, metrics, default_period)
        if not isinstance(q, str):
            q = _loss_reason_metric(s, vocab, q)
        if isinstance(q, str):
            return q
        if follow is not None:
            q = _inherit(q, follow, s)
        if q not in out:
            out.append(q)
    if not out:
        return _t(lang, "没看懂这个问题。", "I could not read this question.")
    return out[:3]


# ---- pieces -------------------------------------------------------------------------------------------------


def _reasons_asked(
    s: Scan, vocab: Vocabulary, group_by: list[str], mentions: list[PeriodMention], metrics: list[str]
) -> bool:
    """Why deals were lost, in data that records why: the loss reasons (no change or comparison asked)."""
    if group_by or "loss_reason" not in vocab.dims or metrics != ["lost_deals"] or len(mentions) > 1:
        return False
    return not (s.cue("change") or s.cue("compare") or s.periods.base or "loss_reason" in {h.what for h in s.dims})


_LOSS_OPS = {"value", "breakdown", "rank", "share", "compare", "trend"}


def _loss_reason_metric(s: Scan, vocab: Vocabulary, q: MetricQuery) -> MetricQuery | str:
    """A loss reason is a fact of a lost deal: '丢单原因分布，各多少单' counts lost deals by reason; revenue or a win
    rate split by a loss reason is said to have no meaning, never computed as if it had one."""
    if "loss_reason" not in {*q.filters, *q.group_by, *q.part} or q.metrics == ["lost_deals"]:
        return q
    named = {h.what for h in s.metrics}
    if q.operation in _LOSS_OPS and (not named or named <= {"won_deals", "lost_deals"}):
        return q.model_copy(update={"metrics": ["lost_deals"]})  # 'how many deals by reason': the lost ones
    label = metric_word(q.metrics[0], s.lang) if q.metrics else _t(s.lang, "这个指标", "this figure")
    return say("ask.loss_reason_metric", s.lang, metric=label)


def _title_names(s: Scan, vocab: Vocabulary) -> None:
    """孙经理, 王总: a manager (or rep) named by surname and title, when the surname picks exactly one name."""
    for m in _TITLE.finditer(s.text):
        if not s.free(m.start(), m.start() + 1):
            continue
        for dim in ("manager", "rep"):
            names = [v for v in vocab.values if v.dim == dim and v.origin == "data" and v.value.startswith(m.group(1))]
            if len({v.value for v in names}) == 1:
                s.values.append(ValueHit(m.start(), m.end(), [names[0]]))
                s.values.sort(key=lambda h: h.start)
                s.mark(m.start(), m.end())
                break


def _primary_dims(hit: ValueHit, vocab: Vocabulary) -> list[str]:
    """The dimensions a name is read in: a side table's attribute (an account's region) only when no column of
    the data itself has the name."""
    dims = hit.dims
    own = [d for d in dims if d not in vocab.dims or vocab.dims.get(d).origin != "attribute"]
    return own or dims


def _filter_sets(s: Scan, vocab: Vocabulary) -> list[dict[str, list[str]]]:
    """Filters; a name found in several dimensions gives one set per dimension."""
    sets: list[dict[str, list[str]]] = [{}]
    for hit in s.values:
        options = []
        dims = _primary_dims(hit, vocab)
        named = [h.what for h in s.dims if _adjacent(s, hit.end, h.start) or _adjacent(s, h.end, hit.start)]
        for dim in [d for d in dims if d in named] or dims:  # 'Japan区域': the territory, not the country
            value = next(c.value for c in hit.candidates if c.dim == dim)
            options.append((dim, value))
        grown = []
        for base in sets:
            for dim, value in options:
                f = {k: list(v) for k, v in base.items()}
                if value not in f.setdefault(dim, []):
                    f[dim].append(value)
                grown.append(f)
        sets = grown[:3]
    return sets


def _adjacent(s: Scan, a_end: int, b_start: int) -> bool:
    gap = s.text[a_end:b_start]
    return bool(re.fullmatch(r"\s*(?:的|the|\(|（|=|:|：)?\s*", gap, re.I))


def _qualifies(s: Scan, dim_hit: object, values: list[ValueHit], vocab: Vocabulary | None = None) -> bool:
    """'华东区域', 'the East region', 'product DataHub', 'X团队': a dimension word that names a value's dimension;
    'technology-sector accounts': the dimension a value's side-table attribute describes."""
    for v in values:
        if vocab is not None and any(
            d in vocab.dims and vocab.dims.get(d).key == dim_hit.what for d in v.dims  # type: ignore[attr-defined]
        ) and 0 <= dim_hit.start - v.end <= 12:  # type: ignore[attr-defined]
            return True
        if dim_hit.what not in v.dims:  # type: ignore[attr-defined]
            continue
        if _adjacent(s, v.end, dim_hit.start) or _adjacent(s, dim_hit.end, v.start):  # type: ignore[attr-defined]
            return True
    return False


_BY_BEFORE = re.compile(
    r"(?:\bby|\bper|\beach|\bevery|\bacross|\bamong|\bwhich|\bwhat|\bwhose|\btop\s*\d*|\bbottom\s*\d*|"
    r"\b\d+|按|各个?|每个?|每一个|分|哪个|哪些|哪位|哪几个|哪几位|哪一个|不同|前\s*\S?|后\s*\S?|几个|几位)\s*(?:the\s+)?$",
    re.I,
)
_BY_AFTER = re.compile(r"^\s*(?:是谁|是哪|里|中|之中|谁|分别|排名|各|排行|(?P<spread>的?(?:分布|构成)))")


def _names_a_party(s: Scan, hit: object) -> bool:
    """'法国客户', 'France customers', '华东销售': a dimension word right after a name says whose figures they
    are; the name is the filter."""
    if _by_context(s, hit):
        return False
    return any(_adjacent(s, v.end, hit.start) for v in s.values)  # type: ignore[attr-defined]


def _by_context(s: Scan, hit: object) -> bool:
    """'by region', '各区域', 'which reps', 'top 5 customers', '赢单率最低的销售' (after a rank word)."""
    if re.match(r"(?:每|各|each\b|per\b|every\b)", s.text[hit.start : hit.end], re.I):  # type: ignore[attr-defined]
        return True
    if any("manager" in v.dims and re.fullmatch(r"(?:'s|’s)\s*", s.text[v.end : hit.start]) for v in s.values):  # type: ignore[attr-defined]
        return True  # "Summer Sewald's reps": the manager's team, member by member
    before = s.text[max(0, hit.start - 16) : hit.start]  # type: ignore[attr-defined]
    after = s.text[hit.end : hit.end + 6]  # type: ignore[attr-defined]
    if _BY_BEFORE.search(before) or _BY_AFTER.search(after):
        return True
    ranked = s.cues.get("rank", []) + s.cues.get("held_up", [])
    return any(0 <= hit.start - r.end <= 12 or 0 <= r.start - hit.end <= 12 for r in ranked)  # type: ignore[attr-defined]


def _group_sets(s: Scan, vocab: Vocabulary) -> list[list[str]] | str:
    free = []
    team = s.cue("team")
    for hit in s.dims:
        if _qualifies(s, hit, s.values, vocab) or _names_a_party(s, hit):
            continue
        if not _by_context(s, hit):
            if not (team and hit.what == "manager"):
                s.unmark(hit.start, hit.end)  # a dimension word that neither groups nor qualifies: unexplained
            continue
        if spread := _BY_AFTER.match(s.text[hit.end :]):
            if spread.group("spread"):  # '丢单原因分布', '区域构成': the split itself
                s.mark(hit.end + spread.start("spread"), hit.end + spread.end("spread"))
        if hit.what not in free:
            free.append(hit.what)
            word = s.lower[hit.start : hit.end]
            own = any(h.what == hit.what and not _loose_header(vocab, h.what, s.lower[h.start : h.end]) for h in s.dims)
            if (header := _loose_header(vocab, hit.what, word)) and not own:  # 'product categories': the header says it
                s.loose.append((s.text[hit.start : hit.end], header))
        for other in vocab.dim_alternatives.get(s.lower[hit.start : hit.end], []):
            if other not in free:
                free.append(other)
    named_manager = any("manager" in v.dims for v in s.values)
    mgr_words = [h for h in s.dims if h.what == "manager"]
    if team and mgr_words and not named_manager and s.values and "manager" not in free and vocab.values_of("manager"):
        free.append("manager")  # '东区经理的团队': which manager is not said; each manager there is offered
        s.doubts.append(s.text[mgr_words[0].start : mgr_words[0].end])
    absent = [d for d in free if d in vocab.dims and not vocab.values_of(d)]
    if absent and len(absent) == len(free):
        label = vocab.dims.label(absent[0], s.lang)
        return _t(s.lang, f"数据中没有“{label}”这一列，无法按它分组。", f"The data has no {label} column to group by.")
    free = [d for d in free if d not in absent]
    team_value = any("manager" in v.dims for v in s.values) and s.cue("team")
    if team_value and "manager" in free:
        free.remove("manager")
    if len(free) <= 1:
        return [free]
    return [[d] for d in free[:3]]


# What a built-in dimension's generic words mean: a header with none of these in it ('Category' for the
# product dimension) is the user's own column, and a generic word for it is a guess to confirm, not to answer.
_CONCEPT = {
    "region": ("region", "territor", "area", "zone", "district", "office", "区域", "地区", "大区", "片区", "区", "办公室", "办事处"),
    "product": ("product", "item", "sku", "article", "产品", "商品", "货品"),
    "account": ("customer", "account", "client", "company", "buyer", "客户", "公司"),
    "rep": ("rep", "owner", "sales", "agent", "seller", "负责", "销售", "业务"),
    "manager": ("manager", "lead", "head", "经理", "主管", "负责"),
    "lead_source": ("source", "channel", "来源", "渠道"),
}


def _loose_header(vocab: Vocabulary, dim: str, word: str) -> str:
    """The user's header when `word` is a built-in word for `dim` that the header does not say ('product' for
    a column named Category): the reading is offered, not answered."""
    if dim not in vocab.dims or dim not in _CONCEPT:
        return ""
    d = vocab.dims.get(dim)
    header = (d.header or "").strip()
    if not header or d.origin != "core":
        return ""
    low = header.lower()
    if any(c in low for c in _CONCEPT[dim]):
        return ""
    from agent.router_vocab import word_variants

    if word == low or word in word_variants(header):
        return ""
    if any(c in word for c in _CONCEPT[dim]):
        return header
    return ""


def _year_context(mentions: list[PeriodMention], share: bool) -> list[PeriodMention]:
    """'2017年上海分公司四季度比三季度', '2017: Q4 vs Q3 for West': a year said once, apart from the quarters,
    months or halves named without one, is their year (not a third period to compare)."""
    years = [m for m in mentions if m.kind == "explicit" and len(m.labels) == 1 and re.fullmatch(r"\d{4}", m.labels[0])]
    implicit = [m for m in mentions if m.kind == "implicit"]
    if not years and len(implicit) == 1 and len(mentions) == 2:
        return _before_the_named(mentions, implicit[0])
    if len(years) != 1 or not implicit or len(implicit) + 1 != len(mentions):
        return mentions
    if share and len(implicit) == 1:
        return mentions  # 'share of 2004 sales in Q4': the quarter's share of the year
    year = years[0].labels[0]
    out = []
    for m in implicit:
        label = year + m.labels[0][4:]
        out.append(PeriodMention(m.start, m.end, [label], "explicit"))
    return out


def _before_the_named(mentions: list[PeriodMention], bare: PeriodMention) -> list[PeriodMention]:
    """'2004下半年比上半年', 'Dec 2019 vs Nov', 'Q4 vs Q3 2023': a half, quarter or month named without its year,
    beside one named with it, is of that year ('Q1 2005 vs Q4', no 2005Q4 in the data: the year before)."""
    named = next(m for m in mentions if m is not bare)
    label, own = named.labels[0] if len(named.labels) == 1 else "", bare.labels[0]
    shape = re.fullmatch(r"(\d{4})(H[12]|Q[1-4]|-\d{2})", label)
    if named.kind != "explicit" or not shape or not re.fullmatch(r"\d{4}" + shape.group(2)[0] + r"\d+", own):
        return mentions
    year, suffix = int(shape.group(1)), own[4:]
    if f"{year}{suffix}" not in bare.readings and f"{year - 1}{suffix}" in bare.readings:
        year -= 1  # 'Q1 2005 vs Q4' with no 2005Q4 in the data: the Q4 before
    elif f"{year}{suffix}" not in bare.readings:
        return mentions
    fixed = PeriodMention(bare.start, bare.end, [f"{year}{suffix}"], "explicit")
    return [fixed if m is bare else m for m in mentions]


def _period_sets(s: Scan, vocab: Vocabulary) -> list[list[PeriodMention]]:
    s.periods.mentions = _year_context(s.periods.mentions, s.cue("share"))
    mentions = s.periods.mentions
    if pair := _pair_span(s, vocab, mentions):
        return [mentions, pair]  # '7月和8月华东的赢单金额': the two side by side, or the two together? asked
    branching = [m for m in mentions if m.kind == "implicit" and len(m.readings) > 1]
    if not branching:
        return [mentions]
    first = branching[0]
    out = []
    for label in first.readings[:2]:
        out.append([m if m is not first else PeriodMention(m.start, m.end, [label], "explicit") for m in mentions])
    return out


_OP_CUES = ("compare", "change", "trend", "why", "contribution", "share", "rank", "held_up", "target", "how")


def _pair_span(s: Scan, vocab: Vocabulary, mentions: list[PeriodMention]) -> list[PeriodMention] | None:
    """Two adjacent periods joined by 'and'/和 with no word saying what to do with them (no vs, 一共, change,
    rank): the span of both, offered beside the comparison (a comparison alone would report one of them)."""
    named = [m for m in mentions if m.kind not in {"range", "all"}]
    labels = [label for m in named for label in m.labels]
    if len(labels) != 2 or len(named) != 2 or s.periods.base or _TOTAL.search(s.text) or s.periods.grain:
        return None
    if any(s.cue(c) for c in _OP_CUES) or not _BOTH.fullmatch(s.text[named[0].end : named[1].start].strip()):
        return None
    try:
        a, b = sorted((parse_period(x, vocab.calendar.fy) for x in labels), key=lambda p: p.start)
    except Exception:  # noqa: BLE001 — an unreadable label is reported later
        return None
    if a.end != b.start:
        return None
    span = f"{a.start:%Y-%m}..{_month_before(b.end):%Y-%m}"
    return [PeriodMention(named[0].start, named[1].end, [span], "range")]


def _metric_sets(s: Scan, vocab: Vocabulary) -> list[list[str]]:
    """The metric(s) asked for; with none named, one reading per likely metric (never a silent default)."""
    found = _without_context(s, list(dict.fromkeys(h.what for h in s.metrics)))
    found = _amount_of_count(s, found)
    found = _customer_qualifier(s, found)
    if "target" in found and _MISS_BEAT.search(s.text):  # 'missed its Q3 target by the most': the gap, not the target
        found = list(dict.fromkeys("gap" if m == "target" else m for m in found))
    if found and set(found) <= {"achievement_rate", "gap", "target"} and (m := _HOW_FAR.search(s.text)):
        s.mark(m.start(), m.end())  # 'how far did East miss its target', '差得最多': an amount away from target
        found = ["gap"]
    if found == ["won_revenue"]:
        for m in _PER_DEAL.finditer(s.text):  # 'how much revenue does each deal bring', '每单赢单金额'
            if s.free(m.start(), m.end()):
                s.mark(m.start(), m.end())
                found = ["avg_deal_size"]
                _mark_word(s, r"\baverage\b|\bavg\b|\bmean\b|平均")  # 'average sales per order': the same average
    for hit in s.metrics:  # 'ARR', 'ACV': read as the deals' amount, which the user confirms (the amount column
        word = s.lower[hit.start : hit.end]  # may hold another figure)
        if hit.what == "won_revenue" and _RECURRING.fullmatch(word):
            s.doubts.append(s.text[hit.start : hit.end])
    if not found and (loss := _LOSS_MAKING.search(s.text)) and s.cue("rank"):
        margins = [m.id for m in vocab.dims.measures if m.margin]
        if len(margins) == 1:  # '哪个子类别亏损最多', 'which state lost the most money': the lowest profit
            s.mark(loss.start(), loss.end())
            found = [f"{margins[0]}__sum"]
    for hit in [h for h in s.metrics if h.what == "avg_deal_size"]:  # '平均每单利润': profit per order is neither
        if any("__" in m.what and not s.text[hit.end : m.start].strip(" 的") for m in s.metrics):  # the order size
            s.doubts.append(s.text[hit.start : hit.end])  # beside the profit nor the mean over order lines
    if "sales_cycle_median" in found and (avg := re.search(r"\b(?:average|avg|mean)\b|平均", s.text, re.I)):
        found = ["sales_cycle_mean" if m == "sales_cycle_median" else m for m in found]  # 'avg cycle time': the mean
        s.mark(avg.start(), avg.end())
    if found and all(m in _AVERAGES or m.endswith("__mean") for m in found):
        _mark_word(s, r"\baverage\b|\bavg\b|\bmean\b|平均")  # 'average sales per order': the metric is the average
    if found and set(found) <= {"won_deals", "won_revenue", "won_customers", "avg_deal_size"}:
        _mark_word(s, _WIN_VERB.pattern)  # 'how many won deals did Central close': the verb the metric says
    if found == ["lost_deals"]:
        _mark_word(s, _LOSE_VERB.pattern)
    if found:
        if len(found) > 1 and not _value_like(s):
            return [[m] for m in found[:3]]  # several metrics for a list: one reading each, none dropped
        return [found]
    if s.cue("funnel"):
        _mark_word(s, r"转化率|conversion(?:\s+rates?)?")
        return [[]]
    if deal_metric := _deal_verb(s):
        return [[deal_metric]]
    if (how := re.search(r"\bhow\s+much\b", s.text, re.I)) and (verb := _WIN_VERB.search(s.text)):
        s.mark(how.start(), how.end())  # 'how much did Gladys close in Q2': the amount won
        s.mark(verb.start(), verb.end())
        return [["won_revenue"]]
    for word, metrics in _AMBIGUOUS.items():
        if re.search(word, s.lower):
            _mark_word(s, word)
            return [[m] for m in metrics if m != "win_rate" or vocab.has_losses]
    if any(s.cue(c) for c in ("funnel", "themes", "decompose", "why", "target")):
        return [[]]
    if not vocab.has_losses and (s.dims or s.values or s.periods.periods or any(s.cue(c) for c in _OP_CUES)):
        return [["won_revenue"]]  # order data (every row a sale), no figure named: 'EMEA 2004 vs 2003' is sales
    if s.cue("how") and not s.cue("rank"):
        return [["__how__"]]
    if s.cue("contribution") or (s.cue("change") and (s.cue("rank") or s.cue("held_up"))):
        return [["won_revenue"]]  # who drove / grew the most, with no metric named: revenue
    if s.cue("compare") or len(s.periods.periods) >= 2 or s.periods.base:
        return [["won_revenue"], ["won_deals"]]  # in a CRM export: which figure? asked, revenue first
    if s.cue("rank") or s.cue("change") or _GROWTH.search(s.text) or _WHO.search(s.text):
        _mark_word(s, _GROWTH.pattern)
        options = ["won_revenue", "win_rate", "won_deals"] if vocab.has_losses else ["won_revenue", "won_deals"]
        if not s.cue("rank") and not _WHO.search(s.text):
            options = ["won_revenue", "won_deals"]
        return [[m] for m in options]
    return [[]]


_ACHIEVED = re.compile(
    r"完成了?多少|达成了?多少|完成得|(?:完成|达成)(?:情况|度|率|比例|进度)|\b(?:achieved|attained|met|hit)\b", re.I
)  # '各区域目标完成情况': how much of the target was met, never the target itself
_DEAL_WORDS = re.compile(r"\b(?:deals?|orders?)\b|单子?", re.I)
_WIN_VERB = re.compile(r"\b(?:win|won|close|closed|sign|signed)\b|赢|签|订(?!单)|下单", re.I)
_LOSE_VERB = re.compile(r"\b(?:lose|lost)\b|丢|输", re.I)


def _deal_verb(s: Scan) -> str | None:
    """'how many deals did 王芳 win', '王芳赢了几单': won (or lost) deals, the name between the words."""
    if not _DEAL_WORDS.search(s.text):
        return None
    metric = "won_deals" if _WIN_VERB.search(s.text) else ("lost_deals" if _LOSE_VERB.search(s.text) else None)
    if metric:
        for pattern in (_DEAL_WORDS, _WIN_VERB if metric == "won_deals" else _LOSE_VERB):
            _mark_word(s, pattern.pattern)
    return metric


def _without_context(s: Scan, found: list[str]) -> list[str]:
    """Metric words that only set the scene: 'target' beside achievement or gap, 'won deals' in 'the cycle of
    won deals' / '赢单的周期'."""
    if len(found) < 2:
        return found
    if {"gap", "achievement_rate"} & set(found):
        found = [m for m in found if m != "target"]
    if "won_customers" in found and set(found) == {"won_customers", "won_deals"}:
        found = ["won_customers"]  # '有赢单的客户有多少家', 'customers with won deals': customers won
    if "won_customers" in found and len(found) > 1:  # 'how many customers churned': the other metric says which
        found = [m for m in found if m != "won_customers"]
    for hit in s.metrics:  # '赢单销售周期', 'won deal size': won/lost right before another metric word qualifies it
        nxt = [h for h in s.metrics if h.start >= hit.end and not s.text[hit.end : h.start].strip(" 的")]
        if hit.what in {"won_deals", "lost_deals"} and nxt and nxt[0].what != hit.what and len(found) > 1:
            found = [m for m in found if m != hit.what]
    for hit in s.metrics:
        if hit.what in {"won_deals", "lost_deals"} and len(found) > 1:
            before, after = s.text[: hit.start], s.text[hit.end :]
            if re.search(r"\b(?:of|for|among|on)\s+(?:the\s+)?$", before, re.I) or re.match(r"\s*的", after):
                found = [m for m in found if m != hit.what]
    return found


_MISS_BEAT = re.compile(
    r"\b(?:miss(?:ed|es|ing)?|fell\s+short|short\s+of|beat(?:s|en)?|exceed(?:ed|s)?|surpass(?:ed)?|overshot)\b"
    r"|没完成|未完成|没达到|未达到|没达成|未达成|超额|超出|超过了?目标",
    re.I,
)
_HOW_FAR = re.compile(r"\bhow\s+far\b|\bby\s+how\s+much\b|\bhow\s+much\s+(?:short|over|above|below)\b|差得?最多|差了?多少|差距最大", re.I)
_SIDE_BY_SIDE = re.compile(
    r"\bvs\.?|\bversus\b|\bcompar\w*|\bagainst\b|\bwhich\s+(?:is|was|one|did|had)\b|\bbetween\b|对比|比较|相比|哪个.{0,4}?(?:更|高|低|多|少|好|差)|谁.{0,4}?(?:更|高|低|多|少|好|差)",
    re.I,
)
_RECURRING = re.compile(r"arr|acv|tcv|annual recurring revenue|annual contract value|total contract value")
_AMOUNT_WORD = re.compile(r"\b(?:value|values|amount|amounts|worth|dollars?|usd|\$)(?![a-z])|\$|金额|价值|多少钱|总额", re.I)


_CUSTOMER_METRICS = {"new_customers", "won_customers", "churned_customers"}


def _customer_qualifier(s: Scan, found: list[str]) -> list[str]:
    """'win rate of new accounts', 'revenue from new customers', '新客户的赢单金额': a customer group named beside
    another metric says whose figure it is — a segment Fupan cannot filter by yet. The other metric is kept and
    the group stays a doubt (asked back), never answered as the company's figure plus a count of customers."""
    if len(found) < 2 or not (_CUSTOMER_METRICS & set(found)) or not (set(found) - _CUSTOMER_METRICS):
        return found
    for hit in s.metrics:
        if hit.what not in _CUSTOMER_METRICS:
            continue
        before, after = s.text[: hit.start], s.text[hit.end :]
        if re.search(r"\b(?:of|for|among|from|by|with|to)\s+(?:the\s+|our\s+)?$|来自|从$", before, re.I) or re.match(
            r"\s*的", after
        ):
            s.doubts.append(s.text[hit.start : hit.end])
            found = [m for m in found if m != hit.what]
    return found


def _amount_of_count(s: Scan, found: list[str]) -> list[str]:
    """'total closed won value', 'won deals worth', '赢单的金额': an amount word beside a count of deals asks for
    their amount — won revenue for won deals; for lost deals no amount metric exists, so the word stays a doubt
    (asked back, never answered as a count)."""
    if not found or any(m not in {"won_deals", "lost_deals"} for m in found):
        return found
    for m in _AMOUNT_WORD.finditer(s.lower):
        if not s.free(m.start(), m.end()):
            continue
        if found == ["won_deals"]:
            s.mark(m.start(), m.end())
            return ["won_revenue"]
        s.doubts.append(s.text[m.start() : m.end()])
    return found


def _value_like(s: Scan) -> bool:
    """Several metrics are asked side by side only in a plain value question."""
    return not (s.dims or any(s.cue(c) for c in ("rank", "share", "trend", "contribution", "compare", "held_up")))


_AMBIGUOUS = {
    r"转化率|conversion(?:\s+rate)?": ["win_rate", "conversion_lead_to_opportunity", "conversion_opportunity_to_order"],
}


def _mark_word(s: Scan, pattern: str, start: int = 0) -> None:
    for m in re.compile(pattern, re.I).finditer(s.lower, start):
        s.mark(m.start(), m.end())


def _operation(s: Scan, group_by: list[str], periods: list[PeriodMention], grain: str | None) -> str:
    two_periods = sum(len(m.labels) for m in periods if m.kind != "range") >= 2
    has_base = bool(s.periods.base) or two_periods
    if s.cue("funnel"):
        return "funnel"
    if s.cue("themes"):
        return "themes"
    if s.cue("decompose"):
        return "decompose"
    if s.cue("why"):
        return "why"
    ranked = s.cue("rank") or s.cue("held_up")
    moved = has_base or s.cue("change") or s.cue("target") or s.cue("compare")
    if s.cue("contribution") and (group_by or s.cue("target")) and moved:
        return "contribution"
    if s.cue("contribution") and group_by and not moved:  # 贡献最大的销售, 主要来自哪个渠道: who brought the most
        return "rank"
    if _PCT_CHANGE.search(s.text) and has_base:
        return "compare"  # '11月相比10月增长了百分之几': the change in percent
    if s.cue("share"):
        return "share"
    if ranked and (s.cue("change") or s.cue("held_up")) and (has_base or s.cue("compare")):
        return "rank_change"
    if ranked and _MOVED.search(s.text):
        return "rank_change"  # 'which country grew the most in 2004', '增长最多的销售': against the period before
    if _WHICH_PERIOD.search(s.text) and ranked:
        return "rank"
    series = grain or s.periods.last_n or any(m.kind == "range" and len(m.labels) > 1 for m in periods)
    if s.cue("trend") or (series and not ranked):
        return "trend"
    target_metric = bool(s.metrics) and s.metrics[0].what in {"gap", "achievement_rate"}
    if has_base or (s.cue("compare") and not target_metric) or (s.cue("change") and not ranked and not group_by):
        return "compare"
    if ranked or _WHO.search(s.text):
        return "rank"
    if group_by:
        return "breakdown"
    return "value"


def _one(
    s: Scan,
    vocab: Vocabulary,
    filters: dict[str, list[str]],
    group_by: list[str],
    mentions: list[PeriodMention],
    metrics: list[str],
    default_period: str | None,
) -> MetricQuery | str:
    lang = s.lang
    grain: str | None = s.periods.grain
    which = _WHICH_PERIOD.search(s.text)
    if which:
        grain = {"month": "month", "quarter": "quarter", "year": "year"}.get(
            (which.group("en") or "").lower(), "month" if "月" in which.group(0) else ("year" if "年" in which.group(0) else "quarter")
        )
        s.mark(which.start(), which.end())
    mentions = _combined(s, vocab, mentions)
    if vocab.calendar.fy == 1 and (fiscal := _FISCAL.search(s.text)) and mentions:
        s.doubts.append(fiscal.group(0))  # '2017财年上半年': no fiscal year start is set, the calendar year is a guess
    for m in _UP_TO.finditer(s.text):  # '截至2017年10月的赢单金额': through October, or October alone? asked back
        if any(0 <= p.start - m.end() <= 1 and p.kind != "relative" for p in mentions) and s.free(m.start(), m.end()):
            s.doubts.append(m.group(0).strip())
    other_date = _OTHER_DATE.search(s.text)
    if other_date and not set(metrics) & {"pipeline_created", "conversion_lead_to_opportunity",
                                          "conversion_opportunity_to_order", "new_customers"}:
        s.doubts.append(other_date.group(0).strip())  # 'won revenue for deals engaged in 2017': not the close date
    op = _operation(s, group_by, mentions, grain)
    if op == "why" and _reasons_asked(s, vocab, group_by, mentions, metrics):
        op, group_by = "breakdown", ["loss_reason"]  # '三季度华东丢单主要是什么原因': the recorded reasons
    multi = [d for d, v in filters.items() if len(v) > 1]
    one_period = sum(len(m.labels) for m in mentions if m.kind != "range") <= 1 and not s.periods.base
    side = _SIDE_BY_SIDE.search(s.text)
    if len(multi) == 1 and not group_by and op in {"value", "compare"} and one_period and side:
        op, group_by = "breakdown", multi  # 'GTX Basic vs GTX Plus Basic win rate in 2017': the two side by side
        s.cues.pop("compare", None)
        for m in re.finditer(r"(?:好|高|低|多|少|差)(?=[?？。]?\s*$)", s.text[side.start() :]):
            s.mark(side.start() + m.start(), side.start() + m.end())  # '哪个卖得好': which of the two, shown
    team = any("manager" in v.dims for v in s.values) and s.cue("team")
    members = op in {"rank", "breakdown", "rank_change", "contribution"} or bool(
        _EACH.search(s.text) or _WHO.search(s.text) or re.search(r"\bwhich\b|哪", s.text, re.I)
    )  # 'X's team's share of revenue' is the team against the company; 'each rep's share in X's team' splits it
    if team and not group_by and members and op in {"rank", "breakdown", "rank_change", "compare", "contribution", "share"}:
        group_by = ["rep"] if "rep" in vocab.dims else group_by
    if op == "rank" and not group_by and not grain and (noun := _GRAIN_NOUN.search(s.text)):
        grain = "month" if noun.group(0).lower().startswith(("month", "月")) else "quarter"  # 'worst month of 2017'
        s.mark(noun.start(), noun.end())
    if op in {"rank", "rank_change", "contribution"} and not group_by and not grain:
        if _WHO.search(s.text) and "rep" in vocab.dims and vocab.values_of("rep"):
            group_by = ["rep"]
        elif op != "contribution":
            return _t(lang, "请说明要按什么排名（例如按销售、区域或产品）。", "Rank by what — reps, regions, products?")
    if op == "contribution" and not group_by:
        op = "why"
    if metrics == ["__how__"]:
        metrics = ["won_revenue"]
        targeted = all(d in vocab.target_dims for d in filters)
        if vocab.has_targets and op == "value" and not group_by and targeted:
            op = "compare"
            s.cues.setdefault("target", [])
            base_target = True
        else:
            base_target = False
    else:
        base_target = False
    metric_list = _resolve_metrics(s, vocab, op, metrics)
    if isinstance(metric_list, str):
        return metric_list
    if op == "breakdown" and metric_list and _per_average(s, metric_list[0]):
        s.doubts.append(_PER.search(s.text).group(0))  # type: ignore[union-attr]
    for m in _PER_DEAL.finditer(s.text):  # 'revenue per deal' that no metric word took: an average, not the sum
        if s.free(m.start(), m.end()) and m.group(0) not in s.doubts:
            s.doubts.append(m.group(0))
    periods, base = _resolve_periods(s, vocab, op, mentions, grain, default_period, metric_list)
    if op in {"compare", "rank_change"} and base is None:
        base = "previous"
    if op in {"compare", "decompose", "why", "contribution"} and (than := re.search(r"比|相比|对比", s.text)):
        _mark_word(s, r"(?<=[\u4e00-\u9fff\d])更?(?:高|低|好|差)(?=[了吗么呢些\s?？。，,]|$)", than.end())  # '比10月高吗': which way
    if op in {"decompose", "why", "contribution"} and base is None:
        base = "target" if s.cue("target") and op != "decompose" else "previous"
    if op in {"compare", "contribution"} and s.cue("target") and base in {None, "previous"} and not s.periods.base:
        if metric_list and metric_list[0] in {"won_revenue", "gap", "achievement_rate", "target"}:
            base = "target" if len(periods) <= 1 else base
    if base_target and (base is None or base == "previous") and not s.periods.base:
        base = "target"
    if op == "trend" and group_by:  # the engine's series has no split: never drop 'by region' silently
        if not s.cue("trend") and not s.periods.grain and len(periods) > 1 and not vocab.calendar.empty:
            first, last = parse_period(periods[0], vocab.calendar.fy), parse_period(periods[-1], vocab.calendar.fy)
            op, periods = "breakdown", [f"{first.start:%Y-%m}..{_month_before(last.end):%Y-%m}"]  # type: ignore[str-format]
        else:
            label = vocab.dims.label(group_by[0], lang) if group_by[0] in vocab.dims else group_by[0]
            return _t(
                lang,
                f"暂不支持按{label}拆开的走势；可以问某一个{label}的走势，或这段时间各{label}的数字。",
                f"A trend split by {label} is not supported yet; ask for one {label}'s trend, or the figures by "
                f"{label} over the whole span.",
            )
    if op == "share" and s.periods.grain:
        s.doubts.append(s.periods.grain)  # 'share of sales by year': one share per year is not computed yet
    if op != "share" and base and base not in {"previous", "yoy", "target"} and periods and _overlap(vocab, periods[0], base):
        return _t(lang, "看不出要比较哪两个期间（两个期间有重叠）。", "I could not tell which two periods to compare (they overlap).")
    order, n = _order(s, op, metric_list)
    part: list[str] = []
    if op == "share" and not group_by:
        part = _share_part(s, filters)
    q = MetricQuery(
        operation=op,  # type: ignore[arg-type]
        metrics=metric_list,
        periods=periods,
        base=base,
        filters=filters,
        group_by=group_by,
        order=order,  # type: ignore[arg-type]
        n=n,
        grain=grain if op in {"trend", "rank"} and grain else None,  # type: ignore[arg-type]
        decomposition=_decomposition(s, op),
        part=part,
        language=lang,  # type: ignore[arg-type]
    )
    if op == "share" and base and base not in {"previous", "yoy", "target"}:
        q = q.model_copy(update={"part": []})
    return q


def _overlap(vocab: Vocabulary, a: str, b: str) -> bool:
    try:
        pa, pb = parse_period(a, vocab.calendar.fy), parse_period(b, vocab.calendar.fy)
    except Exception:  # noqa: BLE001 — an unreadable label is reported later
        return False
    return pa.start < pb.end and pb.start < pa.end


def _resolve_metrics(s: Scan, vocab: Vocabulary, op: str, metrics: list[str]) -> list[str] | str:
    lang = s.lang
    if op in {"funnel", "themes"}:
        return metrics[:1] if op == "funnel" and metrics else []
    if op == "decompose":
        return ["won_revenue"]
    if metrics:
        if op == "why" and metrics[0] in {"target", "gap", "achievement_rate"}:
            return ["won_revenue"]
        if op in {"contribution"} and metrics[0] in {"target", "achievement_rate", "gap"}:
            return ["won_revenue"]
        if op == "compare" and metrics[0] == "target" and s.cue("target"):
            return ["won_revenue"]  # 'how are we tracking against quota': revenue against the target
        if metrics[0] == "target" and (done := _ACHIEVED.search(s.text)):
            metrics = ["achievement_rate", *metrics[1:]]  # 完成了多少目标: how much of the target was met
            s.mark(done.start(), done.end())
        if len(metrics) > 1 and "target" in metrics and ({"gap", "achievement_rate"} & set(metrics)):
            metrics = [m for m in metrics if m != "target"]  # 'hit the target … achievement %': target is context
        return metrics if op == "value" else metrics[:1]
    if op == "why":
        return ["won_revenue"]
    if s.cue("target"):
        return ["achievement_rate"] if op != "contribution" else ["won_revenue"]
    return _t(lang, "没看出问的是哪个指标。", "I could not tell which metric you mean.")


_HOW_MANY = re.compile(r"\bhow\s+many\b(?!\s+(?:percent|per\s*cent|points|pp|days|%))|多少个(?!百分点|点)|几个(?!百分点|点)|多少家|多少笔", re.I)


def how_many_doubt(s: Scan, q: MetricQuery) -> None:
    """'how many orders had a discount': a count of some rows asked, a mean or a rate read — a doubt."""
    if q.metric and (many := _HOW_MANY.search(s.text)) and _not_a_count(q.metric) and many.group(0) not in s.doubts:
        s.doubts.append(many.group(0))


def _not_a_count(metric: str) -> bool:
    """A mean, a margin or a rate: 'how many …' cannot be answered by it."""
    if metric.endswith(("__mean", "__margin")):
        return True
    from agent.metrics import REGISTRY

    d = REGISTRY.get(metric)
    return d is not None and d.unit == "ratio"


_FISCAL = re.compile(r"财年|财务年度|会计年度|\bfiscal\b|\bFY(?=\s*\d|\b)", re.I)
_UP_TO = re.compile(r"(?:截至|截止到?|\bup\s+to\b|\bas\s+of\b|\buntil\b|\bthrough\b)\s*(?:the\s+end\s+of\s+)?", re.I)
_GRAIN_NOUN = re.compile(r"\bmonths?\b|\bquarters?\b|月份", re.I)
_OTHER_DATE = re.compile(
    r"\b(?:engaged|created|opened|started|entered|logged|sourced)\s+(?:in|during|on|between|since|from|before|after)\b"
    r"|(?:创建|新建|跟进|接触|开始跟进)(?:于|在|时间在)",
    re.I,
)
_TOTAL = re.compile(r"一共|合计|加起来|总共|共计|累计|\bin\s+total\b|\bcombined\b|\btogether\b|\baltogether\b|\bsum\s+of\b|\btotal\s+(?:for|of|across)\b", re.I)
_BOTH = re.compile(r"和|与|及|加|\band\b|\bplus\b|&|、", re.I)


def _combined(s: Scan, vocab: Vocabulary, mentions: list[PeriodMention]) -> list[PeriodMention]:
    """'11月和12月一共', 'Nov and Dec 2017 combined': two adjacent periods summed are one span, not a comparison
    (two apart are left as they are, and the comparison words decide)."""
    total = _TOTAL.search(s.text)
    named = [m for m in mentions if m.kind not in {"range", "all"}]
    labels = [label for m in named for label in m.labels]
    if len(labels) != 2 or s.cue("compare") or s.periods.base or not total:
        return mentions
    first, second = sorted(labels, key=lambda x: parse_period(x, vocab.calendar.fy).start)
    a, b = parse_period(first, vocab.calendar.fy), parse_period(second, vocab.calendar.fy)
    between = s.text[min(m.end for m in named) : max(m.start for m in named)]
    if not _BOTH.search(between):
        return mentions
    if a.end != b.start:  # 'Q2 and Q4 combined': a sum of two periods apart is not computed; never a comparison
        s.doubts.append(total.group(0))
        return mentions
    mentions = named
    span = f"{a.start:%Y-%m}..{_month_before(b.end):%Y-%m}"
    for m in re.finditer(_TOTAL.pattern, s.text, re.I):
        s.mark(m.start(), m.end())
    start, end = min(m.start for m in mentions), max(m.end for m in mentions)
    return [PeriodMention(start, end, [span], "range")]


def _resolve_periods(
    s: Scan,
    vocab: Vocabulary,
    op: str,
    mentions: list[PeriodMention],
    grain: str | None,
    default_period: str | None,
    metrics: list[str],
) -> tuple[list[str], str | None]:
    cal = vocab.calendar
    base = s.periods.base
    labels = list(dict.fromkeys(label for m in mentions for label in m.labels))
    if s.periods.last_n and not cal.empty:
        n, g = s.periods.last_n
        series = cal.labels(g)  # type: ignore[arg-type]
        return series[-n:], base
    if op == "trend":
        return _series(vocab, mentions, grain), base
    if op == "rank" and grain:
        within = parse_period(labels[0], cal.fy) if labels else cal.all_time()
        return cal.labels(grain, within), base  # type: ignore[arg-type]
    if len(labels) >= 2 and op != "share":
        ordered = sorted(labels[:2], key=lambda x: parse_period(x, cal.fy).start)
        return [ordered[1]], ordered[0]
    if op == "share" and len(labels) >= 2:
        a, b = (parse_period(x, cal.fy) for x in labels[:2])
        small, big = (a, b) if (a.end - a.start) <= (b.end - b.start) else (b, a)
        return [small.label], big.label
    if labels:
        return labels[:1], base
    if default_period:
        return [default_period], base
    needs_quarter = base is not None or op in {"compare", "rank_change", "contribution", "decompose", "why", "funnel"}
    needs_quarter = needs_quarter or any(m in {"target", "gap", "achievement_rate"} for m in metrics)
    if cal.empty:
        return [], base
    if needs_quarter:
        return [cal.current("quarter").label], base
    return [cal.all_time().label], base


def _series(vocab: Vocabulary, mentions: list[PeriodMention], grain: str | None) -> list[str]:
    cal = vocab.calendar
    labels = [label for m in mentions for label in m.labels]
    if cal.empty:
        return labels
    if grain is None:
        if len(labels) > 1:
            return labels
        grain = "quarter" if not labels or parse_period(labels[0], cal.fy).grain in {"year", "half", "range"} else "month"
        if labels and parse_period(labels[0], cal.fy).grain == "quarter":
            grain = "month"
    if not labels:
        return _every(cal, cal.labels(grain))  # type: ignore[arg-type]
    first, last = parse_period(labels[0], cal.fy), parse_period(labels[-1], cal.fy)
    window = parse_period(f"{first.start:%Y-%m}..{(_month_before(last.end)):%Y-%m}", cal.fy)
    return _every(cal, cal.labels(grain, window))  # type: ignore[arg-type]


def _every(cal: object, labels: list[str]) -> list[str]:
    """Every period from the first to the last label, so a month with no data shows as a gap."""
    from fupan.periods import shift

    if len(labels) < 2:
        return labels
    fy = getattr(cal, "fy", 1)
    out: list[str] = []
    p, last = parse_period(labels[0], fy), parse_period(labels[-1], fy)
    while p.start <= last.start and len(out) < 60:
        out.append(p.label)
        p = shift(p, 1)
    return out


def _month_before(d: object) -> object:
    from datetime import date

    assert isinstance(d, date)
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def _order(s: Scan, op: str, metrics: list[str]) -> tuple[str, int | None]:
    from agent.wording import higher_is_better

    metric = metrics[0] if metrics else None
    if op == "rank_change":
        fall = bool(re.search(r"下降|下滑|降|掉|跌|回落|\b(?:drop|fell|fall|declin|decreas|shr[ai]nk|down\b|worse)", s.lower))
        least = bool(re.search(r"最少|最小|\bleast\b|\bsmallest\b", s.lower))
        worst = bool(re.search(r"最差|最低|最糟|\bworst\b|\blowest\b|\bweakest\b", s.lower))
        if s.cue("held_up"):
            order = "desc"
        elif fall:
            order = "desc" if least else "asc"  # the largest drop first (降得最少: the smallest drop)
        else:
            order = "asc" if (worst or least) else "desc"
    else:
        from agent.router_words import ASC, BEST_WORST

        order = "asc" if ASC.search(s.text) or _LOSS_MAKING.search(s.text) else "desc"
        if BEST_WORST.search(s.text) and metric and not higher_is_better(metric):
            order = "asc" if order == "desc" else "desc"
    if op not in {"rank", "rank_change", "contribution"}:
        return ("desc" if op != "contribution" else order), None
    n = s.n
    if n is None and op == "rank" and _WHOLE_RANKING.search(s.text) and not _FIRST.search(s.text):
        return order, None  # 排名 / ranking: the whole list
    if n is None:
        n = 3 if _PLURAL.search(s.text) else 1
        if op == "contribution":
            n = None if _EACH.search(s.text) else 3
    return order, n


_PART_AFTER = re.compile(r"^\s*(?:'s|’s)?\s*(?:share|fraction|percentage|proportion|portion|%)\b", re.I)
_WHOLE_BEFORE = re.compile(r"\b(?:of|among|out\s+of)\s+(?:the\s+|all\s+)?$", re.I)  # 'share of North's won deals'


def _share_part(s: Scan, filters: dict[str, list[str]]) -> list[str]:
    """The filters that name the part: all but those set as the context ('In the North, what % … ServiceBot')."""
    if len(filters) <= 1:
        return list(filters)
    context = []
    for hit in s.values:
        before, after = s.text[: hit.start], s.text[hit.end :]
        if _PART_AFTER.match(after):
            continue  # 'ServiceBot share of North's won deals': the part, wherever it stands
        if _CONTEXT_BEFORE.search(before) or _CONTEXT_AFTER.search(after) or _WHOLE_BEFORE.search(before):
            context += hit.dims
    part = [d for d in filters if d not in context]
    return part or list(filters)[-1:]


def _decomposition(s: Scan, op: str) -> str | None:
    if op != "decompose":
        return None
    if _CLOSED_DEALS.search(s.text):
        _mark_word(s, _CLOSED_DEALS.pattern)
        return "drivers"
    return "deals_size"


def _is_follow_up(s: Scan) -> bool:
    """'and in the South?', '那华北呢?', or a question that names neither a metric nor an operation."""
    if _FOLLOW_UP.search(s.question):
        return True
    ops = ("rank", "compare", "share", "trend", "why", "contribution", "decompose", "funnel", "how", "target")
    return not s.metrics and not any(s.cue(c) for c in ops) and not s.dims


def _inherit(q: MetricQuery, prev: MetricQuery, s: Scan) -> MetricQuery:
    """A follow-up keeps what it does not say from the previous query; a new name replaces the old one of
    its dimension."""
    merged = prev.model_copy(deep=True)
    update: dict[str, object] = {"language": q.language}
    if s.metrics:
        update["metrics"] = q.metrics
    if s.periods.mentions:
        update["periods"], update["base"] = q.periods, q.base if q.base else prev.base
    elif s.periods.base:
        update["base"] = q.base
    if s.dims:
        update["group_by"] = q.group_by
    filters = {k: list(v) for k, v in prev.filters.items()}
    filters.update(q.filters)
    update["filters"] = filters
    if q.operation != "value":
        update["operation"] = q.operation
    return merged.model_copy(update=update)
