"""BM25 over jieba (Chinese, with a sales user dictionary) and lightly stemmed English tokens."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

_DICT_DIR = Path(__file__).parent / "dictionaries"
_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]+")
_STOP = frozenset(
    "the a an and or of to in on for is are was were be it this that with at by as from we they he she "
    "的 了 是 在 和 也 就 都 而 及 与 着 或 一个 我们 他们 客户".split()
)


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(_DICT_DIR / "sales_zh.txt"))
    return tokenizer


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    """English key term → Chinese equivalents (and the reverse), for cross-language BM25 expansion."""
    table: dict[str, list[str]] = {}
    for line in (_DICT_DIR / "glossary.tsv").read_text(encoding="utf-8").splitlines():
        en, _, zh = line.partition("\t")
        terms = zh.split()
        for term in terms:
            table.setdefault(en, []).append(term)
            table.setdefault(term, []).extend([en, *(t for t in terms if t != term)])
    return table


@lru_cache(maxsize=1)
def _zh_terms() -> tuple[str, ...]:
    return tuple(t for t in glossary() if len(t) >= 2 and not t.isascii())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def tokenize(text: str) -> list[str]:
    """Lowercased, stemmed English words and jieba Chinese words, stop words removed."""
    tokens: list[str] = []
    for piece in _WORD.findall(text.lower()):
        if piece[0].isascii():
            tokens.append(_stem(piece))
        else:
            tokens.extend(w for w in _jieba().lcut(piece) if w.strip())
    return [t for t in tokens if t not in _STOP]


EXPANSION_WEIGHT = 0.5  # a glossary translation counts half as much as a word the user typed


def expand_query(text: str) -> list[str]:
    """Query tokens plus glossary translations (price → 价格 报价, 竞品 → competitor)."""
    tokens, extra = query_terms(text)
    return tokens + extra


def query_terms(text: str) -> tuple[list[str], list[str]]:
    """(the query's own tokens, glossary translations not among them)."""
    tokens = list(dict.fromkeys(tokenize(text)))
    table = glossary()
    extra = [t for word in re.findall(r"[a-z]+|[\u4e00-\u9fff]+", text.lower()) for t in table.get(word, [])]
    extra += [t for tok in tokens for t in table.get(tok, [])]
    # a Chinese glossary term inside a longer word jieba kept whole (考虑一下 → 考虑, 不感兴趣 → 感兴趣)
    extra += [t for term in _zh_terms() if term in text and term not in tokens for t in table[term]]
    expanded = [tok for t in extra for tok in tokenize(t)]
    return tokens, [t for t in dict.fromkeys(expanded) if t not in tokens]


_SPAN_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]+")


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """[start, end) spans of `text` whose words are the query's words or their glossary translations
    (same tokenizer and stemming as BM25), adjacent spans merged."""
    own, extra = query_terms(query)
    wanted = set(own) | set(extra)
    spans: list[tuple[int, int]] = []
    for m in _SPAN_WORD.finditer(text):
        piece = m.group(0)
        if piece[0].isascii():
            if _stem(piece.lower()) in wanted:
                spans.append((m.start(), m.end()))
            continue
        for word, start, end in _jieba().tokenize(piece):
            if word in wanted and word not in _STOP:
                spans.append((m.start() + start, m.start() + end))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        gap = text[merged[-1][1] : start] if merged else "x"
        if merged and not gap.strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class LexicalIndex:
    """A BM25 index over chunk texts, addressed by position; rebuilt from the catalogue when stale."""

    def __init__(self, texts: list[str]) -> None:
        self._build([tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, tokens: list[list[str]]) -> LexicalIndex:
        """An index over already tokenized chunks (the catalogue keeps each chunk's tokens)."""
        index = cls.__new__(cls)
        index._build(tokens)
        return index

    def _build(self, tokens: list[list[str]]) -> None:
        self.size = len(tokens)
        self._bm25 = bm25s.BM25()
        if tokens:
            corpus = [[t for t in doc if t] or ["∅"] for doc in tokens]
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(tok, len(vocab)) for tok in doc] for doc in corpus]
            self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 of the query's words plus EXPANSION_WEIGHT × BM25 of their glossary translations."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        own, extra = query_terms(query)
        scores = self._score(own)
        if any(w in self._bm25.vocab_dict for w in extra):
            scores += EXPANSION_WEIGHT * self._score(extra)
        return scores

    def _score(self, words: list[str]) -> np.ndarray:
        known = [w for w in words if w in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._bm25.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        index = cls([])
        index.size = size
        if size:
            index._bm25 = bm25s.BM25.load(str(folder))
        return index
