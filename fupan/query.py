"""The typed question: one `MetricQuery` that the rules, the LLM and the engine share.

A question becomes a `Reading`: the query it was read as, the words of the question that reading used, the
content words it left unexplained, and how sure the parse is. The engine runs the query
(`engine.run(query)`); the LLM tools accept it; `Answer.query` stores it typed. One vocabulary, not three.

Operations, with what they need:
- `value` — metric(s) for a period, optionally filtered.
- `compare` — the period against `base` (previous, yoy, target or a named period), optionally by segment.
- `rank` — segments of `group_by` ordered by the metric (`order`, `n`): top-N, bottom-N.
- `rank_change` — segments ordered by their change against `base` (the largest drop or rise).
- `share` — each segment of `group_by`'s share of the total; without `group_by`, the part named by the filters
  in `part` (default: all filters) against the whole without them, or one period against the wider `base`
  period (December's share of Q4).
- `breakdown` — the metric for every segment of `group_by`.
- `trend` — the metric over `periods` (or a `grain` series inside one period).
- `contribution` — each segment's part of the change against `base` (a period or the target gap).
- `decompose` — a change split into drivers (`drivers`: closed deals × win rate × deal size; `deals_size`:
  won deals × average deal size, "fewer deals or smaller deals"; `mix_rate`: segment mix vs rate).
- `funnel` — stage conversion for the period.
- `why` — explain a gap or a change (drivers, contributors, notes).
- `themes` — the most frequent signals in the notes (objections, competitors, loss reasons) with citations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Operation = Literal[
    "value",
    "compare",
    "rank",
    "rank_change",
    "share",
    "breakdown",
    "trend",
    "contribution",
    "decompose",
    "funnel",
    "why",
    "themes",
]
Grain = Literal["month", "quarter", "half", "year"]
Decomposition = Literal["drivers", "deals_size", "mix_rate"]
_DIM_ID = r"^[a-z][a-z0-9_]{0,62}$"


class MetricQuery(BaseModel):
    """What a question asks, in one typed shape (see the module docstring for each operation)."""

    model_config = ConfigDict(extra="forbid")

    operation: Operation = "value"
    metrics: list[str] = Field(default_factory=list, max_length=6, description="registry metric ids")
    periods: list[str] = Field(
        default_factory=list,
        max_length=60,
        description="canonical period labels (2026Q3, 2026-07, 2026H1, 2026); for a trend, the series",
    )
    base: str | None = Field(None, description="previous | yoy | target | a period label")
    filters: dict[str, list[str]] = Field(default_factory=dict, description="dimension id → allowed values")
    exclude: dict[str, list[str]] = Field(
        default_factory=dict,
        description="dimension id → values left out ('excluding Technology', '除了华东以外'); blank values stay in",
    )
    part: list[str] = Field(
        default_factory=list, description="for share: the filter dimensions that name the part (default: all)"
    )
    group_by: list[str] = Field(default_factory=list, max_length=3)
    order: Literal["desc", "asc"] = "desc"
    n: int | None = Field(None, ge=1, le=1000, description="how many segments, for rank and rank_change")
    grain: Grain | None = Field(None, description="the series grain of a trend inside one period")
    decomposition: Decomposition | None = None
    language: Literal["zh", "en"] = "zh"

    @field_validator("group_by")
    @classmethod
    def _dim_ids(cls, value: list[str]) -> list[str]:
        import re

        for dim in value:
            if not re.match(_DIM_ID, dim):
                raise ValueError(f"{dim!r} is not a dimension id")
        return value

    @field_validator("filters", "exclude")
    @classmethod
    def _filter_dims(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        import re

        for dim in value:
            if not re.match(_DIM_ID, dim):
                raise ValueError(f"{dim!r} is not a dimension id")
        return value

    @property
    def metric(self) -> str | None:
        return self.metrics[0] if self.metrics else None

    @property
    def period(self) -> str | None:
        return self.periods[-1] if self.periods else None

    def single_filters(self) -> dict[str, str]:
        """Filters with one value each, the form the engine's single-segment calls take."""
        return {dim: values[0] for dim, values in self.filters.items() if len(values) == 1}

    def exclusions(self) -> dict[str, str]:
        """The left-out values in the engine's filter form: `{'region!': 'East|West'}` (see `excluded`)."""
        return {f"{dim}{EXCLUDED}": EXCLUDED_SEP.join(values) for dim, values in sorted(self.exclude.items()) if values}


# An engine filter whose key ends in `!` keeps the rows whose dimension is none of the `|`-separated values
# (blank values kept): `{'region!': 'East'}` is "excluding East". The same key form names the figure in its
# evidence id (`metric:won_revenue:2026Q3:region!=East`), so a citation re-runs the same filter.
EXCLUDED = "!"
EXCLUDED_SEP = "|"


def excluded(key: str, value: str) -> tuple[str, list[str]] | None:
    """(dimension, left-out values) for an exclusion filter key; None for a plain filter."""
    if not key.endswith(EXCLUDED):
        return None
    return key[: -len(EXCLUDED)], value.split(EXCLUDED_SEP)


def filter_dimension(key: str) -> str:
    """The dimension an engine filter key is on (`region!` → `region`)."""
    return key[: -len(EXCLUDED)] if key.endswith(EXCLUDED) else key


class Reading(BaseModel):
    """How one question was read: the query, the words that explain it, and what is left unexplained."""

    model_config = ConfigDict(extra="forbid")

    query: MetricQuery
    restatement: str = Field("", description="the query in the question's language, e.g. 'Read as: …'")
    used: list[str] = Field(default_factory=list, description="words of the question this reading used")
    unexplained: list[str] = Field(
        default_factory=list, description="content words no part of the reading explains"
    )
    unknown: dict[str, str] = Field(
        default_factory=dict, description="named things not in the data: word → what kind it looked like"
    )
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    source: Literal["rules", "llm"] = "rules"
