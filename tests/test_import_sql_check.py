"""The SQL validator (knowledge/sales_validate.py) reports exactly what the row-by-row reference
(tests/import_reference.py) does: every accepted value, every rejected cell, every row warning, in order; and
DuckDB's CSV reader stages the same cells as Python's csv module (the fallback reader)."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from import_reference import Spec, reference_check

from knowledge.mapping import Mapping
from knowledge.sales_import import prepare
from knowledge.sales_source import STAGE, Staged, _duckdb_csv, _python_csv, stage_file

DATES = [
    "2026-07-01", "2026/07/02", "2026年7月3日", "07/04/2026", "2026-07-05 10:30:00", "20260706", "", "2026-13-01",
    "2/24/2026 0:00", "05-07-2026 00:00", "2026-07-08T09:10:11Z", "45500", "13/02/2026", "Jul 9, 2026", "9-Jul-26",
    " 2026-07-10 ", "2026-07-11T23:59:59+08:00", "31/31/2026",
]  # fmt: skip
AMOUNTS = [
    "100", "-5", "-0", "1,234.50", "¥88", "12.3x", "", " 7 ", "1e3", "0012.50", "５", "-3.25", "(42.10)", "$1,000",
    "1.234567", "USD 12", "1e20", "￥３，０００", "12元", "abc",
]  # fmt: skip
STAGES = ["赢单", "输单", "Closed Won", "线索", "神秘阶段", "", "商务谈判", "won", " Prospecting "]


def _messy(seed: int, rows: int = 300) -> list[dict[str, str]]:
    rng = random.Random(seed)
    pick = rng.choice
    return [
        {
            "商机编号": pick(["", f"X{rng.randrange(rows // 2)}"]),
            "订单号": pick(["", f"S{rng.randrange(20)}"]),
            "客户名称": pick(["", "甲", "乙 ", "  丙"]),
            "负责人": pick(["张三", "李四", ""]),
            "区域": pick(["华东", "华东区", "华南", ""]),
            "阶段": pick(STAGES),
            "金额": pick(AMOUNTS),
            "创建日期": pick(DATES),
            "结单日期": pick(DATES),
        }
        for _ in range(rows)
    ]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _sql_check(path: Path, mapping: Mapping | None = None) -> tuple[list[dict[str, object]], object]:
    con = duckdb.connect()
    staged = stage_file(con, path)
    prep = prepare(con, staged, kind="opportunities", mapping=mapping, preset=None, max_values=1000)
    cur = con.execute("SELECT * FROM _checked WHERE NOT _bad ORDER BY _line")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()], prep


def _specs(prep) -> list[Spec]:  # type: ignore[no-untyped-def]
    kinds = {"amount": "money", "stage": "stage", "created_date": "date", "close_date": "date", "engaged_date": "date"}
    out = []
    for f, c in prep.mapping.columns.items():
        if f in ("order_id", "year"):
            continue
        out.append(Spec(f, c, kinds.get(f, "text")))
    order = {f: i for i, f in enumerate(["opportunity_id", "name", "account", "rep", "manager", "region", "product",
                                         "lead_source", "stage", "amount", "created_date", "engaged_date",
                                         "close_date", "loss_reason"])}  # fmt: skip
    out.sort(key=lambda s: order.get(s.field, 99))
    for f, v in prep.mapping.constants.items():
        out.append(Spec(f, f, kinds.get(f, "text"), constant=v))
    return out


def _same(path: Path, rows: list[dict[str, str]], mapping: Mapping | None = None) -> None:
    got, prep = _sql_check(path, mapping)
    accepted, rejected, warnings = reference_check(rows, _specs(prep), file=path.name, layout=prep.layout)
    report = prep.report
    assert report.rejected == rejected
    row_warnings = [w for w in report.warnings if w.reason.startswith(("negative", "close date before")) or "deal without" in w.reason]
    assert row_warnings == warnings
    assert len(got) == len(accepted) == report.rows_accepted
    for sql, ref in zip(got, accepted, strict=True):
        for field, value in ref.items():
            mine = sql[field]
            if isinstance(value, Decimal):
                assert mine == value, (field, ref)
            elif isinstance(value, date):
                assert mine == value, (field, ref)
            else:
                assert mine == value, (field, ref)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_check_matches_row_by_row(tmp_path: Path, seed: int) -> None:
    rows = _messy(seed)
    path = _write(tmp_path / "f.csv", rows)
    got, prep = _sql_check(path)
    assert prep.report.rejected and prep.report.warnings and got  # the data has every kind of issue
    _same(path, rows)


def test_sql_check_with_constants_and_order_lines(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "阶段"} for r in _messy(4)]
    path = _write(tmp_path / "f.csv", rows)
    _same(path, rows, Mapping(constants={"stage": "won"}, order_id="订单号"))


def test_open_deals_keep_blank_amounts(tmp_path: Path) -> None:
    rows = [
        {"商机编号": "A", "阶段": "线索", "金额": "", "结单日期": ""},
        {"商机编号": "B", "阶段": "赢单", "金额": "", "结单日期": "2026-07-01"},
        {"商机编号": "C", "阶段": "输单", "金额": " ", "结单日期": "2026-07-01"},
        {"商机编号": "D", "阶段": "商务谈判", "金额": "", "结单日期": ""},
        {"商机编号": "E", "阶段": "", "金额": "", "结单日期": ""},
    ]
    path = _write(tmp_path / "o.csv", rows)
    got, prep = _sql_check(path)
    assert [(r["opportunity_id"], r["amount"]) for r in got] == [("A", None), ("D", None)]
    assert [(i.row, i.column, i.reason) for i in prep.report.rejected] == [
        (3, "金额", "blank amount on a won deal"),
        (4, "金额", "blank amount on a lost deal"),
        (6, "阶段", "blank stage"),
        (6, "金额", "blank amount"),
    ]
    assert any("2 open deal(s) have no amount yet" in n for n in prep.report.notes)
    _same(path, rows)


CSV_CELLS = ["a", "", "b c", '"q"', "x,y", "line\nbreak", "  pad  ", "NA", "null", "长文本", "1,234.5", "'", ";"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_duckdb_and_python_readers_stage_the_same_cells(tmp_path: Path, delimiter: str) -> None:
    rng = random.Random(len(delimiter) + ord(delimiter))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=rng.choice(["\n", "\r\n"]))
    w.writerow(["编号", "名称", "金额", "备注"])
    for i in range(400):
        w.writerow([f"X{i}", rng.choice(CSV_CELLS), f"{rng.randrange(1000)}.{rng.randrange(100)}", rng.choice(CSV_CELLS)])
    path = tmp_path / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    tables = []
    for reader in (_duckdb_csv, _python_csv):
        con = duckdb.connect()
        staged = Staged(name="f.csv", headers=["编号", "名称", "金额", "备注"], delimiter=delimiter)
        reader(con, path, staged, 0)
        cells = ", ".join(f"NULLIF(c{i}, '')" for i in range(4))  # a quoted "" is as blank as an empty cell
        tables.append(con.execute(f"SELECT {cells} FROM {STAGE} ORDER BY rowid").fetchall())
    assert tables[0] == tables[1]
    assert len(tables[0]) == 400


def test_ragged_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("商机编号,阶段,金额\nA,赢单,1\nB,赢单\nC,赢单,3,extra\nD,输单,4\n", encoding="utf-8")
    con = duckdb.connect()
    staged = stage_file(con, path)
    assert staged.unreadable == {4: "4 fields, the header has 3"}
    assert "fewer fields" in staged.issues[0].reason and "rows 3" in staged.issues[0].reason
    prep = prepare(con, staged, kind="opportunities", mapping=None, preset=None, max_values=1000)
    assert [(i.row, i.reason) for i in prep.report.rejected][:2] == [
        (3, "blank amount on a won deal"),
        (4, "cannot read the row: 4 fields, the header has 3"),
    ]
    assert prep.report.rows_accepted == 2


def test_long_reports_list_the_first_rows_and_count_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_LISTED rejected rows and MAX_WARNED rows per warning, the report lists the first ones (as the
    reference finds them, in row order) and counts all of them exactly."""
    import knowledge.sales_validate as sv

    monkeypatch.setattr(sv, "MAX_LISTED", 7)
    monkeypatch.setattr(sv, "MAX_WARNED", 3)
    rows = _messy(5)
    path = _write(tmp_path / "f.csv", rows)
    got, prep = _sql_check(path)
    accepted, rejected, warnings = reference_check(rows, _specs(prep), file=path.name, layout=prep.layout)
    report = prep.report
    bad_lines = sorted({i.row for i in rejected})
    assert len(bad_lines) > 7 and report.rows_rejected == len(bad_lines)
    assert report.rows_accepted == len(accepted) == len(got)
    listed = [i for i in rejected if i.row in bad_lines[:7]]
    assert report.rejected[:-1] == listed
    by_column: dict[str, set[int]] = {}
    for i in rejected:
        by_column.setdefault(i.column or "", set()).add(i.row)  # type: ignore[arg-type]
    summary = report.rejected[-1].reason
    assert summary.startswith("only the first 7 rejected rows are listed; by column: ")
    for column, lines in by_column.items():
        assert f"{column}: {len(lines):,}" in summary
    for reason in ("close date before", "negative"):
        mine = [w for w in report.warnings if w.row is not None and w.reason.startswith(reason)]
        ref = [w for w in warnings if w.reason.startswith(reason)]
        assert len(ref) > 3 and mine == ref[:3]
        column = ref[0].column
        assert any(w.row is None and w.column == column and w.reason == f"{len(ref):,} rows in all (first 3 listed)"
                   for w in report.warnings)


def test_cell_tests_in_sql_match_python() -> None:
    """blank_sql, clean_sql and dirty_sql agree with Python's strip(STRIP) on cells made of edge characters,
    control characters, ASCII and CJK text, NBSP and the ideographic space at any position."""
    from knowledge.dates import STRIP
    from knowledge.sales_source import blank_sql, clean_sql, dirty_sql

    rng = random.Random(5)
    alphabet = [*STRIP, "\x01", "\x1f", "!", "a", "Z", "0", "华", "\u00a1", "\u00a0x", "\u3001", "\u2000", "\u00c2", "~"]
    cells: list[str | None] = [None, "", *STRIP, *(c * 2 for c in STRIP)]
    cells += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 5))) for _ in range(3000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[c] for c in cells])
    rows = con.execute(f"SELECT c, {blank_sql('c')}, {clean_sql('c')}, {dirty_sql('c')} FROM t").fetchall()
    for cell, blank, clean, dirty in rows:
        if cell is None:
            assert blank is True and clean is None and dirty is None
            continue
        assert blank == (cell.strip(STRIP) == ""), repr(cell)
        assert clean == (cell.strip(STRIP) or None), repr(cell)
        assert dirty == (cell == "" or cell != cell.strip(STRIP)), repr(cell)
