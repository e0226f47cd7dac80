"""Split documents into chunks at Chinese and English sentence boundaries, keeping speaker turns whole."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])(?=\s)|\n+")
_TURN = re.compile(r"^\s*[^\s:：]{1,20}[:：]\s")
_ZH = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]+")


def detect_language(text: str) -> str:
    """zh when CJK characters outweigh Latin words, else en."""
    zh = len(_ZH.findall(text))
    en = len(_LATIN.findall(text))
    return "zh" if zh >= max(1, en) else "en"


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；!?; or '. ' (newlines also end a sentence)."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def _units(text: str) -> list[str]:
    """Speaker turns ('Agent: ...', '客户：...') stay whole; other text splits into sentences."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and sum(bool(_TURN.match(line)) for line in lines) >= len(lines) / 2:
        return lines
    return split_sentences(text)


def _size(text: str) -> int:
    """Rough token size: CJK characters count one each, Latin words one each."""
    return len(_ZH.findall(text)) + len(_LATIN.findall(text))


def chunk_text(text: str, *, max_size: int = 220) -> list[str]:
    """Greedy packing of sentences/turns into chunks of at most `max_size` (a long unit stays alone)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for unit in _units(text):
        unit_size = _size(unit)
        if current and size + unit_size > max_size:
            chunks.append(_join(current))
            current, size = [], 0
        current.append(unit)
        size += unit_size
    if current:
        chunks.append(_join(current))
    return chunks


def _join(units: list[str]) -> str:
    glue = "\n" if any(_TURN.match(u) for u in units) else " "
    text = glue.join(units)
    return re.sub(r"(?<=[\u4e00-\u9fff。！？；，]) (?=[\u4e00-\u9fff])", "", text)
