"""The metric engine's per-snapshot memory: figures from the monthly cube or a pass of the pack are the
single-figure SQL's numbers, everything kept is dropped on a new import or a direct write, the funnel and the
coverage facts are read once per snapshot, and the router vocabulary is kept per version by `Deps`."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.metric_cache import SnapshotCache
from agent.metric_engine import MetricEngine
from agent.metric_pack import pack_metrics
from agent.query_figures import DRIVERS, plan_for, prefetch_for
from fupan.query import MetricQuery
from fupan.settings import load_settings
from knowledge.deps import Deps
from knowledge.sales_store import SalesStore

HEAD = "商机编号,客户名称,负责人,区域,产品,阶段,金额,创建日期,结单日期\n"
STAGES = ["赢单", "赢单", "输单", "线索", "商机确认", "方案报价", "商务谈判"]
PERIODS = ["2026Q3", "2026Q2", "2025Q3", "2026-08", "2026H1", "2026"]
CUBE_METRICS = [m for m, (num, den) in pack_metrics().items() if num.cube_safe and (den is None or den.cube_safe)]


def _csv(path: Path, seed: int, rows: int = 300) -> Path:
    """Deals over 2025-01..2026-12 with blank regions and blank amounts (open deals whose amount is unknown)."""
    rng = random.Random(seed)
    lines = [HEAD]
    for i in range(rows):
        created = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        stage = rng.choice(STAGES)
        closed = created + timedelta(days=rng.randrange(0, 200)) if stage in ("赢单", "输单") else None
        region = "" if rng.random() < 0.05 else rng.choice(["华东", "华南", "华北"])
        amount = "" if stage not in ("赢单", "输单") and rng.random() < 0.2 else f"{rng.randrange(100, 90000)}.{rng.randrange(100):02d}"
        fields = [f"D{i}", f"客户{rng.randrange(30)}", f"销售{rng.randrange(6)}", region, f"P{rng.randrange(3)}",
                  stage, amount, created.isoformat(), closed.isoformat() if closed else ""]  # fmt: skip
        lines.append(",".join(fields) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path):
    s = SalesStore(load_settings(workspace=tmp_path / "ws"))
    s.import_file(_csv(tmp_path / "a.csv", seed=1), "opportunities")
    yield s
    s.close()


class _Counting:
    """The engine's DuckDB connection, counting the statements it runs."""

    def __init__(self, con: Any) -> None:
        self.con, self.statements = con, 0

    def execute(self, *args: Any) -> Any:
        self.statements += 1
        return self.con.execute(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_the_cube_covers_the_common_metrics() -> None:
    assert {"won_revenue", "won_deals", "lost_deals", "win_rate", "avg_deal_size"} <= set(CUBE_METRICS)


@pytest.mark.parametrize(
    ("by", "filters"),
    [([], {}), (["region"], {}), (["rep"], {}), (["product", "region"], {}), (["rep"], {"region": "华东"}),
     ([], {"product": "P1", "rep": "销售2"}), (["manager"], {})],  # fmt: skip
)
def test_figures_from_the_cube_are_the_single_figure_sql(
    store: SalesStore, by: list[str], filters: dict[str, str]
) -> None:
    reference = MetricEngine(store, single_sql=True)
    engine = MetricEngine(store)
    nonzero = 0
    for metric in CUBE_METRICS:
        for period in PERIODS:
            expected = reference.compute(metric, period, by, filters).rows
            assert engine.compute(metric, period, by, filters).rows == expected, (metric, period)
            nonzero += sum(1 for r in expected if r.value)
    assert nonzero > 20  # the data exercises the metrics, not just empty groups


def test_dimension_values_from_the_cube_are_the_data_s(store: SalesStore) -> None:
    engine, reference = MetricEngine(store), MetricEngine(store, single_sql=True)
    for dim in store.dimensions().ids():
        assert engine.dimension_values(dim) == reference.dimension_values(dim), dim
    assert engine.dimension_values("region") == ["华东", "华北", "华南"]  # blanks are not a value


def test_a_new_import_empties_the_cache(store: SalesStore, tmp_path: Path) -> None:
    engine = MetricEngine(store)
    built: list[int] = []
    before = engine.compute("won_revenue", "2026Q3", ["region"]).rows
    funnel_before = engine.funnel("2026Q3")
    assert engine.snapshot_fact(("probe",), lambda: built.append(1) or len(built)) == 1
    assert engine.snapshot_fact(("probe",), lambda: built.append(1) or len(built)) == 1  # read once
    assert engine.cached_figures()
    store.import_file(_csv(tmp_path / "b.csv", seed=2), "opportunities", replace=True)
    after = engine.compute("won_revenue", "2026Q3", ["region"]).rows
    assert after == MetricEngine(store, single_sql=True).compute("won_revenue", "2026Q3", ["region"]).rows
    assert after != before
    assert engine.funnel("2026Q3") != funnel_before
    assert engine.snapshot_fact(("probe",), lambda: built.append(1) or len(built)) == 2  # read again
    assert engine.cached_figures() == {("won_revenue", "2026Q3", ("region",), ())}


def test_a_direct_write_then_invalidate_empties_the_cache(store: SalesStore) -> None:
    engine = MetricEngine(store)
    before = engine.value("won_deals", "2026Q3").value
    store.connection.execute(  # a direct write names its own snapshot, as the derived tables expect
        "UPDATE opportunities_data SET stage = 'won', close_date = DATE '2026-08-03', snapshot_id = 'manual'"
    )
    store.invalidate()
    after = engine.value("won_deals", "2026Q3").value
    assert after == MetricEngine(store, single_sql=True).value("won_deals", "2026Q3").value
    assert after != before


def test_figures_in_memory_are_not_read_again(store: SalesStore) -> None:
    engine = MetricEngine(store)
    engine.prefetch(["2026Q3", "2026Q2"], [[], ["rep"]], metrics=["win_rate", "won_revenue"])
    counting = _Counting(engine.con)
    engine.con = counting  # type: ignore[assignment]
    engine.prefetch(["2026Q3", "2026Q2"], [[], ["rep"]], metrics=["win_rate", "won_revenue"])
    engine.compute("win_rate", "2026Q2", ["rep"])
    engine.value("won_revenue", "2026Q3", {"rep": "销售1"})  # cut from the rep grouping
    engine.funnel("2026Q3")
    assert counting.statements == 1  # the funnel only
    engine.funnel("2026Q3")
    assert counting.statements == 1


def test_the_funnel_is_the_one_statement_sql(store: SalesStore) -> None:
    engine = MetricEngine(store)
    unknown = 0
    for period in PERIODS:
        for filters in (None, {"region": "华南"}, {"rep": "销售3", "product": "P0"}):
            f = engine.funnel(period, filters)
            row = store.connection.execute(f.sql).fetchone()
            assert row is not None
            got = [(s.deals, s.amount, s.amount_unknown) for s in f.stages]
            assert got == [(int(row[3 * i]), float(row[3 * i + 1]), int(row[3 * i + 2])) for i in range(5)]
            unknown += sum(s.amount_unknown for s in f.stages)
    assert unknown > 0  # the data has deals whose amount is not known


def test_an_explanation_reads_only_the_revenue_drivers(store: SalesStore) -> None:
    engine = MetricEngine(store)
    q = MetricQuery(operation="why", metrics=["won_revenue"], periods=["2026Q3"], base="target",
                    filters={"region": ["华东"]})  # fmt: skip
    plan = plan_for(engine, q)
    assert plan is not None
    assert plan.metrics == DRIVERS and plan.periods == ("2026Q3", "2026Q2")
    assert plan.bys == ((), ("rep",), ("product",))  # region is filtered: not a mover
    prefetch_for(engine, q)
    assert {key[0] for key in engine.cached_figures()} == set(DRIVERS)
    win = MetricQuery(operation="why", metrics=["win_rate"], periods=["2026Q3"])
    assert plan_for(engine, win).metrics == ("win_rate",)  # type: ignore[union-attr]


def test_the_cache_drops_the_oldest_figures_and_keeps_a_pass_whole() -> None:
    cache = SnapshotCache(limit=3)
    cache.use("s1")
    for i in range(4):
        cache.put_figure(("m", f"p{i}", (), ()), {(): (float(i), None)})
    assert {k[1] for k in cache.figure_keys()} == {"p1", "p2", "p3"}
    cache.put_figures({("n", f"q{i}", (), ()): {} for i in range(5)})
    assert {k[1] for k in cache.figure_keys()} == {f"q{i}" for i in range(5)}
    cache.use("s2")
    assert not cache.figure_keys()


def test_deps_keeps_a_value_per_version(settings: Any) -> None:
    deps = Deps(settings=settings)
    built: list[str] = []

    class Service:
        closed = False

        def close(self) -> None:
            self.closed = True

    def build(tag: str) -> Service:
        built.append(tag)
        return Service()

    first = deps.cached_for("vocabulary", "snap-1:0", lambda: build("a"))
    assert deps.cached_for("vocabulary", "snap-1:0", lambda: build("b")) is first
    second = deps.cached_for("vocabulary", "snap-2:0", lambda: build("c"))
    assert second is not first and built == ["a", "c"]
    deps.close()
    assert second.closed
