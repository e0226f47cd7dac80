"""The engine answers a filtered question from a prefetched finer grouping with the single-metric SQL's numbers,
and groups by the two analysis dimensions a review drills into: the loss-reason column and deal-size bands."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from agent.deal_bands import BANDS, band_bounds, band_label, band_sql
from agent.metric_engine import MetricEngine
from agent.metrics import REGISTRY
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore

HEAD = "商机编号,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,结单日期,丢单原因\n"
REASONS = ["价格", "竞品", "预算", "需求不匹配", ""]


def _csv(path: Path, seed: int, rows: int = 500) -> Path:
    rng = random.Random(seed)
    lines = [HEAD]
    for i in range(rows):
        created = date(2025, 10, 1) + timedelta(days=rng.randrange(330))
        stage = rng.choice(["赢单", "赢单", "输单", "输单", "商务谈判", "线索"])
        closed = created + timedelta(days=rng.randrange(1, 90)) if stage in ("赢单", "输单") else None
        amount = rng.choice([99.5, 300, 2_999.99, 30_000, 45_000, 120_000, 260_000, 1_500_000])
        lines.append(
            ",".join(
                [
                    f"D{i}",
                    f"客户{rng.randrange(60)}",
                    f"销售{rng.randrange(6)}",
                    rng.choice(["华东", "华南"]),
                    f"P{rng.randrange(3)}",
                    rng.choice(["官网", "转介绍"]),
                    stage,
                    f"{amount}",
                    created.isoformat(),
                    closed.isoformat() if closed else "",
                    rng.choice(REASONS) if stage == "输单" else "",
                ]
            )
            + "\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("dims")
    s = SalesStore(load_settings(workspace=tmp))
    s.import_file(_csv(tmp / "opps.csv", seed=11), "opportunities")
    yield s
    s.close()


METRICS = [m for m, d in REGISTRY.items() if d.source == "opportunities"]
PERIODS = ["2026Q3", "2026Q2"]


@pytest.mark.parametrize(
    ("prefetched", "by", "filters"),
    [
        ([["region", "rep"]], [], {"region": "华东", "rep": "销售2"}),
        ([["region", "rep"]], ["rep"], {"region": "华南"}),
        ([["region", "product"]], ["product"], {"region": "华东"}),
        ([["product", "rep"]], ["rep"], {"product": "P1"}),
    ],
)
def test_a_filter_is_served_from_a_finer_grouping_with_the_sql_numbers(
    store: SalesStore, prefetched: list[list[str]], by: list[str], filters: dict[str, str]
) -> None:
    plain = MetricEngine(store, single_sql=True)
    expected = {(m, p): plain.compute(m, p, by, filters).rows for m in METRICS for p in PERIODS}
    engine = MetricEngine(store)
    engine.prefetch(PERIODS, prefetched)
    before = len(engine.cached_figures())
    for (m, p), rows in expected.items():
        assert engine.compute(m, p, by, filters).rows == rows, (m, p)
    assert len(engine.cached_figures()) == before + len(expected)  # every answer came from memory
    assert sum(1 for rows in expected.values() for r in rows if r.value) > 20


@pytest.mark.parametrize(
    ("by", "filters"),
    [
        (["loss_reason"], {}),
        (["region", "loss_reason"], {}),
        (["deal_size_band"], {}),
        (["region", "deal_size_band"], {}),
        (["deal_size_band"], {"region": "华东"}),
    ],
)
def test_analysis_dimensions_in_the_pack_equal_the_sql(
    store: SalesStore, by: list[str], filters: dict[str, str]
) -> None:
    only = ["won_deals", "lost_deals", "win_rate", "won_revenue", "avg_deal_size"]
    plain = MetricEngine(store, single_sql=True)
    expected = {(m, p): plain.compute(m, p, by, filters).rows for m in only for p in PERIODS}
    engine = MetricEngine(store)
    engine.prefetch(PERIODS, [by], filters, metrics=only)
    for (m, p), rows in expected.items():
        assert engine.compute(m, p, by, filters).rows == rows, (m, p)
    assert "new_customers" not in {key[0] for key in engine.cached_figures()}  # only the asked metrics were packed


def test_loss_reasons_and_bands_count_the_rows(store: SalesStore) -> None:
    engine = MetricEngine(store)
    con = store.connection
    lost = engine.compute("lost_deals", "2026Q2", ["loss_reason"]).rows
    truth = dict(
        con.execute(
            "SELECT coalesce(loss_reason, ''), count(*) FROM opportunities WHERE stage = 'lost' "
            "AND close_date >= DATE '2026-04-01' AND close_date < DATE '2026-07-01' GROUP BY 1"
        ).fetchall()
    )
    assert {r.dims["loss_reason"]: r.value for r in lost if r.value} == truth
    bands = engine.compute("won_deals", "2026Q2", ["deal_size_band"]).rows
    assert {r.dims["deal_size_band"] for r in bands} == {
        "<100",
        "300-1000",
        "1000-3000",
        "30000-100000",
        "100000-300000",
        "1000000-3000000",
    }
    assert sum(r.value or 0 for r in bands) == engine.value("won_deals", "2026Q2").value
    # a band in an evidence id re-runs to the same figure
    row = next(r for r in bands if r.value)
    assert engine.resolve(row.evidence_id).value == row.value


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (99.99, "<100"),
        (100, "100-300"),
        (29_999, "10000-30000"),
        (30_000, "30000-100000"),
        (100_000_000, "100000000+"),
    ],
)
def test_band_edges_are_lower_inclusive(amount: float, band: str, store: SalesStore) -> None:
    got = store.connection.execute(f"SELECT {band_sql(str(amount))}").fetchone()[0]
    assert got == band and band in BANDS
    lo, hi = band_bounds(band)
    assert (lo is None or amount >= lo) and (hi is None or amount < hi)


def test_band_labels_in_both_languages() -> None:
    assert band_label("30000-100000", "zh") == "3万–10万"
    assert band_label("30000-100000", "en") == "¥30,000–¥100,000"
    assert band_label("<100", "en") == "under ¥100" and band_label("100000000+", "zh") == "1亿 及以上"
