"""Drafts for the report tests: the deterministic drafter run once per language on the sample company's sales
data (no notes, so the draft carries hypotheses to check and check-first actions as well as figures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.workflows import draft_review
from fupan.report import ReviewDraft
from fupan.settings import load_settings
from knowledge.deps import Deps

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"


@pytest.fixture(scope="session")
def drafts(
    sample_company: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ReviewDraft]]:
    from knowledge.sample_import import import_sample_company

    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("reports-ws")))
    import_sample_company(deps.sales, sample_company)
    try:
        yield {lang: draft_review(deps, "2026Q3", language=lang) for lang in ("zh", "en")}
    finally:
        deps.close()
