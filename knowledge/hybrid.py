"""Reciprocal rank fusion of ranked lists of chunk ids."""

from __future__ import annotations

RRF_K = 60


def reciprocal_rank_fusion(rankings: list[list[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Ids ordered by the sum of 1/(k + rank) over the lists they appear in (rank from 1)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
