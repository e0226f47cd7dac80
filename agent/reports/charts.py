"""Report charts drawn with matplotlib (Agg, no display) from the draft's ChartSpecs.

Kinds: target vs actual by region (grouped bars), funnel with stage conversion (horizontal bars),
waterfall of the gap decomposition, Pareto of contributors (bars + cumulative share), trend over quarters.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from agent.numbers import fmt  # noqa: E402
from agent.reports.fonts import cjk_font_family  # noqa: E402
from fupan.report import ChartSpec  # noqa: E402

_LOCK = threading.Lock()  # rc_context changes matplotlib's global rcParams: one chart at a time
_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3")


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _label(value: float | None, unit: str, lang: str) -> str:
    return "" if value is None else fmt(value, unit, lang)


@contextmanager
def _style() -> Iterator[None]:
    family = cjk_font_family()
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": fonts, "axes.unicode_minus": False, "font.size": 9}):
        yield


def _bars(ax: Axes, spec: ChartSpec, lang: str) -> None:
    n = max(len(spec.series), 1)
    width = 0.8 / n
    for i, series in enumerate(spec.series):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(spec.categories))]
        bars = ax.bar(xs, [_num(v) for v in series.values], width, label=series.name, color=_COLORS[i % 5])
        ax.bar_label(bars, labels=[_label(v, spec.unit, lang) for v in series.values], fontsize=7)
    ax.set_xticks(range(len(spec.categories)), spec.categories)
    ax.margins(y=0.12)
    if n > 1:
        _legend(ax)


def _legend(ax: Axes) -> None:
    """Outside the plot, right of it: never over a bar or a label."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def _funnel(ax: Axes, spec: ChartSpec, lang: str) -> None:
    values = spec.series[0].values if spec.series else []
    ys = list(range(len(spec.categories)))[::-1]
    bars = ax.barh(ys, [_num(v) for v in values], color=_COLORS[0])
    ax.bar_label(bars, labels=[_label(v, spec.unit, lang) for v in values], fontsize=8, padding=3)
    ax.set_yticks(ys, spec.categories)
    if spec.unit == "ratio":
        ax.set_xlim(0, max([1.0, *[v for v in values if v is not None]]) * 1.15)
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")


def _waterfall(ax: Axes, spec: ChartSpec, lang: str) -> None:
    values = [v or 0.0 for v in (spec.series[0].values if spec.series else [])]
    start, bottoms = 0.0, []
    for v in values:
        bottoms.append(start if v >= 0 else start + v)
        start += v
    colors = [_COLORS[2] if v >= 0 else _COLORS[3] for v in values]
    bars = ax.bar(range(len(values)), [abs(v) for v in values], bottom=bottoms, color=colors)
    ax.bar_label(bars, labels=[fmt(v, spec.unit, lang) for v in values], fontsize=7, label_type="center")
    total = ax.bar([len(values)], [abs(start)], bottom=[min(start, 0.0)], color=_COLORS[0])
    ax.bar_label(total, labels=[fmt(start, spec.unit, lang)], fontsize=7, label_type="center")
    ax.axhline(0, color="#444", linewidth=0.8)
    ax.set_xticks(range(len(values) + 1), [*spec.categories, "合计" if lang == "zh" else "total"])


def _pareto(ax: Axes, spec: ChartSpec, lang: str) -> None:
    pairs = sorted(
        zip(spec.categories, spec.series[0].values if spec.series else [], strict=False),
        key=lambda p: -abs(p[1] or 0.0),
    )
    sizes = [abs(v or 0.0) for _, v in pairs]
    bars = ax.bar(range(len(pairs)), sizes, color=_COLORS[3])
    ax.bar_label(bars, labels=[_label(v, spec.unit, lang) for _, v in pairs], fontsize=7)
    ax.set_xticks(range(len(pairs)), [c for c, _ in pairs])
    total = sum(sizes) or 1.0
    cumulative = [sum(sizes[: i + 1]) / total for i in range(len(sizes))]
    share = ax.twinx()
    share.plot(range(len(pairs)), cumulative, color=_COLORS[0], marker="o")
    share.set_ylim(0, 1.05)
    share.axhline(0.8, color="#999", linestyle="--", linewidth=0.8)
    share.yaxis.set_major_formatter(lambda y, _pos: f"{y:.0%}")


def _trend(ax: Axes, spec: ChartSpec, lang: str) -> None:
    for i, series in enumerate(spec.series):
        ax.plot(
            spec.categories,
            [_num(v) for v in series.values],
            marker="o",
            label=series.name,
            color=_COLORS[i % 5],
        )
    for j, x in enumerate(spec.categories):
        column = [s.values[j] if j < len(s.values) else None for s in spec.series]
        top = max((v for v in column if v is not None), default=None)
        for v in column:
            if v is None:
                continue
            above = v == top  # the higher value's label goes above, the others below: no overprinting
            ax.annotate(
                _label(v, spec.unit, lang),
                (x, v),
                xytext=(0, 5 if above else -5),
                textcoords="offset points",
                fontsize=7,
                ha="center",
                va="bottom" if above else "top",
            )
    ax.margins(y=0.12)
    if len(spec.series) > 1:
        _legend(ax)


_DRAW: dict[str, Callable[[Axes, ChartSpec, str], None]] = {
    "target_vs_actual": _bars,
    "funnel": _funnel,
    "waterfall": _waterfall,
    "pareto": _pareto,
    "trend": _trend,
}


def render_chart(spec: ChartSpec, lang: str, *, fmt_name: str = "png", dpi: int = 120) -> bytes:
    """One chart as image bytes (png or svg)."""
    with _LOCK, _style():
        fig = Figure(figsize=(6.4, 3.4), dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
        _DRAW.get(spec.kind, _bars)(ax, spec, lang)
        ax.set_title(spec.title)
        ax.spines[["top", "right"]].set_visible(False)
        if spec.unit and spec.kind != "funnel":
            ax.yaxis.set_major_formatter(lambda y, _pos: fmt(y, spec.unit, lang))
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt_name)
    return buf.getvalue()
