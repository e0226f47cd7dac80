"""Labels the writers share: metric names, segment names and period names in zh or en."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

# The workspace's English display names ((dim, value) → 'East'), set while one job writes (draft_review): a
# context variable, so concurrent requests of different workspaces never see each other's names.
_DISPLAY: ContextVar[dict[tuple[str, str], str]] = ContextVar("display_names", default={})  # noqa: B039


# The data's dimension labels (dimension id → (zh, en)), set with the display names: a learned dimension is
# shown by the registry's label (the user's header), never by its column id.
_LABELS: ContextVar[dict[str, tuple[str, str]]] = ContextVar("dimension_labels", default={})  # noqa: B039


@contextlib.contextmanager
def display_names(names: dict[tuple[str, str], str], dims: Any = None) -> Iterator[None]:
    """The workspace's display names (and, given its `DimensionRegistry`, its dimension labels) while one job
    writes."""
    token = _DISPLAY.set(dict(names))
    labels = {d.id: (d.name_zh, d.name_en) for d in dims} if dims is not None else {}
    token2 = _LABELS.set(labels)
    try:
        yield
    finally:
        _LABELS.reset(token2)
        _DISPLAY.reset(token)


_LOWER_IS_BETTER = {"sales_cycle_median", "sales_cycle_mean", "churned_customers", "lost_deals"}


def registry() -> dict[str, object]:
    """The metric registry (agent/metrics.py)."""
    from agent.metrics import REGISTRY

    return REGISTRY  # type: ignore[return-value]  # resolves the data's measure metrics too


def metric_label(metric: str, lang: str) -> str:
    mdef = registry().get(metric)
    if mdef is None:
        return metric
    return mdef.name_zh if lang == "zh" else mdef.name_en  # type: ignore[attr-defined]


def metric_word(metric: str, lang: str) -> str:
    """A metric's name inside a sentence: 'won revenue' (English lower-cased), 赢单金额."""
    name = metric_label(metric, lang)
    return name if lang == "zh" else name[:1].lower() + name[1:]


def metric_unit(metric: str) -> str:
    mdef = registry().get(metric)
    return mdef.unit if mdef else ""  # type: ignore[attr-defined]


def higher_is_better(metric: str) -> bool:
    mdef = registry().get(metric)
    return metric not in _LOWER_IS_BETTER if mdef is None else bool(mdef.higher_is_better)  # type: ignore[attr-defined]


def region_label(region: str, lang: str, display: dict[tuple[str, str], str] | None = None) -> str:
    """A region as shown: the data's name, with the workspace's English alias in English text
    ('East (华东)') when `display` (the vocabulary's display names) has one."""
    english = (display if display is not None else _DISPLAY.get()).get(("region", region))
    return f"{english} ({region})" if english and lang == "en" else region


_DIM_NAMES = {
    "zh": {
        "region": "区域",
        "rep": "销售",
        "manager": "经理",
        "product": "产品",
        "lead_source": "线索来源",
        "account": "客户",
    },
    "en": {
        "region": "region",
        "rep": "rep",
        "manager": "manager",
        "product": "product",
        "lead_source": "lead source",
        "account": "account",
    },
}


def dim_label(dim: str, lang: str) -> str:
    """A dimension's name: the built-in word for the core six, the registry's label (the user's header) for a
    learned one, else its id in words ('sub_category' → 'sub category')."""
    if dim in _DIM_NAMES[lang]:
        return _DIM_NAMES[lang][dim]
    learned = _LABELS.get().get(dim)
    if learned:
        return learned[0] if lang == "zh" else learned[1]
    return dim.replace("_", " ")


def value_label(dim: str, value: str, lang: str) -> str:
    return region_label(value, lang) if dim == "region" else value


def segment_label(segment: dict[str, str], lang: str) -> str:
    """'华东 · 张伟' / 'East (华东) · 张伟'; the company when empty."""
    order = ["region", "manager", "rep", "product", "lead_source", "account"]
    parts = [value_label(d, segment[d], lang) for d in order if d in segment]
    parts += [v for d, v in segment.items() if d not in order]
    if not parts:
        return "全公司" if lang == "zh" else "the company"
    return " · ".join(parts)
