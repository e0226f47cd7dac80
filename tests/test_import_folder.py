"""`fupan import FOLDER` as a user exports one: file names of their own, a README beside the tables. Each table's
kind comes from its name or content, side tables go first, other files are listed as skipped, and two files of one
kind are refused before anything is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.metric_engine import MetricEngine
from fupan.errors import InputError
from fupan.settings import Settings
from knowledge.folder_import import import_folder, plan_folder
from knowledge.sales_store import SalesStore

FIX = Path(__file__).parent / "fixtures" / "sales"


def _export(folder: Path) -> Path:
    """The tables under names a CRM export would give them (none is a kind's name)."""
    folder.mkdir()
    (folder / "销售管道导出_2026.csv").write_bytes((FIX / "opportunities_zh.csv").read_bytes())
    (folder / "quarterly_goals.csv").write_bytes((FIX / "targets.csv").read_bytes())
    (folder / "销售团队.csv").write_text(
        "销售,经理,区域\n张三,赵经理,华东\n李四,钱经理,华南\n王五,孙经理,华北\n", encoding="utf-8"
    )
    (folder / "产品目录.csv").write_text("产品,产品线,标准价\nP1,平台,100\nP2,平台,200\n", encoding="utf-8")
    (folder / "客户名单.csv").write_text(
        "客户名称,行业,客户等级,区域\n客户甲,制造,大客户,华东\n客户乙,零售,普通客户,华东\n", encoding="utf-8"
    )
    (folder / "README.md").write_text("# 导出说明\n从 CRM 导出，2026-10-01。\n", encoding="utf-8")
    return folder


def test_kinds_come_from_content_and_side_tables_go_first(settings: Settings, tmp_path: Path) -> None:
    folder = _export(tmp_path / "export")
    store = SalesStore(settings)
    plan = plan_folder(store, folder)
    assert [(Path(f.path).name, f.kind) for f in plan.files] == [
        ("销售团队.csv", "team"),
        ("产品目录.csv", "products"),
        ("客户名单.csv", "accounts"),
        ("销售管道导出_2026.csv", "opportunities"),
        ("quarterly_goals.csv", "targets"),
    ]
    assert set(plan.skipped) == {"README.md"}
    assert store.current_snapshot_id() is None  # planning is dry runs only

    _, reports = import_folder(store, folder)
    assert [r.kind for r in reports] == ["team", "products", "accounts", "opportunities", "targets"]
    assert all(r.rows_rejected == 0 for r in reports) and reports[3].rows_accepted == 7
    engine = MetricEngine(store)
    by_manager = {r.dims["manager"]: r.value for r in engine.compute("won_revenue", "2026Q3", ["manager"]).rows}
    assert by_manager == {"赵经理": 100.0, "钱经理": 300.0, "孙经理": 0.0}  # the team table joined the deals
    assert engine.value("achievement_rate", "2026Q3").value == 400 / 600


def test_two_files_of_one_kind_are_refused_before_anything_is_imported(settings: Settings, tmp_path: Path) -> None:
    folder = _export(tmp_path / "export")
    (folder / "pipeline_en.csv").write_bytes((FIX / "opportunities_en.csv").read_bytes())
    store = SalesStore(settings)
    with pytest.raises(InputError) as err:
        import_folder(store, folder)
    assert "2 files in the folder are opportunities" in err.value.message
    assert "pipeline_en.csv" in err.value.message and "销售管道导出_2026.csv" in err.value.message
    assert store.current_snapshot_id() is None


def test_a_folder_without_tables_is_refused(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(InputError, match="no sales tables in the folder"):
        plan_folder(SalesStore(settings), folder)


def test_cli_prints_the_plan_then_imports(tmp_path: Path) -> None:
    folder = _export(tmp_path / "export")
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "--workspace", str(tmp_path / "ws"), "import", str(folder)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )
    assert out.returncode == 0, out.stderr
    assert "5 tables, imported in this order" in out.stdout
    assert "team: 销售团队.csv" in out.stdout and "skipped README.md" in out.stdout
    assert "accepted 7" in out.stdout
