"""`fupan demo` end to end, as a user runs it (a subprocess on a temp workspace): it prints the latest
quarter's real figures and its workspace, writes the reports, saves a pending draft, and is idempotent."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from agent.numbers import fmt


def _demo(workspace: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FUPAN_WORKSPACE": str(workspace), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", *extra],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


def _east_q3(folder: Path) -> tuple[float, float]:
    """East's 2026Q3 won revenue and target, straight from the generated CSVs."""
    with (folder / "opportunities.csv").open(encoding="utf-8") as handle:
        revenue = sum(
            float(r["金额"])
            for r in csv.DictReader(handle)
            if r["阶段"] == "赢单" and r["区域"] == "华东" and "2026-07-01" <= r["结单日期"] <= "2026-09-30"
        )
    with (folder / "targets.csv").open(encoding="utf-8") as handle:
        target = next(
            float(r["目标值"])
            for r in csv.DictReader(handle)
            if r["期间"] == "2026Q3" and r["区域"] == "华东"
        )
    return revenue, target


def test_demo_prints_real_figures_and_is_idempotent(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    first = _demo(workspace, "--skip-notes")
    assert first.returncode == 0, first.stderr
    revenue, target = _east_q3(workspace / "sample-company")
    east = next(line for line in first.stdout.splitlines() if "华东" in line and "│" in line)
    assert fmt(revenue, "CNY", "zh") in east and fmt(target, "CNY", "zh") in east
    assert fmt(revenue / target, "ratio", "zh") in east
    assert str(workspace.resolve()) in first.stdout
    assert "grounding: 0 errors" in first.stdout
    assert "saved as pending draft" in first.stdout
    for suffix in ("md", "html"):
        assert (workspace / "reports" / f"review-2026Q3.zh.{suffix}").stat().st_size > 1000
    snapshot = next(line for line in first.stdout.splitlines() if "snapshot" in line)
    second = _demo(workspace, "--skip-notes")
    assert second.returncode == 0, second.stderr
    assert next(line for line in second.stdout.splitlines() if "snapshot" in line) == snapshot
