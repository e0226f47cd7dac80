"""Charts: every kind draws from a ChartSpec, gaps in the data included; without a CJK font they still draw."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib import font_manager
from PIL import Image

from agent.reports import fonts
from agent.reports.charts import render_chart
from fupan.report import ChartSeries, ChartSpec

KINDS = ["target_vs_actual", "funnel", "waterfall", "pareto", "trend"]


def _spec(kind: str, values: list[float | None], unit: str = "CNY") -> ChartSpec:
    cats = [f"华{i}" for i in range(len(values))]
    series = [ChartSeries(name="实际", values=values, evidence=[f"metric:x:2026Q3:c={c}" for c in cats])]
    if kind in {"target_vs_actual", "trend"}:
        series.append(ChartSeries(name="目标", values=[v if v is None else v * 1.1 for v in values]))
    return ChartSpec(kind=kind, title=f"{kind} 图", categories=cats, series=series, unit=unit)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "values", [[300.0, -120.5, 45_000.0], [None, 0.0, 12.0], [], [5.0]], ids=["mixed", "gaps", "empty", "one"]
)
def test_every_kind_draws_a_png(kind: str, values: list[float | None]) -> None:
    png = render_chart(_spec(kind, values, "ratio" if kind == "funnel" else "CNY"), "zh")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 300
    assert len(set(image.convert("L").getdata())) > 10, "the chart is not blank"


def test_without_a_cjk_font_charts_still_draw_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "Han" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    fonts.cjk_font_family.cache_clear()
    try:
        with pytest.warns(UserWarning, match="fonts-noto-cjk"):
            assert fonts.cjk_font_family() is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            png = render_chart(_spec("trend", [1.0, 2.0]), "zh")
        assert png.startswith(b"\x89PNG")
    finally:
        fonts.cjk_font_family.cache_clear()
