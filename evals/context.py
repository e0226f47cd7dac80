"""What the suites share: the generated sample company, a workspace with its sales data and documents, and
the drafts they score (made once, on demand)."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fupan.report import ReviewDraft
from fupan.settings import Settings
from knowledge.deps import Deps

LATEST = "2026Q3"


@dataclass
class EvalContext:
    """The sample company in `folder`, loaded into `deps` (sales in DuckDB, notes/reviews/lessons indexed)."""

    folder: Path
    deps: Deps
    writer: str = "deterministic"
    _drafts: dict[str, ReviewDraft] = field(default_factory=dict)
    _tmp: Path | None = None

    @classmethod
    def build(cls, settings: Settings, *, seed: int = 7, folder: Path | None = None) -> EvalContext:
        """Generate the company (unless `folder` holds one) and load it into the settings' workspace."""
        from evals.sample_company import generate
        from knowledge.sample_import import import_sample_company

        tmp = None
        if folder is None:
            tmp = Path(tempfile.mkdtemp(prefix="fupan-eval-"))
            folder = tmp / "company"
            generate(folder, seed=seed)
        deps = Deps(settings=settings)
        import_sample_company(deps.sales, folder)
        ctx = cls(folder=folder, deps=deps, _tmp=tmp)
        ctx.ingest_documents()
        return ctx

    def ingest_documents(self) -> None:
        """Notes as they come; past reviews and lessons as approved knowledge (they were approved before)."""
        docs = self.deps.docs
        docs.ingest_file(self.folder / "notes.csv")
        for review in sorted((self.folder / "reviews").glob("*.md")):
            docs.ingest_file(review, kind="review", approved=True)
        docs.ingest_file(self.folder / "lessons.jsonl", approved=True)

    @property
    def planted(self) -> dict[str, Any]:
        return json.loads((self.folder / "planted_effects.json").read_text(encoding="utf-8"))

    def notes_with_topic(self, topic: str) -> list[dict[str, str]]:
        import csv

        with (self.folder / "notes.csv").open(encoding="utf-8") as f:
            return [row for row in csv.DictReader(f) if row["topic"] == topic]

    def draft(self, period: str = LATEST, language: str = "zh", **kwargs: Any) -> ReviewDraft:
        """The review draft for a period (cached per period, language and options)."""
        from agent.workflows import draft_review

        key = json.dumps([period, language, kwargs], sort_keys=True, ensure_ascii=False)
        if key not in self._drafts:
            self._drafts[key] = draft_review(self.deps, period, language=language, **kwargs)
        return self._drafts[key]

    def forget_drafts(self) -> None:
        self._drafts.clear()

    def close(self) -> None:
        self.deps.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
