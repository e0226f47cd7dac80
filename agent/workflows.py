"""The analyst's three jobs: ask, draft_review, search_lessons.

The deterministic writer is the default; when `settings.llm` is enabled the LLM writer (agent/llm_writer.py)
plans and writes with the same tools, and anything it produces that fails validation falls back to the
deterministic result. Every result passes the same grounding check before it is returned.
"""

from __future__ import annotations

from agent.grounding import check_grounding
from agent.router_scan import detect_language
from agent.wording import segment_label
from fupan.answers import Answer, LessonMatch, Turn
from fupan.query import MetricQuery
from fupan.report import ReviewDraft
from knowledge.deps import Deps


def ask(
    deps: Deps,
    question: str,
    *,
    history: list[Turn] | None = None,
    language: str | None = None,
    default_period: str | None = None,
    reading: int | None = None,
    query: MetricQuery | None = None,
) -> Answer:
    """Answer a question about results; every number is computed and cited, and the answer says how the
    question was read. `default_period` is the period a question without one is about; `reading` (1-based)
    picks one of the readings a clarification offered; `query` answers that typed query as it is (a reading
    sent back by the page or an API client)."""
    from agent.ask_flow import answer_query
    from agent.ask_flow import ask as ask_rules
    from agent.themes import ask_themes  # "top objections this quarter": counted from the notes

    if query is None and (themes := ask_themes(deps, question, language=language)):
        themes.findings = check_grounding({"text": themes.text}, themes.evidence)
        return themes
    if query is not None:
        answer = answer_query(deps, question, query)
    else:
        answer = ask_rules(
            deps, question, history=history, language=language, default_period=default_period, reading=reading
        )
    if deps.settings.llm.enabled and answer.status == "answered" and answer.query is not None:
        from agent.llm_writer import ask_with_llm

        answer = ask_with_llm(deps, question, answer.query, fallback=answer)
    if answer.status == "answered":  # a refusal or a question back quotes the user's words, computes nothing
        answer.findings = check_grounding({"text": answer.text}, answer.evidence)
    return answer


def draft_review(
    deps: Deps,
    period: str,
    *,
    scope: dict[str, str] | None = None,
    notes: str | None = None,
    language: str | None = None,
) -> ReviewDraft:
    """Draft the review report for a period (and optional scope and pasted notes); it is not saved here."""
    from agent.ask_flow import vocabulary_for
    from agent.draft import build_draft
    from agent.validate import validate_draft
    from agent.wording import display_names

    lang = language or deps.settings.language
    vocab = vocabulary_for(deps)
    with display_names(vocab.display, vocab.dims):  # the team's English names (East = 华东), the data's dimension labels
        draft = build_draft(deps, period, scope=scope or {}, notes=notes, language=lang)
    if deps.settings.llm.enabled:
        from agent.llm_writer import rewrite_draft_with_llm

        draft = rewrite_draft_with_llm(deps, draft, notes=notes)
    draft.created_at = deps.clock()
    return validate_draft(deps, draft)


def search_lessons(deps: Deps, brief: str, *, k: int = 5, language: str | None = None) -> list[LessonMatch]:
    """Approved lessons and past action items that apply to a campaign brief, ranked, each with why."""
    from agent.lessons import find_lessons

    return find_lessons(deps, brief, k=k, language=language or detect_language(brief))


def scope_label(scope: dict[str, str], lang: str) -> str:
    return segment_label(scope, lang)
