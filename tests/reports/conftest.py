"""Drafts for the report tests: the deterministic drafter run once per language on tests/fixtures/sales."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.workflows import draft_review
from fupan.deps import Deps
from fupan.report import ReviewDraft
from fupan.settings import load_settings

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"


@pytest.fixture(scope="session")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ReviewDraft]]:
    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("reports-ws")))
    deps.sales.import_file(FIX / "opportunities_zh.csv", "opportunities")
    deps.sales.import_file(FIX / "targets.csv", "targets")
    try:
        yield {lang: draft_review(deps, "2026Q3", language=lang) for lang in ("zh", "en")}
    finally:
        deps.close()
