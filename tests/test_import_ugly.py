"""Ugly exports generated from a seed (tests/ugly_exports.py) import with no mapping and no preset: exact figures
against the generator's own truth, nothing accepted is changed, nothing is dropped without a named reason."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from ugly_exports import Deal, Truth, generate

from agent.metric_engine import MetricEngine
from fupan.settings import Settings, load_settings
from knowledge.sales_store import SalesStore

SEEDS = [11, 29]


@pytest.fixture(scope="module", params=SEEDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp(f"ugly{request.param}")
    truth = generate(folder / "files", seed=request.param)
    store = SalesStore(load_settings(workspace=folder / "ws"))
    reports = {name: store.import_file(folder / "files" / name) for name in ("team.csv", "accounts.csv", "products.csv")}
    reports["deals_en.csv"] = store.import_file(folder / "files" / "deals_en.csv")
    yield truth, store, reports
    store.close()


def _accepted(deals: list[Deal]) -> list[Deal]:
    return [d for d in deals if d.bad is None]


def test_every_row_is_accepted_or_rejected_with_its_reason(world) -> None:  # type: ignore[no-untyped-def]
    truth, _, reports = world
    r = reports["deals_en.csv"]
    assert (r.kind, r.layout, r.encoding, r.currency) == ("opportunities", "crm", "cp1252", "USD")
    assert r.rows_read == len(truth.deals_en) == r.rows_accepted + r.rows_rejected
    expected = {(d.line, d.bad.split(" (")[0]) for d in truth.deals_en if d.bad}
    got = {(i.row, i.reason.split(" (")[0]) for i in r.rejected}
    assert got == expected
    assert not any("identical" in w.reason for w in r.warnings)  # the twin differs in its id


def test_nothing_accepted_is_changed(world) -> None:  # type: ignore[no-untyped-def]
    truth, store, _ = world
    stored = {
        row[0]: row[1:]
        for row in store.connection.execute(
            "SELECT opportunity_id, rep, account, region, product, country, segment, channel, stage, amount, "
            "created_date, close_date FROM opportunities"
        ).fetchall()
    }
    deals = _accepted(truth.deals_en)
    assert set(stored) == {d.deal_id for d in deals}
    for d in deals:
        amount = None if d.amount is None else Decimal(d.amount)
        assert stored[d.deal_id] == (
            d.owner, d.account, d.region, d.product, d.country, d.segment, d.channel, d.stage, amount, d.created,
            d.closed,
        ), d.deal_id  # fmt: skip


def test_open_deals_with_blank_amounts_count_in_the_pipeline(world) -> None:  # type: ignore[no-untyped-def]
    truth, store, reports = world
    unknown = [d for d in _accepted(truth.deals_en) if d.amount is None]
    assert unknown and all(d.stage not in ("won", "lost") for d in unknown)
    assert f"{len(unknown)} open deal(s) have no amount yet" in " ".join(reports["deals_en.csv"].notes)
    engine = MetricEngine(store)
    funnel = engine.funnel("2024")
    created = [d for d in _accepted(truth.deals_en) if d.created.year == 2024]
    assert funnel.stages[0].deals == len(created)
    assert funnel.stages[0].amount_unknown == sum(1 for d in created if d.amount is None)


def test_exact_figures_by_learned_dimension_and_attribute(world) -> None:  # type: ignore[no-untyped-def]
    truth, store, _ = world
    engine = MetricEngine(store)
    registry = store.dimensions()
    assert {"country", "segment", "channel", "sector", "series"} <= set(registry.ids())
    assert "notes" not in registry.ids()  # free text is not a dimension
    assert registry.get("sector").key == "account" and registry.get("region").header == "Region"
    assert any(w == "regional office" for w, dim in registry.words() if dim == "region")
    won = [d for d in _accepted(truth.deals_en) if d.stage == "won" and d.closed and d.closed.year == 2024]
    sectors = {"Société Générale": "Banking", "Acme Corp": "Retail", "Nordwind GmbH": "Logistics", "Café Olé": "Food",
               "Globex": "Retail"}  # fmt: skip
    for dim, key in (("country", lambda d: d.country), ("channel", lambda d: d.channel),
                     ("sector", lambda d: sectors[d.account])):  # fmt: skip
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for d in won:
            expected[key(d)] += d.amount  # type: ignore[operator]
        rows = engine.compute("won_revenue", "2024", [dim]).rows
        got = {r.dims[dim]: round(Decimal(str(r.value)), 2) for r in rows if r.value}
        assert got == {k: v for k, v in expected.items() if v}, dim
        assert all(r.unit == "USD" for r in rows)


def test_side_tables_name_the_spelling_pairs(world) -> None:  # type: ignore[no-untyped-def]
    _, _, reports = world
    pairs = [w for w in reports["deals_en.csv"].warnings if w.value == "GTXPro"]
    assert pairs and "likely the same as 'GTX Pro'" in pairs[0].reason
    assert reports["deals_en.csv"].suggested_value_map == {"product": {"GTXPro": "GTX Pro"}}


def test_gbk_export_with_chinese_headers(tmp_path: Path, settings: Settings) -> None:
    truth = generate(tmp_path / "f", seed=5)
    store = SalesStore(settings)
    r = store.import_file(tmp_path / "f" / "deals_zh.csv")
    assert (r.encoding, r.currency, r.kind) == ("gb18030", "CNY", "opportunities")
    assert r.rows_read == len(truth.deals_zh) and r.rows_rejected == 3
    assert {d.id: d.header for d in r.dimensions if d.origin == "data"} == {
        "stage_name": "阶段", "country": "国家", "customer_type": "客户类型", "channel": "渠道"
    }  # fmt: skip  (the export's own stage names are kept beside the canonical stage)
    stored = dict(store.connection.execute("SELECT opportunity_id, rep FROM opportunities").fetchall())
    assert stored == {d.deal_id: d.owner for d in _accepted(truth.deals_zh)}
    store.close()


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("targets_long_zh.csv", "targets_long"),
        ("targets_long_en.csv", "targets_long"),
        ("区域月度目标.csv", "targets_wide"),
        ("quota_2024.csv", "targets_wide"),
    ],
)
def test_targets_as_teams_keep_them(tmp_path: Path, settings: Settings, name: str, layout: str) -> None:
    truth: Truth = generate(tmp_path / "f", seed=7)
    store = SalesStore(settings)
    r = store.import_file(tmp_path / "f" / name)
    assert (r.kind, r.layout) == ("targets", layout)
    assert any("won revenue" in n for n in r.notes) and any(n.startswith("targets cover") for n in r.notes)
    rows = store.connection.execute("SELECT period, region, metric, target FROM targets").fetchall()
    assert {m for *_, m, _ in rows} == {"won_revenue"}
    assert {(p, reg): t for p, reg, _, t in rows} == truth.targets[name]
    if name.startswith("区域"):
        assert r.encoding == "gb18030" and any("2025 (from the title)" in n for n in r.notes)
        assert "合计" in r.unused
    store.close()
