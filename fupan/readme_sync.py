"""Keep the README's generated tables in step with the code: `python -m api.readme_sync` rewrites them.

A block lives between `<!-- NAME:start -->` and `<!-- NAME:end -->`; tests/test_docs.py fails when one is stale.
This module holds the machinery and the kernel's own blocks (`GENERATED`); blocks drawn from an outer layer
(the CLI's commands table) are added by `api/readme_sync.py`, so the kernel imports nothing above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _settings_table() -> str:
    from fupan.settings import settings_markdown

    return settings_markdown()


GENERATED: dict[str, Callable[[], str]] = {
    "settings-table": _settings_table,
}


def block(text: str, name: str) -> str | None:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    return m.group(1).strip() if m else None


def sync(readme: Path = README, generated: dict[str, Callable[[], str]] | None = None) -> list[str]:
    """Rewrite every generated block (the kernel's, or those given); returns the names that changed."""
    text = readme.read_text(encoding="utf-8")
    changed = []
    for name, render in (GENERATED if generated is None else generated).items():
        body = render()
        if block(text, name) != body.strip():
            m = re.search(rf"<!-- {name}:start -->\n.*?<!-- {name}:end -->", text, re.S)
            if m:
                text = f"{text[: m.start()]}<!-- {name}:start -->\n{body}\n<!-- {name}:end -->{text[m.end() :]}"
            changed.append(name)
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
    return changed

