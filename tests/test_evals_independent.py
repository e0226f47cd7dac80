"""The independent set's grader puts each answer in exactly one of four classes, and the set is intact."""

from __future__ import annotations

import json

import pytest

from evals.independent import Case, grade, load_cases, summary
from fupan.answers import Answer
from fupan.query import MetricQuery, Reading


def _case(expect: dict[str, object], category: str = "value") -> Case:
    return Case(id="t-1", dataset="superstore", lang="en", question="q", category=category, expect=expect)


def _answer(status: str = "answered", **named: str) -> Answer:
    return Answer(question="q", language="en", text="t", status=status, answers=named)  # type: ignore[arg-type]


VALUE = {"type": "value", "value": 0.4123, "unit": "ratio", "tol": 0.0005}
RANKING = {"type": "ranking", "order": "desc", "unit": "money", "tol": 0.01,
           "items": [{"name": "West", "value": 250128.0}, {"name": "East", "value": 213083.0}]}  # fmt: skip


def _never(_: object) -> Answer | None:
    raise AssertionError("no rerun expected")


@pytest.mark.parametrize(
    ("expect", "answer", "verdict"),
    [
        (VALUE, _answer(value="0.4125"), "correct"),
        (VALUE, _answer(value="0.4200"), "wrong"),
        (VALUE, _answer("unanswerable"), "refused"),
        ({"type": "refuse", "reason": "no profit"}, _answer("unanswerable"), "correct"),
        ({"type": "refuse", "reason": "no profit"}, _answer(value="12"), "wrong"),
        ({"type": "refuse", "reason": "near miss"}, _answer("clarify"), "clarified"),
        (RANKING, _answer(items=json.dumps([["West", "250128"], ["East", "213083.004"]])), "correct"),
        (RANKING, _answer(items=json.dumps([["East", "213083"], ["West", "250128"]])), "wrong"),
        (RANKING, _answer(items=json.dumps([["West", "250128"]])), "wrong"),
        ({"type": "change", "unit": "money", "tol": 0.01, "current": 5.0, "base": 3.0, "change": 2.0},
         _answer(current="5", base="3", change="2"), "correct"),  # fmt: skip
        ({"type": "decompose", "unit": "money", "tol": 0.01, "total_change": 10.0, "parts": {"deals": 6.0, "size": 4.0}},
         _answer(**{"total_change": "10", "part:won_deals": "6", "part:avg_deal_size": "4"}), "correct"),  # fmt: skip
        ({"type": "clarify", "readings": ["a", "b"], "any_of": [VALUE]}, _answer("clarify"), "correct"),
        ({"type": "clarify", "readings": ["a", "b"], "any_of": [VALUE]}, _answer(value="0.4123"), "correct"),
        ({"type": "clarify", "readings": ["a", "b"], "any_of": [VALUE]}, _answer(value="0.9"), "wrong"),
    ],
)
def test_each_answer_gets_one_class(expect: dict[str, object], answer: Answer, verdict: str) -> None:
    assert grade(_case(expect), answer, "", _never).verdict == verdict


def test_a_clarification_is_credited_only_when_an_offered_reading_computes_the_answer() -> None:
    q1 = MetricQuery(metrics=["won_revenue"], periods=["2019"])
    q2 = MetricQuery(metrics=["win_rate"], periods=["2019"])
    asked = Answer(question="q", language="en", text="t", status="clarify",
                   readings=[Reading(query=q1), Reading(query=q2)])  # fmt: skip
    right = {q1.metric: _answer(value="1"), q2.metric: _answer(value="0.4123")}
    assert grade(_case(VALUE), asked, "", lambda q: right[q.metric]).verdict == "clarified"
    wrong = {q1.metric: _answer(value="1"), q2.metric: _answer(value="0.5")}
    assert grade(_case(VALUE), asked, "", lambda q: wrong[q.metric]).verdict == "refused"


def test_a_crash_is_wrong() -> None:
    assert grade(_case(VALUE), None, "KeyError: x", _never).verdict == "wrong"


def test_the_set_has_both_languages_three_data_sets_and_a_holdout() -> None:
    cases = load_cases("all")
    assert len(cases) >= 250
    langs = {c.lang for c in cases}
    assert langs == {"zh", "en"} and {c.dataset for c in cases} == {"sample_company", "superstore", "sample_sales_orders"}
    assert 0.25 < sum(c.split == "holdout" for c in cases) / len(cases) < 0.4
    rows = summary([grade(c, _answer("unanswerable"), "", _never) for c in cases[:20]])
    assert abs(sum(rows["all"][v] for v in ("correct", "clarified", "refused", "wrong")) - 1.0) < 1e-6
