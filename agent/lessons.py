"""Search lessons: a campaign brief → approved lessons and past action items that apply, ranked, with why."""

from __future__ import annotations

from fupan.answers import LessonMatch
from fupan.messages import say
from knowledge.deps import Deps


def _brief_segments(deps: Deps, brief: str) -> dict[str, str]:
    """Region named in the brief (华南, or a workspace alias such as East), longest name first."""
    from agent.ask_flow import segment_words

    low = brief.lower()
    for word, region in segment_words(deps, "region"):
        if word in low:
            return {"region": region}
    return {}


def _why(meta: dict[str, str], wanted: dict[str, str], brief: str, lang: str) -> str:
    """Why a lesson matches a brief: same region, same product, how it went, its content."""
    reasons = []
    if wanted.get("region") and meta.get("region") == wanted["region"]:
        reasons.append(say("themes.same_region", lang, region=wanted["region"]))
    if meta.get("product") and meta["product"] in brief:
        reasons.append(say("themes.same_product", lang, product=meta["product"]))
    if meta.get("outcome") in ("worked", "did_not_work"):
        reasons.append(say(f"themes.{meta['outcome']}", lang))
    reasons.append(say("themes.matches_brief", lang))
    return say("draft.clause_sep", lang).join(reasons)


def find_lessons(deps: Deps, brief: str, *, k: int = 5, language: str = "zh") -> list[LessonMatch]:
    from knowledge.doc_index import SearchFilters

    wanted = _brief_segments(deps, brief)
    hits = deps.docs.search(brief, k=k * 3, filters=SearchFilters(kinds=["lesson", "action_item", "review"]))
    matches: list[LessonMatch] = []
    for rank, hit in enumerate(hits):
        meta = {k2: str(v) for k2, v in dict(hit.metadata).items()}
        outcome = meta.get("outcome", "unknown")
        relevance = 1.0 - rank / max(1, len(hits))  # the hybrid search's order, on a fixed scale
        boost = 0.35 if wanted.get("region") and meta.get("region") == wanted["region"] else 0.0
        boost += 0.35 if meta.get("product") and meta["product"] in brief else 0.0
        # what worked ranks above what did not; failures still show, as a warning ("avoid repeating")
        boost += {"worked": 0.15, "unknown": 0.05}.get(outcome, 0.0)
        boost -= 0.1 if hit.kind == "review" else 0.0  # a whole review is less specific than a lesson
        matches.append(
            LessonMatch(
                evidence_id=hit.evidence_id,
                kind=hit.kind if hit.kind in {"lesson", "action_item", "review"} else "lesson",
                title=meta.get("title", "") or hit.text[:40],
                text=hit.text,
                score=round(relevance + boost, 4),
                why=_why(meta, wanted, brief, language),
                outcome=outcome if outcome in {"worked", "did_not_work", "unknown"} else "unknown",  # type: ignore[arg-type]
                period=meta.get("period") or None,
            )
        )
    # the k most relevant are chosen by score; among them, what failed is listed after what can be repeated, as
    # the warning it is ("avoid repeating"), whatever the search's order of two near-equal passages
    chosen = sorted(matches, key=lambda m: -m.score)[:k]
    return sorted(chosen, key=lambda m: (m.outcome == "did_not_work", -m.score))


__all__ = ["find_lessons"]
