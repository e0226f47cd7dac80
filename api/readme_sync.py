"""`python -m api.readme_sync`: rewrite the README's generated blocks, the kernel's (settings) and the CLI's
commands table, which is drawn from the Typer app here so that `fupan/readme_sync.py` need not import the CLI."""

from __future__ import annotations

from collections.abc import Callable

from fupan import readme_sync
from fupan.readme_sync import README, block

__all__ = ["GENERATED", "README", "block", "commands_table", "sync"]


def commands_table() -> str:
    """The README's table of `fupan` commands and their help lines."""
    from api.cli import app

    lines = ["| command | what it does |", "|---|---|"]
    for command in app.registered_commands:
        name = command.name or ""
        lines.append(f"| `fupan {name}` | {(command.help or '').strip()} |")
    return "\n".join(lines)


GENERATED: dict[str, Callable[[], str]] = {**readme_sync.GENERATED, "commands": commands_table}


def sync() -> list[str]:
    """Rewrite every generated block of the README; returns the names that changed."""
    return readme_sync.sync(README, GENERATED)


if __name__ == "__main__":
    import sys

    names = sync()
    sys.stdout.write(f"updated: {', '.join(names) or 'nothing'}\n")
