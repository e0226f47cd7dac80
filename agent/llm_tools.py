"""The analyst's tools (agent/tools.py `TOOLS`) as LangChain tools with the Deps bound.

Tool results go back to the model as JSON; note text inside them is wrapped in <notes> tags so the
prompts can tell the model it is data. Every evidence id a tool returns is collected for the grounding check.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any, get_type_hints

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, create_model

from agent.tools import TOOLS
from fupan.evidence import Evidence
from knowledge.deps import Deps


def _args_model(func: Callable[..., Any]) -> type[BaseModel]:
    hints = get_type_hints(func)
    fields: dict[str, Any] = {}
    for name, param in list(inspect.signature(func).parameters.items())[1:]:
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[name] = (hints[name], default)
    return create_model(f"{func.__name__}_args", **fields)


def tool_schemas() -> list[dict[str, Any]]:
    """Name, description and JSON Schema of every tool (for tool choice emulated with JSON)."""
    return [
        {
            "name": f.__name__,
            "description": (f.__doc__ or "").strip(),
            "parameters": _args_model(f).model_json_schema(),
        }
        for f in TOOLS
    ]


def _jsonable(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [_jsonable(r) for r in result]
    if isinstance(result, dict):
        return {k: _jsonable(v) for k, v in result.items()}
    return result


def _evidence_ids(data: Any) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "evidence_id" and isinstance(value, str):
                found.append(value)
            else:
                found += _evidence_ids(value)
    elif isinstance(data, list):
        for item in data:
            found += _evidence_ids(item)
    return found


class ToolBox:
    """The fixed tool list bound to one Deps; records calls and the evidence they returned."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.calls: list[str] = []
        self.evidence: dict[str, Evidence] = {}
        self.by_name = {f.__name__: f for f in TOOLS}

    def run(self, name: str, arguments: dict[str, Any]) -> str:
        """Run one tool by name; an unknown name or bad arguments give an error text the model can act on."""
        func = self.by_name.get(name)
        if func is None:
            return f"error: there is no tool {name!r}; available tools: {', '.join(self.by_name)}"
        try:
            args = _args_model(func).model_validate(arguments)
            result = _jsonable(func(self.deps, **args.model_dump()))
        except Exception as exc:  # noqa: BLE001 — the model gets the error and may retry
            return f"error: {type(exc).__name__}: {exc}"
        self.calls.append(name)
        self._collect(result)
        text = json.dumps(result, ensure_ascii=False, default=str)[:6000]
        return f"<notes>{text}</notes>" if name == "search_notes" else text

    def _collect(self, result: Any) -> None:
        from agent.tools import engine_for

        for evidence_id in _evidence_ids(result):
            if evidence_id in self.evidence:
                continue
            if evidence_id.startswith("metric:"):
                self.evidence[evidence_id] = engine_for(self.deps).resolve(evidence_id)
            else:
                hit = self.deps.docs.get(evidence_id)
                if hit is not None:
                    self.evidence[evidence_id] = Evidence(id=evidence_id, kind="note", text=hit.text)

    def langchain_tools(self) -> list[StructuredTool]:
        return [
            StructuredTool.from_function(
                func=lambda _name=f.__name__, **kw: self.run(_name, kw),
                name=f.__name__,
                description=(f.__doc__ or "").strip(),
                args_schema=_args_model(f),
            )
            for f in TOOLS
        ]
