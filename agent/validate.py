"""validate_draft: the grounding, SMART and citation checks over a whole ReviewDraft."""

from __future__ import annotations

import re

from agent.citations import check_citations
from agent.grounding import check_grounding
from agent.smart import check_action
from fupan.evidence import parse_evidence_id
from fupan.report import Finding, ReviewDraft
from knowledge.deps import Deps

_INLINE_ID = re.compile(r"\[((?:metric|note|lesson):[^\]]+)\]")


def draft_texts(draft: ReviewDraft) -> dict[str, str]:
    """Every narrative text of a draft by location (action plans are checked by SMART instead)."""
    texts = {"summary": draft.summary}
    for i, goal in enumerate(draft.goals):
        texts[f"goals[{i}].note"] = goal.note
    for i, chain in enumerate(draft.chains):
        texts[f"chains[{i}].problem"] = chain.problem
        texts[f"chains[{i}].root_cause"] = chain.root_cause
        texts[f"chains[{i}].finding"] = chain.finding
        texts[f"chains[{i}].verification"] = chain.verification
        for j, link in enumerate(chain.links):
            texts[f"chains[{i}].links[{j}].claim"] = link.claim
    for i, lesson in enumerate(draft.lessons):
        texts[f"lessons[{i}].content"] = lesson.content
    return texts


def segment_names(draft: ReviewDraft) -> list[str]:
    """Names of the segments the draft cites that contain digits (a rep called 销售13, a deal-size band shown as
    3万–10万), as the text writes them: words, not figures. Longest first."""
    from agent.deal_bands import DEAL_SIZE_BAND, band_label
    from agent.wording import value_label

    names: set[str] = set()
    pairs = list(draft.scope.items())
    for eid in draft.evidence:
        try:
            kind, parts = parse_evidence_id(eid)
        except ValueError:
            continue
        if kind == "metric":
            pairs += list(dict(parts["dims"]).items())  # type: ignore[call-overload]
    for dim, value in pairs:
        for lang in ("zh", "en"):
            shown = band_label(value, lang, draft.money_unit) if dim == DEAL_SIZE_BAND else value_label(dim, value, lang)
            names |= {n for n in (value, shown) if any(ch.isdigit() for ch in n)}
    return sorted(names, key=lambda n: (-len(n), n))


def mask_names(texts: dict[str, str], names: list[str]) -> dict[str, str]:
    """The texts with each name blanked out, so its digits are not read as figures."""
    out = {}
    for location, text in texts.items():
        for name in names:
            text = (text or "").replace(name, " " * len(name))
        out[location] = text
    return out


def draft_citations(draft: ReviewDraft) -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {"summary": _INLINE_ID.findall(draft.summary)}
    for i, goal in enumerate(draft.goals):
        cited[f"goals[{i}]"] = goal.evidence
    for i, chain in enumerate(draft.chains):
        cited[f"chains[{i}]"] = chain.evidence + [e for link in chain.links for e in link.evidence]
    for i, lesson in enumerate(draft.lessons):
        cited[f"lessons[{i}]"] = lesson.evidence
    for i, action in enumerate(draft.actions):
        cited[f"actions[{i}]"] = action.evidence
    for i, chart in enumerate(draft.charts):
        cited[f"charts[{i}]"] = [e for s in chart.series for e in s.evidence if e]
    return cited


def _baseline_findings(draft: ReviewDraft) -> list[Finding]:
    findings = []
    for i, action in enumerate(draft.actions):
        figures = [draft.evidence[e].value for e in action.evidence if e in draft.evidence]
        if not any(v is not None and abs(v - action.baseline) <= 1e-6 * max(1.0, abs(v)) for v in figures):
            findings.append(
                Finding(
                    check="smart",
                    location=f"actions[{i}]",
                    message="baseline does not match the cited evidence",
                    value=str(action.baseline),
                )
            )
    return findings


def validate_draft(deps: Deps | None, draft: ReviewDraft) -> ReviewDraft:
    """Fill `draft.findings` with grounding, SMART and citation findings; returns the same draft."""
    # input findings (notes set aside as instruction-like text) come from the drafter and stay
    findings = [f for f in draft.findings if f.check == "injection"]
    findings += check_grounding(mask_names(draft_texts(draft), segment_names(draft)), draft.evidence)
    for i, action in enumerate(draft.actions):
        findings += check_action(action, draft.period, location=f"actions[{i}]")
    findings += _baseline_findings(draft)
    findings += check_citations(deps, draft_citations(draft), draft.evidence)
    draft.findings = findings
    return draft
