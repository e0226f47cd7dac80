"""The four tables managers use, built from a draft: performance, root causes, lessons, action plan.

Every exporter (Markdown, HTML, XLSX, DOCX) renders these same rows, so the formats cannot disagree.
A cell is a value plus how to show it (`kind`); the last column of each table lists its citations.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from agent.numbers import fmt, is_money
from agent.reports.citations import Citations
from agent.reports.labels import category_label, grade_label, label
from agent.wording import metric_label, metric_unit, segment_label
from fupan.report import GoalResult, ReviewDraft, RootCauseChain

CellKind = Literal["text", "number", "ratio", "date", "citations"]
TableName = Literal["performance", "root_causes", "lessons", "actions"]


class Cell(BaseModel):
    value: str | float | dt.date | None = None
    kind: CellKind = "text"
    unit: str = ""
    evidence: list[str] = Field(default_factory=list, description="ids, for kind citations")

    def text(self, lang: str, citations: Citations | None = None) -> str:
        """The cell as display text (numbers through agent.numbers.fmt)."""
        if self.kind == "citations":
            return citations.marks(self.evidence) if citations else " ".join(self.evidence)
        if self.value is None:
            return "—"
        if self.kind in {"number", "ratio"} and isinstance(self.value, int | float):
            return fmt(float(self.value), "ratio" if self.kind == "ratio" else self.unit, lang)
        return str(self.value)


class ReportTable(BaseModel):
    name: TableName
    title: str
    columns: list[str]
    rows: list[list[Cell]]


def _cite(ids: list[str]) -> Cell:
    return Cell(kind="citations", evidence=list(dict.fromkeys(ids)))


def _metric_name(goal: GoalResult, lang: str) -> str:
    return f"{goal.label} · {segment_label(goal.segment, lang)}" if goal.segment else goal.label


def performance_table(draft: ReviewDraft, lang: str) -> ReportTable:
    rows = [
        [
            Cell(value=_metric_name(g, lang)),
            Cell(value=g.target, kind="number", unit=g.unit),
            Cell(value=g.actual, kind="number", unit=g.unit),
            Cell(value=g.achievement, kind="ratio"),
            Cell(value=g.gap, kind="number", unit=g.unit),
            Cell(value=g.note),
            _cite(g.evidence),
        ]
        for g in draft.goals
    ]
    cols = ["metric", "target", "actual", "achievement", "gap", "note", "citations"]
    return ReportTable(
        name="performance",
        title=label("performance", lang),
        columns=[label(c, lang) for c in cols],
        rows=rows,
    )


def initial_causes(chain: RootCauseChain, lang: str) -> str:
    """The why-links between the problem and the root cause, numbered one per line, each with its evidence
    grade ([数据] a figure, [记录] a note or loss reason, [待核实] a hypothesis, with how to check it)."""
    lines = []
    links = [link for link in chain.links if link.claim.strip() != chain.problem.strip()]
    for i, link in enumerate(links, start=1):
        check = ""
        if link.grade == "hypothesis" and link.check:
            check = f"（{label('how_to_check', lang)}：{link.check}）" if lang == "zh" else f" ({label('how_to_check', lang)}: {link.check})"
        lines.append(f"{i}. [{grade_label(link.grade or 'figure', lang)}] {link.claim}{check}")
    return "\n".join(lines)


def root_cause_table(draft: ReviewDraft, lang: str) -> ReportTable:
    rows = []
    for chain in draft.chains:
        ids = [e for link in chain.links for e in link.evidence] + chain.evidence
        rows.append(
            [
                Cell(value=chain.problem),
                Cell(value=initial_causes(chain, lang)),
                Cell(value=(f"[{grade_label('hypothesis', lang)}] " if chain.hypothesis else "") + chain.root_cause),
                Cell(value=chain.verification),
                Cell(value=category_label(chain.category, lang)),
                Cell(value=chain.gap_share, kind="ratio"),
                _cite(ids),
            ]
        )
    cols = ["problem", "initial_causes", "root_cause", "verification", "category", "gap_share", "citations"]
    return ReportTable(
        name="root_causes",
        title=label("root_causes", lang),
        columns=[label(c, lang) for c in cols],
        rows=rows,
    )


def lessons_table(draft: ReviewDraft, lang: str) -> ReportTable:
    rows = [
        [
            Cell(value=label(lesson.type, lang)),
            Cell(value=lesson.content),
            Cell(value=lesson.scenario),
            _cite(lesson.evidence),
        ]
        for lesson in draft.lessons
    ]
    cols = ["type", "content", "scenario", "citations"]
    return ReportTable(
        name="lessons", title=label("lessons", lang), columns=[label(c, lang) for c in cols], rows=rows
    )


def action_unit(draft: ReviewDraft, metric: str) -> str:
    """The unit of an action's baseline and target: the metric's, with amounts in the data's currency."""
    unit = metric_unit(metric)
    return draft.money_unit if is_money(unit) else unit


def actions_table(draft: ReviewDraft, lang: str) -> ReportTable:
    rows = []
    for a in draft.actions:
        unit = action_unit(draft, a.metric)
        rows.append(
            [
                Cell(value=(f"[{label('check_first', lang)}] " if a.check_first else "") + a.action),
                Cell(value=a.owner),
                Cell(value=a.deadline, kind="date"),
                Cell(value=a.resources),
                Cell(value=a.checkpoint),
                Cell(value=label(a.status, lang)),
                Cell(value=metric_label(a.metric, lang)),
                Cell(value=a.baseline, kind="number", unit=unit),
                Cell(value=a.target, kind="number", unit=unit),
                _cite(a.evidence),
            ]
        )
    cols = [
        "action",
        "owner",
        "deadline",
        "resources",
        "checkpoint",
        "status",
        "metric",
        "baseline",
        "action_target",
        "citations",
    ]
    return ReportTable(
        name="actions", title=label("actions", lang), columns=[label(c, lang) for c in cols], rows=rows
    )


def report_tables(draft: ReviewDraft, lang: str) -> list[ReportTable]:
    """The four tables, in report order."""
    return [
        performance_table(draft, lang),
        root_cause_table(draft, lang),
        lessons_table(draft, lang),
        actions_table(draft, lang),
    ]
