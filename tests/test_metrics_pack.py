"""The review pack (agent.metric_pack) gives exactly the single-metric SQL's numbers, and the per-snapshot derived
table it reads (account_first_won) follows every re-import."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from agent.metric_engine import MetricEngine
from agent.metric_pack import pack_metrics, parse_aggregate, run_pack
from agent.metrics import OPEN_METRICS, REGISTRY
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore, derived_is_current

HEAD = "商机编号,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期\n"
STAGES = ["赢单", "赢单", "输单", "线索", "商机确认", "方案报价", "商务谈判"]
PERIODS = ["2026Q3", "2026Q2", "2025Q3", "2026", "2026-08", "2026H1"]
BYS = [[], ["region"], ["rep"], ["product"], ["product", "region"], ["account"], ["lead_source"], ["manager"]]


def _random_csv(path: Path, seed: int, rows: int = 400) -> Path:
    """Deals over 2025-01..2026-12 with repeat customers, blanks in account/region, engaged dates, ties."""
    rng = random.Random(seed)
    lines = [HEAD]
    for i in range(rows):
        created = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        stage = rng.choice(STAGES)
        closed = created + timedelta(days=rng.randrange(0, 200)) if stage in ("赢单", "输单") else None
        engaged = created + timedelta(days=rng.randrange(0, 5)) if rng.random() < 0.3 else None
        account = "" if rng.random() < 0.05 else f"客户{rng.randrange(40)}"
        region = "" if rng.random() < 0.05 else rng.choice(["华东", "华南", "华北"])
        fields = [
            f"D{i}",
            account,
            f"销售{rng.randrange(7)}",
            region,
            f"P{rng.randrange(3)}",
            rng.choice(["官网", "展会", "转介绍"]),
            stage,
            f"{rng.randrange(100, 100000)}.{rng.randrange(100):02d}",
            created.isoformat(),
            engaged.isoformat() if engaged else "",
            closed.isoformat() if closed else "",
        ]
        lines.append(",".join(fields) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("pack")
    s = SalesStore(load_settings(workspace=tmp))
    s.import_file(_random_csv(tmp / "opps.csv", seed=3), "opportunities")
    (tmp / "team.csv").write_text(
        "销售,经理,区域\n" + "".join(f"销售{i},经理{i % 2},华东\n" for i in range(7)), encoding="utf-8"
    )
    s.import_file(tmp / "team.csv", "team")
    yield s
    s.close()


def test_every_opportunity_metric_is_in_the_pack() -> None:
    """Every opportunity metric of a period; the open-deal figures, as of the export, have their own SQL."""
    opportunity = {m for m, d in REGISTRY.items() if d.source == "opportunities"}
    assert set(pack_metrics()) == opportunity - set(OPEN_METRICS)
    assert set(OPEN_METRICS) < set(REGISTRY)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("sum(amount) FILTER (WHERE stage = 'won')", ("sum", False, "amount", "stage = 'won'")),
        ("count(DISTINCT account) FILTER (WHERE x)", ("count", True, "account", "x")),
        ("median(a - coalesce(b, c)) FILTER (WHERE x)", ("median", False, "a - coalesce(b, c)", "x")),
        ("sum(amount)", None),
        ("max(amount) FILTER (WHERE x)", None),
    ],
)
def test_parse_aggregate(sql: str, expected: tuple | None) -> None:
    agg = parse_aggregate(sql)
    assert (None if agg is None else (agg.func, agg.distinct, agg.arg, agg.cond)) == expected


@pytest.mark.parametrize(
    ("filters", "bys", "least"),
    [({}, BYS, 500), ({"region": "华东"}, BYS[:5], 150), ({"product": "P1", "rep": "销售2"}, BYS[:2], 20)],
)
def test_pack_equals_single_metric_sql(
    store: SalesStore, filters: dict[str, str], bys: list[list[str]], least: int
) -> None:
    reference = MetricEngine(store, single_sql=True)
    metrics = [m for m, d in REGISTRY.items() if d.source == "opportunities" and m not in OPEN_METRICS]
    plain = {
        (m, p, tuple(b)): reference.compute(m, p, b, filters).rows for m in metrics for p in PERIODS for b in bys
    }
    engine = MetricEngine(store)
    engine.prefetch(PERIODS, bys, filters)
    served = {key for key in engine.cached_figures() if key[0] in metrics}
    assert len(served) == len(plain)
    nonzero = 0
    for (m, p, b), rows in plain.items():
        got = engine.compute(m, p, list(b), filters).rows
        assert got == rows, (m, p, b)
        nonzero += sum(1 for r in rows if r.value)
    assert nonzero > least  # the data exercises the metrics, not just empty groups


def test_pack_answers_targets_and_derived_metrics(store: SalesStore) -> None:
    plain = MetricEngine(store, single_sql=True).compute("gap", "2026Q3", ["region"]).rows
    engine = MetricEngine(store)
    engine.prefetch(["2026Q3"], [["region"]])
    assert engine.compute("gap", "2026Q3", ["region"]).rows == plain


def _first_won(store: SalesStore) -> dict[str, date]:
    return dict(store.connection.execute("SELECT account, first_won FROM account_first_won").fetchall())


def _expected_first_won(store: SalesStore) -> dict[str, date]:
    rows = store.connection.execute(
        "SELECT account, min(close_date) FROM opportunities WHERE stage = 'won' AND account IS NOT NULL "
        "GROUP BY account"
    ).fetchall()
    return dict(rows)


def test_first_won_table_follows_reimport(tmp_path: Path) -> None:
    s = SalesStore(load_settings(workspace=tmp_path / "ws"))
    first = s.import_file(_random_csv(tmp_path / "a.csv", seed=1, rows=120), "opportunities")
    before = _first_won(s)
    assert before == _expected_first_won(s) and len(before) > 10
    snaps = {r[0] for r in s.connection.execute("SELECT snapshot_id FROM account_first_won").fetchall()}
    assert snaps == {first.snapshot_id}
    second = s.import_file(_random_csv(tmp_path / "b.csv", seed=2, rows=120), "opportunities")
    after = _first_won(s)
    assert second.snapshot_id != first.snapshot_id
    assert after == _expected_first_won(s) and after != before
    snaps = {r[0] for r in s.connection.execute("SELECT snapshot_id FROM account_first_won").fetchall()}
    assert snaps == {second.snapshot_id}
    won = "SELECT count(*), sum(amount) FROM {} WHERE stage = 'won'"
    assert (
        s.connection.execute(won.format("won_deals")).fetchone()
        == s.connection.execute(won.format("opportunities")).fetchone()
    )
    s.close()


@pytest.mark.parametrize("filters", [{}, {"region": "华东"}, {"lead_source": "展会"}])
def test_pack_without_derived_tables_gives_the_same(store: SalesStore, filters: dict[str, str]) -> None:
    store.ensure_derived()
    periods = [MetricEngine(store).period(p) for p in PERIODS]
    args = (
        store.connection,
        periods,
        BYS[:6],
        filters,
        ["account", "stage", "amount", "created_date", "engaged_date", "close_date", "deal_head"],
    )
    assert run_pack(*args, derived=True) == run_pack(*args, derived=False)


def test_direct_writes_are_caught_by_ensure_derived(tmp_path: Path) -> None:
    s = SalesStore(load_settings(workspace=tmp_path / "ws"))
    s.import_file(_random_csv(tmp_path / "a.csv", seed=4, rows=80), "opportunities")
    engine = MetricEngine(s)
    engine.prefetch(["2026Q3"], [[]])
    s.connection.execute(
        "UPDATE opportunities_data SET close_date = DATE '2026-07-05', snapshot_id = 'manual'"
    )
    s.invalidate()
    assert not derived_is_current(s.connection)
    engine.prefetch(["2026Q3"], [[]])
    assert derived_is_current(s.connection)
    assert set(_first_won(s).values()) == {date(2026, 7, 5)}
    assert engine.value("new_customers", "2026Q3").value == len(_expected_first_won(s))
    s.close()


def test_snapshot_id_cache_sees_other_stores_on_the_same_file(tmp_path: Path) -> None:
    settings = load_settings(workspace=tmp_path / "ws")
    a, b = SalesStore(settings), SalesStore(settings)
    assert a.current_snapshot_id() is None
    report = b.import_file(_random_csv(tmp_path / "a.csv", seed=5, rows=20), "opportunities")
    assert a.current_snapshot_id() == report.snapshot_id
    a.close()
    b.close()


def test_cube_follows_team_reimport(tmp_path: Path) -> None:
    s = SalesStore(load_settings(workspace=tmp_path / "ws"))
    s.import_file(_random_csv(tmp_path / "a.csv", seed=6, rows=60), "opportunities")
    managers = "SELECT DISTINCT manager FROM opportunity_cube"
    assert s.connection.execute(managers).fetchall() == [(None,)]
    for boss in ("王经理", "赵经理"):
        team = tmp_path / f"team_{boss}.csv"
        team.write_text(
            "销售,经理,区域\n" + "".join(f"销售{i},{boss},华东\n" for i in range(7)), encoding="utf-8"
        )
        s.import_file(team, "team")
        assert s.connection.execute(managers).fetchall() == [(boss,)]
        assert derived_is_current(s.connection)
        engine = MetricEngine(s)
        plain = engine.compute("won_revenue", "2026Q3", ["manager"]).rows
        engine.prefetch(["2026Q3"], [["manager"]])
        assert engine.compute("won_revenue", "2026Q3", ["manager"]).rows == plain
        assert [r.dims["manager"] for r in plain] == [boss]
    total = s.connection.execute("SELECT sum(n), sum(amount) FROM opportunity_cube").fetchone()
    assert total == s.connection.execute("SELECT count(*), sum(amount) FROM opportunities").fetchone()
    s.close()


def test_cube_answers_only_month_window_conditions() -> None:
    safe = {m for m, (num, den) in pack_metrics().items() if num.cube_safe and (den is None or den.cube_safe)}
    assert {"won_revenue", "won_deals", "lost_deals", "win_rate", "pipeline_created"} <= safe
    assert not {"new_customers", "churned_customers", "sales_cycle_median", "repurchase_rate"} & safe


def test_won_deals_has_every_column_the_pack_reads(store) -> None:  # type: ignore[no-untyped-def]
    from agent.metric_engine import _NEEDED
    from fupan.dimensions import CORE_IDS
    from knowledge.sales_store import _WON_DEAL_COLUMNS

    assert set(_NEEDED) | set(CORE_IDS) <= set(_WON_DEAL_COLUMNS)
    store.ensure_derived()
    won = {r[0] for r in store.connection.execute("DESCRIBE won_deals").fetchall()}
    assert set(store.dimensions().ids()) <= won  # learned dimensions too


@pytest.mark.parametrize(
    ("conds", "window"),
    [
        (
            ["stage = 'won' AND close_date >= $s AND close_date < $e"],
            "(close_date >= $s AND close_date < $e)",
        ),
        (
            [
                "created_date >= $s AND created_date < $e",
                "stage = 'won' AND close_date >= $ps AND close_date < $pe",
            ],
            "(created_date >= $s AND created_date < $e) OR (close_date >= $ps AND close_date < $pe)",
        ),
        (["stage = 'won' AND close_date BETWEEN $s AND $e"], "true"),  # a form the windows do not know
        (["stage = 'won'"], "true"),  # all time
    ],
)
def test_row_window_never_drops_a_row_a_condition_could_pass(conds: list[str], window: str) -> None:
    from agent.metric_pack import Aggregate, _Plan

    aggs = [Aggregate("count", False, "*", c) for c in conds]
    assert _Plan(aggs, [], [], {}).window() == window
