"""`fupan ingest`: a validation report (read / accepted / rejected by file and row), non-zero exit on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "--workspace", str(workspace), "ingest", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "FUPAN_CONFIG": "/nonexistent.toml"},
    )


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "calls.csv").write_text(
        "编号,跟进内容,区域\nA,客户说价格太高。,华东\nB,竞品降价了。,华南\n", encoding="utf-8"
    )
    (folder / "visits.jsonl").write_text('{"id": "V1", "text": "Budget frozen.", "kind": "visit_note"}\n')
    return folder


def test_ingest_a_file_with_a_mapping_then_again_unchanged(tmp_path: Path, notes: Path) -> None:
    out = run(tmp_path / "ws", str(notes / "calls.csv"), "--mapping", "text=跟进内容", "-m", "doc_id=编号")
    assert out.returncode == 0, out.stderr
    assert "read 2, accepted 2 (2 new or changed, 0 unchanged), rejected 0; 2 chunks" in out.stdout
    mapping = tmp_path / "map.yaml"
    mapping.write_text("text: 跟进内容\ndoc_id: 编号\n", encoding="utf-8")
    again = run(tmp_path / "ws", str(notes / "calls.csv"), "--mapping", str(mapping))
    assert again.returncode == 0, again.stderr
    assert "accepted 2 (0 new or changed, 2 unchanged)" in again.stdout


def test_a_folder_and_a_bad_row(tmp_path: Path, notes: Path) -> None:
    (notes / "calls.csv").write_text("id,text\nA,客户说价格太高。\nB,\n", encoding="utf-8")
    out = run(tmp_path / "ws", str(notes))
    assert out.returncode == 2
    assert "calls.csv: read 2, accepted 1" in out.stdout and "rejected 1" in out.stdout
    assert "visits.jsonl: read 1, accepted 1" in out.stdout
    row = next(line for line in out.stdout.splitlines() if "empty document" in line)
    assert "calls.csv" in row and " 3 " in row  # file and row (header = row 1)
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: 1 document(s) rejected (listed above); the others were indexed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "file or folder not found"),
        (["{notes}/calls.csv", "--kind", "memo"], "unknown kind 'memo'"),
        (["{notes}/calls.csv", "--mapping", "text"], "mapping file not found"),
        (["{notes}/calls.csv", "--mapping", "=x"], "not field=column"),
        (["{notes}/calls.csv", "--mapping", "body=跟进内容"], "unknown field 'body'"),
        (["{notes}/calls.csv", "--kind", "lesson", "-m", "text=跟进内容"], "not approved"),
        (["{notes}/calls.csv"], "no text column found"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, notes: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--workspace", str(tmp_path / "ws"), "ingest", *[a.format(notes=notes) for a in args]])
    assert exit_.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines[0].startswith("error: ") and message in lines[0]
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("hint: "))


@pytest.fixture
def calls_folder(tmp_path: Path) -> Path:
    """A folder as the shared calls come: transcripts, per-call outcomes, a README, a source note, a picture."""
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "messages.csv").write_text(
        "conversation_id,timestamp,message,author\n"
        "K1,2025-03-02 10:00:00,Can I get a quote?,Customer\n"
        "K1,2025-03-02 10:00:05,Sure. Here it is.,Agent\n"
        "K1,2025-03-02 10:01:00,Let me think about it.,Customer\n"
        "K2,2025-05-07 09:00:00,Not interested thanks.,Customer\n",
        encoding="utf-8",
    )
    (folder / "conversations.csv").write_text(
        "conversation_id,outcome,duration_seconds\nK1,process paused,61\nK2,customer not interested,\n",
        encoding="utf-8",
    )
    (folder / "README.md").write_text("# Sample data\n\nTwo calls.\n", encoding="utf-8")
    (folder / "SOURCE.txt").write_text("From a tutorial.\n", encoding="utf-8")
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n")
    return folder


def test_a_folder_ingests_what_it_can_and_lists_the_rest(tmp_path: Path, calls_folder: Path) -> None:
    dry = run(tmp_path / "ws", str(calls_folder), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "skipped README.md: a text document, not a notes table" in dry.stdout
    assert "skipped SOURCE.txt:" in dry.stdout and "skipped chart.png: not a notes file type (.png)" in dry.stdout
    assert "skipped conversations.csv: per-call fields (outcome, ...) read with messages.csv" in dry.stdout
    assert "messages.csv: 2 documents (2 new or changed, 0 unchanged), 2 chunks to embed" in dry.stdout
    assert "fields: outcome (2), date (2), duration_seconds (1)" in dry.stdout
    assert "outcome ← conversations.csv:outcome" in dry.stdout
    assert "2 chunks would be embedded (dry run: nothing written)" in dry.stdout
    from knowledge.documents_catalogue import Catalogue

    assert Catalogue(tmp_path / "ws" / "docs" / "catalogue.sqlite").count_chunks() == 0
    real = run(tmp_path / "ws", str(calls_folder))
    assert real.returncode == 0, real.stderr
    assert "read 2, accepted 2 (2 new or changed, 0 unchanged), rejected 0; 2 chunks indexed" in real.stdout
    assert "messages.csv: 2/2 chunks" in real.stderr  # progress lines when the output is not a terminal
    search = subprocess.run(
        [sys.executable, "-m", "api.cli", "--workspace", str(tmp_path / "ws"), "search", "think", "--outcome",
         "PAUSED", "--json", "--mode", "bm25"],
        capture_output=True, text=True, timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "FUPAN_CONFIG": "/nonexistent.toml"},
    )  # fmt: skip
    assert search.returncode == 0, search.stderr
    import json

    found = json.loads(search.stdout)
    assert [d["doc_id"] for d in found["documents"]] == ["K1"]
    assert found["documents"][0]["outcome"] == "process paused" and found["filters"]["outcome"] == "process paused"


def test_text_files_of_a_folder_are_notes_when_the_user_says_so(tmp_path: Path, calls_folder: Path) -> None:
    for name in ("messages.csv", "conversations.csv", "chart.png"):
        (calls_folder / name).unlink()
    out = run(tmp_path / "ws", str(calls_folder), "--kind", "visit_note", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "README.md: 1 documents" in out.stdout and "SOURCE.txt: 1 documents" in out.stdout
    nothing = run(tmp_path / "ws", str(calls_folder))
    assert nothing.returncode == 2 and "no notes files in the folder" in nothing.stderr
