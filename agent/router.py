"""The question router: a question in Chinese or English → an `Intent` (shape, metric, period, segment).

Shapes: value, compare, trend, top (top-N), why (gap or change explained), contribution (which segments drove
a change), funnel, breakdown (a metric by a dimension). Metric words come from the registry's names and
synonyms plus knowledge/aliases.yaml; dimension values (regions, reps, products...) from the data.
A follow-up ("and in the West?", "那华南呢?") inherits what it does not say from the previous turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from agent.router_periods import find_periods, period_keywords, period_spans
from agent.router_spelling import Lexicon, build_lexicon, correct_latin, distance, undouble_chinese

ALIASES_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "aliases.yaml"
Shape = Literal["value", "compare", "trend", "top", "why", "contribution", "funnel", "breakdown"]
DIMENSIONS = ("region", "rep", "manager", "product", "lead_source", "account")


class Intent(BaseModel):
    shape: Shape = "value"
    metric: str | None = None
    period: str | None = None
    base: str | None = Field(None, description="previous | yoy | target | a period label")
    periods: list[str] = Field(default_factory=list, description="trend periods")
    filters: dict[str, str] = Field(default_factory=dict)
    by: str | None = None
    n: int = 3
    order: Literal["desc", "asc"] = "desc"
    language: Literal["zh", "en"] = "zh"
    missing: str = ""
    unknown: dict[str, str] = Field(default_factory=dict, description="named segments not in the data")


@cache
def load_aliases(path: Path = ALIASES_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class Vocabulary:
    """Every word the router knows, longest first, each mapped to what it means."""

    metric_words: list[tuple[str, str]] = field(default_factory=list)
    dim_words: list[tuple[str, str]] = field(default_factory=list)
    values: list[tuple[str, str, str]] = field(default_factory=list)  # (word, dim, data value)
    unknown_regions: list[str] = field(default_factory=list)
    unavailable: list[dict[str, Any]] = field(default_factory=list)
    current: str = ""
    available: list[str] = field(default_factory=list)
    lexicon: Lexicon = field(default_factory=Lexicon)


def _longest_first(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(set(pairs), key=lambda p: -len(p[0]))


def build_vocabulary(dimension_values: dict[str, list[str]], available: list[str]) -> Vocabulary:
    """Vocabulary from the registry, the aliases file and the values present in the data."""
    from agent.wording import registry

    aliases = load_aliases()
    metric_pairs: list[tuple[str, str]] = []
    for mid, mdef in registry().items():
        words = list(aliases["metrics"].get(mid, []))
        if mdef is not None:
            words += [mdef.name_zh, mdef.name_en, *mdef.synonyms_zh, *mdef.synonyms_en]  # type: ignore[attr-defined]
        metric_pairs += [(w.lower(), mid) for w in words if w]
    dim_pairs = [(w.lower(), dim) for dim, words in aliases["dimensions"].items() for w in words]
    values: list[tuple[str, str, str]] = []
    for dim, vals in dimension_values.items():
        values += [(str(v).lower(), dim, str(v)) for v in vals if v]
    for region, words in aliases["regions"].items():
        values += [(w.lower(), "region", region) for w in words]
    quarters = sorted(p for p in available if "Q" in p)
    vocab = Vocabulary(
        metric_words=_longest_first(metric_pairs),
        dim_words=_longest_first(dim_pairs),
        values=sorted(set(values), key=lambda v: -len(v[0])),
        unknown_regions=sorted((w.lower() for w in aliases["unknown_regions"]), key=len, reverse=True),
        unavailable=aliases["unavailable"],
        current=quarters[-1] if quarters else "",
        available=list(available),
    )
    vocab.lexicon = _lexicon(vocab, aliases)
    return vocab


def _lexicon(vocab: Vocabulary, aliases: dict[str, Any]) -> Lexicon:
    """The Latin words of the vocabulary and of the router's own patterns, for the spelling check."""
    segments = [w for w, _, _ in vocab.values] + vocab.unknown_regions
    unavailable = [w for entry in vocab.unavailable for w in entry["words"]]
    patterns = [p.pattern for p in _SHAPE_PATTERNS] + [_BY_PREFIX_EN]
    keywords = [w for p in patterns for w in re.findall(r"[a-z]{4,}", p)]
    return build_lexicon(
        vocabulary=[w for w, _ in vocab.metric_words + vocab.dim_words] + segments + unavailable,
        keywords=keywords + period_keywords(),
        common=[str(w) for w in aliases.get("common_words", [])],
        segments=segments,
        metrics=[w for w, _ in vocab.metric_words],
    )


def detect_language(text: str) -> Literal["zh", "en"]:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def _contains(text: str, word: str) -> tuple[int, int] | None:
    """Position of `word` in lower-cased `text`; ASCII words must sit on word boundaries."""
    if word.isascii():
        m = re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", text)
        return (m.start(), m.end()) if m else None
    i = text.find(word)
    return (i, i + len(word)) if i >= 0 else None


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def _find_values(text: str, vocab: Vocabulary) -> tuple[dict[str, str], str]:
    filters: dict[str, str] = {}
    for word, dim, value in vocab.values:
        if dim in filters:
            continue
        if span := _contains(text, word):
            filters[dim] = value
            text = _blank(text, span)
    return filters, text


def _find_metric(text: str, vocab: Vocabulary) -> tuple[str | None, str]:
    for word, mid in vocab.metric_words:
        if span := _contains(text, word):
            return mid, _blank(text, span)
    return None, text


_BY_PREFIX_ZH = r"(?:按|各|每个|每位|每一个|分|哪个|哪些|哪位|哪几个|哪几位|哪一个|不同)\s*"
_BY_PREFIX_EN = r"(?:by|per|each|every|which|what|across|among|for each|for every)\s+"


def _find_by(text: str, vocab: Vocabulary) -> str | None:
    for word, dim in vocab.dim_words:
        if re.search(_by_pattern(word), text):
            return dim
    return None


def _by_pattern(word: str) -> str:
    if word.isascii():
        return _BY_PREFIX_EN + r"(?<![a-z])" + re.escape(word) + r"(?![a-z])"
    return _BY_PREFIX_ZH + re.escape(word)


_RANK_WORD = re.compile(
    r"最高|最好|最多|最大|最长|最低|最差|最少|最小|最短|前\s*\S|后\s*\S|排名|排行|第一|"
    r"\btop\b|\bbottom\b|best|highest|most|largest|biggest|longest|lowest|worst|least|smallest|shortest",
    re.I,
)


def _rank_dim(rest: str, vocab: Vocabulary) -> str | None:
    """The dimension a top-N question ranks: 'X最高的区域', '区域是哪个', 'top region by X'.
    Of several dimension words, the one closest to the ranking word."""
    found: list[tuple[int, str]] = []
    for word, dim in vocab.dim_words:
        while span := _contains(rest, word):
            found.append((span[0], dim))
            rest = _blank(rest, span)
    if not found:
        return None
    ranks = [m.start() for m in _RANK_WORD.finditer(rest)] or [0]
    return min(found, key=lambda f: min(abs(f[0] - r) for r in ranks))[1]


_WHY = re.compile(r"为什么|为何|原因|怎么回事|why|what caused|reason|explain|root cause", re.I)
_DROVE = re.compile(r"drove|driving|drive|caused|导致|拖累|拉低|拉高|贡献|造成|contributed|responsible", re.I)
_FUNNEL = re.compile(r"漏斗|各阶段|阶段转化|funnel|stage conversion|by stage", re.I)
_TREND = re.compile(r"趋势|走势|变化趋势|trend|over time|over the quarters", re.I)
_COMPARE = re.compile(
    r"对比|比较|相比|比上|变化|增长|下降|下滑|提升|涨|跌|compare|comparison|versus|\bvs\.?|change|changed|grew|growth|drop|dropped|fell|declin|increase|rose",
    re.I,
)
_TOP_N = re.compile(
    r"(?:top|bottom|前|后)\s*-?\s*(?P<n>\d+|[一二三四五六七八九十两])(?!\s*个?(?:季度|月|年|周|天|quarter|month))",
    re.I,
)
_TOP = re.compile(
    _TOP_N.pattern
    + r"|\btop\b|(?:排名?|排行)第一|第一名|第一位|最高|最好|最多|最大|最长|最低|最差|最少|最小|最短|排名|排行|best|highest|most|largest|biggest|longest|lowest|worst|least|smallest|shortest|bottom|rank|leader",
    re.I,
)
_ASC = re.compile(
    r"最低|最差|最少|最小|最短|后\s*(?:\d|[一二三四五六七八九十两])|lowest|worst|least|smallest|shortest|bottom",
    re.I,
)
_BEST_WORST = re.compile(r"最好|最差|best|worst", re.I)
_FIRST_ONLY = re.compile(r"(?:排名?|排行)第一|第一名|第一位|number one|\bno\.? ?1\b", re.I)
_COUNT = re.compile(
    r"(?P<n>\d+|[一二三四五六七八九十两])\s*(?:个|位|名|家)(?!\s*(?:季度|月|周|半年))"
    r"|\b(?P<en>\d+|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:best|top|highest|lowest|worst|biggest|largest|leading)",
    re.I,
)
_NUMBERS = {
    **{w: i for i, w in enumerate("一二三四五六七八九十", 1)},
    "两": 2,
    **{
        w: i
        for i, w in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 2)
    },
}
_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what about|how about|same for|那|那么|还有|再看|再看看)|呢\s*[?？]?\s*$", re.I
)
_TARGET_WORDS = re.compile(r"目标|达成|完成|target|quota|goal|attain", re.I)
_SHAPE_PATTERNS = (_WHY, _DROVE, _FUNNEL, _TREND, _COMPARE, _TOP, _ASC, _BEST_WORST, _FOLLOW_UP)


def _unavailable(text: str, vocab: Vocabulary, lang: str) -> str:
    for entry in vocab.unavailable:
        if any(_contains(text, w.lower()) for w in entry["words"]):
            return str(entry[lang])
    return ""


def _shape(text: str, intent: Intent, words_base: str | None, n_periods: int, rank_by: str | None) -> Shape:
    if _FUNNEL.search(text):
        return "funnel"
    if _WHY.search(text):
        return "why"
    if _DROVE.search(text) and intent.by:
        return "contribution"
    if _TREND.search(text) or intent.periods:
        return "trend"
    if _TOP.search(text) and (intent.by or rank_by or not intent.filters):
        return "top"
    if words_base or n_periods >= 2 or _COMPARE.search(text):
        return "compare"
    if intent.by:
        return "breakdown"
    return "value"


def _top_params(text: str, intent: Intent) -> None:
    m = _TOP_N.search(text) or _COUNT.search(text) or _TOP.search(text)
    n = m and (m.groupdict().get("n") or m.groupdict().get("en"))
    if n:
        intent.n = int(n) if n.isdigit() else _NUMBERS.get(n.lower(), 3)
    elif _FIRST_ONLY.search(text):
        intent.n = 1
    elif m and not re.search(
        r"哪些|(?:which|top|bottom) (?:reps|regions|products|accounts|customers|sources|lead sources)|排名|rank",
        text,
        re.I,
    ):
        intent.n = 1
    intent.order = "asc" if _ASC.search(text) else "desc"
    if _BEST_WORST.search(text):
        from agent.wording import higher_is_better

        if intent.metric and not higher_is_better(intent.metric):
            intent.order = "desc" if intent.order == "asc" else "asc"


def _periods(text: str, intent: Intent, vocab: Vocabulary) -> int:
    words = find_periods(text, vocab.current)
    if words.trend_quarters is not None:
        quarters = sorted(p for p in vocab.available if "Q" in p)
        end = words.periods[0] if words.periods else vocab.current
        quarters = [q for q in quarters if q <= end]
        intent.periods = quarters[-words.trend_quarters :] if words.trend_quarters else quarters
    if words.periods:
        ordered = sorted(words.periods[:2], reverse=True) if len(words.periods) >= 2 else words.periods
        intent.period = ordered[0]
        if len(ordered) == 2:
            intent.base = ordered[1]
    if words.base and not intent.base:
        intent.base = words.base
    return len(words.periods)


def _inherit(intent: Intent, prev: Intent, said: set[str]) -> Intent:
    merged = prev.model_copy(deep=True)
    merged.language = intent.language
    for name in ("metric", "period", "base", "by"):
        if name in said:
            setattr(merged, name, getattr(intent, name))
    if "shape" in said:
        merged.shape = intent.shape
    merged.filters.update(intent.filters)
    if "periods" in said:
        merged.periods = intent.periods
    merged.unknown = intent.unknown
    return merged


def route(
    question: str, vocab: Vocabulary, *, previous: Intent | None = None, language: str | None = None
) -> Intent:
    """Parse one question; a follow-up fills what it does not say from `previous`."""
    lang = language or detect_language(question)
    question, strangers = normalise(question, vocab)
    text = question.lower()
    intent = Intent(language=lang)  # type: ignore[arg-type]
    intent.filters, text = _find_values(text, vocab)
    for word in vocab.unknown_regions:
        if _contains(text, word) and "region" not in intent.filters:
            intent.unknown["region"] = question[text.find(word) : text.find(word) + len(word)] or word
    if "region" not in intent.filters and not intent.unknown and (named := _zh_region_name(text)):
        intent.unknown["region"] = named
    intent.metric, rest = _find_metric(text, vocab)
    intent.by = _find_by(rest, vocab)
    rank_by = _rank_dim(rest, vocab) if intent.by is None and _TOP.search(text) else None
    n_periods = _periods(question, intent, vocab)
    said = {k for k in ("metric", "period", "base", "by") if getattr(intent, k)}
    if intent.periods:
        said.add("periods")
    shape = _shape(text, intent, intent.base, n_periods, rank_by)
    if shape == "top" and rank_by:
        intent.by = rank_by
        said.add("by")
    is_follow_up = previous is not None and (
        bool(_FOLLOW_UP.search(question)) or (intent.metric is None and shape == "value")
    )
    if shape != "value" or not is_follow_up:
        said.add("shape")
    intent.shape = shape
    if is_follow_up and previous is not None:
        intent = _inherit(intent, previous, said)
    _flag_strangers(intent, strangers, vocab)
    _finish(intent, text, rest, vocab)
    return intent


# "深圳区", "西部大区": two Chinese characters that are not a question or grouping word, then 区 (not 区域)
_ZH_REGION_NAME = re.compile(r"([\u4e00-\u9fff]{2})(大区|片区|地区|区)(?!域)")
_NOT_A_NAME = re.compile(r"[按各哪每分全所有这那个同的在和与及或看是了中]")


def _zh_region_name(text: str) -> str | None:
    """A Chinese region name left after the known values were taken out ('深圳区'), if any."""
    for m in _ZH_REGION_NAME.finditer(text):
        name = m.group(1)
        if not _NOT_A_NAME.search(name):
            return name + m.group(2)
    return None


def normalise(question: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """The question with its spelling slips corrected, and the unknown words that look like segment names."""
    if re.search(r"[\u4e00-\u9fff]", question):
        question = undouble_chinese(question, lambda t: _known_spans(t, vocab))
    spelling = correct_latin(question, vocab.lexicon)
    return spelling.text, spelling.unknown


def _known_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Where vocabulary words, 按/各 + dimension phrases and period phrases sit in `text`."""
    lower = text.lower()
    spans = period_spans(text)
    words = [w for w, _ in vocab.metric_words + vocab.dim_words] + [w for w, _, _ in vocab.values]
    for word in words + vocab.unknown_regions:
        start = lower.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = lower.find(word, start + 1)
    for word, _ in vocab.dim_words:
        spans += [(m.start(), m.end()) for m in re.finditer(_by_pattern(word), lower)]
    return spans


def _flag_strangers(intent: Intent, strangers: list[str], vocab: Vocabulary) -> None:
    """An unknown word that looks like a segment name is never dropped: the answer names it."""
    if not strangers or intent.unknown:
        return
    word = strangers[0]
    regions = [w for w, d, v in vocab.values if d == "region" and w.isascii()] + vocab.unknown_regions
    if any(distance(word.lower(), r, 2) <= 2 for r in regions):
        intent.unknown["region"] = word
        return
    names = "、".join(sorted({v for _, d, v in vocab.values if d == "region"})) or "—"
    intent.missing = (
        f"数据中没有“{word}”这个区域、销售、产品或客户，无法回答；请检查拼写，或使用数据中的名称（区域：{names}）。"
        if intent.language == "zh"
        else f"'{word}' is not a region, rep, product, account or lead source in the data, so this cannot be "
        f"answered; check the spelling or use a name from the data (regions: {names})."
    )


def _finish(intent: Intent, text: str, rest: str, vocab: Vocabulary) -> None:
    if intent.shape == "why" and (intent.metric in {None, "target", "gap", "achievement_rate"}):
        if _TARGET_WORDS.search(text) or intent.metric in {"target", "gap", "achievement_rate"}:
            intent.metric, intent.base = "won_revenue", "target"
        elif intent.metric is None:
            intent.metric = "won_revenue"
    if intent.shape in {"why", "contribution"} and intent.base is None:
        intent.base = "previous"
    if intent.shape == "compare" and intent.base is None:
        intent.base = "previous"
    if intent.shape == "top":
        _top_params(text, intent)
        intent.by = intent.by or "rep"
    if intent.shape == "trend" and not intent.periods:
        intent.periods = sorted(p for p in vocab.available if "Q" in p)
    if intent.period is None and intent.shape != "trend":
        intent.period = vocab.current or None
    if intent.metric is None and intent.shape == "funnel":
        intent.metric = "conversion_opportunity_to_order"
    if intent.metric is None and not intent.missing:
        intent.missing = _unavailable(text, vocab, intent.language) or "metric"
