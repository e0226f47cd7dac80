"""The vectorised validator (validate_frame) reports exactly what the row-by-row one (validate_rows) does, and the
quote-free CSV fast path reads the same cells as pandas' C parser."""

from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from knowledge.mapping import Mapping, resolve_mapping
from knowledge.sales_import import _read_csv, validate_frame, validate_rows

DATES = [
    "2026-07-01",
    "2026/07/02",
    "2026年7月3日",
    "07/04/2026",
    "2026-07-05 10:30:00",
    "20260706",
    "",
    "2026-13-01",
]
AMOUNTS = ["100", "-5", "-0", "1,234.50", "¥88", "12.3x", "", " 7 ", "1e3", "0012.50", "５", "-3.25"]
STAGES = ["赢单", "输单", "Closed Won", "线索", "神秘阶段", "", "商务谈判", "won"]


def _messy(seed: int, rows: int = 300) -> pd.DataFrame:
    rng = random.Random(seed)
    pick = rng.choice
    data = [
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
    return pd.DataFrame(data).astype(str)


def _normal(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value
    return value


def _same(kind: str, frame: pd.DataFrame, mapping: Mapping) -> None:
    slow = validate_rows(frame, kind, mapping, "f.csv")
    fast = validate_frame(frame, kind, mapping, "f.csv")
    assert fast.rejected == slow.rejected
    assert fast.warnings == slow.warnings
    assert len(fast.frame) == len(slow.records)
    for rec, (_, row) in zip(slow.records, fast.frame.iterrows(), strict=True):
        for field, value in rec.items():
            got = row[field]
            got = None if got is None or (isinstance(got, float) and pd.isna(got)) else got
            if isinstance(value, Decimal):
                assert Decimal(str(got)) == value, (field, rec)
            else:
                assert got == _normal(value), (field, rec)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_validator_matches_row_by_row(seed: int) -> None:
    frame = _messy(seed)
    mapping = resolve_mapping("opportunities", list(frame.columns), None, None)
    slow = validate_rows(frame, "opportunities", mapping, "f.csv")
    assert slow.rejected and slow.warnings and slow.records  # the data has every kind of issue
    _same("opportunities", frame, mapping)


def test_fast_validator_with_constants_order_id_and_date_format() -> None:
    frame = _messy(4).drop(columns=["阶段"])
    extra = Mapping(constants={"stage": "won"}, order_id="订单号", date_format="%m/%d/%Y")
    mapping = resolve_mapping("opportunities", list(frame.columns), extra, None)
    _same("opportunities", frame, mapping)


def test_fast_validator_targets() -> None:
    frame = pd.DataFrame(
        {
            "期间": ["2026Q3", "2026年第2季度", "2026-07", "Q5", ""],
            "区域": ["华东", "华南", "", "华北", "华东"],
            "指标": ["销售额", "revenue", "", "新客户数", "x"],
            "目标值": ["300", "1,000", "abc", "", "-2"],
        }
    )
    mapping = resolve_mapping("targets", list(frame.columns), None, None)
    _same("targets", frame, mapping)


def test_pyarrow_csv_reads_the_same_cells() -> None:
    rng = random.Random(9)
    head = "商机编号,客户名称,金额,结单日期,备注\n"
    body = "".join(
        f"X{i},{rng.choice(['甲', '', 'B c'])},{rng.randrange(10**6)}.{rng.randrange(100)},"
        f"{rng.choice(['2026-07-01', ''])},{rng.choice(['NA', 'null', '', 'N/A', '#N/A', 'None'])}\n"
        for i in range(40_000)
    )
    text = head + body
    assert len(text) > 1_000_000  # large enough for the fast path
    fast = _read_csv(text, ",")
    slow = pd.read_csv(io.StringIO(text), sep=",", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["备注"].isin(["NA", "null", "N/A"]).any()  # missing-value words stay text


@pytest.mark.parametrize(
    "text",
    [
        "a;b;c\r\n"
        + "".join(f" x{i} ;{'NA' if i % 3 else '  '};{i * 7}\r\n" for i in range(70_000))
        + "\r\n",
        "a,b,c\n"
        + "1,2,3\n" * 200_000
        + "1,2\n",  # a short row: pyarrow refuses, the C parser's result stands
    ],
    ids=["crlf-spaces", "ragged"],
)
def test_pyarrow_csv_edge_cases(text: str) -> None:
    sep = ";" if text.startswith("a;") else ","
    expected = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(_read_csv(text, sep), expected)
