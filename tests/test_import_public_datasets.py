"""Issue 11's done-when checks: the shared public datasets and the sample company import with no mapping file and
no preset, the report names the layout, and the figures equal ../shared/datasets/README.md (computed there
independently). TERRITORY `NA` stays North America."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from agent.metric_engine import MetricEngine
from fupan.settings import load_settings
from knowledge.sales_store import SalesStore


@pytest.fixture(scope="module")
def orders(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = SalesStore(load_settings(workspace=tmp_path_factory.mktemp("orders")))
    report = store.import_file(shared_datasets / "sample_sales_orders" / "sales_data_sample.csv", currency="USD")
    yield store, report
    store.close()


def test_sample_sales_orders_read_as_order_lines(orders) -> None:  # type: ignore[no-untyped-def]
    store, r = orders
    assert (r.kind, r.layout, r.encoding, r.currency) == ("opportunities", "order_lines", "cp1252", "USD")
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (2823, 2823, 0)
    assert r.columns["amount"] == "SALES" and r.columns["region"] == "TERRITORY"
    assert any("every line counts as a won sale" in n and "STATUS" in n for n in r.notes)
    ruling = next(n for n in r.notes if n.startswith("dates in ORDERDATE"))
    assert "M/D/YYYY +time (1,518), M-D-YYYY +time (1,305)" in ruling and "month first" in ruling
    total, orders_n, customers = store.connection.execute(
        "SELECT sum(amount), count(DISTINCT order_id), count(DISTINCT account) FROM opportunities"
    ).fetchone()
    assert (total, orders_n, customers) == (Decimal("10032628.85"), 307, 92)
    status = dict(store.connection.execute("SELECT status, count(*) FROM opportunities GROUP BY 1").fetchall())
    assert status == {"Shipped": 2617, "Cancelled": 60, "Resolved": 47, "On Hold": 44, "In Process": 41, "Disputed": 14}


def test_sample_sales_orders_figures_through_the_engine(orders) -> None:  # type: ignore[no-untyped-def]
    store, _ = orders
    engine = MetricEngine(store)
    years = {y: round(engine.value("won_revenue", str(y)).value, 2) for y in (2003, 2004, 2005)}
    assert years == {2003: 3516979.54, 2004: 4724162.60, 2005: 1791486.71}
    quarters = [round(engine.value("won_revenue", f"2004Q{q}").value, 2) for q in range(1, 5)]
    assert quarters == [833730.68, 766260.73, 1109396.27, 2014774.92]
    assert sum(engine.value("won_deals", str(y)).value for y in (2003, 2004, 2005)) == 307
    territory = {r.dims["region"]: r for r in engine.compute("won_revenue", "2004", ["region"]).rows}
    assert set(territory) == {"NA", "EMEA", "APAC", "Japan"}  # NA is North America, not a missing value
    na = engine.compute("won_revenue", "2003", ["region"], None).rows
    assert all(r.unit == "USD" for r in na)
    lifetime = store.connection.execute(
        "SELECT count(*), sum(amount) FROM opportunities WHERE region = 'NA'"
    ).fetchone()
    assert lifetime == (1074, Decimal("3852061.39"))
    by_country = {r.dims["country"]: r.value for r in engine.compute("won_revenue", "2004", ["country"]).rows}
    assert len(by_country) == 19 and round(sum(by_country.values()), 2) == 4724162.60
    registry = store.dimensions()
    assert registry.get("region").header == "TERRITORY"
    assert dict(registry.words())["地区"] == "region" and dict(registry.words())["country"] == "country"
    assert dict(registry.words())["国家"] == "country" and dict(registry.words())["territory"] == "region"


def test_superstore_without_a_preset(shared_datasets: Path, tmp_path: Path) -> None:
    store = SalesStore(load_settings(workspace=tmp_path / "ws"))
    r = store.import_file(shared_datasets / "superstore" / "superstore.csv")
    assert (r.layout, r.rows_accepted, r.rows_rejected) == ("order_lines", 9994, 0)
    total, orders_n, customers = store.connection.execute(
        "SELECT sum(amount), count(DISTINCT order_id), count(DISTINCT account) FROM opportunities"
    ).fetchone()
    assert (total, orders_n, customers) == (Decimal("2297200.8603"), 5009, 793)
    engine = MetricEngine(store)
    years = {y: round(engine.value("won_revenue", str(y)).value, 2) for y in range(2016, 2020)}
    assert years == {2016: 484247.50, 2017: 470532.51, 2018: 609205.60, 2019: 733215.26}
    dup = [w for w in r.warnings if "identical" in w.reason]
    assert len(dup) == 1 and "3407, 3408" in dup[0].reason and "except Row ID" in dup[0].reason
    assert [w.reason for w in r.warnings if w.column == "Postal Code"][0].startswith("11 blank")
    assert {"segment", "category", "sub_category", "ship_mode", "country"} <= set(store.dimensions().ids())
    store.close()


def test_sample_company_files_with_no_kind_mapping_or_preset(sample_company: Path, tmp_path: Path) -> None:
    store = SalesStore(load_settings(workspace=tmp_path / "ws"))
    kinds = {}
    for name in ("team.csv", "products.csv", "accounts.csv", "opportunities.csv", "targets.csv"):
        r = store.import_file(sample_company / name)
        kinds[name] = (r.kind, r.layout, r.rows_rejected, r.currency)
    assert kinds == {
        "team.csv": ("team", "table", 0, ""),
        "products.csv": ("products", "table", 0, "CNY"),
        "accounts.csv": ("accounts", "table", 0, ""),
        "opportunities.csv": ("opportunities", "crm", 0, "CNY"),
        "targets.csv": ("targets", "targets_long", 0, "CNY"),
    }
    assert {"industry", "tier", "product_line"} <= set(store.dimensions().ids())
    store.close()
