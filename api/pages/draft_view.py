"""What the draft screen shows first: status in words, headline cards, sections with their charts, footnotes.

Numbers are rendered by the reports' formatter (`agent.numbers.fmt`, the one the exports use), never as raw
floats. Charts are drawn in the browser by the vendored ECharts from `chart_data()`: every value arrives
already formatted, so tooltips and labels show exactly what the tables show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

from agent.numbers import fmt, fmt_change
from agent.reports.citations import Citations
from agent.reports.tables import ReportTable, report_tables
from fupan.report import ChartSpec, GoalResult, ReviewDraft
from knowledge.records_schemas import DraftPublic

# Traffic light of the headline achievement: met, close (within 10%), short.
GREEN_FROM, AMBER_FROM = 1.0, 0.9
# Which charts sit beside which table.
CHARTS_BESIDE = {
    "performance": ("target_vs_actual", "waterfall", "trend"),
    "root_causes": ("pareto", "funnel"),
}


@dataclass
class Card:
    key: str  # target, actual, achievement, gap
    value: str
    change: str = ""  # against last quarter, with its sign word
    direction: str = ""  # up, down, flat
    light: str = ""  # green, amber, red (achievement only)
    evidence: list[str] = field(default_factory=list)


@dataclass
class Headline:
    cards: list[Card]
    previous: str = ""  # the quarter compared against


def _headline_goal(draft: ReviewDraft) -> GoalResult | None:
    scoped = [g for g in draft.goals if g.metric == "won_revenue" and g.segment == draft.scope]
    return scoped[0] if scoped else None


def _trend(draft: ReviewDraft) -> ChartSpec | None:
    return next((c for c in draft.charts if c.kind == "trend" and len(c.categories) >= 2), None)


def _series(spec: ChartSpec, index: int) -> tuple[list[float | None], list[str]]:
    if index >= len(spec.series):
        return [], []
    s = spec.series[index]
    return s.values, s.evidence


def _signed(delta: float, unit: str, lang: str) -> tuple[str, str]:
    if abs(delta) < 1e-12:
        return ("持平" if lang == "zh" else "flat"), "flat"
    word = ("+" if delta > 0 else "−") + fmt_change(delta, unit, lang)
    return word, "up" if delta > 0 else "down"


def headline(draft: ReviewDraft, lang: str) -> Headline | None:
    """Target, actual, achievement and gap of the review's scope, each with its change against last quarter."""
    goal = _headline_goal(draft)
    if goal is None:
        return None
    prev_actual = prev_target = None
    previous = ""
    ev_prev: list[str] = []
    trend = _trend(draft)
    if trend is not None and trend.categories[-1] == draft.period:
        actuals, actual_ev = _series(trend, 0)
        targets, target_ev = _series(trend, 1)
        previous = trend.categories[-2]
        prev_actual = actuals[-2] if len(actuals) >= 2 else None
        prev_target = targets[-2] if len(targets) >= 2 else None
        ev_prev = [e for e in (actual_ev[-2:-1] + target_ev[-2:-1]) if e]
    unit = goal.unit or "CNY"
    cards = []
    for key, now, before, card_unit in (
        ("target", goal.target, prev_target, unit),
        ("actual", goal.actual, prev_actual, unit),
        (
            "achievement",
            goal.achievement,
            prev_actual / prev_target if prev_actual is not None and prev_target else None,
            "ratio",
        ),
        (
            "gap",
            goal.gap,
            prev_actual - prev_target if prev_actual is not None and prev_target is not None else None,
            unit,
        ),
    ):
        card = Card(key=key, value=fmt(now, card_unit, lang), evidence=list(goal.evidence))
        if now is not None and before is not None:
            card.change, card.direction = _signed(now - before, card_unit, lang)
            card.evidence += ev_prev
        cards.append(card)
    achievement = goal.achievement
    if achievement is not None:
        cards[2].light = (
            "green" if achievement >= GREEN_FROM else "amber" if achievement >= AMBER_FROM else "red"
        )
    return Headline(cards=cards, previous=previous)


def chart_data(spec: ChartSpec, lang: str, index: int) -> dict[str, object]:
    """The chart as the page's script draws it: categories, and every value with its formatted text."""
    return {
        "id": f"chart-{index}",
        "kind": spec.kind,
        "title": spec.title,
        "unit": spec.unit,
        "lang": lang,
        "categories": spec.categories,
        "series": [
            {
                "name": s.name,
                "values": s.values,
                "labels": [fmt(v, spec.unit, lang) for v in s.values],
            }
            for s in spec.series
        ],
    }


@dataclass
class Section:
    table: ReportTable
    charts: list[tuple[int, ChartSpec]]


def sections(draft: ReviewDraft, lang: str) -> list[Section]:
    """The four tables in report order, each with the charts that explain it."""
    numbered = list(enumerate(draft.charts, start=1))
    placed = {kind for kinds in CHARTS_BESIDE.values() for kind in kinds}
    out = []
    for table in report_tables(draft, lang):
        kinds = CHARTS_BESIDE.get(table.name, ())
        charts = [(i, c) for i, c in numbered if c.kind in kinds]
        if table.name == "performance":  # charts of kinds this page does not place go with the results
            charts += [(i, c) for i, c in numbered if c.kind not in placed]
        out.append(
            Section(
                table=table,
                charts=sorted(charts, key=lambda ic: kinds.index(ic[1].kind) if ic[1].kind in kinds else 99),
            )
        )
    return out


class Footnotes:
    """Citations as accessible footnotes: `[n]` links with unique ids, and back-links from each note."""

    def __init__(self, draft: ReviewDraft, prefix: str = "ref") -> None:
        self.citations = Citations(draft)
        self.first_ref: dict[str, str] = {}
        self._count = 0
        self.prefix = prefix

    def __call__(self, ids: Iterable[str]) -> Markup:
        links = []
        for c in self.citations.refs(ids):
            self._count += 1
            ref = f"{self.prefix}-{self._count}"
            self.first_ref.setdefault(c.anchor, ref)
            links.append(
                Markup(
                    '<sup class="fn"><a class="cite" href="#{}" id="{}" data-evidence-id="{}" '
                    'aria-describedby="h-evidence">[{}]</a></sup>'
                ).format(c.anchor, ref, c.id, c.number)
            )
        return Markup("").join(links)


def status_line(draft: DraftPublic) -> dict[str, object]:
    """What is in force and what is being worked on: "v1 approved, in force · v2 rejected"."""
    latest = draft.versions[-1] if draft.versions else None
    rejected = latest if latest is not None and latest.status == "rejected" else None
    return {
        "in_force": draft.approved_version,
        "latest": draft.version,
        "latest_status": draft.status,
        "rejection": rejected,
        "working_on_newer": draft.approved_version is not None and draft.version != draft.approved_version,
    }


def number_input(value: float | None, unit: str) -> str:
    """A figure as an edit form shows it: ratios in per cent, no float noise ("36.1", "3197100")."""
    if value is None:
        return ""
    shown = value * 100 if unit == "ratio" else value
    text = f"{shown:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_from_input(text: str, unit: str) -> float:
    """The inverse of `number_input` (a per-cent field back to a ratio). Raises ValueError."""
    cleaned = text.strip().replace(",", "").replace("%", "").replace("¥", "")
    value = float(cleaned)
    return value / 100 if unit == "ratio" else value
