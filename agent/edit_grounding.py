"""Grounding of hand edits: a figure a person types into a draft is checked like a generated one.

`edit_findings(before, after)` is the check `Records.edit_draft` runs inside the edit: for every text a person
may edit (title, summary, goal notes, chains, lessons, action texts), an unchanged text keeps its earlier edit
findings (and their confirmations); a changed one is checked against the draft's evidence, and each figure
that matches none becomes an error finding (origin "edit") that blocks approval until someone confirms it.
A figure quoted from a cited note is a warning, as in generated text.
"""

from __future__ import annotations

from agent.grounding import check_grounding
from agent.validate import draft_texts
from fupan.report import Finding, ReviewDraft

_MESSAGE = "a figure typed into the draft matches no evidence; correct it or confirm it before approval"


def editable_texts(draft: ReviewDraft) -> dict[str, str]:
    """Every text a person can edit, by location."""
    texts = {"title": draft.title, **draft_texts(draft)}
    for i, lesson in enumerate(draft.lessons):
        texts[f"lessons[{i}].scenario"] = lesson.scenario
    for i, action in enumerate(draft.actions):
        texts[f"actions[{i}].action"] = action.action
        texts[f"actions[{i}].resources"] = action.resources
        texts[f"actions[{i}].checkpoint"] = action.checkpoint
        texts[f"actions[{i}].progress"] = action.progress
    return texts


def edit_findings(before: ReviewDraft, after: ReviewDraft) -> list[Finding]:
    """Edit findings of `after`: carried over for unchanged texts, checked afresh for changed ones."""
    old, new = editable_texts(before), editable_texts(after)
    changed = {loc: text for loc, text in new.items() if old.get(loc) != text}
    kept = [
        f for f in before.findings if f.origin == "edit" and f.location in new and f.location not in changed
    ]
    fresh = [
        f.model_copy(update={"origin": "edit", "message": _MESSAGE if f.severity == "error" else f.message})
        for f in check_grounding(changed, after.evidence)
    ]
    return kept + fresh
