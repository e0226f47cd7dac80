"""The independent call set (evals/sets/retrieval_calls) as the retrieval_calls suite reads it: every query has
its relevant calls, base rates are the outcome shares of the shared calls, and precision@10 counts distinct
calls over a denominator of 10. (The suite itself embeds the 101 calls: `fupan eval --suite retrieval_calls`.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evals.retrieval_calls import load_own, load_set, precision_at_10, summary


def test_the_set_matches_the_shared_calls(shared_datasets: Path) -> None:
    queries = load_set()
    assert len(queries) == 71 and {q.split for q in queries} == {"dev", "holdout"}
    with (shared_datasets / "insurance_sales_calls" / "conversations.csv").open(encoding="utf-8") as f:
        outcome = {r["conversation_id"]: r["outcome"] for r in csv.DictReader(f)}
    assert len(outcome) == 101
    for q in queries:
        assert q.relevant and q.relevant <= set(outcome), q.id
        labels = {outcome[c] for c in q.relevant}
        share = sum(o in labels for o in outcome.values()) / len(outcome)
        if q.kind != "filter":  # relevance is the outcome label alone: every call with it
            assert q.relevant == {c for c, o in outcome.items() if o in labels}, q.id
            assert q.base_rate == pytest.approx(share, abs=1e-4), q.id


def test_our_own_paraphrases_are_labelled_from_the_calls(shared_datasets: Path) -> None:
    """Fupan's own paraphrase set: relevance is every call whose outcome the query names, read from
    conversations.csv; each group of needs is asked in English and Chinese; the file is what the build
    script writes (no hand edits)."""
    import json
    import subprocess
    import sys

    folder = shared_datasets / "insurance_sales_calls"
    queries = load_own(folder)
    assert len(queries) >= 60 and {q.split for q in queries} == {"own", "fresh"}
    with (folder / "conversations.csv").open(encoding="utf-8") as f:
        outcome = {r["conversation_id"]: r["outcome"] for r in csv.DictReader(f)}
    groups: dict[str, set[str]] = {}
    for q in queries:
        labels = {outcome[c] for c in q.relevant}
        assert q.relevant == {c for c, o in outcome.items() if o in labels}, q.id
        assert q.base_rate == pytest.approx(len(q.relevant) / len(outcome), abs=1e-4), q.id
        groups.setdefault(q.paraphrase_group, set()).add(q.lang)
    assert all(langs == {"en", "zh"} for langs in groups.values()), groups
    script = Path("evals/sets/retrieval_calls/own_paraphrases.py")
    import os

    built = subprocess.run(
        [sys.executable, str(script), "--print"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FUPAN_SHARED": str(shared_datasets.parent)},
    ).stdout
    stored = (script.parent / "own_queries.jsonl").read_text(encoding="utf-8")
    assert [json.loads(x) for x in built.splitlines()] == [json.loads(x) for x in stored.splitlines()]


def test_precision_counts_distinct_calls_out_of_ten() -> None:
    relevant = {"a", "b", "c"}
    assert precision_at_10(["a", "a", "x", "b"], relevant) == pytest.approx(0.2)  # a once; 2 of 10 slots
    assert precision_at_10([*"abc", *"defghijk"], relevant) == pytest.approx(0.3)
    assert precision_at_10(["x", "y", "z", "w", "v", "u", "t", "s", "r", "q", "a"], relevant) == 0.0


def test_summary_by_split_and_the_twice_the_base_rate_count() -> None:
    rows = [
        {"split": "dev", "lang": "en", "kind": "k", "p@10": 0.6, "base_rate": 0.3, "beats_2x": True, "beats_2x_or_ideal": True},
        {"split": "holdout", "lang": "zh", "kind": "k", "p@10": 0.2, "base_rate": 0.2, "beats_2x": False, "beats_2x_or_ideal": False},
    ]  # fmt: skip
    parts = summary(rows)
    assert parts["all"] == {
        "p@10": 0.4,
        "base_rate": 0.25,
        "beats_2x": 0.5,
        "beats_2x_or_ideal": 0.5,
        "queries": 2,
    }
    assert parts["split=holdout"]["p@10"] == 0.2 and parts["lang=en"]["queries"] == 1


def test_another_set_in_the_same_format_is_labelled_from_the_calls(tmp_path: Path) -> None:
    """`--set FILE`: a query file outside the repository, relevant calls read from the calls' outcomes."""
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "conversations.csv").write_text(
        "conversation_id,outcome,duration_seconds\nc1,buy,1\nc2,customer not interested,2\nc3,buy,3\n",
        encoding="utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"id": "x-1", "query": "won", "lang": "en", "split": "dev", "kind": "outcome_words", '
        '"paraphrase_group": "g", "relevant_outcomes": ["buy"], "base_rate": 0.6667}\n'
        '{"id": "x-2", "query": "没兴趣", "lang": "zh", "split": "holdout", "kind": "situation", '
        '"paraphrase_group": "h", "relevant_outcomes": ["customer not interested"], "base_rate": 0.3333}\n',
        encoding="utf-8",
    )
    loaded = load_own(calls, queries)
    assert [(q.id, q.split, q.relevant) for q in loaded] == [
        ("x-1", "dev", {"c1", "c3"}),
        ("x-2", "holdout", {"c2"}),
    ]
