"""Imports never destroy (issue 17, failure 1): an import that accepts no rows, or that would remove most of the
current rows without --replace, changes nothing; every import keeps the previous snapshot and undo restores it.
Each kind, through the store, the CLI and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli
from sales_files import ALL_REJECTED, GOOD, HEADERS, ONE_OTHER, write

from fupan.dimensions import CORE_IDS, LOSS_REASON, STAGE_NAME
from fupan.errors import ImportRefused, InputError
from fupan.settings import Settings
from knowledge.sales_store import SalesStore

KINDS = ("opportunities", "targets", "team", "products", "accounts")

CORE = (*CORE_IDS, STAGE_NAME, LOSS_REASON)  # a CRM file's stage names and loss reasons are always kept


def state(store: SalesStore, kind: str) -> tuple[object, list[tuple]]:
    """The kind's current snapshot id and every stored row."""
    con = store.connection
    snap = con.execute("SELECT snapshot_id FROM snapshots WHERE kind = ? AND is_current", [kind]).fetchall()
    rows = con.execute(f"SELECT * FROM {kind}_data ORDER BY ALL").fetchall()
    return (snap[0][0] if snap else None), rows


@pytest.fixture
def store(settings: Settings):
    s = SalesStore(settings)
    yield s
    s.close()


@pytest.mark.parametrize("kind", KINDS)
def test_header_only_file_changes_nothing(store: SalesStore, tmp_path: Path, kind: str) -> None:
    store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
    before = state(store, kind)
    assert len(before[1]) == 4
    for strict in (False, True):
        with pytest.raises(ImportRefused, match="nothing to import|nothing was imported"):
            store.import_file(write(tmp_path, kind, [], "empty"), kind, strict=strict)
        assert state(store, kind) == before


@pytest.mark.parametrize("kind", sorted(ALL_REJECTED))
def test_all_rows_rejected_changes_nothing(store: SalesStore, tmp_path: Path, kind: str) -> None:
    store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
    before = state(store, kind)
    with pytest.raises(ImportRefused) as refused:
        store.import_file(write(tmp_path, kind, ALL_REJECTED[kind], "bad"), kind)
    report = refused.value.report
    assert report.rows_accepted == 0 and report.rows_rejected == len(ALL_REJECTED[kind])
    assert all(i.row and i.column and i.value for i in report.rejected)  # named row, column and value
    assert state(store, kind) == before


@pytest.mark.parametrize("kind", KINDS)
def test_removing_most_rows_needs_replace_and_undo_restores(
    store: SalesStore, tmp_path: Path, kind: str
) -> None:
    good = store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
    before = state(store, kind)
    other = write(tmp_path, kind, ONE_OTHER[kind], "other")
    with pytest.raises(ImportRefused, match=r"remove 4 of the 4 current .* \(100%, more than the 50%"):
        store.import_file(other, kind)
    assert state(store, kind) == before
    replaced = store.import_file(other, kind, replace=True)
    after = state(store, kind)
    assert after[0] == replaced.snapshot_id and len(after[1]) == 1
    undone = store.undo_import(kind)
    assert (undone.restored_snapshot_id, undone.replaced_snapshot_id) == (
        good.snapshot_id,
        replaced.snapshot_id,
    )
    assert state(store, kind) == before
    store.undo_import(kind)  # undo twice is a redo: nothing is lost by undo either
    assert state(store, kind) == after


def test_growing_or_half_replacing_import_needs_no_flag(store: SalesStore, tmp_path: Path) -> None:
    kind = "team"
    store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
    half = write(tmp_path, kind, GOOD[kind][:2] + ONE_OTHER[kind], "half")  # removes 2 of 4 = 50%: allowed
    assert store.import_file(half, kind).rows_accepted == 3
    store.settings.import_max_removed_share = 0.2
    with pytest.raises(ImportRefused):
        store.import_file(write(tmp_path, kind, GOOD[kind][:1] + ONE_OTHER[kind], "less"), kind)


def test_undo_without_an_earlier_import_is_refused(store: SalesStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no earlier import"):
        store.undo_import()
    store.import_file(write(tmp_path, "team", GOOD["team"], "good"), "team")
    with pytest.raises(InputError, match="no earlier team import"):
        store.undo_import("team")
    assert len(state(store, "team")[1]) == 4


def test_bare_undo_undoes_the_last_import(store: SalesStore, tmp_path: Path) -> None:
    for kind in ("team", "products"):
        store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
        store.import_file(write(tmp_path, kind, GOOD[kind][:3], "three"), kind)
    assert store.undo_import().kind == "products"
    assert len(state(store, "products")[1]) == 4 and len(state(store, "team")[1]) == 3


def test_undo_rebuilds_what_the_metric_engine_reads(store: SalesStore, tmp_path: Path) -> None:
    from agent.metric_engine import MetricEngine

    kind = "opportunities"
    store.import_file(write(tmp_path, kind, GOOD[kind], "good"), kind)
    engine = MetricEngine(store)
    before = engine.value("won_revenue", "2026Q3").value
    store.import_file(write(tmp_path, kind, ONE_OTHER[kind], "other"), kind, replace=True)
    assert engine.value("won_revenue", "2026Q3").value == 900
    store.undo_import(kind)
    assert engine.value("won_revenue", "2026Q3").value == before == 101 + 102 + 103 + 104


# --- the CLI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_cli_refuses_empty_and_mass_removal_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, settings: Settings, kind: str
) -> None:
    ws = ["--workspace", str(settings.workspace)]
    assert (
        run_cli(capsys, *ws, "import", str(write(tmp_path, kind, GOOD[kind], "good")), "--kind", kind)[0] == 0
    )
    for extra in ([], ["--strict"]):
        code, _, err = run_cli(
            capsys, *ws, "import", str(write(tmp_path, kind, [], "empty")), "-k", kind, *extra
        )
        assert code == 2 and err.startswith("error: file ") and "nothing" in err.splitlines()[0]
        assert "Traceback" not in err and "report it" not in err
    other = str(write(tmp_path, kind, ONE_OTHER[kind], "other"))
    code, _, err = run_cli(capsys, *ws, "import", other, "-k", kind)
    assert code == 2 and "--replace" in err
    assert run_cli(capsys, *ws, "import", other, "-k", kind, "--replace")[0] == 0
    code, out, _ = run_cli(capsys, *ws, "import", "--undo", "--kind", kind)
    assert code == 0 and "restored" in out
    store = SalesStore(settings)
    try:
        assert len(state(store, kind)[1]) == 4
    finally:
        store.close()


def test_cli_strict_refusal_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, settings: Settings
) -> None:
    ws = ["--workspace", str(settings.workspace)]
    rows = GOOD["opportunities"] + [
        GOOD["opportunities"][0]
    ]  # a duplicate id: a warning, so --strict refuses
    code, out, err = run_cli(
        capsys, *ws, "import", str(write(tmp_path, "opportunities", rows, "dup")), "--strict"
    )
    assert code == 2 and "(strict)" in out and err.count("\n") <= 2


def test_cli_undo_needs_no_file_and_refuses_both(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    ws = ["--workspace", str(settings.workspace)]
    code, _, err = run_cli(capsys, *ws, "import", "--undo")
    assert code == 2 and "no earlier import" in err
    code, _, err = run_cli(capsys, *ws, "import")
    assert code == 2 and "--undo" in err


# --- the API -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    from api_world import build_world

    yield from build_world(tmp_path_factory.mktemp("import-api"), sales=False)


def _post(world, path: Path, kind: str, **form: str):
    with path.open("rb") as f:
        return world.client.post(
            "/data/sales",
            headers=world.h("analyst"),
            files={"file": (path.name, f)},
            data={"kind": kind, **form},
        )


@pytest.mark.parametrize("kind", KINDS)
def test_api_refuses_with_422_and_undo_restores(world, tmp_path: Path, kind: str) -> None:
    good = _post(world, write(tmp_path, kind, GOOD[kind], "good"), kind)
    assert good.status_code == 200, good.text
    before = state(world.deps.sales, kind)
    for form in ({}, {"strict": "true"}):
        r = _post(world, write(tmp_path, kind, [], "empty"), kind, **form)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert state(world.deps.sales, kind) == before
    if kind in ALL_REJECTED:
        r = _post(world, write(tmp_path, kind, ALL_REJECTED[kind], "bad"), kind)
        assert r.status_code == 422 and r.json()["errors"][0]["row"] == 2, r.text
        assert state(world.deps.sales, kind) == before
    other = write(tmp_path, kind, ONE_OTHER[kind], "other")
    r = _post(world, other, kind)
    assert r.status_code == 422 and "replace=true" in r.json()["hint"]
    assert state(world.deps.sales, kind) == before
    assert _post(world, other, kind, replace="true").status_code == 200
    r = world.client.post("/data/sales/undo", headers=world.h("analyst"), data={"kind": kind})
    assert r.status_code == 200 and r.json()["rows"] == 4, r.text
    assert state(world.deps.sales, kind) == before


def test_api_undo_needs_a_company_wide_analyst(world) -> None:
    for who, status in (("viewer", 403), ("east_analyst", 403)):
        r = world.client.post("/data/sales/undo", headers=world.h(who), data={"kind": "team"})
        assert r.status_code == status, r.text


def test_undo_swaps_snapshots_that_learned_different_dimensions(store: SalesStore, tmp_path: Path) -> None:
    """Each snapshot keeps its own columns: a file with a 国家 column learns a dimension, a later file without
    it replaces the data, and undo brings back the rows with their country (undo again: without)."""
    kind = "opportunities"
    wide = tmp_path / "wide.csv"
    countries = ["中国", "日本", "中国", "韩国"]
    wide.write_text(
        "\n".join([HEADERS[kind] + ",国家", *(f"{r},{c}" for r, c in zip(GOOD[kind], countries, strict=True))])
        + "\n",
        encoding="utf-8",
    )
    store.import_file(wide, kind)
    learned = set(store.dimensions().ids()) - set(CORE)
    assert len(learned) == 1, store.dimensions().ids()
    store.import_file(write(tmp_path, kind, ONE_OTHER[kind], "other"), kind, replace=True)
    assert not set(store.dimensions().ids()) - set(CORE)
    store.undo_import(kind)
    assert set(store.dimensions().ids()) - set(CORE) == learned
    assert len(state(store, kind)[1]) == 4
    store.undo_import(kind)
    assert not set(store.dimensions().ids()) - set(CORE)
    assert len(state(store, kind)[1]) == 1
