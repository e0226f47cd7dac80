"""What the router knows about one data snapshot: metric words, the dimension registry, every value in the
data (and the workspace's aliases for them), the calendar of months with data, and a spelling lexicon.

Values come from the data first; an alias of the workspace's aliases file comes second and never shadows a
value found in the data. Order is fixed (longest word first, then dimension order, then value), so the same
question on the same data is read the same way under any hash seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from agent.router_periods import Calendar, period_keywords
from agent.router_spelling import Lexicon, build_lexicon
from agent.router_words import STOP_EN
from fupan.dimensions import DimensionDef, DimensionRegistry

ALIASES_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "aliases.yaml"
Origin = Literal["data", "alias", "pinyin"]
_CJK = re.compile(r"[\u4e00-\u9fff]")


# The loss-reason column of a CRM export (丢单原因 / Loss Reason): not a dimension of the registry (drafts and
# pages do not split by it), but the engine filters and groups by it, so a question may ('lost deals by reason').
LOSS_REASON = DimensionDef(
    id="loss_reason",
    name_zh="丢单原因",
    name_en="loss reason",
    words=(
        "丢单原因", "输单原因", "丢单的原因", "输单的原因", "丢单理由", "输单理由", "原因", "loss reason", "loss reasons",
        "lost reason", "lost reasons", "reason", "reasons", "reason for losing", "reasons for losing",
    ),
)


@cache
def load_builtin_words(path: Path = ALIASES_FILE) -> dict[str, Any]:
    """knowledge/aliases.yaml: generic words for metrics and dimensions, topics no sales export holds."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ValueWord:
    word: str  # lower-cased
    dim: str
    value: str  # as in the data
    origin: Origin


@dataclass
class Vocabulary:
    """Every word the router knows for one snapshot, in a fixed order."""

    dims: DimensionRegistry = field(default_factory=DimensionRegistry)
    metric_words: list[tuple[str, str]] = field(default_factory=list)
    dim_words: list[tuple[str, str]] = field(default_factory=list)
    dim_alternatives: dict[str, list[str]] = field(default_factory=dict)  # word → other dims it may mean
    values: list[ValueWord] = field(default_factory=list)
    unknown_names: list[tuple[str, str]] = field(default_factory=list)  # (word, dim) named as not in the data
    unavailable: list[dict[str, Any]] = field(default_factory=list)
    calendar: Calendar = field(default_factory=Calendar)
    has_targets: bool = True
    target_dims: tuple[str, ...] = ("region", "rep", "product")  # dimensions the targets are set by
    has_losses: bool = True
    display: dict[tuple[str, str], str] = field(default_factory=dict)  # (dim, value) → English alias
    lexicon: Lexicon = field(default_factory=Lexicon)
    _pinyin: list[ValueWord] | None = None
    _index: dict[str, list[Any]] | None = None  # router_scan.lexical_index, built on first use
    _index_max: int = 0
    _values_of: dict[str, list[str]] | None = None
    _value_words: frozenset[str] | None = None
    _cjk_words: list[str] | None = None
    _homophone_by_char: dict[tuple[int, str], tuple[str, ...]] | None = None

    @property
    def current(self) -> str:
        return "" if self.calendar.empty else self.calendar.current("quarter").label

    def values_of(self, dim: str) -> list[str]:
        if self._values_of is None:  # built once per vocabulary (one snapshot), not per question
            table: dict[str, set[str]] = {}
            for v in self.values:
                if v.origin == "data":
                    table.setdefault(v.dim, set()).add(v.value)
            self._values_of = {d: sorted(vs) for d, vs in table.items()}
        return list(self._values_of.get(dim, []))

    @property
    def value_words(self) -> frozenset[str]:
        if self._value_words is None:
            self._value_words = frozenset(v.word for v in self.values)
        return self._value_words

    @property
    def cjk_metric_dim_words(self) -> list[str]:
        """Chinese metric and dimension words of three characters or more (the homophone fix's candidates)."""
        if self._cjk_words is None:
            self._cjk_words = sorted(
                {w for w, _ in self.metric_words + self.dim_words if len(w) >= 3 and _CJK.search(w)}
            )
        return self._cjk_words

    def pinyin_values(self) -> list[ValueWord]:
        """Chinese names in the data spelt in pinyin ('wang fang', 'wangfang' for 王芳), computed on first use."""
        if self._pinyin is None:
            self._pinyin = _pinyin_words(self.values)
        return self._pinyin


def _metric_words(extra: dict[str, list[str]]) -> list[tuple[str, str]]:
    from agent.metrics import REGISTRY

    builtin = load_builtin_words()["metrics"]
    pairs: dict[str, str] = {}
    for mid, mdef in REGISTRY.items():
        words = [*extra.get(mid, []), *builtin.get(mid, []), mdef.name_zh, mdef.name_en]
        words += [*mdef.synonyms_zh, *mdef.synonyms_en]
        for w in words:
            pairs.setdefault(w.strip().lower(), mid)
    return _longest_first(pairs.items())


_HEAD_NOUNS: dict[str, tuple[str, ...]] = {
    "office": ("office", "offices", "办公室", "办事处", "区域办公室"),
    "territory": ("territory", "territories", "销售地区"),
    "region": ("region", "regions", "区域"),
    "sector": ("sector", "sectors", "行业"),
    "industry": ("industry", "industries", "行业"),
    "series": ("series", "系列", "产品系列"),
    "segment": ("segment", "segments", "细分市场"),
    "channel": ("channel", "channels", "渠道"),
}


def word_variants(word: str) -> list[str]:
    """The forms a header's word is also typed in: Latin plural and singular, hyphen, space or nothing between
    its parts ('Sub-Category': 'sub category', 'subcategory', 'sub-categories'); a Chinese class word without its
    last character (子类别: 子类)."""
    w = word.strip().lower()
    if not w:
        return []
    out: list[str] = []
    if w.isascii() and re.fullmatch(r"[a-z][a-z \-_]*[a-z]", w):
        joins = {w, re.sub(r"[\s\-_]+", " ", w), re.sub(r"[\s\-_]+", "-", w), re.sub(r"[\s\-_]+", "", w)}
        for j in sorted(joins):
            out.append(j)
            if j.endswith("ies"):
                out.append(j[:-3] + "y")  # a plural header ('Categories'): the singular too
            elif j.endswith("y") and not j.endswith(("ay", "ey", "oy", "uy")):
                out.append(j[:-1] + "ies")
            elif j.endswith("s") and not j.endswith(("ss", "us", "is")):
                out.append(j[:-1])
            elif not j.endswith(("s", "x", "ch", "sh")):
                out.append(j + "s")
        for j in sorted(joins):  # the usual short form of 'category' ('sub-cats', 'top cats')
            if j.endswith("category"):
                out += [j[: -len("category")] + "cat", j[: -len("category")] + "cats"]
    elif _CJK.search(w) and len(w) >= 3 and w.endswith("类别"):
        out.append(w[:-1])
    elif _CJK.search(w) and len(w) >= 4 and w.endswith("方式"):
        out.append(w[:-2])  # 运输方式: '标准级运输' names the mode by its first half
    return [v for v in dict.fromkeys(out) if v != w and len(v) >= 2]


def _longest_first(pairs: Any) -> list[tuple[str, str]]:
    return sorted(((w, x) for w, x in pairs if w), key=lambda p: (-len(p[0]), p[0], p[1]))


def build_vocabulary(
    dims: DimensionRegistry,
    dimension_values: dict[str, list[str]],
    calendar: Calendar,
    *,
    aliases: Any = None,
    has_targets: bool = True,
    has_losses: bool = True,
    target_dims: tuple[str, ...] = ("region", "rep", "product"),
) -> Vocabulary:
    """The vocabulary of one snapshot. `aliases` is the workspace's `WorkspaceAliases` (or None)."""
    builtin = load_builtin_words()
    unavailable = list(builtin["unavailable"])
    if dimension_values.get(LOSS_REASON.id) and LOSS_REASON.id not in dims:
        dims = dims.with_dimensions([LOSS_REASON])  # the data has loss reasons: counted, not refused
        unavailable = [e for e in unavailable if "loss reason" not in e["words"]]
    metric_extra = dict(getattr(aliases, "metrics", {}) or {})
    dim_extra = dict(getattr(aliases, "dimensions", {}) or {})
    dim_pairs: dict[str, str] = {}
    for word, dim in dims.words():
        dim_pairs.setdefault(word, dim)
    for dim in dims.ids():
        for w in [*dim_extra.get(dim, []), *builtin["dimensions"].get(dim, [])]:
            dim_pairs.setdefault(w.strip().lower(), dim)
    for d in dims:  # a word two dimensions share goes to the one with values in the data ('地区': territory)
        for w in (d.name_zh, d.name_en, *d.words):
            key = w.strip().lower()
            owner = dim_pairs.get(key)
            if owner and owner != d.id and not dimension_values.get(owner) and dimension_values.get(d.id):
                dim_pairs[key] = d.id
    for d in dims:  # a learned column's own name beats a built-in word of a core dimension ('产品线')
        if d.origin != "data" or not dimension_values.get(d.id):
            continue
        for w in (d.header or "", d.name_zh, d.name_en):
            key = w.strip().lower()
            owner = dim_pairs.get(key)
            if not key or not owner or owner == d.id or owner not in dims:
                continue
            o = dims.get(owner)
            if o.origin == "core" and key not in {(o.header or "").lower(), o.name_zh.lower(), o.name_en.lower()}:
                dim_pairs[key] = d.id
    for d in dims:  # the head noun of a compound header: 'regional_office' is also 'office', '办公室'
        parts = [t for t in re.split(r"[\s_\-]+", (d.header or "").strip().lower()) if t]
        for part in parts[1:] if len(parts) > 1 else parts:
            for w in _HEAD_NOUNS.get(part, ()):
                dim_pairs.setdefault(w, d.id)
    for d in dims:  # a side table's column named with its table's word: 'product series', '产品系列', 'account sector'
        if d.origin != "attribute" or not d.key or d.key not in dims:
            continue
        table_dim = dims.get(d.key)
        if table_dim is None:
            continue
        for own in (d.header or "", d.name_en, *[w for w in d.words if w.isascii()]):
            for k in (table_dim.name_en, *[w for w in table_dim.words if w.isascii()][:4]):
                if own and k:
                    dim_pairs.setdefault(f"{k.strip().lower()} {own.strip().lower()}", d.id)
        for own in (d.name_zh, *[w for w in d.words if not w.isascii()]):
            for k in (table_dim.name_zh, *[w for w in table_dim.words if not w.isascii()][:3]):
                if own and k and not own.startswith(k):
                    dim_pairs.setdefault(f"{k}{own}", d.id)
    for word, dim in list(dim_pairs.items()):
        for variant in word_variants(word):
            dim_pairs.setdefault(variant, dim)  # 'sub-categories', 'subcategory', '子类' for a header's word
    values = _value_words(dims, dimension_values, aliases, builtin.get("value_translations") or {})
    alternatives = _dim_alternatives(dims, dim_pairs, dimension_values)
    unknown = sorted(
        {(w.strip().lower(), dim) for dim, words in (getattr(aliases, "unknown", {}) or {}).items() for w in words},
        key=lambda p: (-len(p[0]), p),
    )
    display = {
        (dim, value): word
        for dim, table in (getattr(aliases, "values", {}) or {}).items()
        for value, words in table.items()
        for word in words[:1]
        if word.isascii() and value in dimension_values.get(dim, [])
    }
    vocab = Vocabulary(
        dims=dims,
        metric_words=_metric_words(metric_extra),
        dim_words=_longest_first(dim_pairs.items()),
        dim_alternatives=alternatives,
        values=values,
        unknown_names=unknown,
        unavailable=[e for e in unavailable if e.get("unless") not in dims],  # the data answers those
        calendar=calendar,
        has_targets=has_targets,
        has_losses=has_losses,
        target_dims=target_dims,
        display=display,
    )
    vocab.lexicon = _lexicon(vocab, builtin)
    return vocab


def _dim_alternatives(
    dims: DimensionRegistry, dim_pairs: dict[str, str], dimension_values: dict[str, list[str]]
) -> dict[str, list[str]]:
    """A short dimension word inside another dimension's own header or name ('product' in 'Product Name',
    '产品' in '产品线') may mean either: both are offered as readings, never one silently."""
    out: dict[str, list[str]] = {}
    for word, dim in dim_pairs.items():
        if not dimension_values.get(dim):
            continue
        own = dims.get(dim).header if dim in dims else None
        if own and own.strip().lower() == word:
            continue  # the user's own column header: that column, whatever other headers contain the word
        primary = dims.get(dim).origin != "attribute" if dim in dims else True
        for other in dims:
            if other.id == dim or not dimension_values.get(other.id):
                continue
            if primary and other.origin == "attribute":
                continue  # a side table's column (an account's region) never shadows the data's own
            names = [n.lower() for n in (other.header or "", other.name_zh, other.name_en) if n]
            if _named_by(own, word) and any(_ID_WORD.search(n) for n in names):
                continue  # 'customer' with a Customer Name column: the name, not the Customer ID beside it
            if any(word != n and _inside(word, n) for n in names):
                out.setdefault(word, []).append(other.id)
    return out


_ID_WORD = re.compile(r"(?<![a-z])(?:id|ids|code|codes|no|number|key)(?![a-z])|编号|编码|代码|号码|\bid\b", re.I)


def _named_by(header: str | None, word: str) -> bool:
    """Whether a header is the name column of the thing `word` names ('Customer Name', '客户名称'); `word` is one
    of that column's own words in either language ('customer', '客户')."""
    low = (header or "").lower()
    return bool(low and word) and re.search(r"(?<![a-z])name(?![a-z])|名称|姓名", low) is not None


def _inside(word: str, name: str) -> bool:
    if word.isascii():
        return re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", name) is not None
    return word in name


def _value_words(
    dims: DimensionRegistry, dimension_values: dict[str, list[str]], aliases: Any, translations: dict[str, list[str]]
) -> list[ValueWord]:
    order = {d: i for i, d in enumerate(dims.ids())}
    found: dict[tuple[str, str, str], ValueWord] = {}
    in_data: set[str] = set()
    for dim in dims.ids():
        for value in dimension_values.get(dim, []):
            word = str(value).strip().lower()
            if word:
                found[(word, dim, str(value))] = ValueWord(word, dim, str(value), "data")
                in_data.add(word)
    reverse: dict[str, list[str]] = {}
    for english, words in translations.items():
        for w in words:
            reverse.setdefault(w.lower(), []).append(english)
    for dim in dims.ids():  # the other language's name of a value (西部 for West, France for 法国)
        for value in dimension_values.get(dim, []):
            key = str(value).strip().lower()
            for word in [*translations.get(key, []), *reverse.get(key, [])]:
                word = word.strip().lower()
                if word and word not in in_data:
                    found.setdefault((word, dim, str(value)), ValueWord(word, dim, str(value), "alias"))
    for dim, table in (getattr(aliases, "values", {}) or {}).items():
        present = set(dimension_values.get(dim, []))
        for value, words in table.items():
            if value not in present:
                continue
            for w in words:
                word = w.strip().lower()
                if word and word not in in_data:  # a name in the data beats an alias
                    found.setdefault((word, dim, value), ValueWord(word, dim, value, "alias"))
    return sorted(found.values(), key=lambda v: (-len(v.word), v.word, order.get(v.dim, 99), v.value))


def _pinyin_words(values: list[ValueWord]) -> list[ValueWord]:
    names = [v for v in values if v.origin == "data" and _CJK.search(v.value) and len(v.value) <= 4]
    if not names:
        return []
    from pypinyin import lazy_pinyin

    out: dict[tuple[str, str, str], ValueWord] = {}
    known = {v.word for v in values}
    for v in names:
        if not all(_CJK.match(ch) for ch in v.value):
            continue
        syllables = lazy_pinyin(v.value)
        for word in (" ".join(syllables), "".join(syllables)):
            if word not in known:
                out.setdefault((word, v.dim, v.value), ValueWord(word, v.dim, v.value, "pinyin"))
    return sorted(out.values(), key=lambda v: (-len(v.word), v.word, v.dim, v.value))


def _lexicon(vocab: Vocabulary, builtin: dict[str, Any]) -> Lexicon:
    from agent.router_words import (
        BEST_WORST,
        CHANGE,
        COMPARE,
        CONTRIBUTION,
        DECOMPOSE,
        RANK,
        SHARE,
        TREND,
        WHY,
    )

    segments = [v.word for v in vocab.values] + [w for w, _ in vocab.unknown_names]
    unavailable = [w for entry in vocab.unavailable for w in entry["words"]]
    patterns = [p.pattern for p in (WHY, CONTRIBUTION, TREND, RANK, CHANGE, COMPARE, SHARE, DECOMPOSE, BEST_WORST)]
    keywords = [w for p in patterns for w in re.findall(r"[a-z]{4,}", p)]
    return build_lexicon(
        vocabulary=[w for w, _ in vocab.metric_words + vocab.dim_words] + segments + unavailable,
        keywords=keywords + period_keywords(),
        common=[str(w) for w in builtin.get("common_words", [])] + sorted(STOP_EN),
        segments=segments,
        metrics=[w for w, _ in vocab.metric_words],
    )
