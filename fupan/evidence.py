"""Evidence ids and the evidence record every cited figure or excerpt resolves to.

Ids:
- `metric:<name>:<period>[:<dim>=<value>...]` for computed figures (dims sorted by name),
- `note:<doc id>#<chunk>` for text,
- `lesson:<id>` for approved lessons,
- `count:<what>:<period>[:<dim>=<value>...]` for a count of notes (e.g. the notes of 2026Q3 in which
  customers raise price: `count:price:2026Q3:region=华东`; `count:notes:…` is all notes in that scope). Its
  `value` is the count and `metadata["notes"]` the note ids counted, so each count cites its notes.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

EvidenceKind = Literal["metric", "note", "lesson", "count"]

_METRIC_RE = re.compile(r"^metric:(?P<name>[a-z0-9_]+):(?P<period>[^:]+)(?P<dims>(?::[^:=]+=[^:]*)*)$")
_NOTE_RE = re.compile(r"^note:(?P<doc>[^#\s]+)#(?P<chunk>\d+)$")
_LESSON_RE = re.compile(r"^lesson:(?P<id>[^\s:]+)$")
_COUNT_RE = re.compile(r"^count:(?P<name>[a-z0-9_]+):(?P<period>[^:]+)(?P<dims>(?::[^:=]+=[^:]*)*)$")


def metric_evidence_id(name: str, period: str, dims: dict[str, str] | None = None) -> str:
    """`metric:win_rate:2026Q3:region=East` — dims sorted so the same figure always gets the same id."""
    parts = [f"metric:{name}:{period}"]
    for key in sorted(dims or {}):
        parts.append(f"{key}={(dims or {})[key]}")
    return ":".join(parts)


def note_evidence_id(doc_id: str, chunk: int) -> str:
    return f"note:{doc_id}#{chunk}"


def lesson_evidence_id(lesson_id: str) -> str:
    return f"lesson:{lesson_id}"


def count_evidence_id(name: str, period: str, dims: dict[str, str] | None = None) -> str:
    """`count:price:2026Q3:region=华东` — dims sorted, like a metric id."""
    return "count" + metric_evidence_id(name, period, dims)[len("metric") :]


class ParsedMetricId(BaseModel):
    name: str
    period: str
    dims: dict[str, str] = Field(default_factory=dict)


def parse_evidence_id(evidence_id: str) -> tuple[EvidenceKind, dict[str, object]]:
    """Split an evidence id into its kind and parts; raises ValueError on a malformed id."""
    for kind, pattern in (("metric", _METRIC_RE), ("count", _COUNT_RE)):
        if m := pattern.match(evidence_id):
            dims: dict[str, str] = {}
            for part in filter(None, m.group("dims").split(":")):
                key, _, value = part.partition("=")
                dims[key] = value
            return kind, {"name": m.group("name"), "period": m.group("period"), "dims": dims}  # type: ignore[return-value]
    if m := _NOTE_RE.match(evidence_id):
        return "note", {"doc_id": m.group("doc"), "chunk": int(m.group("chunk"))}
    if m := _LESSON_RE.match(evidence_id):
        return "lesson", {"lesson_id": m.group("id")}
    raise ValueError(
        f"{evidence_id!r} is not an evidence id; expected metric:<name>:<period>[:dim=value], "
        "note:<doc id>#<chunk>, lesson:<id> or count:<what>:<period>[:dim=value]"
    )


def parse_metric_id(evidence_id: str) -> ParsedMetricId | None:
    """The name, period and dims of a `metric:` id, typed; None for another kind; ValueError if malformed."""
    kind, parts = parse_evidence_id(evidence_id)
    return ParsedMetricId.model_validate(parts) if kind == "metric" else None


class Evidence(BaseModel):
    """One citable thing: a computed figure (value + SQL + snapshot) or a text excerpt (note/lesson)."""

    id: str
    kind: EvidenceKind
    label: str = Field("", description="human label, e.g. '华东 2026Q3 赢单率'")
    value: float | None = Field(None, description="the figure, for metric and count evidence")
    unit: str | None = Field(None, description="'CNY', 'ratio', 'days', 'count' ...")
    text: str | None = Field(None, description="the excerpt, for note and lesson evidence")
    sql: str | None = Field(None, description="the SQL that produced the figure, so it can be re-run")
    snapshot_id: str | None = None
    source: str | None = Field(None, description="file and row/page the excerpt came from")
    metadata: dict[str, str] = Field(default_factory=dict)
