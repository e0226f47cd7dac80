"""Ask about results: JSON, or server-sent events (meta, delta..., answer, done)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Caller, ServiceDep
from api.routes.params import PeriodLabel
from fupan.answers import Answer, Turn
from fupan.errors import FupanError
from fupan.query import MetricQuery
from fupan.text_checks import MAX_QUESTION_CHARS

router = APIRouter(prefix="/ask", tags=["ask"])


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "三季度华东为什么没完成目标?", "period": "2026Q3"},
                {"question": "What was the win rate in the South in 2026Q3?", "language": "en"},
            ]
        },
    )

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(
        default_factory=list, max_length=20, description="earlier turns, for follow-ups"
    )
    language: Literal["zh", "en"] | None = Field(None, description="default: the question's language")
    period: PeriodLabel | None = Field(
        None, max_length=20, description="quarter a question without a period is about", examples=["2026Q3"]
    )
    reading: int | None = Field(
        None, ge=1, le=3, description="after a clarification: the number of the reading to answer"
    )
    query: MetricQuery | None = Field(
        None, description="answer this typed query as it is (one of the `readings` a clarification listed)"
    )


def _answer(service: ServiceDep, caller: Caller, body: AskRequest) -> Answer:
    return service.ask(
        caller, body.question, history=body.history, language=body.language, period=body.period,
        reading=body.reading, query=body.query,
    )  # fmt: skip


@router.post("", response_model=Answer)
def ask(body: AskRequest, caller: Caller, service: ServiceDep) -> Answer:
    """Answer a question; every number in `text` is cited in `evidence`."""
    return _answer(service, caller, body)


_EVENT = {
    "type": "object",
    "description": "one server-sent event; `data` is JSON",
    "properties": {
        "event": {"type": "string", "enum": ["meta", "delta", "answer", "error", "done"]},
        "data": {"type": "string"},
    },
    "required": ["event", "data"],
}


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _pieces(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[。！？.!?；;\n])", text) if p]


@router.post(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "a stream of server-sent events",
            "content": {"text/event-stream": {"schema": _EVENT}},
        }
    },
)
async def ask_stream(body: AskRequest, caller: Caller, service: ServiceDep) -> StreamingResponse:
    """Server-sent events: `meta` (language, status, how the question was read and, for a clarification, the
    numbered readings), `delta` (text pieces), `answer` (the full Answer), `done`. A failure after the stream
    started arrives as an `error` event with a problem body."""

    async def events() -> AsyncIterator[str]:
        try:
            answer = await run_in_threadpool(_answer, service, caller, body)
        except FupanError as exc:
            problem = {"title": exc.title, "status": exc.http_status, "detail": exc.message, "hint": exc.hint}
            yield _event("error", problem)
            return
        readings = [{"restatement": r.restatement, "query": r.query.model_dump(mode="json")} for r in answer.readings]
        meta = {"language": answer.language, "status": answer.status, "restatement": answer.restatement,
                "readings": readings if answer.status == "clarify" else [], "intent": answer.intent}  # fmt: skip
        yield _event("meta", meta)
        for piece in _pieces(answer.text):
            yield _event("delta", {"text": piece})
        yield _event("answer", answer.model_dump(mode="json"))
        yield _event("done", {})

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
