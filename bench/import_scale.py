"""Benchmark: `fupan import` of a large CSV beside DuckDB's own read_csv of the same file.

    .venv/bin/python bench/import_scale.py generate --rows 10000000     # bench/data/import_10000000.csv (seeded)
    .venv/bin/python bench/import_scale.py fupan bench/data/import_10000000.csv
    .venv/bin/python bench/import_scale.py duckdb bench/data/import_10000000.csv

`fupan` runs `SalesStore.import_file` (recognition, validation report, learned dimensions, the write and the
derived tables) into a fresh workspace; `duckdb` runs `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a
fresh database file (type sniffing and the write, nothing else). Each prints its time, rows/s and peak RSS;
time the two whole processes side by side with an outside timer, e.g. `/usr/bin/time -v`.

The data: CRM deals with Chinese headers, two extra text columns (国家, 客户类型) that become dimensions, open
deals with a blank amount, created and close dates; seeded, so every run reads the same file.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATA = Path(__file__).parent / "data"


def generate(rows: int, seed: int = 11) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"import_{rows}.csv"
    if path.exists():
        return path
    con = duckdb.connect()
    con.execute("SET enable_progress_bar=false")
    con.execute(f"SELECT setseed({seed / 100})")
    con.execute(f"""
        COPY (
          SELECT 'D' || i AS 商机编号, '商机 ' || i AS 商机名称, '客户' || (hash(i * 7) % 50000) AS 客户名称,
            'R' || (i % 80) AS 负责人, ['华东','华南','华北','西南'][1 + ((i % 80) // 20)::INTEGER] AS 区域,
            'P' || (hash(i) % 12) AS 产品, ['官网','展会','转介绍','电销'][1 + (hash(i * 3) % 4)::INTEGER] AS 线索来源,
            CASE WHEN r < 0.35 THEN '赢单' WHEN r < 0.65 THEN '输单' WHEN r < 0.75 THEN '线索'
                 WHEN r < 0.85 THEN '商机确认' WHEN r < 0.93 THEN '方案报价' ELSE '商务谈判' END AS 阶段,
            CASE WHEN r >= 0.65 AND r < 0.80 THEN NULL ELSE round(1000 + random() * 200000, 2) END AS 金额,
            DATE '2025-01-01' + CAST(floor(random() * 640) AS INTEGER) AS 创建日期,
            CASE WHEN r < 0.65 THEN DATE '2025-01-01' + CAST(floor(random() * 640) AS INTEGER) + 30 END AS 结单日期,
            ['中国','新加坡','日本','美国','德国','巴西'][1 + (hash(i * 5) % 6)::INTEGER] AS 国家,
            ['大客户','普通客户','潜在客户'][1 + (hash(i * 11) % 3)::INTEGER] AS 客户类型
          FROM (SELECT range AS i, random() AS r FROM range({rows}))
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    return path


def _report(label: str, rows: int, seconds: float) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label} rows={rows:,} time={seconds:.2f}s rows/s={rows / seconds:,.0f} peak_rss={rss:.0f}MB "
        f"load={os.getloadavg()[0]:.2f}",
        flush=True,
    )


def run_fupan(path: Path) -> None:
    from fupan.settings import load_settings
    from knowledge.sales_store import SalesStore

    with tempfile.TemporaryDirectory(dir=DATA) as ws:
        store = SalesStore(load_settings(workspace=Path(ws)))
        t = time.perf_counter()
        report = store.import_file(path)
        seconds = time.perf_counter() - t
        store.close()
    _report("fupan-import", report.rows_read, seconds)
    print(
        f"accepted={report.rows_accepted:,} rejected={report.rows_rejected:,} warnings={len(report.warnings)} "
        f"dimensions={[d.id for d in report.dimensions]}"
    )


def run_duckdb(path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        con = duckdb.connect(str(Path(tmp) / "anchor.duckdb"))
        con.execute("SET enable_progress_bar=false")
        t = time.perf_counter()
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
        seconds = time.perf_counter() - t
        (rows,) = con.execute("SELECT count(*) FROM t").fetchone()  # type: ignore[misc]
        con.close()
    _report("duckdb-read_csv", int(rows), seconds)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, default=10_000_000)
    for name in ("fupan", "duckdb"):
        sub.add_parser(name).add_argument("path", type=Path)
    args = ap.parse_args()
    if args.cmd == "generate":
        print(generate(args.rows))
    elif args.cmd == "fupan":
        run_fupan(args.path)
    else:
        run_duckdb(args.path)


if __name__ == "__main__":
    main()
