"""Every metric on a 7-deal fixture; expected values derived by hand (see the comments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.decompose import contribution, drill_down, driver_decomposition, mix_rate
from agent.metric_engine import MetricEngine
from agent.metrics import REGISTRY
from fupan.errors import InputError
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore

FIX = Path(__file__).parent / "fixtures" / "sales"

# 2026Q3 = [07-01, 10-01). Won in Q3: O1 100 (甲, 10 days), O3 300 (丙, 04-01→08-31 = 152 days).
# Lost in Q3: O2. Created in Q3: O1, O2, O4, O5 (O5 still a lead) = 100+50+80+20.
# 客户乙 won in Q2 (O6) and not in Q3 -> churned. 甲 and 丙 first won in Q3 -> new, none repurchased.
# Targets Q3: 300+200+100 = 600.
Q3 = {
    "won_revenue": 400.0,
    "target": 600.0,
    "achievement_rate": 400 / 600,
    "gap": -200.0,
    "won_deals": 2.0,
    "lost_deals": 1.0,
    "win_rate": 2 / 3,
    "conversion_lead_to_opportunity": 3 / 4,
    "conversion_opportunity_to_order": 1 / 3,
    "new_customers": 2.0,
    "won_customers": 2.0,
    "avg_deal_size": 200.0,
    "sales_cycle_median": 81.0,
    "sales_cycle_mean": 81.0,
    "pipeline_created": 250.0,
    "pipeline_coverage": 250 / 600,
    "repurchase_rate": 0.0,
    "churned_customers": 1.0,
}
# 2026Q2: won O6 200; lost O7. Created in Q2: O3, O6, O7.
Q2 = {"won_revenue": 200.0, "won_deals": 1.0, "lost_deals": 1.0, "win_rate": 0.5, "avg_deal_size": 200.0}


def _write(src: Path, dst: Path, encoding: str, delimiter: str | None = None) -> Path:
    text = src.read_text(encoding="utf-8")
    if delimiter:
        text = text.replace(";", delimiter)
    dst.write_bytes(text.encode(encoding))
    return dst


VARIANTS = [
    ("opportunities_zh.csv", "utf-8", None),
    ("opportunities_zh.csv", "utf-8-sig", None),
    ("opportunities_zh.csv", "gb18030", None),
    ("opportunities_zh.csv", "utf-16", None),
    ("opportunities_en.csv", "utf-8", None),
    ("opportunities_en.csv", "utf-8-sig", "\t"),
    ("opportunities_en.csv", "gb18030", None),
    ("opportunities_en.csv", "utf-16", "\t"),
]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: f"{v[0][14:16]}-{v[1]}-{v[2] or 'sniffed'}")
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    name, encoding, delimiter = request.param
    tmp = tmp_path_factory.mktemp("ws")
    store = SalesStore(load_settings(workspace=tmp))
    path = _write(FIX / name, tmp / "opps.csv", encoding, delimiter)
    report = store.import_file(path, "opportunities")
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (7, 7, 0)
    store.import_file(FIX / "targets.csv", "targets")
    yield MetricEngine(store)
    store.close()


def test_registry_covers_contract_ids() -> None:
    assert set(Q3) <= set(REGISTRY)


@pytest.mark.parametrize("metric", sorted(Q3))
def test_q3_metric(engine: MetricEngine, metric: str) -> None:
    v = engine.value(metric, "2026Q3")
    assert v.value == pytest.approx(Q3[metric])
    assert v.evidence_id == f"metric:{metric}:2026Q3"
    assert v.snapshot_id and v.sql


@pytest.mark.parametrize("metric", sorted(Q2))
def test_q2_metric_in_other_spellings(engine: MetricEngine, metric: str) -> None:
    assert engine.value(metric, "2026年第2季度").value == pytest.approx(Q2[metric])


def test_by_region_and_gap_sums(engine: MetricEngine) -> None:
    rows = {r.dims["region"]: r.value for r in engine.compute("gap", "2026Q3", by=["region"]).rows}
    assert rows == {"华东": -200.0, "华南": 100.0, "华北": -100.0}
    won = {r.dims["region"]: r.value for r in engine.compute("won_revenue", "2026Q3", by=["region"]).rows}
    assert won == {"华东": 100.0, "华南": 300.0, "华北": 0.0}


def test_compare_and_resolve(engine: MetricEngine) -> None:
    row = engine.compare("won_revenue", "2026Q3", "previous").rows[0]
    assert (row.current.value, row.base.value, row.change, row.pct_change) == (400.0, 200.0, 200.0, 1.0)
    ev = engine.resolve("metric:won_revenue:2026Q3:region=华南")
    assert ev.value == 300.0 and ev.sql
    with pytest.raises(InputError):
        engine.resolve("metric:nope:2026Q3")
    with pytest.raises(InputError):
        engine.resolve("garbage")


def test_contribution_to_target_gap(engine: MetricEngine) -> None:
    res = contribution(engine, "won_revenue", "2026Q3", ["region"], base="target")
    assert res.total == -200
    assert [(i.dims["region"], int(i.contribution)) for i in res.items] == [
        ("华东", -200),
        ("华北", -100),
        ("华南", 100),
    ]
    assert sum(i.contribution for i in res.items) == res.total


def test_driver_decomposition_by_hand(engine: MetricEngine) -> None:
    # closed 2->3, win rate 1/2->2/3, size 200->200; Shapley: N = (1*.5 + 1*2/3)/2*200 = 116.67,
    # w = (1/6*2 + 1/6*3)/2*200 = 83.33, size 0.
    d = driver_decomposition(engine, "2026Q3", "2026Q2")
    effects = {p.driver: str(p.effect) for p in d.parts}
    assert effects == {"closed_deals": "116.67", "win_rate": "83.33", "avg_deal_size": "0.00"}
    assert str(d.total_change) == "200.00"


def test_mix_rate_sums(engine: MetricEngine) -> None:
    m = mix_rate(engine, "2026Q3", "2026Q2", ["region"])
    assert m.total_change == pytest.approx(2 / 3 - 1 / 2)
    assert m.mix_effect + m.rate_effect == pytest.approx(m.total_change)


def test_drill_down_walks_biggest(engine: MetricEngine) -> None:
    d = drill_down(engine, "won_revenue", "2026Q3", "previous", ["region", "rep"])
    # Q3 vs Q2 by region: 华东 +100, 华南 +300, 华北 -200 -> 华南; within 华南 only 李四.
    assert d.path == {"region": "华南", "rep": "李四"}


def test_funnel(engine: MetricEngine) -> None:
    # created in Q3: O1 won, O2 lost, O4 negotiation, O5 lead. Reached qualified: O1 O2 O4;
    # proposal and negotiation: O1 O4 (lost deals' last stage is unknown, so they count as qualified only).
    f = engine.funnel("2026Q3")
    assert [s.deals for s in f.stages] == [4, 3, 2, 2, 1]


def test_prefetch_matches_single_queries(engine: MetricEngine) -> None:
    bys = [[], ["region"], ["rep"], ["product", "region"]]
    periods = ["2026Q3", "2026Q2"]
    engine.clear_cache()
    reference = MetricEngine(engine.store, engine.fy, single_sql=True)
    plain = {(m, p, tuple(b)): reference.compute(m, p, b).rows for m in REGISTRY for p in periods for b in bys}
    engine.prefetch(periods, bys)
    assert engine.cached_figures()  # served from the single GROUPING SETS scan from here on
    for (m, p, b), rows in plain.items():
        assert engine.compute(m, p, list(b)).rows == rows, (m, p, b)
    engine.clear_cache()
