"""The README's metric table is generated from the registry; this fails when they drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from agent.metrics import REGISTRY, registry_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_metric_table_matches_registry() -> None:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"<!-- metrics-table:start -->\n(.*?)<!-- metrics-table:end -->", text, re.S)
    assert m, "README lacks the metrics-table block"
    assert m.group(1).strip() == registry_markdown().strip(), "regenerate with agent.metrics.registry_markdown()"


def test_every_metric_has_both_languages() -> None:
    for d in REGISTRY.values():
        assert d.name_zh and d.name_en and d.definition_zh and d.definition_en, d.id
        assert re.search(r"[\u4e00-\u9fff]", d.name_zh + d.definition_zh), d.id
