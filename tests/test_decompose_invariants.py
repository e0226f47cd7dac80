"""Invariants of the gap analysis on random data (hypothesis): parts always sum to the total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.decompose import contribution, driver_decomposition, mix_rate, shapley
from agent.metric_engine import MetricEngine
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore

deal = st.tuples(
    st.sampled_from(["华东", "华南", "华北"]),
    st.sampled_from(["赢单", "输单"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.sampled_from([date(2026, 5, 3), date(2026, 8, 9)]),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    s = SalesStore(load_settings(workspace=tmp_path_factory.mktemp("hyp")))
    yield s
    s.close()


_counter = iter(range(10**9))


def _load(store: SalesStore, deals: list, tmp: pytest.TempPathFactory) -> MetricEngine:
    frame = pd.DataFrame(
        [
            {
                "商机编号": f"D{i}",
                "区域": r,
                "阶段": s,
                "金额": str(a),
                "创建日期": "2026-01-01",
                "结单日期": d.isoformat(),
            }
            for i, (r, s, a, d) in enumerate(deals)
        ]
    )
    path = tmp.mktemp("f") / f"d{next(_counter)}.csv"
    frame.to_csv(path, index=False)
    store.import_file(path, "opportunities", replace=True)  # each example replaces the last one's deals
    return MetricEngine(store)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(deal, min_size=1, max_size=25))
def test_parts_sum_exactly(store: SalesStore, tmp_path_factory: pytest.TempPathFactory, deals: list) -> None:
    engine = _load(store, deals, tmp_path_factory)
    c = contribution(engine, "won_revenue", "2026Q3", ["region"], base="previous")
    won = lambda q: sum((a for _, s, a, d in deals if s == "赢单" and q(d)), Decimal(0))  # noqa: E731
    assert c.total == won(lambda d: d.month == 8) - won(lambda d: d.month == 5)
    assert sum(i.contribution for i in c.items) == c.total
    dd = driver_decomposition(engine, "2026Q3", "2026Q2")
    assert sum(p.effect for p in dd.parts) == dd.total_change == c.total
    m = mix_rate(engine, "2026Q3", "2026Q2", ["region"])
    assert m.mix_effect + m.rate_effect == pytest.approx(m.total_change, abs=1e-9)


@given(
    st.lists(st.floats(0.1, 1e6), min_size=3, max_size=3),
    st.lists(st.floats(0.1, 1e6), min_size=3, max_size=3),
)
def test_shapley_efficiency(base: list[float], cur: list[float]) -> None:
    after, before = cur[0] * cur[1] * cur[2], base[0] * base[1] * base[2]
    scale = max(base[0], cur[0]) * max(base[1], cur[1]) * max(base[2], cur[2])  # largest intermediate product
    assert sum(shapley(base, cur)) == pytest.approx(after - before, abs=1e-12 * scale + 1e-9)
