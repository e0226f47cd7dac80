"""What the metric engine returns (`MetricValue`, `MetricResult`, comparisons, the funnel) and the engine's
surface that its callers read (`FigureEngine`).

They live below the engine so that the modules computing with figures (agent/query_engine.py,
agent/decompose.py) do not import the engine itself: the engine runs them (`MetricEngine.run`), not the other
way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from agent.metrics import REGISTRY
from fupan.evidence import Evidence

if TYPE_CHECKING:
    import duckdb

    from fupan.periods import Period


class MetricValue(BaseModel):
    metric: str
    period: str
    dims: dict[str, str] = Field(default_factory=dict)
    value: float | None
    unit: str
    evidence_id: str
    numerator: float | None = None
    denominator: float | None = None
    sql: str = ""
    snapshot_id: str | None = None

    def to_evidence(self, label_language: str = "zh") -> Evidence:
        d = REGISTRY[self.metric]
        name = d.name_zh if label_language == "zh" else d.name_en
        scope = " ".join(self.dims.values())
        return Evidence(
            id=self.evidence_id,
            kind="metric",
            label=" ".join(p for p in (scope, self.period, name) if p),
            value=self.value,
            unit=self.unit,
            sql=self.sql,
            snapshot_id=self.snapshot_id,
        )


class MetricResult(BaseModel):
    metric: str
    period: str
    by: list[str] = Field(default_factory=list)
    rows: list[MetricValue]
    sql: str
    snapshot_id: str | None


class ComparisonRow(BaseModel):
    dims: dict[str, str]
    current: MetricValue
    base: MetricValue
    change: float | None
    pct_change: float | None


class Comparison(BaseModel):
    metric: str
    period: str
    base_period: str
    rows: list[ComparisonRow]


class FunnelStage(BaseModel):
    stage: str
    deals: int
    amount: float
    conversion_from_previous: float | None
    amount_unknown: int = Field(0, description="deals at this stage whose amount is not known yet (open deals)")


class FunnelResult(BaseModel):
    period: str
    dims: dict[str, str] = Field(default_factory=dict)
    stages: list[FunnelStage]
    evidence_ids: list[str]
    sql: str
    snapshot_id: str | None


class FigureStore(Protocol):
    """The part of the sales store the figure computations read."""

    def current_snapshot_id(self) -> str | None: ...

    def data_version(self) -> tuple[int, str | None]: ...


class FigureEngine(Protocol):
    """The metric engine as the query runner and the decompositions use it (agent/metric_engine.py)."""

    @property
    def store(self) -> FigureStore: ...

    con: duckdb.DuckDBPyConnection

    def period(self, label: str | Period) -> Period: ...

    def base_period(self, period: Period, base: str) -> Period | None: ...

    def value(self, metric: str, period: str, filters: dict[str, str] | None = None) -> MetricValue: ...

    def compute(
        self, metric: str, period: str, by: list[str] | None = None, filters: dict[str, str] | None = None
    ) -> MetricResult: ...

    def compare(
        self,
        metric: str,
        period: str,
        base_period: str,
        by: list[str] | None = None,
        filters: dict[str, str] | None = None,
    ) -> Comparison: ...
