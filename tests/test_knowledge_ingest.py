"""Ingest of every format: accepted documents indexed, every rejected row named by file and row."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pandas as pd
import pytest

from fupan.errors import InputError
from fupan.settings import Settings
from knowledge.doc_index import DocumentIndex
from knowledge.documents import IngestReport


@pytest.fixture
def index(settings: Settings) -> DocumentIndex:
    idx = DocumentIndex(settings)
    yield idx
    idx.close()


def _accounted(report: IngestReport) -> None:
    """Nothing silently dropped: every document seen is added, unchanged or rejected with an issue."""
    assert report.documents_seen == (
        report.documents_added + report.documents_unchanged + report.documents_rejected
    )
    assert report.documents_rejected == sum(1 for i in report.issues if i.level == "error")


NOTES_ZH = pd.DataFrame(
    {
        "记录编号": ["N1", "N2", "N3", "N4", "N5"],
        "类型": ["call_note", "visit_note", "call_note", "memo", "call_note"],
        "日期": ["2026-07-03", "2026/08/15", "2026-09-01", "2026-09-02", "2026-13-40"],
        "负责人": ["王伟", "李娜", "王伟", "李娜", "王伟"],
        "区域": ["华东", "华南", "华东", "华南", "华东"],
        "客户名称": ["星河科技", "海岸物流", "星河科技", "海岸物流", "星河科技"],
        "内容": [
            "客户反馈竞品降价15%，我们的报价偏高。",
            "拜访采购部，决策链较长，预算下季度才批。",
            "   ",
            "有效内容但类型不对。",
            "日期写错了。",
        ],
    }
)


def _expect_rejections(report: IngestReport, file: Path, rows: dict[int, str]) -> None:
    got = {i.row: i.message for i in report.issues if i.level == "error"}
    assert set(got) == set(rows), got
    for row, fragment in rows.items():
        assert fragment in got[row]
    assert all(Path(i.file).name == file.name for i in report.issues)


def test_csv_with_chinese_headers(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    NOTES_ZH.to_csv(path, index=False, encoding="utf-8-sig")
    report = index.ingest_file(path)
    _accounted(report)
    assert (report.documents_seen, report.documents_added, report.documents_rejected) == (5, 2, 3)
    _expect_rejections(report, path, {4: "empty document", 5: "'memo' is not one of", 6: "date"})
    hit = index.get("note:N2#0")
    assert hit is not None and hit.kind == "visit_note"
    assert hit.metadata["region"] == "华南" and hit.metadata["rep"] == "李娜"
    assert hit.metadata["date"] == "2026-08-15" and hit.metadata["language"] == "zh"
    assert hit.metadata["source"] == "notes.csv:row 3"


def test_xlsx_with_a_mapping(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "visits.xlsx"
    frame = NOTES_ZH.rename(columns={"内容": "拜访纪要详情", "记录编号": "流水号"})
    frame.to_excel(path, index=False)
    with pytest.raises(InputError, match="no text column"):
        index.ingest_file(path)
    report = index.ingest_file(path, mapping={"text": "拜访纪要详情", "doc_id": "流水号"})
    _accounted(report)
    assert report.documents_added == 2 and report.documents_rejected == 3
    assert index.get("note:N1#0") is not None


def test_jsonl_bad_lines_are_named(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    lines = [
        json.dumps(
            {"id": "J1", "text": "The customer says our quote is 10% above the competitor.", "region": "华北"}
        ),
        "{not json",
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "J2", "text": ""}),
        json.dumps({"id": "J3", "text": "Budget frozen until Q4.", "kind": "visit_note", "rep": "Chen"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = index.ingest_file(path)
    _accounted(report)
    assert report.documents_added == 2
    _expect_rejections(report, path, {2: "not JSON", 3: "not a JSON object", 5: "empty document"})
    assert index.get("note:J3#0").metadata["language"] == "en"  # type: ignore[union-attr]


def test_an_undecodable_row_is_rejected_by_row(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    good = "id,text\nU1,客户说价格太高。\nU3,预算冻结。\n".encode()
    path.write_bytes(good.replace(b"U3", b"U2,\xff\xfe\x80 broken\nU3"))
    report = index.ingest_file(path)
    _accounted(report)
    _expect_rejections(report, path, {3: "undecodable"})
    assert report.documents_added == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("garbage.csv", b"\xff\x80\n\x81\xff\n", "encoding"),
        ("noheader.txt", b"   \n", "empty"),
        ("notes.pdf", b"%PDF", "unsupported file type"),
        ("bad.docx", b"not a zip", "cannot read DOCX"),
        ("bad.xlsx", b"not a zip", "cannot read the workbook"),
    ],
)
def test_unreadable_files_fail_with_the_file_named(
    index: DocumentIndex, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        index.ingest_file(path)
    assert name in str(err.value)
    assert index.count() == 0


def test_markdown_review_needs_approval(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "2026Q2-review.md"
    path.write_text("# 2026Q2 华东复盘\n\n目标达成率 86%。\n\n失败教训：报价审批太慢。\n", encoding="utf-8")
    with pytest.raises(InputError, match="not approved"):
        index.ingest_file(path)
    assert index.count() == 0
    report = index.ingest_file(path, approved=True)
    _accounted(report)
    hit = index.get("note:2026Q2-review#0")
    assert hit is not None and hit.kind == "review" and hit.metadata["title"] == "2026Q2 华东复盘"


def test_txt_as_call_note(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "call-42.txt"
    path.write_text("Customer asked for a 12% discount. Decision next week.", encoding="utf-8")
    report = index.ingest_file(path, kind="call_note")
    assert report.documents_added == 1 and index.get("note:call-42#0").kind == "call_note"  # type: ignore[union-attr]


def test_docx_review_with_a_table(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "q1-review.docx"
    document = docx.Document()
    document.core_properties.title = "2026Q1 复盘报告"
    document.add_paragraph("成功经验：老客户转介绍贡献了40%的新客户。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "达成率"
    table.cell(1, 0).text, table.cell(1, 1).text = "销售额", "104%"
    document.save(str(path))
    report = index.ingest_file(path, approved=True)
    _accounted(report)
    hit = index.get("note:q1-review#0")
    assert hit is not None and "转介绍" in hit.text and "销售额 | 104%" in hit.text
    assert hit.metadata["title"] == "2026Q1 复盘报告"


def test_transcripts_group_turns_by_call_with_outcomes(index: DocumentIndex, tmp_path: Path) -> None:
    messages = pd.DataFrame(
        {
            "conversation_id": ["C1", "C1", "C2", "", "C2", "C3"],
            "timestamp": ["2025-01-02 10:00:00"] * 6,
            "message": [
                "Hello, I can offer you a cheaper policy.",
                "I need to think about it.",
                "Are you interested in a quote?",
                "orphan turn",
                "No thanks.",
                "   ",
            ],
            "author": ["Agent", "Customer", "Agent", "Customer", "Customer", "Agent"],
        }
    )
    messages.to_csv(tmp_path / "messages.csv", index=False)
    pd.DataFrame(
        {"conversation_id": ["C1", "C2"], "outcome": ["process paused", "customer not interested"]}
    ).to_csv(tmp_path / "conversations.csv", index=False)
    report = index.ingest_file(tmp_path / "messages.csv")
    _accounted(report)
    _expect_rejections(report, tmp_path / "messages.csv", {5: "not attached to a call", 7: "empty document"})
    c1 = index.get("note:C1#0")
    assert c1 is not None
    assert c1.text == "Agent: Hello, I can offer you a cheaper policy.\nCustomer: I need to think about it."
    assert c1.metadata["outcome"] == "process paused" and c1.metadata["date"] == "2025-01-02"
    assert index.get("note:C2#0").metadata["rows"] == "4-6"  # type: ignore[union-attr]


def test_reingest_is_idempotent_and_a_change_replaces_chunks(index: DocumentIndex, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    NOTES_ZH.to_csv(path, index=False)
    first = index.ingest_file(path)
    chunks, vectors = index.count(), index.vectors.count()
    again = index.ingest_file(path)
    assert (again.documents_added, again.documents_unchanged, again.chunks_added) == (0, 2, 0)
    assert (
        (index.count(), index.vectors.count())
        == (chunks, vectors)
        == (first.chunks_added, first.chunks_added)
    )
    changed = NOTES_ZH.copy()
    changed.loc[0, "内容"] = "客户改口：价格可以接受，但要求三个月账期。" * 12
    changed.to_csv(path, index=False)
    third = index.ingest_file(path)
    assert (third.documents_added, third.documents_unchanged) == (1, 1)
    n1 = [h for h in index.search("账期", k=20, mode="bm25") if h.doc_id == "N1"]
    assert n1 and all("账期" in h.text for h in n1)
    assert index.count() == index.vectors.count() == chunks - 1 + third.chunks_added
    assert all(h.doc_id != "N1" for h in index.search("竞品降价", k=20, mode="bm25"))
