"""One number per question: a metric for a segment is the same whether it comes from a grouped computation
(`compute(by=...)`, what tables and drafts use) or from a filtered one (`value(filters)`, what a citation
re-runs). Checked for every registry metric on the sample company."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.metric_engine import MetricEngine
from agent.metrics import REGISTRY
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore


@pytest.fixture(scope="module")
def engine(sample_company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricEngine]:
    from knowledge.sample_import import import_sample_company

    folder = sample_company
    store = SalesStore(load_settings(workspace=tmp_path_factory.mktemp("ws")))
    import_sample_company(store, folder)
    yield MetricEngine(store)
    store.close()


@pytest.mark.parametrize("by", [["region"], ["rep"], ["region", "rep"], ["product"], ["lead_source"]])
def test_grouped_equals_filtered_for_every_metric(engine: MetricEngine, by: list[str]) -> None:
    mismatches = []
    for metric in REGISTRY:
        for period in ("2026Q2", "2026Q3"):
            for row in engine.compute(metric, period, by).rows:
                alone = engine.value(metric, period, dict(row.dims)).value
                if (alone is None) != (row.value is None) or (
                    alone is not None and abs(alone - row.value) > 1e-9 * max(1.0, abs(alone))
                ):
                    mismatches.append((metric, period, row.dims, row.value, alone))
    assert not mismatches, "\n".join(map(str, mismatches[:20]))
