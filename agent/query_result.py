"""What `agent.query_engine.run` returns: a `QueryResult` of `Row`s (segments, periods of a series, the total)
and, for a decomposed change, its `Part`s. Every figure in them is a `MetricValue` of the engine."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.metric_values import FunnelResult, MetricValue
from fupan.query import MetricQuery


class Row(BaseModel):
    """One line of a result: a segment (group-by value), a period of a series, or the total (`label` '')."""

    label: str = ""
    dims: dict[str, str] = Field(default_factory=dict)
    period: str = ""
    value: MetricValue | None = None
    base: MetricValue | None = None
    change: float | None = None
    pct_change: float | None = None
    share: float | None = None
    delta: MetricValue | None = Field(None, description="the change as a figure of its own (gap to target)")
    no_deals: bool = Field(False, description="a rep of the team table with no deal in the period")


class Part(BaseModel):
    """One driver of a decomposed change: its base and current level and its effect on the change."""

    name: str
    base: float | None = None
    current: float | None = None
    effect: float
    evidence: list[MetricValue] = Field(default_factory=list)


class QueryResult(BaseModel):
    query: MetricQuery
    period: str = ""
    base_label: str | None = Field(None, description="the resolved base period label, or 'target'")
    total: Row | None = None
    rows: list[Row] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    extra: list[MetricValue] = Field(default_factory=list, description="other figures the answer cites")
    empty: list[str] = Field(default_factory=list, description="periods or segments with no data: no answer")
    gaps: list[str] = Field(default_factory=list, description="periods of a series with no data (left out)")
    funnel: FunnelResult | None = None
