"""A question cannot burn CPU (issue 17, failure 8; OWASP API4 unrestricted resource consumption): questions
are limited to 500 characters at the edges (API 422, CLI exit 2: see test_bad_input.py), and the router's time
is linear in the length (2,000 identical characters took 6.6 s, 4,000 took 22 s: quadratic). Times are CPU
time of this thread, the best of a few runs, so other processes on the machine do not count."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from agent.router import Vocabulary, build_vocabulary, route
from agent.router_periods import Calendar
from fupan.dimensions import DimensionRegistry
from fupan.text_checks import MAX_QUESTION_CHARS

QUARTERS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    dims = {
        "region": ["华东", "华南", "华北"],
        "rep": ["张伟", "李娜", "王强"],
        "product": ["澜图CRM", "澜图BI"],
        "lead_source": ["官网", "展会"],
        "account": ["远航零售", "Acme Retail"],
    }
    v = build_vocabulary(DimensionRegistry(), dims, Calendar.from_quarters(QUARTERS))
    route("三季度华东为什么没完成目标? warm up", v)
    return v


def _words(n: int) -> str:
    rng = random.Random(n)
    out = ""
    while len(out) < n:
        out += "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9))) + " "
    return out[:n]


QUESTIONS: dict[str, Callable[[int], str]] = {
    "identical CJK": lambda n: "华" * n,
    "doubled CJK": lambda n: "赢赢" * (n // 2),
    "identical Latin": lambda n: "a" * n,
    "a real question, repeated": lambda n: (
        "三季度华东为什么没完成目标? Why did East miss its Q3 target? " * n
    )[:n],
    "random Chinese": lambda n: "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(n)),
    "unknown words": _words,
}


def _cpu_seconds(question: str, vocab: Vocabulary, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.thread_time()
        route(question, vocab)
        best = min(best, time.thread_time() - start)
    return best


@pytest.mark.parametrize("shape", list(QUESTIONS))
def test_a_500_character_question_routes_in_under_50_ms(vocab: Vocabulary, shape: str) -> None:
    question = QUESTIONS[shape](MAX_QUESTION_CHARS)
    assert len(question) == 500
    assert _cpu_seconds(question, vocab) < 0.050


@pytest.mark.parametrize("shape", list(QUESTIONS))
def test_routing_time_grows_linearly(vocab: Vocabulary, shape: str) -> None:
    """Four times the length takes well under sixteen times as long (quadratic growth took 16x)."""
    short, long = (_cpu_seconds(QUESTIONS[shape](n), vocab) for n in (500, 2000))
    assert long < 8 * max(short, 0.002), (shape, short, long)
