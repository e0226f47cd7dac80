"""Loss-reason questions: "lost deals by reason", "what share of losses were price related", "丢单原因分布".

When the export has a loss-reason column it is the dimension `loss_reason` (fupan/dimensions.py) and its values
are names like any other; without one, the loss-reason words are an unavailable topic (knowledge/aliases.yaml)
and the question is refused, saying the data has no such column. Here: the word 原因 inside 丢单原因 is the
column, not a "why" question; "price related", "due to price", "因为价格" name the reason; a question about
loss reasons that names no metric counts lost deals.
"""

from __future__ import annotations

import re
from typing import Any

from fupan.dimensions import LOSS_REASON
from fupan.query import MetricQuery

_GLUE = re.compile(
    r"\b(?:related|relating|(?:that\s+)?(?:were|was)\s+(?:due\s+to|because\s+of)|due\s+to|because\s+of|"
    r"owing\s+to|caused\s+by|over|on)\b|因为|由于|是因为|原因是|分布|构成",
    re.I,
)
_GLUE_WORDS = {"related", "relating"}
# 'lost deals by reason', '输单按原因': the bare word is the column only beside lost deals ('原因是什么' is 'why')
_BY_REASON = re.compile(r"\b(?:by|per|each)\s+reasons?\b|按原因|各原因|原因分布|分原因", re.I)


def _reasons(s: Any) -> bool:
    return any(h.what == LOSS_REASON for h in s.dims) or any(
        any(c.dim == LOSS_REASON for c in h.candidates) for h in [*s.values, *getattr(s, "excluded", [])]
    )


def _by_reason(s: Any) -> re.Match[str] | None:
    lost = any(h.what == "lost_deals" for h in s.metrics)
    return _BY_REASON.search(s.text) if lost and getattr(s, "reason_column", False) else None


def mark_words(s: Any, has_column: bool = False) -> None:
    """The words a loss-reason reading explains (see the module docstring)."""
    s.reason_column = has_column
    if m := _by_reason(s):
        s.mark(m.start(), m.end())
    if not _reasons(s):
        return
    for h in [h for h in s.dims if h.what == LOSS_REASON]:
        s.mark(h.start, h.end)
        why = [c for c in s.cues.get("why", []) if not (c.start < h.end and h.start < c.end)]
        if why:
            s.cues["why"] = why
        else:
            s.cues.pop("why", None)
    for m in _GLUE.finditer(s.text):
        s.mark(m.start(), m.end())
    s.unknown = [(w, d) for w, d in s.unknown if w.strip().lower() not in _GLUE_WORDS]


def adjust(s: Any, q: MetricQuery) -> MetricQuery:
    """A loss-reason question that names no metric counts lost deals; '丢单原因' alone ('三季度丢单原因分布')
    is a breakdown by it."""
    if _by_reason(s) and q.operation in {"value", "breakdown"} and not q.group_by:
        return q.model_copy(update={"operation": "breakdown", "group_by": [LOSS_REASON]})
    if not _reasons(s):
        return q
    named = any(h.what == LOSS_REASON for h in s.dims)
    if named and q.operation == "value" and LOSS_REASON not in [*q.group_by, *q.filters, *q.exclude]:
        q = q.model_copy(update={"operation": "breakdown", "group_by": [LOSS_REASON]})
    if LOSS_REASON in q.group_by:
        for h in [h for h in s.dims if h.what == LOSS_REASON]:
            s.mark(h.start, h.end)  # the column grouped by
    if s.metrics:
        return q
    on_reason = LOSS_REASON in q.group_by or LOSS_REASON in q.filters or LOSS_REASON in q.exclude
    if not on_reason or q.metrics == ["lost_deals"]:
        return q
    return q.model_copy(update={"metrics": ["lost_deals"]})
