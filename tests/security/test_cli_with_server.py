"""The CLI while `fupan serve` runs (issue 17, failure 7): DuckDB lets one process open the sales file, so a CLI
command on the served workspace says in one line where the server is and how to use it (exit 4), instead of
dying with DuckDB's lock error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fupan.settings import load_settings
from knowledge.records import Records
from knowledge.sales_store import SalesStore

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
REPO = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fupan(workspace: Path, *args: str, **kw: object) -> subprocess.Popen | subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "api.cli", "-w", str(workspace), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO), "FUPAN_CONFIG": str(workspace / "none.toml")}
    if kw.pop("background", False):
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def test_cli_names_the_running_server_in_one_line(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    settings = load_settings(workspace=workspace)
    store = SalesStore(settings)
    store.import_file(FIX / "opportunities_zh.csv", "opportunities")
    store.close()
    records = Records(settings)
    key = records.create_key("analyst", name="probe").key
    records.close()
    port = _port()
    server = _fupan(workspace, "serve", "--port", str(port), background=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        answer = httpx.post(
            f"{url}/ask",
            headers={"Authorization": f"Bearer {key}"},
            json={"question": "2026Q3华东的销售额是多少?"},
        )
        assert answer.status_code == 200, answer.text  # the server now holds the DuckDB file
        for args in (
            ["ask", "2026Q3华东的销售额是多少?"],
            ["draft", "--period", "2026Q3"],
            ["import", str(FIX / "targets.csv"), "-k", "targets"],
        ):
            done = _fupan(workspace, *args)
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 4, done.stderr
            assert lines[0].startswith("error: ") and f"'fupan serve' at {url}" in lines[0], done.stderr
            assert len(lines) == 2 and lines[1].startswith("hint: ") and f"{url}/ask" in lines[1]
            assert "Could not set lock" not in done.stderr and "Traceback" not in done.stderr
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert not (workspace / "server.json").exists()  # the server removed its marker
    after = _fupan(workspace, "import", str(FIX / "targets.csv"), "-k", "targets")
    assert after.returncode == 0, after.stderr
