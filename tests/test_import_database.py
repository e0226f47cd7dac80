"""`fupan import postgresql://…/db --table deals` (and `--query`): rows read in batches from a real PostgreSQL,
checked like a file (typed columns arrive as text: dates, numerics, NULL amounts of open deals), kept as a
snapshot; the same rows again change nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_cluster import postgres_cluster

from agent.metric_engine import MetricEngine
from fupan.settings import Settings
from knowledge.sales_store import SalesStore

ROWS = [
    # id, owner, region, country, stage, amount, created, closed
    ("D1", "Ann", "East", "China", "Closed Won", Decimal("1200.50"), date(2026, 7, 1), date(2026, 7, 20)),
    ("D2", "Ann", "East", "Japan", "Closed Lost", Decimal("800.00"), date(2026, 7, 2), date(2026, 8, 1)),
    ("D3", "Bob", "West", "China", "Closed Won", Decimal("2500.00"), date(2026, 6, 1), date(2026, 8, 15)),
    ("D4", "Bob", "West", "Brazil", "Prospecting", None, date(2026, 8, 1), None),
    ("D5", "Cai", "East", "Japan", "Negotiation", Decimal("900.00"), date(2026, 8, 3), None),
]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_cluster() as url:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as db:
            db.execute(sa.text("CREATE SCHEMA crm"))
            db.execute(
                sa.text(
                    "CREATE TABLE crm.deals (deal_id text, deal_owner text, region text, country text, "
                    "deal_stage text, amount numeric(12,2), created_date date, close_date date)"
                )
            )
            db.execute(
                sa.text("INSERT INTO crm.deals VALUES (:a, :b, :c, :d, :e, :f, :g, :h)"),
                [dict(zip("abcdefgh", r, strict=True)) for r in ROWS],
            )
        engine.dispose()
        yield url


def test_table_imports_like_a_file(pg_url: str, settings: Settings) -> None:
    store = SalesStore(settings)
    report = store.import_database(pg_url, table="crm.deals", currency="USD")
    assert (report.file, report.kind, report.layout) == ("table crm.deals", "opportunities", "crm")
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 5, 0)
    assert report.columns["rep"] == "deal_owner" and report.columns["stage"] == "deal_stage"
    assert [d.id for d in report.dimensions if d.origin == "data"] == ["stage_name", "country"]  # stage as written
    assert any("1 open deal(s) have no amount yet" in n for n in report.notes)
    engine = MetricEngine(store)
    won = engine.value("won_revenue", "2026Q3")
    assert won.value == pytest.approx(3700.50) and won.unit == "USD"
    by_country = {r.dims["country"]: r.value for r in engine.compute("won_revenue", "2026Q3", ["country"]).rows}
    assert by_country == {"China": 3700.50, "Japan": 0.0, "Brazil": 0.0}
    assert store.import_database(pg_url, table="crm.deals", currency="USD").unchanged
    store.close()


def test_query_and_cli(pg_url: str, settings: Settings, tmp_path: Path) -> None:
    store = SalesStore(settings)
    report = store.import_database(
        pg_url, query="SELECT * FROM crm.deals WHERE region = 'East'", replace=True, dry_run=True
    )
    assert report.dry_run and report.rows_accepted == 3 and not report.snapshot_id
    store.close()
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "--workspace", str(tmp_path / "ws"), "import", pg_url, "--table",
         "crm.deals", "--currency", "USD"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "table crm.deals: opportunities, layout crm" in out.stdout and "accepted 5" in out.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "api.cli", "--workspace", str(tmp_path / "ws"), "import", pg_url, "--table", "nope"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "no table 'nope' in the database" in missing.stderr
