"""Keep the README's generated tables in step with the code: `python -m fupan.readme_sync` rewrites them.

A block lives between `<!-- NAME:start -->` and `<!-- NAME:end -->`; tests/test_docs.py fails when one is stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _settings_table() -> str:
    from fupan.settings import settings_markdown

    return settings_markdown()


def _commands_table() -> str:
    from api.cli import app

    lines = ["| command | what it does |", "|---|---|"]
    for command in app.registered_commands:
        name = command.name or ""
        lines.append(f"| `fupan {name}` | {(command.help or '').strip()} |")
    return "\n".join(lines)


GENERATED: dict[str, Callable[[], str]] = {
    "settings-table": _settings_table,
    "commands": _commands_table,
}


def block(text: str, name: str) -> str | None:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    return m.group(1).strip() if m else None


def sync(readme: Path = README) -> list[str]:
    """Rewrite every generated block; returns the names that changed."""
    text = readme.read_text(encoding="utf-8")
    changed = []
    for name, render in GENERATED.items():
        body = render()
        if block(text, name) != body.strip():
            text = re.sub(
                rf"<!-- {name}:start -->\n.*?<!-- {name}:end -->",
                lambda _m, n=name, b=body: f"<!-- {n}:start -->\n{b}\n<!-- {n}:end -->",
                text,
                flags=re.S,
            )
            changed.append(name)
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
    return changed


if __name__ == "__main__":
    import sys

    names = sync()
    sys.stdout.write(f"updated: {', '.join(names) or 'nothing'}\n")
