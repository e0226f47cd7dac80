"""Lessons for a brief: the k most relevant are chosen by score, and what failed is listed after what can be
repeated, whatever order the search returned two near-equal passages in."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from agent import lessons
from knowledge.documents import SearchHit


def _hit(eid: str, outcome: str, region: str = "South") -> SearchHit:
    return SearchHit(evidence_id=eid, doc_id=eid, chunk=0, text=f"text of {eid}", score=1.0, kind="lesson",
                     metadata={"outcome": outcome, "region": region, "title": eid})  # fmt: skip


class _Docs:
    def __init__(self, hits: list[SearchHit]) -> None:
        self.hits = hits

    def search(self, brief: str, **_: Any) -> list[SearchHit]:
        return self.hits


def _find(monkeypatch: pytest.MonkeyPatch, hits: list[SearchHit], k: int) -> list[tuple[str, str]]:
    monkeypatch.setattr(lessons, "_brief_segments", lambda deps, brief: {"region": "South"})
    deps: Any = SimpleNamespace(docs=_Docs(hits))
    return [(m.evidence_id, m.outcome) for m in lessons.find_lessons(deps, "push in the South", k=k, language="en")]


def test_a_failure_found_first_is_listed_after_what_worked(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = [_hit("a", "did_not_work"), _hit("b", "worked"), _hit("c", "unknown"), _hit("d", "worked", "North")]
    got = _find(monkeypatch, hits, k=4)
    assert got[-1] == ("a", "did_not_work")
    assert [e for e, _ in got[:3]] == ["b", "c", "d"]  # the rest keep their score order


def test_the_choice_of_k_is_by_relevance_not_by_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = [_hit("a", "did_not_work"), _hit("b", "worked"), *(_hit(f"x{i}", "worked", "North") for i in range(6))]
    got = _find(monkeypatch, hits, k=2)
    assert got == [("b", "worked"), ("a", "did_not_work")]  # the relevant failure stays in the top 2, shown last
