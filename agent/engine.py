"""The metric engine of a workspace, opened once per `Deps`: what every tool, the router's vocabulary and the
analyst's answers compute figures with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.deps import Deps

if TYPE_CHECKING:
    from agent.metric_engine import MetricEngine


def engine_for(deps: Deps) -> MetricEngine:
    """The metric engine over the workspace's sales store, opened once per Deps."""
    from agent.metric_engine import MetricEngine

    return deps.cached(
        "metric_engine", lambda: MetricEngine(deps.sales, deps.settings.fiscal_year_start_month)
    )
