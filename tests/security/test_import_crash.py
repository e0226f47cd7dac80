"""Crash safety of imports, the way SQLite and PostgreSQL test theirs: kill -9 a process in the middle of
imports and undos at random moments, reopen the store, and check it holds exactly the old or the new snapshot
(rows, snapshot record, the previous copy and the derived tables all agree)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fupan.settings import load_settings
from knowledge.sales_store import SalesStore, derived_is_current

HEAD = (
    "商机编号,商机名称,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期,丢单原因\n"
)
WORKER = """
import sys
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore
store = SalesStore(load_settings(workspace=sys.argv[1]))
print("ready", flush=True)
while True:
    for path in sys.argv[2:]:
        store.import_file(path, "opportunities", replace=True)
        store.undo_import("opportunities")
        store.undo_import("opportunities")
"""


def _file(folder: Path, name: str, rows: int, prefix: str) -> Path:
    lines = [
        f"{prefix}{i},N{i},客户{i % 500},rep{i % 40},区域{i % 5},P{i % 7},官网,{'赢单' if i % 3 else '输单'},"
        f"{1000 + i % 977}.50,2026-0{1 + i % 9}-01,,2026-0{1 + i % 9}-1{i % 9},\n"
        for i in range(rows)
    ]
    path = folder / name
    path.write_text(HEAD + "".join(lines), encoding="utf-8")
    return path


def _check(workspace: Path, expected: dict[str, int]) -> str:
    store = SalesStore(load_settings(workspace=workspace))
    try:
        con = store.connection
        current = con.execute(
            "SELECT snapshot_id, rows FROM snapshots WHERE kind = 'opportunities' AND is_current"
        ).fetchall()
        assert len(current) == 1, current
        snap, rows = current[0]
        stored = con.execute(
            "SELECT count(*), count(DISTINCT snapshot_id), any_value(snapshot_id) FROM opportunities_data"
        ).fetchall()[0]
        assert stored == (rows, 1, snap) and expected[snap] == rows, (stored, snap, rows)
        previous = con.execute(
            "SELECT snapshot_id, rows FROM previous_snapshots WHERE kind = 'opportunities'"
        ).fetchall()
        if previous:
            kept = con.execute(
                "SELECT count(*), any_value(snapshot_id) FROM opportunities_previous"
            ).fetchall()[0]
            assert kept == (previous[0][1], previous[0][0]) and previous[0][0] != snap, (kept, previous)
        assert derived_is_current(con)
        cube = con.execute("SELECT sum(n) FROM opportunity_cube").fetchall()[0][0]
        assert cube == rows
        return str(snap)
    finally:
        store.close()


def test_kill_9_during_imports_leaves_old_or_new(tmp_path: Path) -> None:
    a = _file(tmp_path, "a.csv", 10_000, "A")
    b = _file(tmp_path, "b.csv", 6_000, "B")
    workspace = tmp_path / "ws"
    setup = SalesStore(load_settings(workspace=workspace))
    expected = {
        setup.import_file(a, "opportunities").snapshot_id: 10_000,
        setup.import_file(b, "opportunities", replace=True).snapshot_id: 6_000,
    }
    setup.close()
    rng = random.Random(17)
    seen = set()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(workspace), str(a), str(b)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 1.0))
        if proc.poll() is not None:
            pytest.fail(f"the worker died by itself (exit {proc.returncode})")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        seen.add(_check(workspace, expected))
    assert seen <= set(expected)
