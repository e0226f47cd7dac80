"""Paraphrases and near misses of the independent set's dev questions, on the three data sets as a user imports
them (evals/sets/paraphrases/cases.jsonl, evals/paraphrases.py): a new phrasing gets the dev question's
expected answer; a column, period, name or exclusion the data cannot answer is asked back or refused, never
answered as another question; growth without a base, bottom-N, months, halves and YoY are read as typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from evals.paraphrases import Paraphrase, check, dev_cases, load
from fupan.settings import Settings
from knowledge.deps import Deps

CASES = load()


@pytest.fixture(scope="module")
def workspaces(shared_datasets: Path) -> Iterator[dict[str, Deps]]:
    """One workspace per data set, opened when a case first needs it."""
    from evals.independent import workspace

    opened: dict[str, Deps] = {}
    with ExitStack() as stack:

        class Lazy(dict[str, Deps]):
            def __missing__(self, dataset: str) -> Deps:
                self[dataset] = stack.enter_context(workspace(dataset, Settings()))
                return self[dataset]

        yield Lazy(opened)


def test_the_set_covers_three_data_sets_and_both_languages() -> None:
    import re

    assert {c.dataset for c in CASES} == {"sample_company", "superstore", "sample_sales_orders"}
    zh = [c for c in CASES if re.search(r"[\u4e00-\u9fff]", c.question)]
    assert 0.3 < len(zh) / len(CASES) < 0.7
    dev = dev_cases()
    assert all(c.same_as in dev for c in CASES if c.same_as)
    assert all(bool(c.same_as) + bool(c.status) + bool(c.reading) == 1 for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_paraphrase(workspaces: dict[str, Deps], case: Paraphrase) -> None:
    problem = check(workspaces[case.dataset], case, dev_cases())
    assert problem == "", f"{case.question}: {problem}"
