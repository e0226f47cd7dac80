"""Spelling slips in questions, before routing: misspelt Latin words (`rveenue`, `Suoth`, `qaurter`) and
doubled Chinese characters (`2026年年第三季度`, `按区区域`).

- A Latin word the router does not know is replaced by the one vocabulary word within a small
  Damerau-Levenshtein distance (≤ 1 for words of 4–7 letters, ≤ 2 for longer ones, keeping the first letter
  at 2); no match or several matches leave it as it is.
- A word left unknown that looks like a segment name (capitalised inside the sentence, right after
  in/for/at/from, right before a metric word, or within two edits of a segment name) is reported, so the
  router answers "not in the data" instead of silently answering for the whole company.
- A doubled Chinese character is made single when that makes it part of a known phrase (a vocabulary word
  or a period) that it was not part of before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_LATIN = re.compile(r"[A-Za-z]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEGMENT_BEFORE = re.compile(r"(?:\bin|\bfor|\bat|\bfrom|\bof)\s+(?:the\s+)?$", re.I)
_MIN_LETTERS = 4


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment); anything above `limit` is `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return min(prev[-1], limit + 1)


def allowed_edits(word: str) -> int:
    """How many edits a misspelt word of this length may carry: none under 4 letters, 1 up to 7, else 2."""
    if len(word) < _MIN_LETTERS:
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class Lexicon:
    """The Latin words the router knows (`known`), the ones a misspelling may resolve to (`targets`, each
    ≥ 4 letters), the words of segment names (`segments`) and the Latin metric phrases (`metrics`)."""

    known: frozenset[str] = frozenset()
    targets: tuple[str, ...] = ()
    segments: frozenset[str] = frozenset()
    metrics: tuple[str, ...] = ()


def latin_words(phrases: Iterable[str]) -> set[str]:
    return {w.lower() for p in phrases for w in _LATIN.findall(p)}


def build_lexicon(
    *,
    vocabulary: Iterable[str],
    keywords: Iterable[str],
    common: Iterable[str],
    segments: Iterable[str],
    metrics: Iterable[str],
) -> Lexicon:
    """All three kinds of word are known (never corrected) and may be what a slip resolves to; `common`
    holds ordinary words, so that a slip of one (`aganist`) is not mistaken for an unknown name."""
    known = latin_words(vocabulary) | latin_words(keywords) | latin_words(common)
    return Lexicon(
        known=frozenset(known),
        targets=tuple(sorted(w for w in known if len(w) >= _MIN_LETTERS)),
        segments=frozenset(w for w in latin_words(segments) if len(w) >= _MIN_LETTERS - 1),
        metrics=tuple(sorted({m.lower() for m in metrics if m.isascii() and _LATIN.search(m)}, key=len)),
    )


def resolve_word(word: str, lexicon: Lexicon) -> str | None:
    """The one closest target within the allowed edits of `word`, or None (no match, or a tie).
    A two-edit match must keep the first letter (`tracking` is not a slip of `ranking`)."""
    limit = allowed_edits(word)
    if len(word) == _MIN_LETTERS - 1:  # 'teh', 'adn': two letters swapped in a known three-letter word
        swapped = {t for t in lexicon.known if len(t) == 3 and t != word and sorted(t) == sorted(word)
                   and distance(word, t, 1) == 1}  # fmt: skip
        return swapped.pop() if len(swapped) == 1 else None
    if not limit:
        return None
    found: dict[int, set[str]] = {1: set(), 2: set()}
    for target in lexicon.targets:
        if target[0] != word[0] and target[-1] != word[-1]:
            continue  # one edit keeps the first or the last letter (4+ letters); two must keep the first
        edits = distance(word, target, limit)
        if edits == 1 or (edits == 2 <= limit and target[0] == word[0]):
            found[edits].add(target)
    closest = found[1] or found[2]
    if len(closest) > 1:  # 'proft': profit or the surname Prost? a word of the questions beats a word of a name
        closest = closest - lexicon.segments or closest
    if len(closest) > 1:  # 'waht': two letters swapped (what) is a likelier slip than one changed (want)
        closest = {t for t in closest if sorted(t) == sorted(word)} or closest
    return closest.pop() if len(closest) == 1 else None


@dataclass
class Spelling:
    """A question after its slips were corrected; `unknown` lists words that look like segment names."""

    text: str
    corrected: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def correct_latin(question: str, lexicon: Lexicon) -> Spelling:
    """Replace misspelt Latin words by the vocabulary word they uniquely resolve to; report segment-like
    words that resolve to nothing."""
    out = Spelling(text=question)
    pieces: list[str] = []
    last = 0
    for m in _LATIN.finditer(question):
        word = m.group(0)
        lower = word.lower()
        pieces.append(question[last : m.start()])
        last = m.end()
        if lower in lexicon.known or len(lower) < _MIN_LETTERS - 1:
            pieces.append(word)
            continue
        fixed = resolve_word(lower, lexicon)
        if fixed is not None and _name_like(question, m) and fixed not in lexicon.segments and fixed not in _MONTHS:
            fixed = None  # 'Rosa', 'Carl' mid-sentence look like names: never turned into 'rose' or 'cara'
        if fixed is not None:
            out.corrected[word] = fixed
            pieces.append(fixed)
            continue
        pieces.append(word)
        if _looks_like_segment(question, m, lexicon):
            out.unknown.append(word)
    pieces.append(question[last:])
    out.text = "".join(pieces)
    return out


_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def _name_like(question: str, m: re.Match[str]) -> bool:
    """A capitalised word inside a sentence (not its first word): a name more likely than a slip of a word."""
    before = question[: m.start()]
    return m.group(0)[0].isupper() and bool(before.strip()) and not re.search(r"[.?!。？！:：]\s*$", before)


def _looks_like_segment(question: str, m: re.Match[str], lexicon: Lexicon) -> bool:
    word, lower = m.group(0), m.group(0).lower()
    if any(distance(lower, s, 2) <= 2 for s in lexicon.segments if len(lower) >= 5 or len(s) == len(lower)):
        return True
    before = question[: m.start()]
    if word[0].isupper() and before.strip() and not re.search(r"[.?!。？！]\s*$", before):
        return True
    if _SEGMENT_BEFORE.search(before) or question[m.end() :].startswith("'s"):
        return True
    after = re.sub(r"^(?:'s)?\s+", "", question[m.end() :].lower())
    return any(after.startswith(p) and not "a" <= after[len(p) : len(p) + 1] <= "z" for p in lexicon.metrics)


Spans = Callable[[str], list[tuple[int, int]]]


_WINDOW = 24  # longer than the Chinese phrases a doubled character can complete: every one covering a position lies within ± this


def undouble_chinese(text: str, known_spans: Spans) -> str:
    """Make a doubled Chinese character single where that completes a known phrase. Each doubling is judged on
    the text around it (± _WINDOW characters) and equal windows are judged once, so the time is linear in the
    length of the question (it was quadratic: 2,000 identical characters took seconds)."""
    seen: dict[str, list[tuple[int, int]]] = {}

    def spans(window: str) -> list[tuple[int, int]]:
        if window not in seen:
            seen[window] = known_spans(window)
        return seen[window]

    i = 0
    while i < len(text) - 1:
        if text[i] == text[i + 1] and _CJK.match(text[i]):
            start = max(0, i - _WINDOW)
            if _undoubling_helps(text[start : i + 2 + _WINDOW], i - start, spans):
                text = text[: i + 1] + text[i + 2 :]
                continue
        i += 1
    return text


def _undoubling_helps(text: str, i: int, known_spans: Spans) -> bool:
    before = known_spans(text)
    if any(s <= i and i + 1 < e for s, e in before):
        return False  # the doubled character is itself part of a known phrase
    shifted = {(s if s <= i else s - 1, e if e <= i + 1 else e - 1) for s, e in before}
    single = text[: i + 1] + text[i + 2 :]
    return any(s <= i < e and e - s >= 2 and (s, e) not in shifted for s, e in known_spans(single))
