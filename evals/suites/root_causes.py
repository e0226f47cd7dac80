"""Root causes: are the planted effects of 2026Q3 among the draft's chains?

An effect (planted_effects.json) is found by a candidate when the candidate's segment agrees with the effect's
segment (a rep's region comes from the team table) and it names the effect's playbook cause or cites the
effect's metric. Candidates are the draft's chains in their order; for a success effect (cause winning_play)
also the draft's success lessons, whose segment is the one their first metric citation is about.
recall@3: share of effects found among the first 3 candidates about the effect's region (the drafter writes
chains region by region, so a global top 3 could never hold four effects in three regions); recall@3_global
counts only the draft's first 3 chains (first 3 success lessons for a success effect), for reference.
Of the candidates that found an effect: the share whose segment is exactly the effect's, and the share that
cite at least one of the effect's notes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

from agent.playbook import load_playbook
from evals.context import LATEST, EvalContext
from evals.suites.result import Score, SuiteResult, share
from fupan.evidence import ParsedMetricId, parse_evidence_id
from fupan.report import ReviewDraft

METRIC_FAMILY = {
    "sales_cycle": {"sales_cycle_median", "sales_cycle_mean"},
    "win_rate": {"win_rate"},
    "avg_deal_size": {"avg_deal_size"},
    "new_customers": {"new_customers"},
}


@dataclass
class Candidate:
    where: str
    segment: dict[str, str]
    text: str
    metrics: set[str] = field(default_factory=set)
    notes: set[str] = field(default_factory=set)


def _evidence_parts(ids: list[str]) -> tuple[set[str], set[str], list[dict[str, str]]]:
    metrics, notes, dims = set(), set(), []
    for eid in ids:
        try:
            kind, parts = parse_evidence_id(eid)
        except ValueError:
            continue
        if kind == "metric":
            metric = ParsedMetricId.model_validate(parts)
            metrics.add(metric.name)
            dims.append(dict(metric.dims))
        elif kind == "note":
            notes.add(str(parts["doc_id"]))
    return metrics, notes, dims


def candidates(draft: ReviewDraft) -> list[Candidate]:
    out = []
    for i, chain in enumerate(draft.chains):
        ids = chain.evidence + [e for link in chain.links for e in link.evidence]
        metrics, notes, _ = _evidence_parts(ids)
        text = " ".join([chain.problem, chain.root_cause, *(link.claim for link in chain.links)])
        out.append(Candidate(f"chains[{i}]", dict(chain.segment), text, metrics, notes))
    for i, lesson in enumerate(draft.lessons):
        if lesson.type != "success":
            continue
        metrics, notes, dims = _evidence_parts(lesson.evidence)
        out.append(Candidate(f"lessons[{i}]", dims[0] if dims else {}, lesson.content, metrics, notes))
    return out


def _with_region(segment: dict[str, str], rep_region: dict[str, str]) -> dict[str, str]:
    if "rep" in segment and "region" not in segment and segment["rep"] in rep_region:
        return {**segment, "region": rep_region[segment["rep"]]}
    return segment


def _names_cause(candidate: Candidate, cause_id: str) -> bool:
    cause = load_playbook().cause(cause_id)
    words = [cause.title.zh, cause.title.en, cause.lesson.zh, cause.lesson.en]
    return any(w and w.lower() in candidate.text.lower() for w in words)


def matches(candidate: Candidate, effect: dict[str, Any], rep_region: dict[str, str]) -> bool:
    segment = _with_region(candidate.segment, rep_region)
    if any(segment.get(k) != v for k, v in effect["segment"].items()):
        return False
    family = METRIC_FAMILY.get(effect["metric"], {effect["metric"]})
    return _names_cause(candidate, effect["cause"]) or bool(candidate.metrics & family)


def _rep_regions(ctx: EvalContext) -> dict[str, str]:
    with (ctx.folder / "team.csv").open(encoding="utf-8") as f:
        return {row["销售"]: row["区域"] for row in csv.DictReader(f)}


def score_draft(
    draft: ReviewDraft, effects: list[dict[str, Any]], rep_region: dict[str, str], k: int = 3
) -> dict[str, Any]:
    pool = candidates(draft)
    found, found_any, found_global, right_segment, right_note, rows = 0, 0, 0, 0, 0, []
    chains = [c for c in pool if c.where.startswith("chains")]
    successes = [c for c in pool if c.where.startswith("lessons")]
    for effect in effects:
        region = effect["segment"].get("region")
        is_success = effect["cause"] == "winning_play"
        own = [
            c
            for c in pool
            if (c.where.startswith("chains") or is_success)
            and _with_region(c.segment, rep_region).get("region") == region
        ]
        hits = [c for c in own if matches(c, effect, rep_region)]
        top = [c for c in own[:k] if matches(c, effect, rep_region)]
        found += bool(top)
        first = chains[:k] + (successes[:k] if is_success else [])
        found_global += any(matches(c, effect, rep_region) for c in first)
        found_any += bool(hits)
        best = top[0] if top else (hits[0] if hits else None)
        if best is not None:
            right_segment += _with_region(best.segment, rep_region) == effect["segment"]
            right_note += bool(best.notes & set(effect["notes"]))
        rows.append(
            {
                "effect": effect["id"],
                "found_in_top_k": bool(top),
                "found_anywhere": bool(hits),
                "by": best.where if best else None,
                "segment": best.segment if best else None,
                "cites_effect_note": bool(best and best.notes & set(effect["notes"])),
                "candidates_in_region": [c.where for c in own],
            }
        )
    matched = sum(1 for r in rows if r["by"])
    return {
        "recall_at_k": share(found, len(effects)),
        "recall_any": share(found_any, len(effects)),
        "recall_global": share(found_global, len(effects)),
        "right_segment": share(right_segment, matched),
        "cites_effect_note": share(right_note, matched),
        "effects": rows,
    }


def run(ctx: EvalContext, *, period: str = LATEST) -> SuiteResult:
    effects = ctx.planted["effects"]
    rep_region = _rep_regions(ctx)
    per_language = {lang: score_draft(ctx.draft(period, lang), effects, rep_region) for lang in ("zh", "en")}
    zh = per_language["zh"]
    return SuiteResult(
        suite="root_causes",
        scores=[
            Score(name="recall@3", value=zh["recall_at_k"], target=0.9, count=len(effects)),
            Score(name="recall@3_global", value=zh["recall_global"], count=len(effects)),
            Score(name="recall_any_chain", value=zh["recall_any"], count=len(effects)),
            Score(name="found_right_segment", value=zh["right_segment"], target=1.0),
            Score(name="found_cites_effect_note", value=zh["cites_effect_note"], target=1.0),
            Score(
                name="recall@3_en", value=per_language["en"]["recall_at_k"], target=0.9, count=len(effects)
            ),
        ],
        details=per_language,
    )
