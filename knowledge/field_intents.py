"""What a search query says about a document's outcome: "customer wanted to sleep on it", "客户不愿意提供个人信息".

A small bilingual lexicon (dictionaries/field_intents.tsv) maps the phrases managers use for an outcome or
disposition to a short description of it ("customer needs to think about the offer before deciding"). The
description, not the phrase, is then compared by meaning with the values a field has in the data
(knowledge/doc_search.py): the lexicon names no value of any dataset, so it serves a CRM's "Closed Lost -
no budget" as well as a call centre's "process paused - …". A cue right after a negation ("no sale",
"没成交") is not read, unless the cue is a negation itself ("not interested", "没兴趣").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

SUFFIX_MIN = 4  # letters of a cue's last word for an inflection to follow it
SOFT_TEMPERATURE = 0.01  # e5 cosine similarities of a query to the cues differ by hundredths

_FILE = Path(__file__).parent / "dictionaries" / "field_intents.tsv"
_NEGATION_EN = re.compile(r"(?:\b(?:not|no|never|without|nothing)|n't)\s+(?:\w+\s+){0,1}$", re.I)
_NEGATION_ZH = re.compile(r"(?:没有|没|未|不|无)$")
_NEGATIVE_CUE = re.compile(
    r"^(?:not|no|don't|do not|doesn't|did not|didn't|can't|cannot|couldn't|没|不|无)", re.I
)


@lru_cache(maxsize=1)
def lexicon() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(description, cues) per line of the lexicon, longest cues first."""
    out = []
    for line in _FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        description, _, cues = line.partition("\t")
        phrases = sorted({c.strip().lower() for c in cues.split("|") if c.strip()}, key=len, reverse=True)
        out.append((description.strip(), tuple(phrases)))
    return tuple(out)


def _found(cue: str, text: str) -> bool:
    """Whether `cue` occurs in `text` (lowercased) and is not negated just before."""
    if cue.isascii():
        # an inflection ("considered", "declined") may follow a word, not a short one ("said no" ≠ "said not")
        suffix = r"\w{0,3}" if len(cue.split()[-1]) >= SUFFIX_MIN else ""
        pattern = re.compile(r"\b" + re.escape(cue).replace(r"\ ", r"\s+") + suffix + r"\b")
    else:
        pattern = re.compile(re.escape(cue))
    for m in pattern.finditer(text):
        before = text[: m.start()]
        negated = _NEGATION_EN.search(before) if cue.isascii() else _NEGATION_ZH.search(before)
        if not negated or _NEGATIVE_CUE.match(cue):
            return True
    return False


def intents(query: str) -> list[str]:
    """The descriptions of the outcomes a query names, in lexicon order (none when it names none)."""
    text = query.lower().replace("’", "'")
    return [description for description, cues in lexicon() if any(_found(c, text) for c in cues)]


def cues() -> tuple[list[str], np.ndarray]:
    """Every cue of the lexicon, and the index of its outcome (lexicon order)."""
    entries = lexicon()
    texts = [c for _, cs in entries for c in cs]
    owner = np.array([i for i, (_, cs) in enumerate(entries) for _ in cs], dtype=np.int64)
    return texts, owner


def soft_intents(similarities: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per outcome of the lexicon, a weight summing to 1: softmax of its closest cue's similarity to the query."""
    best = np.full(int(owner.max()) + 1 if len(owner) else 0, -np.inf)
    np.maximum.at(best, owner, similarities)
    weights = np.exp((best - best.max()) / SOFT_TEMPERATURE)
    return weights / weights.sum()
