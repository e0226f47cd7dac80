"""SMART: the share of a draft's action items that pass agent/smart.py (and cite their baseline), and the
share whose metric is one the draft explained: cited in a root-cause chain about the item's segment."""

from __future__ import annotations

from typing import TypedDict

from agent.smart import check_action
from evals.context import LATEST, EvalContext
from evals.suites.result import Score, SuiteResult, share
from fupan.evidence import parse_evidence_id
from fupan.report import ReviewDraft

REVENUE_FAMILY = {"won_revenue", "target", "gap", "achievement_rate"}


def explained_metrics(draft: ReviewDraft) -> dict[str, set[str]]:
    """Segment (as sorted items text) → the metrics its chains cite."""
    out: dict[str, set[str]] = {}
    for chain in draft.chains:
        key = repr(sorted(chain.segment.items()))
        for eid in chain.evidence + [e for link in chain.links for e in link.evidence]:
            try:
                kind, parts = parse_evidence_id(eid)
            except ValueError:
                continue
            if kind == "metric":
                out.setdefault(key, set()).add(str(parts["name"]))
    return out


def _explained(metric: str, cited: set[str]) -> bool:
    return metric in cited or (metric in REVENUE_FAMILY and bool(cited & REVENUE_FAMILY))


class DraftScore(TypedDict):
    passed: int
    relevant: int
    items: int
    rows: list[dict[str, object]]


def score_draft(draft: ReviewDraft) -> DraftScore:
    explained = explained_metrics(draft)
    passed, relevant = 0, 0
    rows: list[dict[str, object]] = []
    for i, item in enumerate(draft.actions):
        smart = [f.message for f in check_action(item, draft.period, location=f"actions[{i}]")]
        smart += [
            f.message
            for f in draft.findings
            if f.check == "smart" and f.location == f"actions[{i}]" and f.message not in smart
        ]
        ok = not smart
        why = _explained(item.metric, explained.get(repr(sorted(item.segment.items())), set()))
        passed += ok
        relevant += why
        rows.append(
            {
                "item": item.id,
                "metric": item.metric,
                "segment": item.segment,
                "smart": smart,
                "explained": why,
            }
        )
    return {"passed": passed, "relevant": relevant, "items": len(draft.actions), "rows": rows}


def run(ctx: EvalContext) -> SuiteResult:
    drafts = [ctx.draft(LATEST, "zh"), ctx.draft(LATEST, "en"), ctx.draft("2026Q2", "zh")]
    scored = [score_draft(d) for d in drafts]
    items = sum(int(s["items"]) for s in scored)
    return SuiteResult(
        suite="smart",
        scores=[
            Score(
                name="smart_pass",
                value=share(sum(int(s["passed"]) for s in scored), items),
                target=1.0,
                count=items,
            ),
            Score(
                name="metric_explained",
                value=share(sum(int(s["relevant"]) for s in scored), items),
                target=1.0,
                count=items,
            ),
        ],
        details={f"{d.period} {d.language}": s for d, s in zip(drafts, scored, strict=True)},
    )
