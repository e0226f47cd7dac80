"""The CLI's contract: every command listed, errors are one line with exit code 2 for bad usage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.commands import COMMANDS

PUBLIC = ["demo", "import", "ingest", "ask", "draft", "lessons", "serve", "eval"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_every_command() -> None:
    out = run("--help")
    assert out.returncode == 0
    for name in PUBLIC:
        assert f"  {name} " in out.stdout, name
    assert len(COMMANDS) >= len(PUBLIC)


@pytest.mark.parametrize("args", [["--bogus"], ["import", "--no-such-option"], ["no-such-command"]])
def test_bad_usage_is_one_line_and_exit_2(args: list[str]) -> None:
    out = run(*args)
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in out.stderr
