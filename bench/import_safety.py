"""Benchmark: what "imports never destroy" costs. A workspace holds one import of N synthetic opportunities;
the timed command imports a second file of N rows over it (a re-export: the same ids, other amounts), which
now also counts the rows it would remove (an anti-join on the key) and keeps the replaced rows as the previous
snapshot, then undoes it (swapping the snapshots back).

    farm-bench --timeout 900 --vs '.venv/bin/python bench/import_safety.py --rows 200000 --unguarded' \\
        -- .venv/bin/python bench/import_safety.py --rows 200000

`--unguarded` replaces the two safety steps by no-ops (the import as it was before them) and skips the undo:
the anchor. Each run prints the seconds of the second import and of the undo measured inside the process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fupan.settings import load_settings  # noqa: E402
from knowledge import sales_store  # noqa: E402

DATA = Path(__file__).parent / "data"


def _csv(rows: int, bump: int) -> Path:
    """N rows as a Chinese-header CSV; `bump` changes every amount (a later export of the same deals)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"safety_{rows}_{bump}.csv"
    if path.exists():
        return path
    con = duckdb.connect()
    con.execute("SET enable_progress_bar=false")
    con.execute(f"""COPY (SELECT 'O' || i AS 商机编号, 'deal ' || i AS 商机名称, 'A' || (i % 20000) AS 客户名称,
        'R' || (i % 60) AS 负责人, ['华东','华南','华北'][1 + ((i % 60) // 20)::INTEGER] AS 区域,
        'P' || (i % 5) AS 产品, '官网' AS 线索来源, CASE WHEN i % 3 = 0 THEN '赢单' ELSE '输单' END AS 阶段,
        1000 + (i * 37 + {bump}) % 200000 AS 金额, DATE '2025-01-01' + (i % 600)::INTEGER AS 创建日期,
        NULL AS 首次跟进日期, DATE '2025-01-11' + (i % 600)::INTEGER AS 结单日期, NULL AS 丢单原因
        FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--unguarded", action="store_true", help="the anchor: no removal check, no previous copy")
    args = ap.parse_args()
    first, second = _csv(args.rows, 0), _csv(args.rows, 1)
    if args.unguarded:
        sales_store.check_removal = lambda *a, **k: None  # type: ignore[assignment]
        sales_store.keep_previous = lambda *a, **k: None  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as ws:
        store = sales_store.SalesStore(load_settings(workspace=Path(ws)))
        store.import_file(first, "opportunities")
        t = time.perf_counter()
        store.import_file(second, "opportunities")
        second_s = time.perf_counter() - t
        undo_s = 0.0
        if not args.unguarded:
            t = time.perf_counter()
            store.undo_import("opportunities")
            undo_s = time.perf_counter() - t
        store.close()
    print(f"rows={args.rows} second_import={second_s:.2f}s undo={undo_s:.2f}s guarded={not args.unguarded}")


if __name__ == "__main__":
    main()
