"""Docs are checked: the README's generated tables match the code, and every command and setting is documented."""

from __future__ import annotations

import pytest

from api import readme_sync
from api.cli import app
from fupan.settings import Settings


@pytest.fixture(scope="module")
def readme() -> str:
    return readme_sync.README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(readme_sync.GENERATED))
def test_generated_blocks_are_current(readme: str, name: str) -> None:
    body = readme_sync.block(readme, name)
    assert body is not None, f"README lacks the <!-- {name}:start/end --> block"
    assert body == readme_sync.GENERATED[name]().strip(), (
        f"README block {name!r} is stale: run `.venv/bin/python -m api.readme_sync`"
    )


def test_every_command_is_in_the_readme(readme: str) -> None:
    for command in app.registered_commands:
        assert f"`fupan {command.name}" in readme, command.name


def test_every_setting_is_in_the_readme(readme: str) -> None:
    for name in Settings.model_fields:
        assert f"`FUPAN_{name.upper()}" in readme, name


def test_quick_start_has_exactly_two_commands(readme: str) -> None:
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    code = quick.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in code.splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
