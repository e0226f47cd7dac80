"""Ask, end to end: question → routing (readings) → the engine runs the chosen typed query → a cited answer
that begins with how the question was read.

- `answer` (status `answered`): the one reading the question has; `restatement` says how it was read.
- `clarify`: one to three numbered readings (`readings`); `ask(..., reading=N)` or `answer_query` answers one.
- `unanswerable`: what is missing (a name, a period or a measure not in the data), never a guess.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agent import query_engine
from agent.ask import WRITERS, Collector, Writer, write_empty
from agent.ask_pipeline import unknown_amount_note
from agent.engine import engine_for
from agent.router import Routing, route
from agent.router_restate import restate
from agent.router_vocab import Vocabulary
from agent.vocabulary import vocabulary_for
from fupan.answers import Answer, Turn
from fupan.errors import InputError, NotFound
from fupan.query import MetricQuery, Reading
from knowledge.deps import Deps


def segment_words(deps: Deps, dim: str) -> list[tuple[str, str]]:
    """(lower-cased word, value) for a dimension's values in the data and their workspace aliases, longest
    word first."""
    vocab = vocabulary_for(deps)
    return [(v.word, v.value) for v in vocab.values if v.dim == dim]


def _previous(history: list[Turn] | None) -> MetricQuery | None:
    for turn in reversed(history or []):
        if turn.intent:
            try:
                return MetricQuery.model_validate(turn.intent)
            except ValueError:
                continue
    return None


def routing_for(
    deps: Deps,
    question: str,
    *,
    history: list[Turn] | None = None,
    language: str | None = None,
    default_period: str | None = None,
) -> Routing:
    vocab = vocabulary_for(deps)
    return route(question, vocab, previous=_previous(history), language=language, default_period=default_period)


def ask(
    deps: Deps,
    question: str,
    *,
    history: list[Turn] | None = None,
    language: str | None = None,
    default_period: str | None = None,
    reading: int | None = None,
) -> Answer:
    """Answer a question; `reading` (1-based) picks one of the readings a clarification offered."""
    if not question.strip():
        raise InputError("the question is empty", hint='ask e.g. "三季度华东为什么没完成目标?"')
    vocab = vocabulary_for(deps)
    if vocab.calendar.empty:
        raise NotFound("no sales data in the workspace", hint="run 'fupan import' (or 'fupan demo') first")
    routing = route(
        question, vocab, previous=_previous(history), language=language, default_period=default_period
    )
    if deps.settings.llm.enabled and routing.status != "refuse":
        routing = with_llm_reading(deps, question, routing, vocab)
    lang = routing.language
    if reading is not None:
        if not 1 <= reading <= len(routing.readings):
            raise InputError(
                f"there is no reading {reading}",
                hint=f"this question has {len(routing.readings)} reading(s)" if routing.readings else routing.message,
            )
        return answer_query(deps, question, routing.readings[reading - 1].query)
    if routing.status == "answer":
        routing = _targets_by_their_dimension(deps, routing, vocab)
    if routing.status == "refuse":
        return Answer(question=question, language=lang, text=routing.message, status="unanswerable",  # type: ignore[arg-type]
                      missing=routing.message, snapshot_id=deps.sales.current_snapshot_id())  # fmt: skip
    if routing.status == "clarify":
        return clarification(question, routing, deps)
    return answer_query(deps, question, routing.readings[0].query, reading=routing.readings[0])


_TARGET_METRICS = {"target", "gap", "achievement_rate", "pipeline_coverage"}


def _targets_by_their_dimension(deps: Deps, routing: Routing, vocab: Vocabulary) -> Routing:
    """Targets exist only per region (or rep, product) as imported. A target question about another segment
    (a manager's team) is offered as the question about the one region that segment sits in — asked back,
    never assumed — or refused when there is no such region."""
    q = routing.readings[0].query
    needs = q.base == "target" or bool(_TARGET_METRICS & set(q.metrics))
    outside = [d for d in [*q.filters, *q.group_by] if d not in vocab.target_dims]
    if not needs or not outside or not vocab.target_dims:
        return routing
    lang = routing.language
    set_by = "、".join(vocab.dims.label(d, lang) for d in vocab.target_dims) if lang == "zh" else ", ".join(
        vocab.dims.label(d, lang) for d in vocab.target_dims
    )
    if not q.group_by or set(q.group_by) <= set(vocab.target_dims):
        mapped = _one_value_of(deps, {d: q.filters[d] for d in outside if d in q.filters}, vocab.target_dims)
        if mapped is not None:
            dim, value = mapped
            filters = {k: v for k, v in q.filters.items() if k not in outside}
            filters[dim] = [value]
            alt = q.model_copy(update={"filters": filters})
            note = (
                f"目标只按{set_by}设定；{'、'.join(v[0] for v in q.filters.values() if v)} 的数据都在 {value}。是不是问："
                if lang == "zh"
                else f"Targets are set by {set_by} only; all of {', '.join(v[0] for v in q.filters.values() if v)}'s "
                f"deals are in {value}. Did you mean:"
            )
            return Routing("clarify", [Reading(query=alt, restatement=restate(alt, vocab))], note, lang)
    message = (
        f"目标只按{set_by}设定，没有按{vocab.dims.label(outside[0], lang)}的目标，无法回答。"
        if lang == "zh"
        else f"Targets are set by {set_by} only, not by {vocab.dims.label(outside[0], lang)}, so this cannot be answered."
    )
    return Routing("refuse", message=message, language=lang)


def _one_value_of(deps: Deps, filters: dict[str, list[str]], dims: tuple[str, ...]) -> tuple[str, str] | None:
    """The one value of a target dimension that every deal of the segment has (a manager's team → that manager's region)."""
    from agent.metric_filters import sql_literal

    if not filters or any(len(v) != 1 for v in filters.values()):
        return None
    where = " AND ".join(f"{d} = {sql_literal(v[0])}" for d, v in sorted(filters.items()))
    con = engine_for(deps).con
    for dim in dims:
        rows = con.execute(f"SELECT DISTINCT {dim} FROM opportunities WHERE {where} AND {dim} IS NOT NULL").fetchall()
        if len(rows) == 1:
            return dim, str(rows[0][0])
    return None


def with_llm_reading(deps: Deps, question: str, routing: Routing, vocab: Vocabulary) -> Routing:
    """The model's reading next to the rules': the same query → the answer stands; a different one → both are
    shown as numbered readings (the rules' first), never silently one or the other."""
    from agent.llm_writer import read_with_llm

    llm = read_with_llm(deps, question, vocab, routing)
    if llm is None:
        return routing
    same = [r for r in routing.readings if _same(r.query, llm.query)]
    if same:
        return routing
    lang = routing.language
    readings = [*routing.readings[:2], llm]
    message = (
        "规则与模型对这个问题的理解不同：" if lang == "zh" else "The rules and the model read this question differently:"
    )
    return Routing("clarify", readings, message if routing.status == "answer" else routing.message, lang)


def _same(a: MetricQuery, b: MetricQuery) -> bool:
    return a.model_dump(exclude={"language"}) == b.model_dump(exclude={"language"})


def clarification(question: str, routing: Routing, deps: Deps) -> Answer:
    lang = routing.language
    lines = [routing.message] + [f"{i}. {r.restatement}" for i, r in enumerate(routing.readings, 1)]
    return Answer(
        question=question,
        language=lang,  # type: ignore[arg-type]
        text="\n".join(lines),
        status="clarify",
        missing=routing.message,
        readings=routing.readings,
        restatement=routing.readings[0].restatement if routing.readings else "",
        snapshot_id=deps.sales.current_snapshot_id(),
    )


def answer_query(deps: Deps, question: str, query: MetricQuery, *, reading: Reading | None = None) -> Answer:
    """Compute one typed query and write its answer (the deterministic writer)."""
    vocab = vocabulary_for(deps)
    engine = engine_for(deps)
    lang = query.language
    col = Collector(lang)
    restatement = reading.restatement if reading else restate(query, vocab)
    base = dict(question=question, language=lang, query=query, restatement=restatement, intent=query.model_dump(),
                readings=[reading or Reading(query=query, restatement=restatement)],
                snapshot_id=deps.sales.current_snapshot_id())  # fmt: skip
    if query.operation == "themes":
        return _themes(deps, question, query, base)
    try:
        if query.operation == "why":
            from agent.ask_explain import write_why

            text, table, named = write_why(engine, query, vocab, col)
            text += _partial_note(query, _why_base(engine, query), vocab, named)  # Q2 of two months against Q1
            return Answer(text=text, table=table, evidence=col.evidence, answers=named, **base)  # type: ignore[arg-type]
        res = query_engine.run(engine, query)
    except InputError as exc:  # the engine cannot compute this reading: say so, never guess
        text = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return Answer(text=text, status="unanswerable", missing=text, **base)  # type: ignore[arg-type]
    writer = Writer(res, vocab, col)
    if res.empty:
        text = write_empty(writer)
        return Answer(text=text, status="unanswerable", missing=text, **base)  # type: ignore[arg-type]
    text, table, named = WRITERS[query.operation](writer)
    text = text[:1].upper() + text[1:] if lang == "en" else text
    text += _partial_note(query, res.base_label, vocab, named)
    text += unknown_amount_note(engine, res, col.cite, writer.label)
    if query.operation == "value" and named.get("value", "") == "":  # the figure cannot be computed: no number
        return Answer(text=text, status="unanswerable", missing=text, table=table, **base)  # type: ignore[arg-type]
    return Answer(text=text, table=table, evidence=col.evidence, answers=named, **base)  # type: ignore[arg-type]


def _why_base(engine: Any, query: MetricQuery) -> str | None:
    """The period a why-answer compares with (the one before, a year before, or the one named)."""
    if not query.base or query.base == "target" or not query.periods:
        return query.base
    try:
        p = engine.base_period(engine.period(query.periods[0]), query.base)
    except Exception:  # noqa: BLE001 — no base period: no note about it
        return None
    return p.label if p is not None else None


def _partial_note(query: MetricQuery, base_label: str | None, vocab: Vocabulary, named: dict[str, str]) -> str:
    """'2017Q1 has data only for 2017-03': a period the data covers only in part is said, so a figure for it is
    not read as the whole period's (a series of many periods is left alone: its labels show the months)."""
    from fupan.periods import parse_period

    cal = vocab.calendar
    labels = list(query.periods) if len(query.periods) <= 2 else []
    if query.operation == "rank" and query.grain:  # 'which quarter was best': the periods named in the answer
        labels = [v for k, v in named.items() if k.startswith("top_")]
    if base_label and base_label not in {"target", *labels}:
        labels.append(base_label)
    notes = []
    for label in labels:
        try:
            p = parse_period(label, cal.fy)
        except Exception:  # noqa: BLE001 — a label that is not a period (a named base) has no coverage note
            continue
        if cal.empty or not cal.partial(p):
            continue
        months = [m for m in cal.months if p.start <= cal._month_date(m) < p.end]  # noqa: SLF001
        span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
        notes.append((label, span))
    if not notes:
        return ""
    if query.language == "zh":
        return "（" + "；".join(f"{label} 只有 {span} 的数据" for label, span in notes) + "）"
    return " (" + "; ".join(f"{label} has data only for {span}" for label, span in notes) + ".)"


def _themes(deps: Deps, question: str, query: MetricQuery, base: dict[str, Any]) -> Answer:
    """The most frequent signals in the notes of the query's period and filters (agent/themes.py)."""
    from agent import themes

    answer: Answer = themes.answer_themes(deps, query, question=question)
    return answer.model_copy(update={k: v for k, v in base.items() if k not in {"question"}})


__all__ = ["answer_query", "ask", "clarification", "dataclasses", "routing_for", "vocabulary_for"]
