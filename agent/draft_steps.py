"""A level of the quantitative tree (agent/draft_tree.py) and the tree it builds: a cited claim, the short phrase
a chain's root cause starts from, and the engine values it cites; and how a change between two periods is said
and cited."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.draft_context import DraftContext
from agent.metric_values import ComparisonRow, MetricValue
from agent.numbers import fmt, fmt_change
from agent.wording import metric_label


@dataclass
class Step:
    """One level of the tree: a cited claim (without the 'Why?' that introduces it) and a short phrase of it."""

    claim: str
    short: str
    evidence: list[str]
    kind: str
    grade: str = "figure"
    causes: list[str] = field(default_factory=list)  # playbook causes a record (loss reasons) supports
    findings: set[str] = field(default_factory=set)  # patterns a cause may fit, e.g. smaller_deal_mix
    figures: list[MetricValue] = field(default_factory=list)  # the engine values behind `evidence`, in order


@dataclass
class Tree:
    # comparable driver moves in the bad (or, for a success, good) direction, largest first
    moves: list[ComparisonRow]
    steps: list[Step]
    main: str | None = None  # the factor that moved revenue most
    figures: list[MetricValue] = field(default_factory=list)  # every value its steps cited, kept or not

    @property
    def findings(self) -> set[str]:
        return {f for s in self.steps for f in s.findings}

    @property
    def supported_causes(self) -> list[str]:
        return [c for s in self.steps if s.grade == "record" for c in s.causes]


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def change_text(ctx: DraftContext, row: ComparisonRow) -> str:
    """'赢单率从 43.8% 降至 28.4%（−15.4 个百分点）' / 'win rate fell from 43.8% to 28.4% (−15.4 pp)'."""
    m, lang = row.current.metric, ctx.lang
    up = (row.change or 0) > 0
    sign = "+" if up else "−"
    cur, old = fmt(row.current.value, row.current.unit, lang), fmt(row.base.value, row.base.unit, lang)
    delta = fmt_change(row.change, row.current.unit, lang)
    metric = metric_label(m, lang) if lang == "zh" else _lower_first(metric_label(m, lang))
    return ctx.say(
        "tree.rose" if up else "tree.fell", metric=metric, old=old, cur=cur, sign=sign, delta=delta
    )


def cite_row(ctx: DraftContext, row: ComparisonRow) -> list[str]:
    """The evidence ids of a comparison: this period's value, then the base period's."""
    return ctx.cite(*row_figures(row))


def row_figures(*rows: ComparisonRow) -> list[MetricValue]:
    """The values a comparison cites: each row's current value, then its base."""
    return [v for r in rows for v in (r.current, r.base)]
