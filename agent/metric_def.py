"""A metric's definition (`MetricDef`) and the SQL conditions the definitions share.

Below both the registry of built-in metrics (agent/metrics.py) and the metrics of the data's own measures
(agent/measures.py), which the registry resolves on lookup.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Unit = Literal["money", "ratio", "count", "days", "number"]  # money: in the data's currency (MetricEngine)

WON = "stage = 'won' AND close_date >= $s AND close_date < $e"
LOST = "stage = 'lost' AND close_date >= $s AND close_date < $e"
CREATED = "created_date >= $s AND created_date < $e"
# open deals (neither won nor lost) as of the export: the data holds each deal's current stage only, so these
# figures have no period; `OPEN_METRICS` are answered for the data's latest period and said to be "as of" it
OPEN = "stage NOT IN ('won', 'lost')"
OPEN_METRICS = ("open_deals", "open_pipeline", "open_amount_unknown")
DEAL_KEY = "deal_head"  # one row per deal: each CRM row, or the first line of an order


class MetricDef(BaseModel):
    id: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    unit: Unit
    higher_is_better: bool
    aggregation: str = Field(description="how the figure is aggregated: sum, count, ratio, median, mean")
    synonyms_zh: list[str] = Field(default_factory=list)
    synonyms_en: list[str] = Field(default_factory=list)
    numerator_sql: str = ""
    denominator_sql: str = ""
    source: Literal["opportunities", "targets", "derived"] = "opportunities"
