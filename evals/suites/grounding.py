"""Grounding: the share of numbers in drafts and answers that trace to evidence (agent/grounding.py), and the
share of cited ids that are valid and resolve to the same figure (agent/citations.py)."""

from __future__ import annotations

import re
from typing import Any

from agent.citations import check_citations
from agent.grounding import check_grounding
from agent.numbers import parse_figures
from agent.validate import draft_citations, draft_texts, mask_names, segment_names
from agent.workflows import ask
from evals.context import LATEST, EvalContext
from evals.questions import QUESTIONS_FILE, read_jsonl
from evals.suites.result import Score, SuiteResult, share
from fupan.evidence import Evidence

_INLINE_ID = re.compile(r"\[((?:metric|note|lesson):[^\]]+)\]")
_SMALL_COUNT = 10  # agent/grounding.py leaves bare integers up to 10 alone (list positions, small counts)


def count_figures(texts: dict[str, str]) -> int:
    """Numbers the grounding check looks at, counted the way it counts them."""
    return sum(
        1
        for text in texts.values()
        for fig in parse_figures(text or "")
        if not (fig.kind == "plain" and float(fig.value).is_integer() and abs(fig.value) <= _SMALL_COUNT)
    )


class _Tally:
    def __init__(self) -> None:
        self.figures = self.ungrounded = self.ids = self.bad_ids = 0
        self.problems: list[dict[str, Any]] = []

    def add(
        self,
        name: str,
        texts: dict[str, str],
        cited: dict[str, list[str]],
        evidence: dict[str, Evidence],
        deps: Any,
    ) -> None:
        errors = [f for f in check_grounding(texts, evidence) if f.severity == "error"]
        self.figures += count_figures(texts)
        self.ungrounded += len(errors)
        ids = {e for v in cited.values() for e in v} | set(evidence)
        bad = {f.value for f in check_citations(deps, cited, evidence)}
        self.ids += len(ids)
        self.bad_ids += len(bad & ids)
        for f in errors:
            self.problems.append(
                {"where": name, "location": f.location, "value": f.value, "message": f.message}
            )
        for value in sorted(v for v in bad if v):
            self.problems.append({"where": name, "citation": value})


def run(ctx: EvalContext, *, questions: int | None = None) -> SuiteResult:
    tally = _Tally()
    for period, lang in [(LATEST, "zh"), (LATEST, "en"), ("2026Q2", "zh")]:
        draft = ctx.draft(period, lang)
        # names with digits (a rep called 销售13, the band 10万–30万) are words, as the draft's own check reads them
        texts = mask_names(draft_texts(draft), segment_names(draft))
        tally.add(f"draft {period} {lang}", texts, draft_citations(draft), draft.evidence, ctx.deps)
    asked = read_jsonl(QUESTIONS_FILE)[:questions]
    for q in asked:
        answer = ask(ctx.deps, q.question)
        if answer.status != "answered":
            continue
        tally.add(
            q.id, {"text": answer.text}, {"text": _INLINE_ID.findall(answer.text)}, answer.evidence, ctx.deps
        )
    return SuiteResult(
        suite="grounding",
        scores=[
            Score(
                name="numbers_grounded",
                value=share(tally.figures - tally.ungrounded, tally.figures),
                target=1.0,
                count=tally.figures,
            ),
            Score(
                name="citations_valid",
                value=share(tally.ids - tally.bad_ids, tally.ids),
                target=1.0,
                count=tally.ids,
            ),
        ],
        details={"drafts": 3, "answers": len(asked), "problems": tally.problems[:200]},
    )
