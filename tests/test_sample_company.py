"""The sample company generator: deterministic, complete, and its planted effects really are in the data."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from evals.sample_company import generate

FILES = [
    "opportunities.csv",
    "targets.csv",
    "team.csv",
    "products.csv",
    "accounts.csv",
    "notes.csv",
    "lessons.jsonl",
    "planted_effects.json",
    "aliases.yaml",
    "reviews/review-2026Q1.md",
    "reviews/review-2026Q2.md",
]


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("a"), seed=7)


def test_same_seed_is_byte_identical_and_another_seed_differs(company: Path, tmp_path: Path) -> None:
    again = _digests(generate(tmp_path / "b", seed=7))
    assert sorted(again) == sorted(FILES)
    assert again == _digests(company)
    other = _digests(generate(tmp_path / "c", seed=8))
    assert other["opportunities.csv"] != again["opportunities.csv"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_shape_matches_the_brief(company: Path) -> None:
    team = _rows(company / "team.csv")
    assert len(team) == 12 and {r["区域"] for r in team} == {"华东", "华南", "华北"}
    assert len(_rows(company / "products.csv")) == 5
    opps = _rows(company / "opportunities.csv")
    closes = sorted(r["结单日期"] for r in opps if r["结单日期"])
    assert closes[0] >= "2025-07-01" and closes[-1] <= "2026-09-30"
    assert len({r["商机编号"] for r in opps}) == len(opps)
    accounts = {r["客户名称"] for r in _rows(company / "accounts.csv")}
    assert {r["客户名称"] for r in opps} <= accounts
    targets = _rows(company / "targets.csv")
    assert {r["期间"] for r in targets} == {"2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"}
    notes = _rows(company / "notes.csv")
    assert 250 <= len(notes) <= 400
    assert {n["language"] for n in notes} == {"zh", "en"}
    assert {n["opportunity_id"] for n in notes} <= {r["商机编号"] for r in opps}
    lessons = [json.loads(line) for line in (company / "lessons.jsonl").read_text("utf-8").splitlines()]
    assert len(lessons) >= 6 and {x["kind"] for x in lessons} == {"lesson", "action_item"}


def test_planted_effects_are_visible_in_the_rows(company: Path) -> None:
    """Recompute each effect from the CSV rows (not from the generator's own numbers)."""
    opps = _rows(company / "opportunities.csv")
    effects = {e["id"]: e for e in json.loads((company / "planted_effects.json").read_text())["effects"]}
    assert set(effects) == {
        "east_win_rate_drop",
        "south_rep_cycle",
        "north_mix_shift",
        "south_referral_success",
    }

    def quarter(day: str) -> str:
        return f"{day[:4]}Q{(int(day[5:7]) - 1) // 3 + 1}" if day else ""

    def closed(q: str, **where: str) -> list[dict[str, str]]:
        keys = {"region": "区域", "rep": "负责人"}
        return [
            r
            for r in opps
            if r["阶段"] in ("赢单", "输单")
            and quarter(r["结单日期"]) == q
            and all(r[keys[k]] == v for k, v in where.items())
        ]

    def win_rate(rows: list[dict[str, str]]) -> float:
        return sum(r["阶段"] == "赢单" for r in rows) / len(rows)

    east = win_rate(closed("2026Q3", region="华东"))
    east_before = win_rate(
        [r for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q2") for r in closed(q, region="华东")]
    )
    assert east < east_before - 0.1
    assert effects["east_win_rate_drop"]["measured"]["win_rate_2026Q3"] == pytest.approx(east, abs=1e-4)

    def avg_won(rows: list[dict[str, str]]) -> float:
        won = [float(r["金额"]) for r in rows if r["阶段"] == "赢单"]
        return sum(won) / len(won)

    assert avg_won(closed("2026Q3", region="华北")) < 0.8 * avg_won(closed("2026Q2", region="华北"))

    def revenue(region: str) -> float:
        return sum(float(r["金额"]) for r in closed("2026Q3", region=region) if r["阶段"] == "赢单")

    target = {(t["期间"], t["区域"]): float(t["目标值"]) for t in _rows(company / "targets.csv")}
    assert revenue("华东") < target[("2026Q3", "华东")]
    assert revenue("华北") < target[("2026Q3", "华北")]
    assert revenue("华南") > target[("2026Q3", "华南")]
    notes = {n["note_id"]: n for n in _rows(company / "notes.csv")}
    for effect in effects.values():
        assert len(effect["notes"]) >= 3, effect["id"]
        for note_id in effect["notes"]:
            assert notes[note_id]["date"] >= "2026-07-01"
    assert all(notes[n]["region"] == "华东" for n in effects["east_win_rate_drop"]["notes"])
