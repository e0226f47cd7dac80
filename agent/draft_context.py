"""What one draft shares while it is written: the engine, the periods, the artefact rule, the labels, and the
plan of every figure it reads, fetched up front in three packs so that a draft over a million deals costs a few
scans, not a hundred queries.

The plan lists the groupings the quantitative tree may use. A step of the tree that needs a grouping outside
the plan is skipped rather than computed on its own, so the draft's speed does not depend on the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.deal_bands import DEAL_SIZE_BAND, band_label
from agent.draft_comparable import Comparability, DataSpan
from agent.metric_values import MetricValue
from agent.wording import segment_label, value_label
from fupan.dimensions import DimensionRegistry
from fupan.evidence import Evidence
from fupan.messages import say
from fupan.periods import parse_period, previous_period, same_period_last_year

if TYPE_CHECKING:
    from agent.metric_engine import MetricEngine

TREE_DIMS = ("region", "rep", "product")  # the data's own dimensions the tree walks (when the data have them)
EXTRA_METRICS = ["won_deals", "lost_deals", "win_rate", "won_revenue", "avg_deal_size"]
_ANALYSIS_LABELS = {"loss_reason": "draft.dim_loss_reason", DEAL_SIZE_BAND: "draft.dim_deal_size_band"}


@dataclass
class DraftPlan:
    """The periods and groupings a draft reads. `groupings` carry every metric; `counts` carry only the sums
    and counts of EXTRA_METRICS (pairs the monthly cube answers, and the analysis dimensions); `has` says
    whether a grouping was fetched."""

    period: str
    base: str
    yoy: str
    trend: list[str]
    scope: dict[str, str]
    groupings: list[list[str]]
    cube_pairs: list[list[str]]
    analysis: list[list[str]]

    @property
    def counts(self) -> list[list[str]]:
        return self.cube_pairs + self.analysis

    def has(self, segment: dict[str, str], by: list[str], *, extra: bool = False) -> bool:
        """Whether (segment, by) was fetched: for every metric, or with `extra` for EXTRA_METRICS only."""
        need = frozenset((set(segment) - set(self.scope)) | set(by))
        pool = self.groupings + (self.counts if extra else [])
        return need in {frozenset(g) for g in pool}


def make_plan(period: str, scope: dict[str, str], span: DataSpan, quarters: list[str], fy: int) -> DraftPlan:
    p = parse_period(period, fy)
    base = previous_period(p).label
    dims = [d for d in TREE_DIMS if d not in scope and span.distinct.get(d, 0) >= 2]
    groupings = [[], *([d] for d in dims)]
    if {"region", "rep"} <= set(dims):
        groupings.append(["region", "rep"])
    pairs = [[a, b] for a, b in (("region", "product"), ("product", "rep")) if {a, b} <= set(dims)]
    kinds = [DEAL_SIZE_BAND]
    if span.distinct.get("lead_source", 0) >= 2 and "lead_source" not in scope:
        kinds.append("lead_source")
    if span.loss_reasons:
        kinds.append("loss_reason")
    analysis = [[a] for a in kinds] + [[d, a] for a in kinds for d in dims]
    if {"region", "rep"} <= set(dims):
        analysis += [["region", "rep", a] for a in kinds if a != "lead_source"]
    return DraftPlan(
        period=p.label,
        base=base,
        yoy=same_period_last_year(p).label,
        trend=[q for q in quarters if q not in (p.label, base)],
        scope=dict(scope),
        groupings=groupings,
        cube_pairs=pairs,
        analysis=analysis,
    )


def prefetch(engine: MetricEngine, plan: DraftPlan) -> None:
    """Every figure the draft reads, in a few packs: all metrics for the period and the one before by the
    tree's dimensions; sums and counts by pairs of them (from the monthly cube) and by the analysis dimensions;
    all metrics for the same period last year, and revenue for the trend quarters."""
    scope, both = plan.scope or None, [plan.period, plan.base]
    engine.prefetch(both, plan.groupings, scope)
    if plan.cube_pairs:
        engine.prefetch(both, plan.cube_pairs, scope, metrics=EXTRA_METRICS)
    if plan.analysis:
        engine.prefetch(both, plan.analysis, scope, metrics=EXTRA_METRICS)
    engine.prefetch([plan.yoy], [[]], scope)
    if plan.trend:
        engine.prefetch(plan.trend, [[]], scope, metrics=["won_revenue"])


@dataclass
class DraftContext:
    engine: MetricEngine
    plan: DraftPlan
    cmp: Comparability
    lang: str
    dims: DimensionRegistry = field(default_factory=DimensionRegistry)

    @property
    def period(self) -> str:
        return self.plan.period

    @property
    def base(self) -> str:
        return self.plan.base

    @property
    def scope(self) -> dict[str, str]:
        return self.plan.scope

    @property
    def money(self) -> str:
        """The unit of amounts in this data: its currency code from the snapshot, or `money` when unknown."""
        return str(getattr(self.engine, "money", "money"))

    def say(self, key: str, **slots: object) -> str:
        """The catalogue's message `key` (fupan/messages.py) in the draft's language, its slots filled by name."""
        return say(key, self.lang, **slots)

    def inline(self, text: str) -> str:
        """A sentence's opening words used inside another sentence: English lower-cases the first letter."""
        return text[:1].lower() + text[1:] if self.lang == "en" else text

    def dim_label(self, dim: str) -> str:
        if dim in _ANALYSIS_LABELS:
            return self.say(_ANALYSIS_LABELS[dim])
        return self.dims.label(dim, self.lang)

    def value_label(self, dim: str, value: str) -> str:
        if dim == DEAL_SIZE_BAND:
            return band_label(value, self.lang, self.money)
        return value_label(dim, value, self.lang)

    def who(self, segment: dict[str, str]) -> str:
        return segment_label(segment, self.lang)

    def cite(self, *values: MetricValue) -> list[str]:
        """The evidence ids of engine values, in order. Nothing is registered: a function that cites returns
        the values with what it wrote (a tree step's `figures`, or beside its result), and the draft's evidence
        is built from them at the end (`evidence_of`)."""
        return [mv.evidence_id for mv in values]


def evidence_of(figures: Iterable[MetricValue], lang: str) -> dict[str, Evidence]:
    """The evidence of the figures a draft cited, by id, in the order each was first cited."""
    out: dict[str, Evidence] = {}
    for mv in figures:
        ev = mv.to_evidence(label_language=lang)
        out[ev.id] = ev
    return out
