"""Citation numbers and in-document anchors for a draft's evidence ids.

Every id the report cites gets a number ([1], [2], ... in order of first appearance) and an anchor
(`ev-<hash>`: stable, ASCII, valid as an HTML id and a Markdown link target). Ids cited but missing from
`draft.evidence` still get an entry, so no citation link is ever broken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pydantic import BaseModel

from fupan.evidence import Evidence
from fupan.report import ReviewDraft


def anchor(evidence_id: str) -> str:
    """`ev-3f2a9c1b0d`: the in-document anchor of one evidence id."""
    return "ev-" + hashlib.sha1(evidence_id.encode("utf-8")).hexdigest()[:10]


class Citation(BaseModel):
    number: int
    id: str
    anchor: str
    evidence: Evidence | None = None


def cited_ids(draft: ReviewDraft) -> list[str]:
    """Every evidence id the report cites, in reading order (goals, chains, lessons, actions, charts)."""
    groups: list[Iterable[str]] = [g.evidence for g in draft.goals]
    for chain in draft.chains:
        groups += [link.evidence for link in chain.links] + [chain.evidence]
    groups += [lesson.evidence for lesson in draft.lessons]
    groups += [action.evidence for action in draft.actions]
    groups += [series.evidence for chart in draft.charts for series in chart.series]
    seen: dict[str, None] = {}
    for group in groups:
        seen.update({e: None for e in group if e})
    seen.update({e: None for e in draft.evidence if e not in seen})
    return list(seen)


class Citations:
    """Numbered citations for one draft."""

    def __init__(self, draft: ReviewDraft) -> None:
        self.items = [
            Citation(number=i, id=eid, anchor=anchor(eid), evidence=draft.evidence.get(eid))
            for i, eid in enumerate(cited_ids(draft), start=1)
        ]
        self._by_id = {c.id: c for c in self.items}

    def __getitem__(self, evidence_id: str) -> Citation:
        return self._by_id[evidence_id]

    def refs(self, evidence_ids: Iterable[str]) -> list[Citation]:
        """The citations for a list of ids, deduplicated, in the list's order."""
        return [self._by_id[e] for e in dict.fromkeys(evidence_ids) if e in self._by_id]

    def marks(self, evidence_ids: Iterable[str]) -> str:
        """Plain-text marks: `[1][4]`."""
        return "".join(f"[{c.number}]" for c in self.refs(evidence_ids))
