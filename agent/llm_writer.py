"""The LLM writer: a LangChain chat model plans with the fixed tools and writes; its output is validated.

- Native tool calls (`tool_mode` native/auto) through `bind_tools`; for servers without them (`json`, or
  `auto` after a failure) tool choice is emulated with schema-constrained JSON (`response_format` json_schema).
- Structured output is parsed into pydantic models; invalid output goes back to the model with the error for
  at most `settings.llm.max_retries` retries, then the deterministic result is kept.
- Its text passes the same grounding check as the deterministic writer; numbers it made up never survive.
- There is no tool that saves or approves: a note asking for one cannot make it happen.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from openai import LengthFinishReasonError
from pydantic import BaseModel, Field, ValidationError

from agent.grounding import check_grounding
from agent.llm_tools import ToolBox, tool_schemas
from agent.prompt_loader import load_prompt
from fupan.answers import Answer
from fupan.query import MetricQuery, Reading
from fupan.report import ReviewDraft
from knowledge.deps import Deps

M = TypeVar("M", bound=BaseModel)

MAX_TOOL_ROUNDS = 2  # ask: at most 2 tool rounds + 1 final answer = 3 model calls


class ToolChoice(BaseModel):
    """One step when tool calls are emulated with JSON."""

    action: Literal["call", "final"]
    tool: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)
    answer: str | None = Field(None, max_length=2000)


class ChainText(BaseModel):
    id: str
    problem: str = Field(..., min_length=1, max_length=400)
    root_cause: str = Field(..., min_length=1, max_length=600)


class DraftNarrative(BaseModel):
    """What the LLM may rewrite in a draft: the summary and each chain's problem and root cause."""

    summary: str = Field(..., min_length=1, max_length=2000)
    chains: list[ChainText] = Field(default_factory=list, max_length=10)


def chat_model(deps: Deps) -> BaseChatModel:
    """The configured OpenAI-compatible chat model (tests put a scripted fake in place with
    `deps.provide("chat_model", model)`)."""

    def build() -> BaseChatModel:
        from langchain_openai import ChatOpenAI

        llm = deps.settings.llm
        return ChatOpenAI(
            base_url=llm.base_url,
            api_key=llm.api_key.get_secret_value() or "none",
            model=llm.model,
            temperature=llm.temperature,
            timeout=llm.timeout_s,
            max_retries=0,
        )

    return deps.cached("chat_model", build)


def _json_schema_format(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "schema": model.model_json_schema()},
    }


def _parse(model: type[M], content: Any) -> M:
    text = content if isinstance(content, str) else json.dumps(content)
    text = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    return model.model_validate_json(text)


class LLMRun:
    """One job's conversation: counts model calls, keeps the tool box and the messages."""

    def __init__(self, deps: Deps, task: str, lang: str) -> None:
        self.deps, self.lang = deps, lang
        self.model = chat_model(deps)
        self.prompt = load_prompt(task, lang)
        self.tools = ToolBox(deps)
        self.calls = 0
        self.mode = deps.settings.llm.tool_mode

    @property
    def model_name(self) -> str:
        return self.deps.settings.llm.model or type(self.model).__name__

    def invoke(self, messages: list[BaseMessage], **bind: Any) -> AIMessage:
        self.calls += 1
        runnable: Any = self.model.bind(**bind) if bind else self.model
        return runnable.invoke(messages)

    def invoke_tools(self, messages: list[BaseMessage]) -> AIMessage:
        self.calls += 1
        return self.model.bind_tools(self.tools.langchain_tools()).invoke(messages)


def _native_ask(run: LLMRun, messages: list[BaseMessage]) -> str | None:
    for _ in range(MAX_TOOL_ROUNDS + 1):
        reply = run.invoke_tools(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return str(reply.content or "")
        if run.calls > MAX_TOOL_ROUNDS:
            break
        for call in reply.tool_calls:
            messages.append(
                ToolMessage(
                    content=run.tools.run(call["name"], call.get("args") or {}),
                    tool_call_id=call["id"] or call["name"],
                )
            )
    return None


def _json_ask(run: LLMRun, messages: list[BaseMessage]) -> str | None:
    sys_text, _ = load_prompt("tool_choice", run.lang).render(
        tools=json.dumps(tool_schemas(), ensure_ascii=False), task=""
    )
    messages = [SystemMessage(sys_text), *messages]
    for _ in range(MAX_TOOL_ROUNDS + 1):
        try:
            reply = run.invoke(messages, response_format=_json_schema_format(ToolChoice))
        except LengthFinishReasonError:  # the reply hit the token limit mid-JSON: ask for a shorter one
            messages.append(
                HumanMessage("Your reply was cut off at the length limit. Reply with shorter JSON.")
            )
            continue
        messages.append(reply)
        try:
            step = _parse(ToolChoice, reply.content)
        except ValidationError as exc:
            messages.append(
                HumanMessage(f"Invalid JSON for the schema: {exc.errors()[0]['msg']}. Reply again.")
            )
            continue
        if step.action == "final":
            return step.answer or ""
        messages.append(HumanMessage(f"Tool result: {run.tools.run(step.tool or '', step.arguments)}"))
    return None


def ask_with_llm(deps: Deps, question: str, query: MetricQuery, *, fallback: Answer) -> Answer:
    """Let the model answer with tools; keep `fallback` (the deterministic answer) unless the text is grounded."""
    run = LLMRun(deps, "ask", query.language)
    system, user = run.prompt.render(
        question=question,
        intent=query.model_dump_json(),
        periods=", ".join(query.periods),
    )
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
    try:
        text = _json_ask(run, messages) if run.mode == "json" else _native_ask(run, messages)
    except Exception:  # noqa: BLE001 — server without tool support in auto mode: emulate with JSON
        if run.mode != "auto":
            return _mark(fallback, run)
        text = _json_ask(run, messages[:2])
    evidence = {**fallback.evidence, **run.tools.evidence}
    if not text or check_grounding({"text": text}, evidence) or run.calls > MAX_TOOL_ROUNDS + 1:
        return _mark(fallback, run)
    return fallback.model_copy(
        update={
            "text": text,
            "evidence": evidence,
            "writer": "llm",
            "model": run.model_name,
            "prompt_version": run.prompt.version,
        }
    )


class LLMReading(BaseModel):
    """The model's reading of a question: the typed query, and the words it could not place."""

    query: MetricQuery
    unclear: list[str] = Field(default_factory=list, max_length=10)


def read_with_llm(deps: Deps, question: str, vocab: Any, rules: Any) -> Reading | None:
    """The model fills the same `MetricQuery` through validated structured output (schema, then the data's
    metrics, dimensions, names and periods); invalid output goes back with the error, at most
    `llm.max_retries` times. None when the model gives no valid reading."""
    lang = rules.language
    try:
        run = LLMRun(deps, "read_query", lang)
    except Exception:  # noqa: BLE001 — no model: the rules' reading stands
        return None
    system, user = run.prompt.render(
        question=question,
        metrics=_metric_list(lang, vocab),
        dimensions=_dimension_list(vocab, lang),
        calendar=f"{vocab.calendar.months[0]}..{vocab.calendar.months[-1]}" if not vocab.calendar.empty else "",
        rules=rules.readings[0].query.model_dump_json(exclude_defaults=True) if rules.readings else rules.message,
    )
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
    for _ in range(deps.settings.llm.max_retries + 1):
        try:
            reply = run.invoke(messages, response_format=_json_schema_format(LLMReading))
        except Exception:  # noqa: BLE001 — an unreachable or unsupported server
            return None
        messages.append(reply)
        try:
            parsed = _parse(LLMReading, reply.content)
            assert isinstance(parsed, LLMReading)
            query = parsed.query.model_copy(update={"language": lang})
            problem = _query_problem(deps, vocab, query)
        except (ValidationError, ValueError) as exc:
            problem, parsed = str(exc)[:500], None
        if not problem and parsed is not None:
            from agent.router_restate import restate

            return Reading(query=query, restatement=restate(query, vocab), unexplained=parsed.unclear,
                           confidence=0.5 if parsed.unclear else 0.9, source="llm")  # fmt: skip
        messages.append(HumanMessage(f"That query is not valid: {problem}. Reply again with valid JSON."))
    return None


def _query_problem(deps: Deps, vocab: Any, query: MetricQuery) -> str:
    from agent.router import _no_data
    from agent.tools import _check_query
    from fupan.errors import FupanError

    try:
        _check_query(deps, query)
    except FupanError as exc:
        return f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    return _no_data(query, vocab, query.language)


def _metric_list(lang: str, vocab: Any = None) -> str:
    """The built-in metrics and the data's measure metrics (profit__sum, discount__mean …, agent/measures.py)."""
    from agent.measures import definition, metrics_of, parse
    from agent.metrics import REGISTRY

    defs = list(REGISTRY.values())
    for m in getattr(getattr(vocab, "dims", None), "measures", ()):
        defs += [d for mid in metrics_of(m) if (d := definition(m, parse(mid)[1])) is not None]  # type: ignore[index]
    return "; ".join(f"{m.id}: {m.name_zh if lang == 'zh' else m.name_en}" for m in defs)


def _dimension_list(vocab: Any, lang: str) -> str:
    parts = []
    for d in vocab.dims:
        names = vocab.values_of(d.id)
        if names:
            parts.append(f"{d.id}: {d.label(lang)} ({', '.join(names[:12])}{', …' if len(names) > 12 else ''})")
    return "; ".join(parts)


def _mark(answer: Answer, run: LLMRun) -> Answer:
    return answer.model_copy(update={"model": run.model_name, "prompt_version": run.prompt.version})


def _narrative(run: LLMRun, messages: list[BaseMessage]) -> DraftNarrative:
    if run.mode == "native":
        reply = run.model.bind_tools([DraftNarrative], tool_choice="DraftNarrative").invoke(messages)
        run.calls += 1
        messages.append(reply)
        if reply.tool_calls:
            return DraftNarrative.model_validate(reply.tool_calls[0]["args"])
        return _parse(DraftNarrative, reply.content)  # type: ignore[return-value]
    reply = run.invoke(messages, response_format=_json_schema_format(DraftNarrative))
    messages.append(reply)
    return _parse(DraftNarrative, reply.content)  # type: ignore[return-value]


def _apply(draft: ReviewDraft, narrative: DraftNarrative) -> ReviewDraft:
    updated = draft.model_copy(deep=True)
    updated.summary = narrative.summary
    by_id = {c.id: c for c in narrative.chains}
    for chain in updated.chains:
        if chain.id in by_id:
            chain.problem, chain.root_cause = by_id[chain.id].problem, by_id[chain.id].root_cause
    return updated


def _errors(draft: ReviewDraft) -> list[str]:
    texts = {"summary": draft.summary} | {
        f"chains[{i}]": f"{c.problem} {c.root_cause}" for i, c in enumerate(draft.chains)
    }
    errors = [
        f"{f.location}: {f.value} {f.message}"
        for f in check_grounding(texts, draft.evidence)
        if f.severity == "error"
    ]
    # a cause no note or loss reason supports stays a question: the rewrite may not state it as a fact
    errors += [
        f"chains[{i}].root_cause: the cause is a hypothesis to check; keep it a question"
        for i, c in enumerate(draft.chains)
        if c.hypothesis and "？" not in c.root_cause and "?" not in c.root_cause
    ]
    return errors


def rewrite_draft_with_llm(deps: Deps, draft: ReviewDraft, *, notes: str | None = None) -> ReviewDraft:
    """Let the model rewrite the narrative; figures, chains' evidence, actions and owners stay as computed."""
    run = LLMRun(deps, "draft", draft.language)
    analysis = draft.model_dump_json(include={"goals", "chains", "lessons"}, exclude_none=True)
    excerpts = "\n".join(ev.text or "" for ev in draft.evidence.values() if ev.kind == "note")
    system, user = run.prompt.render(
        period=draft.period,
        scope=json.dumps(draft.scope, ensure_ascii=False),
        analysis=analysis[:12000],
        notes=((notes or "") + "\n" + excerpts)[:6000],
    )
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
    stamp = {"model": run.model_name, "prompt_version": run.prompt.version}
    for _ in range(deps.settings.llm.max_retries + 1):
        try:
            candidate = _apply(draft, _narrative(run, messages))
        except (ValidationError, ValueError) as exc:
            messages.append(
                HumanMessage(f"The reply did not match the schema: {str(exc)[:500]}. Reply again.")
            )
            continue
        except Exception:  # noqa: BLE001 — an unreachable or unsupported server: keep the deterministic draft
            break
        errors = _errors(candidate)
        if not errors:
            return candidate.model_copy(update={"writer": "llm", **stamp})
        messages.append(
            HumanMessage(
                "These numbers match no evidence; use only the given figures: " + "; ".join(errors[:10])
            )
        )
    return draft.model_copy(update=stamp)
