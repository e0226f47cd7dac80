"""Split documents into chunks at Chinese and English sentence boundaries, keeping speaker turns whole."""

from __future__ import annotations

import re

MAX_CHUNK_SIZE = 120  # CJK characters + Latin words; ~100-150 e5 tokens, see bench/RESULTS.md (knowledge)
TRANSCRIPT_CHUNK_SIZE = 48  # a few turns of a call

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])(?=\s)|\n+")
_CLAUSE_END = re.compile(r"(?<=[，、,：:])")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|e\.g|i\.e|No|Inc|Co|Ltd)|\b[A-Z])\.$")
_TURN = re.compile(r"^\s*[^\s:：]{1,20}[:：]\s*\S")
_SPEAKER = re.compile(r"^\s*[^\s:：]{1,20}[:：]\s*")
_ZH = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]+")
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


def detect_language(text: str) -> str:
    """zh when CJK characters outweigh Latin words, else en."""
    zh = len(_ZH.findall(text))
    en = len(_LATIN.findall(text))
    return "zh" if zh >= max(1, en) else "en"


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；!?; or '. ' (not after Mr./e.g. and the like); newlines also end one."""
    sentences: list[str] = []
    for part in (p.strip() for p in _SENTENCE_END.split(text)):
        if not part:
            continue
        if sentences and _ABBREVIATION.search(sentences[-1]) and "\n" not in part:
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences


def is_transcript(text: str) -> bool:
    """Most non-empty lines start with a speaker label ('Agent: ...', '客户：...')."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > 1 and sum(bool(_TURN.match(line)) for line in lines) >= len(lines) / 2


def strip_speakers(text: str) -> str:
    """A transcript chunk without its 'Agent:'/'Customer:' labels (they match every call in BM25)."""
    return "\n".join(_SPEAKER.sub("", line, count=1) for line in text.splitlines())


def _units(text: str) -> list[str]:
    """Speaker turns stay whole lines; other text splits into sentences."""
    if is_transcript(text):
        return [line.strip() for line in text.splitlines() if line.strip()]
    return split_sentences(text)


def text_size(text: str) -> int:
    """Rough token size: CJK characters count one each, Latin words and numbers one each."""
    return len(_TOKEN.findall(text))


def _split_long(unit: str, max_size: int) -> list[str]:
    """A unit longer than max_size: split at clause marks, then cut hard by size (no text is lost)."""
    pieces: list[str] = []
    current = ""
    for clause in (c for c in _CLAUSE_END.split(unit) if c):
        if current and text_size(current + clause) > max_size:
            pieces.append(current)
            current = ""
        current += clause
        while text_size(current) > max_size:
            cut = _cut_point(current, max_size)
            pieces.append(current[:cut])
            current = current[cut:]
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _cut_point(text: str, max_size: int) -> int:
    """Character offset just after the max_size-th token (at a word boundary for Latin text)."""
    tokens = list(_TOKEN.finditer(text))
    return tokens[max_size - 1].end() if len(tokens) >= max_size else len(text)


def chunk_text(text: str, *, max_size: int = MAX_CHUNK_SIZE) -> list[str]:
    """Greedy packing of sentences/turns into chunks of at most `max_size`; a longer unit is split.

    Transcripts pack at most TRANSCRIPT_CHUNK_SIZE: a call's few decisive turns ("let me think about it")
    would otherwise drown in small talk."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    transcript = is_transcript(text)
    glue = "\n" if transcript else " "
    max_size = min(max_size, TRANSCRIPT_CHUNK_SIZE) if transcript else max_size
    for whole in _units(text):
        for unit in _split_long(whole, max_size) if text_size(whole) > max_size else [whole]:
            unit_size = text_size(unit)
            if current and size + unit_size > max_size:
                chunks.append(_join(current, glue))
                current, size = [], 0
            current.append(unit)
            size += unit_size
    if current:
        chunks.append(_join(current, glue))
    return chunks


def _join(units: list[str], glue: str) -> str:
    text = glue.join(units)
    return re.sub(r"(?<=[\u4e00-\u9fff。！？；，]) (?=[\u4e00-\u9fff])", "", text)
