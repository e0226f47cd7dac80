"""import_sample_company on a handmade folder in the contract's headers (the generator lands separately)."""

from __future__ import annotations

from pathlib import Path

from agent.metric_engine import MetricEngine
from fupan.settings import Settings
from knowledge.sales_store import SalesStore
from knowledge.sample_import import import_sample_company

FIX = Path(__file__).parent / "fixtures" / "sales"


def test_sample_folder(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "co"
    folder.mkdir()
    (folder / "opportunities.csv").write_bytes((FIX / "opportunities_zh.csv").read_bytes())
    (folder / "targets.csv").write_bytes((FIX / "targets.csv").read_bytes())
    (folder / "team.csv").write_text(
        "销售,经理,区域\n张三,赵经理,华东\n李四,钱经理,华南\n王五,孙经理,华北\n", encoding="utf-8"
    )
    (folder / "products.csv").write_text("产品,产品线,标准价\nP1,平台,100\nP2,平台,200\n", encoding="utf-8")
    (folder / "accounts.csv").write_text(
        "客户名称,行业,客户等级,区域\n客户甲,制造,大客户,华东\n客户乙,零售,普通客户,华东\n", encoding="utf-8"
    )
    store = SalesStore(settings)
    reports = import_sample_company(store, folder)
    assert [r.kind for r in reports] == ["team", "products", "accounts", "opportunities", "targets"]
    assert all(r.rows_rejected == 0 for r in reports)
    opp = reports[3]
    # 客户丙, 客户丁, 客户戊 are not in accounts.csv: warned, not dropped
    missing = sorted(w.value for w in opp.warnings if "accounts" in w.reason)
    assert missing == ["客户丁", "客户丙", "客户戊"] and opp.rows_accepted == 7
    engine = MetricEngine(store)
    by_manager = {
        r.dims["manager"]: r.value for r in engine.compute("won_revenue", "2026Q3", ["manager"]).rows
    }
    assert by_manager == {"赵经理": 100.0, "钱经理": 300.0, "孙经理": 0.0}
    assert engine.value("achievement_rate", "2026Q3").value == 400 / 600
    store.close()
