"""Importer: superstore totals to the cent, validation warnings, strict mode, snapshots, formats."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fupan.errors import ImportRefused
from fupan.settings import Settings
from knowledge.sales_store import SalesStore

FIX = Path(__file__).parent / "fixtures" / "sales"
HEAD = (
    "商机编号,商机名称,客户名称,负责人,区域,产品,线索来源,阶段,金额,创建日期,首次跟进日期,结单日期,丢单原因\n"
)


@pytest.fixture(scope="module")
def superstore(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory):
    from fupan.settings import load_settings

    store = SalesStore(load_settings(workspace=tmp_path_factory.mktemp("ss")))
    report = store.import_file(
        shared_datasets / "superstore" / "superstore.csv", "opportunities", preset="superstore"
    )
    yield store, report
    store.close()


def test_superstore_totals_to_the_cent(superstore) -> None:
    store, report = superstore
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (9994, 9994, 0)
    total, orders, customers = store.connection.execute(
        "SELECT sum(amount), count(DISTINCT order_id), count(DISTINCT account) FROM opportunities"
    ).fetchone()
    assert total == Decimal("2297200.8603")
    assert (orders, customers) == (5009, 793)
    by_year = dict(
        store.connection.execute(
            "SELECT year(close_date), round(sum(amount), 2) FROM opportunities GROUP BY 1"
        ).fetchall()
    )
    assert by_year == {
        2016: Decimal("484247.50"),
        2017: Decimal("470532.51"),
        2018: Decimal("609205.60"),
        2019: Decimal("733215.26"),
    }


def test_superstore_engine_agrees(superstore) -> None:
    from agent.metric_engine import MetricEngine

    store, _ = superstore
    engine = MetricEngine(store)
    assert round(engine.value("won_revenue", "2019").value, 2) == 733215.26
    years = sum(engine.value("won_deals", str(y)).value for y in range(2016, 2020))
    assert years == 5009  # no order straddles a year: an order's lines share one order date


def test_superstore_report_names_duplicate_and_blank_postcodes(superstore) -> None:
    _, report = superstore
    dup = [w for w in report.warnings if "identical" in w.reason]
    assert len(dup) == 1 and "3407, 3408" in dup[0].reason
    blank = [w for w in report.warnings if w.column == "Postal Code"]
    assert len(blank) == 1 and blank[0].reason.startswith("11 blank")


def _csv(tmp_path: Path, body: str, name: str = "o.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def test_rejects_name_row_column_value(settings: Settings, tmp_path: Path) -> None:
    store = SalesStore(settings)
    p = _csv(
        tmp_path,
        "X1,a,甲,张三,华东,P1,官网,赢单,abc,2026-07-01,,2026-07-02,\n"
        "X2,a,甲,张三,华东,P1,官网,神秘阶段,10,2026-07-01,,2026-07-02,\n"
        "X3,a,甲,张三,华东,P1,官网,赢单,10,2026-07-01,,2026-07-02,\n",
    )
    r = store.import_file(p, "opportunities")
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (3, 1, 2)
    assert [(i.row, i.column, i.value) for i in r.rejected] == [(2, "金额", "abc"), (3, "阶段", "神秘阶段")]
    store.close()


def test_warnings_and_strict(settings: Settings, tmp_path: Path) -> None:
    store = SalesStore(settings)
    p = _csv(
        tmp_path,
        "X1,a,甲,张三,华东,P1,官网,赢单,10,2026-07-01,,2026-07-02,\n"
        "X1,b,甲,张三,华东区,P1,官网,赢单,-5,2026-07-05,,2026-07-01,\n"
        "X2,c,乙,李四,华南,P1,官网,输单,7,2026/07/05,,2026-07-09,\n",
    )
    r = store.import_file(p, "opportunities")
    reasons = " | ".join(w.reason for w in r.warnings)
    for needle in (
        "duplicate id",
        "negative amount",
        "close date before",
        "spelled differently",
    ):
        assert needle in reasons
    # two date styles in one column are read, and said, not warned about
    assert "dates in 创建日期: YYYY-MM-DD (2), YYYY/MM/DD (1)" in r.notes
    (won,) = store.connection.execute("SELECT sum(amount) FROM opportunities").fetchone()
    assert won == Decimal("2")  # X1 last row wins (-5) + X2 7
    with pytest.raises(ImportRefused) as refused:
        store.import_file(p, "opportunities", strict=True)
    strict = refused.value.report
    assert strict.rows_accepted == 0 and strict.rows_rejected == 3 and not strict.snapshot_id
    store.close()


def test_snapshot_idempotent_and_side_table(settings: Settings, tmp_path: Path) -> None:
    store = SalesStore(settings)
    team = tmp_path / "team.csv"
    team.write_text("销售,经理,区域\n张三,赵经理,华东\n", encoding="utf-8")
    store.import_file(team, "team")
    p = _csv(
        tmp_path,
        "X1,a,甲,张三,,P1,官网,赢单,10,2026-07-01,,2026-07-02,\n"
        "X2,a,甲,钱七,华南,P1,官网,赢单,10,2026-07-01,,2026-07-02,\n",
    )
    first = store.import_file(p, "opportunities")
    again = store.import_file(p, "opportunities")
    assert first.snapshot_id == again.snapshot_id and again.unchanged
    assert any(w.value == "钱七" and "team" in w.reason for w in first.warnings)
    rows = store.connection.execute(
        "SELECT manager, region FROM opportunities ORDER BY opportunity_id"
    ).fetchall()
    assert rows == [("赵经理", "华东"), (None, "华南")]
    assert store.connection.execute("SELECT count(*) FROM opportunities").fetchone() == (2,)
    store.close()


def test_xlsx_parquet_and_mapping_file(settings: Settings, tmp_path: Path) -> None:
    store = SalesStore(settings)
    frame = pd.read_csv(FIX / "opportunities_zh.csv", dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "o.xlsx", sheet_name="商机", index=False)
    r = store.import_file(tmp_path / "o.xlsx", "opportunities", sheet="商机")
    assert r.rows_accepted == 7
    # headers that say nothing: the stage and the amount are found by their values, with a lower confidence
    anon = frame.rename(columns={"金额": "列1", "阶段": "列2"})
    anon.to_parquet(tmp_path / "anon.parquet")
    r = store.import_file(tmp_path / "anon.parquet")
    assert (r.columns["stage"], r.columns["amount"], r.rows_accepted) == ("列2", "列1", 7)
    by_field = {m.field: m for m in r.matches}
    assert by_field["stage"].confidence < 1 and "stages" in by_field["stage"].why
    assert by_field["amount"].confidence < 1 and by_field["opportunity_id"].confidence > 0.9
    # stage names nobody knows: rejected with the reason, until a mapping file says what they are
    own = frame.rename(columns={"阶段": "进度"}).replace({"进度": {"赢单": "签了", "输单": "黄了"}})
    own.to_parquet(tmp_path / "o.parquet")
    r = store.import_file(tmp_path / "o.parquet", "opportunities", replace=True)  # it drops 5 of the 7 deals
    assert r.rows_accepted == 2 and {i.value for i in r.rejected} == {"签了", "黄了"}
    m = tmp_path / "map.yaml"
    m.write_text("columns: {stage: 进度}\nstage_map: {签了: won, 黄了: lost}\n", encoding="utf-8")
    r = store.import_file(tmp_path / "o.parquet", "opportunities", mapping=m)
    assert r.rows_accepted == 7
    (total,) = store.connection.execute("SELECT sum(amount) FROM opportunities").fetchone()
    assert total == Decimal("790")  # 100+50+300+80+20+200+40
    store.close()


def test_cli_strict_exit_code(tmp_path: Path) -> None:
    from api.cli import app

    p = _csv(tmp_path, "X1,a,甲,张三,华东,P1,官网,赢单,-10,2026-07-01,,2026-07-02,\n")
    result = CliRunner().invoke(app, ["import", str(p), "--strict"])
    assert result.exit_code == 2, result.output
    assert "negative amount" in result.output
    ok = CliRunner().invoke(app, ["import", str(p)])
    assert ok.exit_code == 0 and "accepted 1" in ok.output
