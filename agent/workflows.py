"""The analyst's three jobs: ask, draft_review, search_lessons.

The deterministic writer is the default; when `settings.llm` is enabled the LLM writer (agent/llm_writer.py)
plans and writes with the same tools, and anything it produces that fails validation falls back to the
deterministic result. Every result passes the same grounding check before it is returned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from agent.ask import (
    Collector,
    answer_breakdown,
    answer_compare,
    answer_top,
    answer_trend,
    answer_value,
    vocabulary_for,
)
from agent.ask_explain import answer_contribution, answer_why
from agent.ask_funnel import answer_funnel
from agent.grounding import check_grounding
from agent.router import Intent, detect_language, route
from agent.wording import segment_label
from fupan.answers import Answer, LessonMatch, Turn
from fupan.deps import Deps
from fupan.errors import InputError, NotFound
from fupan.report import ReviewDraft

_SHAPES: dict[str, Callable[..., tuple[str, Any, dict[str, str]]]] = {
    "value": answer_value,
    "compare": answer_compare,
    "trend": answer_trend,
    "top": answer_top,
    "breakdown": answer_breakdown,
    "why": answer_why,
    "contribution": answer_contribution,
    "funnel": answer_funnel,
}


def _previous_intent(history: list[Turn] | None) -> Intent | None:
    for turn in reversed(history or []):
        if turn.intent:
            try:
                return Intent.model_validate(turn.intent)
            except ValueError:
                continue
    return None


def _unanswerable(question: str, intent: Intent, vocab: Any) -> Answer | None:
    lang = intent.language
    if intent.unknown:
        dim, word = next(iter(intent.unknown.items()))
        regions = "、".join(v for w, d, v in vocab.values if d == "region" and w == v.lower()) or "—"
        missing = (
            f"数据中没有“{word}”这个区域；现有区域：{regions}。"
            if lang == "zh"
            else f"There is no region '{word}' in the data; regions present: {regions}."
        )
        return Answer(
            question=question,
            language=lang,
            text=missing,
            status="unanswerable",
            missing=missing,
            intent=intent.model_dump(),
        )
    if intent.missing and intent.missing != "metric":
        return Answer(
            question=question,
            language=lang,
            text=intent.missing,
            status="unanswerable",
            missing=intent.missing,
            intent=intent.model_dump(),
        )
    if intent.missing == "metric":
        text = (
            "没看出问的是哪个指标。可以问销售额、达成率、赢单率、客单价、销售周期、新客户数、转化率等。"
            if lang == "zh"
            else "I could not tell which metric you mean. Try revenue, achievement, win rate, average deal size, "
            "sales cycle, new customers or conversion."
        )
        return Answer(
            question=question,
            language=lang,
            text=text,
            status="clarify",
            missing="metric",
            intent=intent.model_dump(),
        )
    periods = set(vocab.available)
    asked = [p for p in [intent.period, *intent.periods] if p]
    absent = [p for p in asked if p not in periods and "Q" in p]
    if absent:
        have = ", ".join(sorted(p for p in periods if "Q" in p))
        text = (
            f"没有 {absent[0]} 的数据；现有季度：{have}。"
            if lang == "zh"
            else f"There is no data for {absent[0]}; quarters with data: {have}."
        )
        return Answer(
            question=question,
            language=lang,
            text=text,
            status="unanswerable",
            missing=text,
            intent=intent.model_dump(),
        )
    return None


def ask_deterministic(deps: Deps, question: str, intent: Intent) -> Answer:
    """Answer a routed question with the built-in writer."""
    col = Collector(intent.language)
    text, table, named = _SHAPES[intent.shape](deps, intent, col)
    return Answer(
        question=question,
        language=intent.language,
        text=text,
        intent=intent.model_dump(),
        table=table,
        evidence=col.evidence,
        answers=named,
        snapshot_id=deps.sales.current_snapshot_id(),
    )


def route_question(
    deps: Deps,
    question: str,
    *,
    history: list[Turn] | None = None,
    language: str | None = None,
    default_period: str | None = None,
) -> Intent:
    vocab = vocabulary_for(deps)
    if default_period:
        vocab = dataclasses.replace(vocab, current=default_period)
    return route(
        question, vocab, previous=_previous_intent(history), language=language or detect_language(question)
    )


def ask(
    deps: Deps,
    question: str,
    *,
    history: list[Turn] | None = None,
    language: str | None = None,
    default_period: str | None = None,
) -> Answer:
    """Answer a question about results; every number is computed and cited.
    `default_period` is the quarter a question without a period (or with 上季度/last quarter) is about."""
    if not question.strip():
        raise InputError("the question is empty", hint='ask e.g. "三季度华东为什么没完成目标?"')
    from agent.themes import ask_themes  # "top objections this quarter": counted from the notes

    if themes := ask_themes(deps, question, language=language):
        themes.findings = check_grounding({"text": themes.text}, themes.evidence)
        return themes
    vocab = vocabulary_for(deps)
    if not vocab.available:
        raise NotFound("no sales data in the workspace", hint="run 'fupan import' (or 'fupan demo') first")
    intent = route_question(deps, question, history=history, language=language, default_period=default_period)
    if blocked := _unanswerable(question, intent, vocab):
        return blocked
    answer = ask_deterministic(deps, question, intent)
    if deps.settings.llm.enabled:
        from agent.llm_writer import ask_with_llm

        answer = ask_with_llm(deps, question, intent, fallback=answer)
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
    from agent.draft import build_draft
    from agent.validate import validate_draft

    lang = language or deps.settings.language
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
