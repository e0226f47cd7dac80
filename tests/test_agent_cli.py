"""The analyst's CLI commands: options and their user errors (one line, exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draft", "--period", "2026Q3", "--scope", "region"], "--scope 'region' is not dim=value"),
        (["draft", "--period", "2026Q3", "--scope", "planet=Mars"], "--scope 'planet=Mars' is not dim=value"),
        (["draft", "--period", "2026Q3", "--notes", "no-such-notes.txt"], "notes file not found"),
    ],
)
def test_bad_draft_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    out = run("--workspace", str(tmp_path / "ws"), *args)
    assert out.returncode == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("command", ["ask", "draft", "lessons"])
def test_help_documents_the_options(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0
    assert "--json" in out.stdout
    if command == "draft":
        assert all(opt in out.stdout for opt in ("--period", "--scope", "--notes", "--out"))
