"""Benchmark: the quarterly review pack on seeded synthetic opportunities (1M / 10M rows).

    .venv/bin/python bench/metrics.py --rows 1000000 [--rows 10000000]

Times, in one run: (a) the pack through MetricEngine + decompose (every registry metric for the quarter, its prior
quarter and the same quarter last year, total and by region, rep and product, plus contribution, driver and mix/rate
decompositions), (b) a straightforward pandas implementation of the core metrics of the pack, (c) one hand-written
DuckDB GROUPING SETS query over the same core metrics. Peak memory is the process's max RSS; CPU seconds (all
threads) are printed too, since wall times on a shared machine depend on everyone else's load.

    .venv/bin/python bench/metrics.py --import-rows 1000000   # `fupan import` rows/s on the same data as a CSV
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.decompose import contribution, driver_decomposition, mix_rate  # noqa: E402
from agent.metric_engine import MetricEngine  # noqa: E402
from agent.metrics import REGISTRY  # noqa: E402
from fupan.settings import load_settings  # noqa: E402
from knowledge.sales_store import SalesStore, build_derived  # noqa: E402

DATA = Path(__file__).parent / "data"
PERIODS = [
    ("2026Q3", "2026-07-01", "2026-10-01"),
    ("2026Q2", "2026-04-01", "2026-07-01"),
    ("2025Q3", "2025-07-01", "2025-10-01"),
]
BYS = [[], ["region"], ["rep"], ["product"]]


def generate(rows: int, seed: int = 7) -> Path:
    """Seeded synthetic opportunities written to bench/data/opps_<rows>.parquet (DuckDB's setseed + random)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"opps_{rows}_{seed}.parquet"
    if path.exists():
        return path
    con = duckdb.connect()
    con.execute("SET enable_progress_bar=false")
    con.execute(f"SELECT setseed({seed / 100})")
    con.execute(f"""
        COPY (
          SELECT 'O' || i AS opportunity_id, NULL::VARCHAR AS order_id, 'deal ' || i AS name,
            'A' || (hash(i * 7) % 20000) AS account, 'R' || (i % 60) AS rep, 'M' || (i % 60 // 10) AS manager,
            ['华东','华南','华北'][1 + ((i % 60) // 20)::INTEGER] AS region, 'P' || (hash(i) % 5) AS product,
            ['官网','展会','转介绍','电销'][1 + (hash(i * 3) % 4)::INTEGER] AS lead_source,
            CASE WHEN r < 0.35 THEN 'won' WHEN r < 0.65 THEN 'lost' WHEN r < 0.75 THEN 'lead'
                 WHEN r < 0.85 THEN 'qualified' WHEN r < 0.93 THEN 'proposal' ELSE 'negotiation' END AS stage,
            round(1000 + random() * 200000, 2)::DECIMAL(18,4) AS amount,
            DATE '2025-01-01' + CAST(floor(random() * 640) AS INTEGER) AS created_date,
            NULL::DATE AS engaged_date, NULL::DATE AS close_date0, NULL::VARCHAR AS loss_reason, r
          FROM (SELECT range AS i, random() AS r FROM range({rows}))
        ) TO '{path}.tmp' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT * EXCLUDE (close_date0, r),
        CASE WHEN stage IN ('won','lost') THEN created_date + CAST(10 + r * 300 AS INTEGER) END AS close_date
        FROM read_parquet('{path}.tmp')) TO '{path}' (FORMAT parquet)""")
    os.remove(f"{path}.tmp")
    return path


def load_store(path: Path, rows: int) -> SalesStore:
    ws = DATA / f"ws_{rows}"
    store = SalesStore(load_settings(workspace=ws))
    con = store.connection
    if con.execute("SELECT count(*) FROM opportunities_data").fetchone()[0] != rows:
        cols = ", ".join(
            c
            for c, _ in [
                (c, 0)
                for c in (
                    "opportunity_id",
                    "order_id",
                    "name",
                    "account",
                    "rep",
                    "manager",
                    "region",
                    "product",
                    "lead_source",
                    "stage",
                    "amount",
                    "created_date",
                    "engaged_date",
                    "close_date",
                    "loss_reason",
                )
            ]
        )
        con.execute("DELETE FROM opportunities_data")
        con.execute(
            f"INSERT INTO opportunities_data ({cols}, snapshot_id) SELECT {cols}, 'bench-{rows}' FROM '{path}'"
        )
        build_derived(con)
        con.execute("DELETE FROM snapshots")
        con.execute(
            "INSERT INTO snapshots VALUES (?, 'opportunities', ?, ?, now()::TIMESTAMP, true)",
            [f"bench-{rows}", path.name, rows],
        )
        con.execute("DELETE FROM targets_data")
        for q in ("2026Q3", "2026Q2", "2025Q3"):
            for reg in ("华东", "华南", "华北"):
                con.execute(
                    "INSERT INTO targets_data VALUES (?, ?, NULL, NULL, 'won_revenue', ?, 'bench')",
                    [q, reg, rows * 8000 / 3],
                )
        store.invalidate()
    return store


def engine_pack(engine: MetricEngine) -> int:
    n = 0
    engine.clear_cache()
    engine.prefetch([p for p, _, _ in PERIODS], BYS)
    for label, _, _ in PERIODS:
        for metric in REGISTRY:
            for by in BYS:
                n += len(engine.compute(metric, label, by).rows)
    contribution(engine, "won_revenue", "2026Q3", ["region"], base="previous")
    driver_decomposition(engine, "2026Q3", "2026Q2")
    mix_rate(engine, "2026Q3", "2026Q2", ["region"])
    return n


def pandas_load(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(
        path,
        columns=[
            "account",
            "rep",
            "region",
            "product",
            "stage",
            "amount",
            "created_date",
            "close_date",
            "opportunity_id",
        ],
    )
    df["amount"] = df["amount"].astype(float)
    df["created_date"] = pd.to_datetime(df["created_date"])
    df["close_date"] = pd.to_datetime(df["close_date"])
    return df


def pandas_pack(df: pd.DataFrame) -> int:
    n = 0
    for _, s, e in PERIODS:
        s, e = pd.Timestamp(s), pd.Timestamp(e)
        closed = df[(df.close_date >= s) & (df.close_date < e)]
        won = closed[closed.stage == "won"]
        created = df[(df.created_date >= s) & (df.created_date < e)]
        for by in BYS:
            keys = by or (lambda _: 0)
            parts = [
                won.groupby(keys)["amount"].agg(["sum", "count", "mean"]),
                closed.groupby(keys)["stage"].agg(lambda x: (x == "won").mean()),
                won.assign(d=(won.close_date - won.created_date).dt.days)
                .groupby(keys)["d"]
                .agg(["median", "mean"]),
                created.groupby(keys)["amount"].sum(),
                created.groupby(keys)["stage"].agg(lambda x: (x != "lead").mean()),
                won.groupby(keys)["account"].nunique(),
            ]
            n += len(pd.concat(parts, axis=1))
    return n


def grouping_sets(con: duckdb.DuckDBPyConnection) -> int:
    cases = " ".join(
        f"WHEN close_date >= DATE '{s}' AND close_date < DATE '{e}' THEN '{q}'" for q, s, e in PERIODS
    )
    ccases = cases.replace("close_date", "created_date")
    sql = f"""
    WITH t AS (SELECT *, CASE {cases} END AS cq, CASE {ccases} END AS crq FROM opportunities_data),
    u AS (SELECT region, rep, product, cq AS q, stage, amount, close_date - created_date AS d, account,
                 false AS is_created FROM t WHERE cq IS NOT NULL
          UNION ALL SELECT region, rep, product, crq, stage, amount, NULL, NULL, true FROM t WHERE crq IS NOT NULL)
    SELECT q, region, rep, product,
      sum(amount) FILTER (WHERE NOT is_created AND stage = 'won') AS won_revenue,
      count(*) FILTER (WHERE NOT is_created AND stage = 'won') AS won_deals,
      count(*) FILTER (WHERE NOT is_created AND stage = 'lost') AS lost_deals,
      median(d) FILTER (WHERE NOT is_created AND stage = 'won') AS cycle_median,
      avg(d) FILTER (WHERE NOT is_created AND stage = 'won') AS cycle_mean,
      count(DISTINCT account) FILTER (WHERE NOT is_created AND stage = 'won') AS accounts,
      sum(amount) FILTER (WHERE is_created) AS pipeline_created,
      count(*) FILTER (WHERE is_created AND stage <> 'lead') AS past_lead,
      count(*) FILTER (WHERE is_created) AS created
    FROM u GROUP BY GROUPING SETS ((q), (q, region), (q, rep), (q, product))"""
    return len(con.execute(sql).fetchall())


def timed(fn, *args) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - t, n


def cpu_seconds(fn, *args) -> float:  # type: ignore[no-untyped-def]
    """Process CPU time (user + sys, all threads) of one call: the work done, whatever the machine's load."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    fn(*args)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def import_bench(rows: int) -> None:
    """`fupan import` speed: the synthetic rows as a Chinese-header CSV through SalesStore.import_file."""
    import tempfile

    path = DATA / f"opps_{rows}_7.csv"
    if not path.exists():
        con = duckdb.connect()
        con.execute("SET enable_progress_bar=false")
        con.execute(f"""COPY (SELECT opportunity_id AS 商机编号, name AS 商机名称, account AS 客户名称, rep AS 负责人,
            region AS 区域, product AS 产品, lead_source AS 线索来源,
            CASE stage WHEN 'won' THEN '赢单' WHEN 'lost' THEN '输单' WHEN 'lead' THEN '线索'
              WHEN 'qualified' THEN '商机确认' WHEN 'proposal' THEN '方案报价' ELSE '商务谈判' END AS 阶段,
            amount AS 金额, created_date AS 创建日期, engaged_date AS 首次跟进日期, close_date AS 结单日期,
            loss_reason AS 丢单原因 FROM '{generate(rows)}') TO '{path}' (HEADER, DELIMITER ',')""")
    with tempfile.TemporaryDirectory() as ws:
        store = SalesStore(load_settings(workspace=Path(ws)))
        t = time.perf_counter()
        report = store.import_file(path, "opportunities")
        dt = time.perf_counter() - t
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import rows={report.rows_read:,} accepted={report.rows_accepted:,} warnings={len(report.warnings)} "
        f"time={dt:.2f}s rows/s={report.rows_read / dt:,.0f} peak_rss={rss:.0f}MB load={os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, action="append")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline (memory)")
    ap.add_argument(
        "--import-rows", type=int, help="time `fupan import` of a CSV with this many rows instead"
    )
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()}, python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"pandas {pd.__version__}"
    )
    if args.import_rows:
        import_bench(args.import_rows)
        return
    for rows in args.rows or [1_000_000]:
        path = generate(rows)
        store = load_store(path, rows)
        store.connection.execute("SET enable_progress_bar=false")
        engine = MetricEngine(store)
        engine_pack(engine)  # warm
        pack = min(timed(engine_pack, engine)[0] for _ in range(args.repeat))
        gs = min(timed(grouping_sets, store.connection)[0] for _ in range(args.repeat))
        cpu_pack, cpu_gs = cpu_seconds(engine_pack, engine), cpu_seconds(grouping_sets, store.connection)
        pdl = pdc = float("nan")
        if not args.no_pandas:
            pdl, frame = timed(pandas_load, path)
            pdc = min(timed(pandas_pack, frame)[0] for _ in range(args.repeat))
            del frame
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"rows={rows:,} engine_pack={pack:.3f}s grouping_sets={gs:.3f}s pandas={pdl + pdc:.3f}s "
            f"(load {pdl:.3f}s + compute {pdc:.3f}s) engine/gs={pack / gs:.1f}x "
            f"pandas/engine={(pdl + pdc) / pack:.1f}x pandas_compute/engine={pdc / pack:.1f}x "
            f"cpu: engine {cpu_pack:.2f}s gs {cpu_gs:.2f}s "
            f"peak_rss={rss:.0f}MB load={os.getloadavg()[0]:.2f}"
        )
        store.close()


if __name__ == "__main__":
    main()
