"""Labels the writers share: metric names, segment names and period names in zh or en."""

from __future__ import annotations

from agent.router import load_aliases

_LOWER_IS_BETTER = {"sales_cycle_median", "sales_cycle_mean", "churned_customers", "lost_deals"}


def registry() -> dict[str, object]:
    """The metric registry; until agent/metrics.py is installed, the ids named in knowledge/aliases.yaml."""
    try:
        from agent.metrics import REGISTRY
    except ImportError:
        return {mid: None for mid in load_aliases()["metrics"]}
    return dict(REGISTRY)


def metric_label(metric: str, lang: str) -> str:
    mdef = registry().get(metric)
    if mdef is None:
        return str(load_aliases()["metrics"].get(metric, [metric])[0 if lang == "zh" else -1])
    return mdef.name_zh if lang == "zh" else mdef.name_en  # type: ignore[attr-defined]


def metric_unit(metric: str) -> str:
    mdef = registry().get(metric)
    return mdef.unit if mdef else ""  # type: ignore[attr-defined]


def higher_is_better(metric: str) -> bool:
    mdef = registry().get(metric)
    return metric not in _LOWER_IS_BETTER if mdef is None else bool(mdef.higher_is_better)  # type: ignore[attr-defined]


def region_label(region: str, lang: str) -> str:
    if lang == "zh":
        return region
    aliases = load_aliases()["regions"].get(region)
    return f"{aliases[0]} ({region})" if aliases else region


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
    return _DIM_NAMES[lang].get(dim, dim)


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
