"""Exclusions: "excluding Technology", "除了华东以外", "不含取消的订单" — values of the data left out of a figure.

`read_exclusions` (called by the scan) ties each exclusion word to the values of the data it names: after the
word ("excluding East and West", "不含取消", "除了华东"), or before a closing word ("华东除外", "华东以外").
Those values are taken out of the scan's filters and kept in `Scan.excluded`; `apply` writes them into the
query's `exclude` (`not in`; rows with a blank value stay in). An exclusion word that names no value of the data
is never dropped: the question is refused as before ("cannot leave a segment out"), not answered whole.
"""

from __future__ import annotations

import re
from typing import Any

from agent import router_words as W
from fupan.query import MetricQuery

_JOIN = r"(?:\s*(?:,|、|/|，|和|及|与|或|跟|\band\b|\bor\b|\bnor\b|\bthe\b)\s*)*"
_CLOSE = re.compile(r"^\s*(?:以外|之外|除外|外)")
_OPEN_ZH = re.compile(r"除了|除去|除|不含|不包括|不包含|不算|排除|剔除|扣除|去掉")
_GLUE = re.compile(r"^(?:\s|的|订单|商机|单子|部分|类|the\b|any\b|all\b|of\b|for\b|from\b)*", re.I)


def read_exclusions(s: Any) -> None:
    """Move the values each exclusion word names from `s.values` to `s.excluded`; refuse when one names none."""
    if not W.EXCLUDE.search(s.text):
        return
    for m in W.EXCLUDE.finditer(s.text):
        if s.used[m.start()] and not _OPEN_ZH.fullmatch(m.group(0)):
            continue  # inside a word already read
        hits = _after(s, m.end()) if not _CLOSE.match(m.group(0)) else []
        if not hits:
            hits = _before(s, m.start())
        if not hits:
            s.unavailable = s.unavailable or W.EXCLUDE_MESSAGE[s.lang]  # never answered as if the segment were kept
            return
        for h in hits:
            s.values.remove(h)
            s.excluded.append(h)
        s.mark(m.start(), m.end())
        _mark_glue(s, m)


def _after(s: Any, pos: int) -> list[Any]:
    """The value hits that follow `pos`, joined by 'and', '、', '/' …"""
    out = []
    i = pos + len(_GLUE.match(s.text[pos:]).group(0))  # type: ignore[union-attr]
    while True:
        hit = next((h for h in s.values if h.start == i), None)
        if hit is None:
            break
        out.append(hit)
        rest = s.text[hit.end :]
        gap = re.match(_JOIN, rest)
        step = len(gap.group(0)) if gap else 0
        if not step:
            break
        s.mark(hit.end, hit.end + step)
        i = hit.end + step
        i += len(_GLUE.match(s.text[i:]).group(0))  # type: ignore[union-attr]
    return out


def _before(s: Any, pos: int) -> list[Any]:
    """The value hits right before a closing word ('华东以外', 'East aside')."""
    out = []
    i = pos
    while True:
        j = i
        while j > 0 and s.text[j - 1] in " 的":
            j -= 1
        hit = next((h for h in s.values if h.end == j), None)
        if hit is None:
            break
        out.append(hit)
        k = hit.start
        gap = re.search(_JOIN + r"$", s.text[:k])
        if not gap or not gap.group(0):
            break
        s.mark(gap.start(), k)
        i = gap.start()
    return out


def _mark_glue(s: Any, m: re.Match[str]) -> None:
    """以外/之外 closing a 除了 … phrase are part of the exclusion."""
    for close in re.finditer(r"以外|之外|除外", s.text):
        if close.start() > m.start():
            s.mark(close.start(), close.end())


def apply(s: Any, q: MetricQuery) -> MetricQuery:
    """The query with the scan's excluded values as `exclude` (dimension → values), taken out of its filters."""
    if not getattr(s, "excluded", None):
        return q
    exclude: dict[str, list[str]] = {d: list(v) for d, v in q.exclude.items()}
    for hit in s.excluded:
        c = hit.candidates[0]
        values = exclude.setdefault(c.dim, [])
        if c.value not in values:
            values.append(c.value)
    filters = {
        d: [v for v in vals if v not in exclude.get(d, [])] for d, vals in q.filters.items()
    }
    filters = {d: v for d, v in filters.items() if v}
    return q.model_copy(update={"exclude": exclude, "filters": filters})
