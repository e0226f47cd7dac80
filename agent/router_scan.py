"""The first pass of the router: which words of a question name what (periods, values, metrics, dimensions,
operation cues), and which content words nothing explains.

Every hit records its span; `Scan.unexplained()` lists the content words outside every span, so the router can
refuse to answer a different question than the one asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent import router_words as W
from agent.router_exclude import read_exclusions
from agent.router_periods import PeriodWords, expand_short_years, find_periods, period_spans
from agent.router_spelling import correct_latin, distance, undouble_chinese
from agent.router_vocab import ValueWord, Vocabulary

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_TOKEN = re.compile(r"[a-z0-9][a-z0-9_'\-]*", re.I)


@dataclass
class ValueHit:
    start: int
    end: int
    candidates: list[ValueWord]  # one per dimension the word names (data values first)

    @property
    def dims(self) -> list[str]:
        return list(dict.fromkeys(c.dim for c in self.candidates))

    def origin_is_data(self) -> bool:
        return any(c.origin == "data" for c in self.candidates)


@dataclass
class Hit:
    start: int
    end: int
    what: str  # metric id, dimension id, cue name, or the unavailable message key


@dataclass
class Scan:
    question: str  # as asked
    text: str  # spelling fixed
    lower: str
    lang: str
    periods: PeriodWords
    values: list[ValueHit] = field(default_factory=list)
    metrics: list[Hit] = field(default_factory=list)
    dims: list[Hit] = field(default_factory=list)
    cues: dict[str, list[Hit]] = field(default_factory=dict)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (name as written, dimension or "")
    unavailable: str = ""
    strangers: list[str] = field(default_factory=list)
    n: int | None = None
    used: list[bool] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)  # phrases with two likely meanings ("sales per customer")
    loose: list[tuple[str, str]] = field(default_factory=list)  # (generic word, the user's header it was read as)
    excluded: list[ValueHit] = field(default_factory=list)  # values left out (agent/router_exclude.py)

    def cue(self, name: str) -> bool:
        return bool(self.cues.get(name))

    def mark(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def unmark(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = False

    def free(self, start: int, end: int) -> bool:
        return not any(self.used[start:end])

    def _doubled(self, i: int) -> bool:
        """A Chinese character typed twice (华华南, 缺口口, 全公公司): one copy is a slip. The copy next to a read
        word is dropped; otherwise the second copy, so the first must still be explained (a name '丽丽' is not)."""
        ch = self.text[i]
        if not _CJK.match(ch):
            return False
        if i + 1 < len(self.text) and self.text[i + 1] == ch and self.used[i + 1]:
            return True
        return i > 0 and self.text[i - 1] == ch and not (i > 1 and self.text[i - 2] == ch)

    def unexplained(self) -> list[str]:
        """Content words outside every hit: Latin words not in the stop list, Chinese runs left after the
        function words are taken out."""
        blank = "".join(" " if u else ch for ch, u in zip(self.lower, self.used, strict=True))
        joined = "".join(  # a doubled character's slip copy is dropped, so 全公公司 reads as 全公司
            "" if self._doubled(i) else (" " if u else ch)
            for i, (ch, u) in enumerate(zip(self.lower, self.used, strict=True))
        )
        words: list[str] = []
        for m in _LATIN_TOKEN.finditer(blank):
            token = re.sub(r"'s$", "", m.group(0)).strip("'-_")
            if token.isdigit() and len(token) >= 2:
                words.append(token)  # a number no part of the reading uses (a threshold, an amount): never ignored
            elif token and token not in W.STOP_EN and not token.isdigit() and len(token) > 1:
                words.append(self.text[m.start() : m.start() + len(token)])
        for run in re.findall(r"[\u4e00-\u9fff]+", joined):
            rest = run
            for stop in W.STOP_ZH:
                rest = rest.replace(stop, " ")
            words += [w for w in rest.split() if w]
        return list(dict.fromkeys(words + self.doubts))


_WON_CLOSED = re.compile(r"\bwon\s+(?:deals?|opportunities|opps?)\s+(?P<w>closed)\b|(?P<w2>\(engage\w*\s+to\s+close\))", re.I)
_WHOLE_PERIOD = re.compile(r"全年|整年|整个季度|全季度|整月|全月|\b(?:the\s+)?(?:full|whole|entire)\s+(?:year|quarter|month)\b", re.I)


def detect_language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def _contains_all(text: str, word: str) -> list[tuple[int, int]]:
    """Every position of `word` in lower-cased `text`; Latin words must sit on word boundaries."""
    if word.isascii():
        pattern = r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])"
        return [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    out, i = [], text.find(word)
    while i >= 0:
        out.append((i, i + len(word)))
        i = text.find(word, i + len(word))
    return out


def normalise(question: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """The question with its spelling slips corrected, and the unknown words that look like names."""
    question = expand_short_years(question, vocab.calendar)  # "Q4 '04", "19年下半年": the data's years
    if _CJK.search(question):
        question = undouble_chinese(question, lambda t: known_spans(t, vocab))
        question = fix_homophones(question, vocab)
    spelling = correct_latin(question, vocab.lexicon)
    return spelling.text, spelling.unknown


def pinyin_names(question: str, vocab: Vocabulary) -> str:
    """Chinese names of the data written in pinyin ('Zhao Min', 'wangfang') replaced by the name itself. The
    pinyin table is built only when the question has Latin words the vocabulary does not know."""
    tokens = [t.lower() for t in re.findall(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])", question)]
    strange = [t for t in tokens if t not in vocab.lexicon.known and t not in W.STOP_EN]
    if not strange:
        return question
    lower = question.lower()
    for v in vocab.pinyin_values():
        spans = _contains_all(lower, v.word)
        for start, end in reversed(spans):
            question = question[:start] + v.value + question[end:]
            lower = lower[:start] + v.value + lower[end:]
    return question


def fix_homophones(text: str, vocab: Vocabulary) -> str:
    """A metric or dimension word typed with one character replaced by a same-sounding one (赢单律 for 赢单率):
    the word is restored when exactly one vocabulary word fits. Nothing is changed on a mere look-alike."""
    by_char = _homophone_index(vocab)
    exact = known_spans(text, vocab)
    fixes: list[tuple[int, str]] = []
    for start in range(len(text)):
        options: dict[str, int] = {}
        # one character differs, so a candidate (3+ characters) agrees on its first or its second one
        candidates = by_char.get((0, text[start]), ()) + by_char.get((1, text[start + 1 : start + 2]), ())
        for w in dict.fromkeys(candidates):
            window = text[start : start + len(w)]
            if len(window) != len(w) or window == w:
                continue
            diff = [i for i, (a, b) in enumerate(zip(window, w, strict=True)) if a != b]
            if len(diff) == 1 and _CJK.match(window[diff[0]]):
                options[w] = diff[0]
        if not options or any(s <= start and start + 3 <= e for s, e in exact):
            continue
        same = [w for w, i in options.items() if _sounds_alike(text[start + i], w[i])]
        if len(same) == 1:
            fixes.append((start, same[0]))
    for start, word in reversed(fixes):
        text = text[:start] + word + text[start + len(word) :]
    return text


def _homophone_index(vocab: Vocabulary) -> dict[tuple[int, str], tuple[str, ...]]:
    """The homophone candidates by their first and by their second character (built once per vocabulary)."""
    cached = vocab._homophone_by_char  # noqa: SLF001
    if cached is None:
        table: dict[tuple[int, str], list[str]] = {}
        for w in vocab.cjk_metric_dim_words:
            table.setdefault((0, w[0]), []).append(w)
            table.setdefault((1, w[1]), []).append(w)
        cached = {k: tuple(v) for k, v in table.items()}
        vocab._homophone_by_char = cached  # noqa: SLF001
    return cached


def _sounds_alike(a: str, b: str) -> bool:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(a) == lazy_pinyin(b)


Item = tuple[str, int, str, object]  # (word, rank, kind, payload); rank breaks ties of length


def lexical_index(vocab: Vocabulary) -> dict[str, list[Item]]:
    """Every word the scan looks for, indexed by the word (built once per vocabulary): a question is then read
    by looking up its substrings, however many names the data holds."""
    if vocab._index is not None:  # noqa: SLF001
        return vocab._index  # noqa: SLF001
    index: dict[str, list[Item]] = {}
    for v in vocab.values:
        index.setdefault(v.word, []).append((v.word, 0 if v.origin == "data" else 3, "value", v))
    for word, mid in vocab.metric_words:
        index.setdefault(word, []).append((word, 1, "metric", mid))
    for word, dim in vocab.dim_words:
        index.setdefault(word, []).append((word, 2, "dim", dim))
    for word, dim in vocab.unknown_names:
        index.setdefault(word, []).append((word, 2, "unknown", dim))
    for entry in vocab.unavailable:
        for word in entry["words"]:
            index.setdefault(word.lower(), []).append((word.lower(), 5, "unavailable", entry))
    vocab._index = index  # noqa: SLF001
    vocab._index_max = max((len(w) for w in index), default=0)  # noqa: SLF001
    return index


def _occurrences(lower: str, vocab: Vocabulary) -> list[tuple[str, int, str, object, int, int]]:
    """(word, rank, kind, payload, start, end) for every indexed word in `lower`, longest first; a Latin word
    only on word boundaries."""
    index = lexical_index(vocab)
    longest = vocab._index_max  # noqa: SLF001
    found = []
    n = len(lower)
    for i in range(n):
        for j in range(i + 1, min(n, i + longest) + 1):
            items = index.get(lower[i:j])
            if not items:
                continue
            word = items[0][0]
            if word.isascii() and ((i > 0 and lower[i - 1].isalnum() and lower[i - 1].isascii())
                                   or (j < n and lower[j].isalnum() and lower[j].isascii())):  # fmt: skip
                continue
            found += [(*it, i, j) for it in items]
    found.sort(key=lambda f: (-len(f[0]), f[1], f[0], f[4]))
    return found


def known_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Where vocabulary words and period phrases sit in `text` (for the doubled-character fix)."""
    lower = text.lower()
    spans = period_spans(text)
    spans += [(f[4], f[5]) for f in _occurrences(lower, vocab) if f[2] != "unavailable"]
    for word, _ in vocab.dim_words:
        if not word.isascii():
            for prefix in ("按", "各", "分", "每个"):
                spans += _contains_all(lower, prefix + word)
    return spans


def scan(question: str, vocab: Vocabulary, lang: str | None = None) -> Scan:
    lang = lang or detect_language(question)
    text, strangers = normalise(pinyin_names(question, vocab), vocab)
    lower = text.lower()
    s = Scan(question, text, lower, lang, find_periods(text, vocab.calendar), strangers=strangers)
    s.used = [False] * len(text)
    for start, end in s.periods.spans:
        s.mark(start, end)
    for m in _WON_CLOSED.finditer(text):  # 'won deals closed in Q3', '(engage to close)': the won deals' dates
        g = "w" if m.group("w") else "w2"
        s.mark(m.start(g), m.end(g))
    for m in _WHOLE_PERIOD.finditer(text):  # '2019年全年', 'full year 2019': the period it follows or precedes
        if any(e == m.start() or (e < m.start() and not text[e : m.start()].strip()) for _, e in s.periods.spans) or any(
            b > m.end() - 1 and not text[m.end() : b].strip() for b, _ in s.periods.spans
        ):
            s.mark(m.start(), m.end())
    _multiword_cues(s)
    _zh_region_names(s, vocab)
    _count(s)  # 'bottom 2 product lines': the 2 is how many, never a value named '2'
    _lexical(s, vocab)
    _cues(s)
    _unknown_names(s, vocab)
    _part_names(s, vocab)
    _codes_and_latin_names(s)
    read_exclusions(s)  # 'excluding East', '除了华东以外': values left out, or refused when none is named
    for m in W.THRESHOLD.finditer(s.text):
        s.doubts.append(m.group(0).strip())  # 'below 40%', '超过100万': a condition Fupan does not filter by yet
        s.mark(m.start(), m.end())
    return s


def _multiword_cues(s: Scan) -> None:
    for name, pattern in (("decompose", W.DECOMPOSE), ("funnel", W.FUNNEL), ("themes", W.THEMES)):
        for m in pattern.finditer(s.text):
            if s.free(m.start(), m.end()):
                s.cues.setdefault(name, []).append(Hit(m.start(), m.end(), name))
                s.mark(m.start(), m.end())


def _lexical(s: Scan, vocab: Vocabulary) -> None:
    """Values, metric words, dimension words, unknown names and unavailable topics, longest first."""
    items = _occurrences(s.lower, vocab)
    pending: dict[tuple[int, int], ValueHit] = {}
    for _word, _, kind, payload, start, end in items:
        if kind == "value" and (start, end) in pending:
            hit = pending[(start, end)]
            v = payload
            if v.origin == "data" or all(c.origin != "data" for c in hit.candidates):  # type: ignore[union-attr,attr-defined]
                hit.candidates.append(v)  # type: ignore[arg-type]
            continue
        if not s.free(start, end):
            continue
        s.mark(start, end)
        if kind == "value":
            pending[(start, end)] = ValueHit(start, end, [payload])  # type: ignore[list-item]
        elif kind == "metric":
            s.metrics.append(Hit(start, end, str(payload)))
        elif kind == "dim":
            s.dims.append(Hit(start, end, str(payload)))
        elif kind == "unknown":
            s.unknown.append((s.text[start:end], str(payload)))
        elif _COUNT_OF_DEALS.search(s.text[max(0, start - 30) : start]) and _word in _COUNT_WORDS:
            continue  # '输单（Lost）数量', 'number of deals': how many deals, not units sold (left to the metric)
        else:
            s.unavailable = s.unavailable or str(payload[s.lang])  # type: ignore[index]
    s.values = sorted(pending.values(), key=lambda h: h.start)
    s.metrics.sort(key=lambda h: h.start)
    s.dims.sort(key=lambda h: h.start)


_COUNT_OF_DEALS = re.compile(r"(?:单|商机|机会|订单|deals?|orders?|opportunit\w+|wins|losses)\s*(?:[（(][^）)]{0,24}[）)])?\s*的?\s*$", re.I)
_COUNT_WORDS = {"数量", "quantity"}

_CUES = {
    "why": W.WHY,
    "contribution": W.CONTRIBUTION,
    "share": W.SHARE,
    "trend": W.TREND,
    "held_up": W.HELD_UP,
    "rank": W.RANK,
    "compare": W.COMPARE,
    "change": W.CHANGE,
    "target": W.TARGET,
    "team": W.TEAM,
    "how": W.HOW_IS,
}


def _cues(s: Scan) -> None:
    """Operation cues. They may overlap metric and dimension words ("best-selling"), never a value's name."""
    masked = list(s.text)
    for hit in s.values:
        for i in range(hit.start, hit.end):
            masked[i] = "\0"
    text = "".join(masked)
    inside = [(p.start, p.end) for p in s.periods.mentions]
    for name, pattern in _CUES.items():
        for m in pattern.finditer(text):
            if name == "why" and _reason_column(s, m.start(), m.end()):
                continue  # '各原因的输单数', '丢单原因分布': the data's loss-reason column, not a why
            if name == "why" and any("loss_reason" in v.dims and not s.text[v.end : m.start()].strip() for v in s.values):
                s.mark(m.start(), m.end())  # '价格原因丢单占比': the reason named, its word beside it
                continue
            if name == "rank" and any(a <= m.start() and m.end() <= b for a, b in inside):
                continue  # 前三季度, 'the first three quarters': a period, not a top three
            s.cues.setdefault(name, []).append(Hit(m.start(), m.end(), name))
            s.mark(m.start(), m.end())
    for m in W.BETWEEN_FROM.finditer(text):
        s.cues.setdefault("from_to", []).append(Hit(m.start(), m.end(), "from_to"))


_REASON_BY_BEFORE = re.compile(r"(?:各|按|每个|每种|分|哪些|哪个|哪种|\bby|\beach|\bper|\bwhich|\bwhat|\btop\s*\d*)\s*(?:the\s+)?$", re.I)
_REASON_BY_AFTER = re.compile(r"^\s*(?:的?(?:分布|构成|排名|排行|占比|分别)|各|\b(?:breakdown|split|mix)\b)", re.I)


def _reason_column(s: Scan, start: int, end: int) -> bool:
    """A why-word (原因) that is the loss-reason column's name: said as a grouping ('各原因', '丢单原因分布'),
    or inside the column's longer name (丢单原因). Otherwise the column's word is dropped and the why stays."""
    for hit in [h for h in s.dims if h.what == "loss_reason" and h.start < end and start < h.end]:
        if any("loss_reason" in v.dims and not s.text[v.end : hit.start].strip() for v in s.values):
            s.dims.remove(hit)  # '价格原因': the reason named, its word beside it (no grouping, no why)
            return True
        longer = hit.end - hit.start > end - start
        if longer or _REASON_BY_BEFORE.search(s.text[: hit.start]) or _REASON_BY_AFTER.match(s.text[hit.end :]):
            return True
        s.dims.remove(hit)
    return False


def _count(s: Scan) -> None:
    ranked = bool(W.RANK.search(s.text))  # 'three reps with the lowest …': a count before a plural noun, when ranked
    m = next(
        (m for m in W.TOP_N.finditer(s.text) if s.free(m.start(), m.end()) and (ranked or not m.group("n5"))), None
    )
    if m:
        s.n = W.number(m.group("n") or m.group("n2") or m.group("n3") or m.group("n4") or m.group("n5") or m.group("n6"))
        end = m.end("n5") if m.group("n5") else m.end()  # the noun is left for the dimension words
        s.mark(m.start(), end)


_ZH_REGION_NAME = re.compile(r"([\u4e00-\u9fff]{2})(大区|片区|地区|区)(?!域)")
_NOT_A_NAME = re.compile(r"[按各哪每分全所有这那个同的在和与及或看是了中社小]")


def _unknown_names(s: Scan, vocab: Vocabulary) -> None:
    """Names the data does not have: unknown Latin words that look like names (with the unknown words next to
    them: 'GTX Pro'), and Chinese region names."""
    for word in s.strangers:
        i = s.lower.find(word.lower())
        if i >= 0 and s.free(i, i + len(word)):
            start, end = _phrase(s, i, i + len(word))
            for hit in list(s.values):  # 'ServiceBot Pro': a known name with an unknown word is another name
                gap = s.text[hit.end : start] if hit.end <= start else s.text[end : hit.start]
                if hit.origin_is_data() and gap.strip() == "" and len(gap) <= 1:
                    s.values.remove(hit)
                    start, end = min(start, hit.start), max(end, hit.end)
            s.unknown.append((s.text[start:end], ""))
            s.mark(start, end)


_CODE = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{2,}(?![A-Za-z0-9_-])")
_NOT_A_CODE = re.compile(
    r"(?:top|bottom|q|h|fy|t|y)\d{1,4}|\d+(?:st|nd|rd|th|k|m|w|x|s|pp|yr|y|d|h|mo|q\d)|\d{4}[qh]\d|\d{2,4}-\d{1,2}(?:-\d{1,2})?",
    re.I,
)
_LATIN_NAME = re.compile(r"(?<![A-Za-z0-9_-])[A-Z][A-Za-z'\-]+(?![A-Za-z0-9_-])")


def _codes_and_latin_names(s: Scan) -> None:
    """A code no value has ('S10_1679', 'SKU-88A') and, in a Chinese question, a capitalised Latin word no word
    of the data explains ('大单(Large)'): names the data does not have, said as such — never dropped from a
    reading that would then answer for everything."""
    found = [m for m in _CODE.finditer(s.text) if not _NOT_A_CODE.fullmatch(m.group(0))]
    if s.lang == "zh":
        found += [m for m in _LATIN_NAME.finditer(s.text) if m.group(0).lower() not in W.STOP_EN]
    for m in sorted(found, key=lambda m: m.start()):
        if s.free(m.start(), m.end()):
            s.unknown.append((m.group(0), ""))
            s.mark(m.start(), m.end())


def _part_names(s: Scan, vocab: Vocabulary) -> None:
    """'Darcel', 'Schlecht': one word of a longer name in the data (a first or last name) is that name only if
    the user confirms it — taken as an unknown name, so the names it is part of are offered, never dropped."""
    parts = getattr(vocab, "_part_words", None)
    if parts is None:  # the words of the data's multi-word names, once per vocabulary (50,000 names: one pass)
        parts = {w for v in vocab.values if v.origin == "data" and " " in v.word for w in v.word.split()}
        vocab._part_words = parts  # type: ignore[attr-defined]
    for m in re.finditer(r"(?<![\w-])[A-Z][a-z][\w'-]+", s.text):
        word = m.group(0).lower()
        if not s.free(m.start(), m.end()) or word in W.STOP_EN or len(word) < 3:
            continue
        if word in parts:
            s.unknown.append((m.group(0), ""))
            s.mark(m.start(), m.end())


def _phrase(s: Scan, start: int, end: int) -> tuple[int, int]:
    """Grow a name to the free, non-stop Latin tokens right before and after it."""
    while True:
        m = re.search(r"([A-Za-z0-9][\w\-]*)\s+$", s.text[:start])
        if not m or not s.free(m.start(1), m.end(1)) or m.group(1).lower() in W.STOP_EN:
            break
        start = m.start(1)
    while True:
        m = re.match(r"\s+([A-Za-z0-9][\w\-]*)", s.text[end:])
        if not m or not s.free(end + m.start(1), end + m.end(1)) or m.group(1).lower() in W.STOP_EN:
            break
        end = end + m.end(1)
    return start, end


def _zh_region_names(s: Scan, vocab: Vocabulary) -> None:
    """'深圳区', '西南区': two characters that name no value, then 区/大区/片区/地区 — a region not in the data.
    Taken before values, so '南区' (an alias of 华南) is not read inside '西南区'."""
    known = vocab.value_words
    for m in _ZH_REGION_NAME.finditer(s.text):
        name = m.group(1)
        if name.lower() in known or m.group(0).lower() in known or _NOT_A_NAME.search(name):
            continue
        if s.free(m.start(), m.end()):
            s.unknown.append((m.group(0), "region"))
            s.mark(m.start(), m.end())


def near_values(word: str, vocab: Vocabulary, limit: int = 3) -> list[ValueWord]:
    """Values in the data close to an unknown name: the same letters apart from case, spaces or punctuation
    ('GTX Pro' ~ 'GTXPro'), one that starts with it or that it starts with ('ServiceBot Pro' ~ 'ServiceBot'),
    or within two edits."""
    key = re.sub(r"[\W_]+", "", word.lower())
    if len(key) < 2:
        return []
    scored: list[tuple[int, str, ValueWord]] = []
    for v in vocab.values:
        vkey = re.sub(r"[\W_]+", "", v.word)
        if not vkey:
            continue
        if vkey == key:
            score = 0
        elif len(key) >= 4 and len(vkey) >= 4 and (vkey.startswith(key) or key.startswith(vkey)):
            score = 1
        elif len(key) >= 3 and " " in v.word and word.lower() in v.word.split():
            score = 1  # one word of a longer name: 'Darcel' ~ 'Darcel Schlecht'
        elif len(key) >= 4 and len(vkey) >= len(key) + 2 and key in vkey:
            score = 1  # inside a longer name: 'Zoom' ~ 'Domzoom', 'Gogozoom'
        elif len(key) >= 5 and distance(key, vkey, 2) <= (1 if len(key) < 8 else 2):
            score = 2
        else:
            continue
        scored.append((score, v.word, v))
    scored.sort(key=lambda t: (t[0], t[1], t[2].dim))
    out: list[ValueWord] = []
    for _, _, v in scored:
        if (v.dim, v.value) not in {(o.dim, o.value) for o in out}:
            out.append(v)
    return out[:limit]
