"""Learned measures (issue 12, part b): the numeric columns a user's file brings besides the amount — profit,
quantity, discount, days to ship, price each — imported as measures, computed by the metric engine for any
period, filter and grouping, and asked for in Chinese and English. Expected figures are computed here with pandas
from the CSV files, independently of the engine; the sample company has no such columns and says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from agent.metric_engine import MetricEngine
from agent.workflows import ask
from fupan.settings import load_settings
from knowledge.deps import Deps


# ---- the data, as a user imports it (no mapping, no preset) -----------------------------------------------
@pytest.fixture(scope="module")
def superstore(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, object]]:
    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("ss")))
    report = deps.sales.import_file(shared_datasets / "superstore" / "superstore.csv")
    yield deps, report
    deps.close()


@pytest.fixture(scope="module")
def orders(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, object]]:
    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("so")))
    report = deps.sales.import_file(shared_datasets / "sample_sales_orders" / "sales_data_sample.csv")
    yield deps, report
    deps.close()


@pytest.fixture(scope="module")
def ss_frame(shared_datasets: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_datasets / "superstore" / "superstore.csv", encoding="utf-8-sig")
    df["od"] = pd.to_datetime(df["Order Date"], format="%m/%d/%Y")
    df["sd"] = pd.to_datetime(df["Ship Date"], format="%m/%d/%Y")
    df["days"] = (df["sd"] - df["od"]).dt.days
    df["year"] = df["od"].dt.year
    return df


@pytest.fixture(scope="module")
def so_frame(shared_datasets: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_datasets / "sample_sales_orders" / "sales_data_sample.csv", encoding="cp1252")
    df["year"] = pd.to_datetime(df["ORDERDATE"].str.split(" ").str[0], format="mixed", dayfirst=False).dt.year
    return df


# ---- import ------------------------------------------------------------------------------------------------
def test_superstore_import_keeps_numeric_columns_as_measures(superstore) -> None:  # type: ignore[no-untyped-def]
    deps, report = superstore
    found = {m.id: (m.header, m.name_zh, m.unit, m.aggregation) for m in report.measures}
    assert found == {
        "quantity": ("Quantity", "数量", "count", "sum"),
        "discount": ("Discount", "折扣", "ratio", "mean"),
        "profit": ("Profit", "利润", "money", "sum"),
        "days_to_ship": ("Ship Date", "发货天数", "days", "mean"),
    }
    assert next(m for m in report.measures if m.id == "days_to_ship").derived == "Ship Date − Order Date"
    assert "Postal Code" in report.unused and "Row ID" not in found  # codes and row numbers are not measures
    registry = deps.sales.dimensions()
    assert [m.id for m in registry.measures] == ["quantity", "discount", "profit", "days_to_ship"]
    profit = registry.measure("profit")
    assert profit.margin and {"利润", "profit", "gross profit"} <= {w.lower() for w in profit.words}
    assert "quantity" not in registry and "profit" not in registry.ids()  # measures are not dimensions


def test_orders_import_names_shouted_headers(orders) -> None:  # type: ignore[no-untyped-def]
    _, report = orders
    found = {m.id: (m.name_en, m.name_zh, m.unit, m.aggregation) for m in report.measures}
    assert found == {
        "quantity_ordered": ("quantity ordered", "订购数量", "count", "sum"),
        "price_each": ("price each", "单价", "money", "mean"),
        "msrp": ("msrp", "建议零售价", "money", "mean"),
    }
    assert {"ORDERLINENUMBER", "QTR_ID", "MONTH_ID", "YEAR_ID"} <= set(report.unused)  # codes, not measures


def test_a_non_numeric_measure_value_is_reported_and_its_row_kept(tmp_path: Path) -> None:
    csv = tmp_path / "lines.csv"
    csv.write_text(
        "Order ID,Order Date,Region,Sales,Profit\n"
        "A1,2024-01-05,East,100.00,20.50\n"
        "A2,2024-01-06,West,200.00,n/a\n"
        "A3,2024-02-01,East,50.00,\n"
        "A4,2024-02-03,West,80.00,-5\n"
        + "".join(f"B{i},2023-03-{i:02d},East,10.00,{i}.25\n" for i in range(1, 21)),
        encoding="utf-8",
    )
    deps = Deps(settings=load_settings(workspace=tmp_path / "ws"))
    try:
        report = deps.sales.import_file(csv)
        assert [m.id for m in report.measures] == ["profit"]
        # the row is kept (its sale counts, as before measures existed) and the bad cell is reported
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (24, 24, 0)
        bad = next(w for w in report.warnings if w.column == "Profit" and w.row is not None)
        assert (bad.file, bad.row, bad.value) == ("lines.csv", 3, "n/a")
        assert bad.reason == "not a number; the row is kept with Profit unknown"
        rows = deps.sales.connection.execute(
            "SELECT amount, profit FROM opportunities WHERE close_date >= '2024-01-01' ORDER BY amount"
        ).fetchall()
        assert [(float(a), None if p is None else float(p)) for a, p in rows] == [
            (50.0, None), (80.0, -5.0), (100.0, 20.5), (200.0, None)
        ]
        engine = MetricEngine(deps.sales)
        assert engine.value("won_revenue", "2024").value == pytest.approx(430.0)  # every sale still counts
        assert engine.value("profit__sum", "2024").value == pytest.approx(15.5)
        assert engine.value("profit__mean", "2024").value == pytest.approx(7.75)  # unknown values are not zeros
        assert engine.value("profit__margin", "2024").value == pytest.approx(15.5 / 180.0)  # lines with a profit
    finally:
        deps.close()


def test_measures_follow_their_snapshot_on_undo(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("Order ID,Order Date,Sales,Quantity\nA1,2024-01-05,100,3\nA2,2024-01-06,50,12\n", encoding="utf-8")
    b.write_text("Order ID,Order Date,Sales,Profit\nA1,2024-01-05,100,9\nA2,2024-01-06,50,1.5\n", encoding="utf-8")
    deps = Deps(settings=load_settings(workspace=tmp_path / "ws"))
    try:
        deps.sales.import_file(a)
        assert [m.id for m in deps.sales.dimensions().measures] == ["quantity"]
        deps.sales.import_file(b, replace=True)
        assert [m.id for m in deps.sales.dimensions().measures] == ["profit"]
        deps.sales.undo_import("opportunities")
        assert [m.id for m in deps.sales.dimensions().measures] == ["quantity"]
        assert MetricEngine(deps.sales).value("quantity__sum", "2024").value == 15
    finally:
        deps.close()


# ---- the engine --------------------------------------------------------------------------------------------
def test_superstore_measures_through_the_engine(superstore, ss_frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    deps, _ = superstore
    engine = MetricEngine(deps.sales)
    y17, y16, y19 = (ss_frame[ss_frame["year"] == y] for y in (2017, 2016, 2019))
    profit = {r.dims["category"]: r.value for r in engine.compute("profit__sum", "2017", ["category"]).rows}
    assert profit == pytest.approx(y17.groupby("Category")["Profit"].sum().to_dict(), abs=0.005)
    margin = {r.dims["region"]: r.value for r in engine.compute("profit__margin", "2016", ["region"]).rows}
    g = y16.groupby("Region")
    assert margin == pytest.approx((g["Profit"].sum() / g["Sales"].sum()).to_dict(), abs=1e-6)
    discount = {r.dims["segment"]: r.value for r in engine.compute("discount__mean", "2019", ["segment"]).rows}
    assert discount == pytest.approx(y19.groupby("Segment")["Discount"].mean().to_dict(), abs=1e-6)
    units = engine.value("quantity__sum", "2018", {"sub_category": "Binders"})
    truth = ss_frame[(ss_frame["year"] == 2018) & (ss_frame["Sub-Category"] == "Binders")]["Quantity"].sum()
    assert units.value == truth and units.unit == "count"
    days = engine.value("days_to_ship__mean", "2019Q4", {"ship_mode": "Standard Class"})
    q4 = y19[(y19["od"].dt.quarter == 4) & (y19["Ship Mode"] == "Standard Class")]
    assert days.value == pytest.approx(q4["days"].mean(), abs=1e-6) and days.unit == "days"
    assert days.evidence_id == "metric:days_to_ship__mean:2019Q4:ship_mode=Standard Class"
    assert engine.resolve(days.evidence_id).value == pytest.approx(days.value)  # citations re-run alone


def test_orders_quantity_through_the_engine(orders, so_frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    deps, _ = orders
    engine = MetricEngine(deps.sales)
    rows = {r.dims["product"]: r.value for r in engine.compute("quantity_ordered__sum", "2004", ["product"]).rows}
    truth = so_frame[so_frame["year"] == 2004].groupby("PRODUCTLINE")["QUANTITYORDERED"].sum().to_dict()
    assert rows == truth
    price = engine.value("price_each__mean", "2003").value
    assert price == pytest.approx(so_frame[so_frame["year"] == 2003]["PRICEEACH"].mean(), abs=1e-6)


# ---- asking ------------------------------------------------------------------------------------------------
def _figures(answer) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {e.id: e.value for e in answer.evidence.values() if e.kind == "metric"}


def test_asking_for_profit_by_category_in_chinese(superstore, ss_frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    deps, _ = superstore
    answer = ask(deps, "2017年各品类利润")
    assert answer.status == "answered" and not answer.findings
    assert answer.query.metrics == ["profit__sum"] and answer.query.group_by == ["category"]
    assert answer.restatement.startswith("理解为") and "利润" in answer.restatement
    truth = ss_frame[ss_frame["year"] == 2017].groupby("Category")["Profit"].sum()
    got = _figures(answer)
    for category, value in truth.items():
        assert got[f"metric:profit__sum:2017:category={category}"] == pytest.approx(value, abs=0.005)
        assert f"[metric:profit__sum:2017:category={category}]" in answer.text


def test_asking_for_margin_discount_units_and_days_in_english(superstore, ss_frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    deps, _ = superstore
    y19 = ss_frame[ss_frame["year"] == 2019]
    margin = ask(deps, "profit margin by region in 2016")
    assert margin.query.metrics == ["profit__margin"] and margin.query.group_by == ["region"] and not margin.findings
    y16 = ss_frame[ss_frame["year"] == 2016]
    west = y16[y16["Region"] == "West"]
    assert _figures(margin)["metric:profit__margin:2016:region=West"] == pytest.approx(
        west["Profit"].sum() / west["Sales"].sum(), abs=1e-6
    )
    discount = ask(deps, "average discount by segment in 2019")
    assert discount.query.metrics == ["discount__mean"] and discount.query.group_by == ["segment"]
    assert _figures(discount)["metric:discount__mean:2019:segment=Consumer"] == pytest.approx(
        y19[y19["Segment"] == "Consumer"]["Discount"].mean(), abs=1e-6
    )
    total = ask(deps, "total discount in 2019")
    assert total.query.metrics == ["discount__sum"]
    assert _figures(total)["metric:discount__sum:2019"] == pytest.approx(y19["Discount"].sum(), abs=1e-4)
    units = ask(deps, "units of binders sold in 2018")
    assert units.query.metrics == ["quantity__sum"] and units.query.filters == {"sub_category": ["Binders"]}
    days = ask(deps, "avg days to ship for Standard Class orders in 2019")
    assert days.query.metrics == ["days_to_ship__mean"]
    assert _figures(days)["metric:days_to_ship__mean:2019:ship_mode=Standard Class"] == pytest.approx(
        y19[y19["Ship Mode"] == "Standard Class"]["days"].mean(), abs=1e-6
    )
    phones = ask(deps, "Phones今年卖了多少件")
    assert phones.query.metrics == ["quantity__sum"] and not phones.findings
    assert _figures(phones)["metric:quantity__sum:2019:sub_category=Phones"] == (
        y19[y19["Sub-Category"] == "Phones"]["Quantity"].sum()
    )


def test_ranking_by_profit_lowest_first(superstore, ss_frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    deps, _ = superstore
    answer = ask(deps, "3 worst states by profit in 2019")
    assert answer.query.operation == "rank" and answer.query.order == "asc" and answer.query.n == 3
    truth = ss_frame[ss_frame["year"] == 2019].groupby("State")["Profit"].sum().sort_values().head(3)
    names = [row[0] for row in answer.table.rows]
    assert names[:3] == list(truth.index)


def test_a_plain_number_without_an_aggregation_word_asks_back(tmp_path: Path) -> None:
    csv = tmp_path / "lines.csv"
    csv.write_text(
        "Order ID,Order Date,Region,Sales,Weight\n"
        "A1,2024-01-05,East,100,2.5\nA2,2024-01-06,West,200,4\nA3,2024-02-01,East,50,1.5\n",
        encoding="utf-8",
    )
    deps = Deps(settings=load_settings(workspace=tmp_path / "ws"))
    try:
        deps.sales.import_file(csv)
        assert deps.sales.dimensions().measure("weight").unit == "number"
        unclear = ask(deps, "weight by region in 2024")
        assert unclear.status == "clarify"
        assert [r.query.metrics for r in unclear.readings] == [["weight__sum"], ["weight__mean"]]
        mean = ask(deps, "average weight by region in 2024")
        assert mean.status == "answered" and mean.query.metrics == ["weight__mean"]
        assert _figures(mean)["metric:weight__mean:2024:region=East"] == pytest.approx(2.0)
        chosen = ask(deps, "weight by region in 2024", reading=1)
        assert _figures(chosen)["metric:weight__sum:2024:region=East"] == pytest.approx(4.0)
    finally:
        deps.close()


def test_the_sample_company_has_no_profit_column_and_says_so(deps: Deps, sample_company: Path) -> None:
    from knowledge.sample_import import import_sample_company

    import_sample_company(deps.sales, sample_company)
    assert deps.sales.dimensions().measures == ()
    for question, word in (("各区域利润", "利润"), ("profit by region", "profit"), ("average discount by rep", "discount")):
        answer = ask(deps, question)
        assert answer.status == "unanswerable" and not answer.evidence, question
        assert word in answer.text.lower()


def test_the_models_metric_list_names_the_datas_measures(superstore) -> None:  # type: ignore[no-untyped-def]
    from agent.ask_flow import vocabulary_for
    from agent.llm_writer import _metric_list

    deps, _ = superstore
    listed = _metric_list("en", vocabulary_for(deps))
    assert "profit__sum: Profit" in listed and "profit__margin: Profit margin" in listed
    assert "discount__mean: Average Discount" in listed and "quantity__margin" not in listed


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("avg discount on Tables in 2019 (simple average per line)", "discount__mean"),
        ("2019年利润一共多少", "profit__sum"),
        ("mean quantity by segment 2019", "quantity__mean"),
        ("2019年各细分市场平均利润", "profit__mean"),
        ("2019年标准级(Standard Class)订单平均几天发货", "days_to_ship__mean"),
        ("best selling sub-category by units in 2019", "quantity__sum"),
    ],
)
def test_aggregation_words_are_explained_by_the_reading(superstore, question: str, metric: str) -> None:  # type: ignore[no-untyped-def]
    deps, _ = superstore
    answer = ask(deps, question)
    assert answer.status == "answered", (question, answer.text)
    assert answer.query.metrics == [metric] and not answer.findings
