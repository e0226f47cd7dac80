"""A killed `fupan ingest` (real SIGKILL, at random moments) loses at most the batch in flight: running it
again resumes, and the catalogue, Chroma and BM25 end with every chunk exactly once and no orphan vector."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from fupan.settings import load_settings
from knowledge.doc_index import DocumentIndex

NOTES = 90
BATCH = 8  # chunks per commit (embeddings.commit_every)
TOPICS = ("竞品降价{i}%，客户要求跟价。", "Budget frozen until Q{i}, procurement waits.", "客户要再考虑报价{i}天。")


def _write_notes(path: Path, version: str) -> None:
    rows = [
        {"id": f"N{i:03d}", "区域": "华东", "内容": f"{TOPICS[i % 3].format(i=i)} {version} #{i}"}
        for i in range(NOTES)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)


def _ingest(workspace: Path, notes: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "FUPAN_EMBEDDINGS__COMMIT_EVERY": str(BATCH),
        "FUPAN_CONFIG": "/nonexistent.toml",
        "COLUMNS": "200",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "--workspace", str(workspace), "ingest", str(notes)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _committed(workspace: Path, version: str) -> int:
    """Documents of this version committed to the catalogue (read from another process, as a watcher)."""
    path = workspace / "docs" / "catalogue.sqlite"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        sql = "SELECT count(*) FROM docs WHERE doc_json LIKE ?"
        return int(db.execute(sql, [f"%{version} #%"]).fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        db.close()


def _kill_after(workspace: Path, notes: Path, version: str, at_least: int, rng: random.Random) -> int:
    """Start an ingest, SIGKILL it once `at_least` documents are committed (plus a random moment); returns
    the documents committed when it died."""
    proc = _ingest(workspace, notes)
    deadline = time.monotonic() + 240
    while _committed(workspace, version) < at_least and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(rng.uniform(0.0, 0.3))  # land anywhere: embedding, Chroma upsert, the commit
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode in (-signal.SIGKILL, 0), proc.stderr.read() if proc.stderr else ""
    return _committed(workspace, version)


def _check_whole(workspace: Path, version: str) -> None:
    # embedded Chroma keeps one store per path in memory for the process; read what the ingest processes
    # wrote, as a fresh process would
    SharedSystemClient.clear_system_cache()
    index = DocumentIndex(load_settings(workspace=workspace))
    try:
        state = index.consistency()
        assert state == {
            "chunks": NOTES,
            "vectors": NOTES,
            "orphan_vectors": 0,
            "chunks_without_vector": 0,
            "journal": 0,
        }
        for i in range(NOTES):
            hit = index.get(f"note:N{i:03d}#0")
            assert hit is not None and hit.text.endswith(f"{version} #{i}")
        vector_hits = index.search(f"客户要再考虑报价 {version}", k=NOTES, mode="vector")
        assert len(vector_hits) == NOTES == len({h.evidence_id for h in vector_hits})  # each chunk once
    finally:
        index.close()


@pytest.mark.parametrize("seed", [3])
def test_kills_during_ingest_then_resume(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    workspace, notes = tmp_path / "ws", tmp_path / "notes.csv"
    _write_notes(notes, "v1")
    committed = [_kill_after(workspace, notes, "v1", at_least, rng) for at_least in (1, 30, 55)]
    assert committed == sorted(committed) and 0 < committed[-1] < NOTES  # killed part-way, nothing undone
    done = _ingest(workspace, notes)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    # the resumed run skipped everything committed and indexed only the rest
    assert f"({NOTES - committed[-1]} new or changed, {committed[-1]} unchanged)" in out, out
    _check_whole(workspace, "v1")

    # the same with every note changed: old vectors go, new ones come, never both, never neither
    _write_notes(notes, "v2")
    changed = _kill_after(workspace, notes, "v2", 20, rng)
    assert 20 <= changed < NOTES
    assert _committed(workspace, "v1") == NOTES - changed  # a changed note is old or new, never gone
    done = _ingest(workspace, notes)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    _check_whole(workspace, "v2")


def test_a_running_process_sees_what_another_ingest_wrote(tmp_path: Path) -> None:
    """`fupan serve` keeps its knowledge base open while `fupan ingest` runs in another process: the server's
    vector search must see the new chunks, not the embedded store it loaded at start."""
    workspace, notes = tmp_path / "ws", tmp_path / "notes.csv"
    pd.DataFrame([{"id": "A", "内容": "客户说预算冻结到明年。"}]).to_csv(notes, index=False)
    first = _ingest(workspace, notes)
    assert first.wait(timeout=300) == 0
    SharedSystemClient.clear_system_cache()
    server = DocumentIndex(load_settings(workspace=workspace))
    try:
        assert [h.doc_id for h in server.search("预算", k=5, mode="vector")] == ["A"]
        pd.DataFrame(
            [{"id": "A", "内容": "客户说预算冻结到明年。"}, {"id": "B", "内容": "The competitor cut its price by 20%."}]
        ).to_csv(notes, index=False)
        other = _ingest(workspace, notes)
        assert other.wait(timeout=300) == 0
        assert {h.doc_id for h in server.search("competitor price cut", k=5, mode="vector")} == {"A", "B"}
        assert server.consistency()["orphan_vectors"] == 0
    finally:
        server.close()
