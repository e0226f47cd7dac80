"""What every report format shows, computed once: tables, rendered charts, numbered evidence."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from agent.numbers import fmt
from agent.reports.charts import render_chart
from agent.reports.citations import Citation, Citations
from agent.reports.labels import Labels
from agent.reports.meta import ReportMeta
from agent.reports.tables import ReportTable, report_tables
from agent.wording import segment_label
from fupan.report import ChartSpec, ReviewDraft


@dataclass
class RenderedChart:
    index: int
    spec: ChartSpec
    png: bytes
    citations: list[Citation]

    @property
    def filename(self) -> str:
        return f"chart-{self.index}-{self.spec.kind}.png"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def anchor(self) -> str:
        return f"chart-{self.index}"


@dataclass
class ReportView:
    draft: ReviewDraft
    lang: str
    tables: list[ReportTable]
    charts: list[RenderedChart]
    citations: Citations
    meta: ReportMeta = field(default_factory=ReportMeta)
    L: Labels = field(init=False)

    def __post_init__(self) -> None:
        self.L = Labels(self.lang)

    @property
    def scope(self) -> str:
        return segment_label(self.draft.scope, self.lang) if self.draft.scope else self.L.company

    def value_text(self, citation: Citation) -> str:
        ev = citation.evidence
        return "" if ev is None or ev.value is None else fmt(ev.value, ev.unit, self.lang)


def build_view(
    draft: ReviewDraft, lang: str | None = None, *, charts: bool = True, meta: ReportMeta | None = None
) -> ReportView:
    """Everything a format needs; `lang` defaults to the draft's language."""
    lang = lang or draft.language
    cites = Citations(draft)
    rendered = [
        RenderedChart(
            index=i,
            spec=spec,
            png=render_chart(spec, lang),
            citations=cites.refs(e for s in spec.series for e in s.evidence if e),
        )
        for i, spec in enumerate(draft.charts if charts else [], start=1)
    ]
    return ReportView(
        draft=draft,
        lang=lang,
        tables=report_tables(draft, lang),
        charts=rendered,
        citations=cites,
        meta=meta or ReportMeta(),
    )
