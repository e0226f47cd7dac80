"""The exact-answer question set: versioned file = fresh generation, its shape, the pandas ground truth on a
hand-computed table, and the scorer's tolerance rules."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pandas as pd
import pytest

from evals.question_model import EvalQuestion, answer_matches, score_answers
from evals.questions import QUESTIONS_FILE, ROBUSTNESS_FILE, build_sets, read_jsonl, typo
from evals.truth import SampleTruth


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from evals.sample_company import generate

    folder = tmp_path_factory.mktemp("lantu")
    generate(folder, seed=7)
    return folder


def test_committed_sets_equal_a_fresh_generation(company: Path) -> None:
    questions, variants = build_sets(SampleTruth.load(company), seed=7)
    assert [q.model_dump() for q in questions] == [q.model_dump() for q in read_jsonl(QUESTIONS_FILE)], (
        "evals/sets/questions.jsonl is stale: run python -m evals.questions"
    )
    assert [q.model_dump() for q in variants] == [q.model_dump() for q in read_jsonl(ROBUSTNESS_FILE)]


def test_question_set_covers_shapes_and_languages() -> None:
    questions = read_jsonl(QUESTIONS_FILE)
    assert len(questions) >= 150
    assert len({q.question for q in questions}) == len(questions)
    counts = collections.Counter((q.shape, q.language) for q in questions)
    for shape in ("value", "compare", "trend", "top", "why", "funnel", "breakdown"):
        assert counts[(shape, "zh")] >= 2 and counts[(shape, "en")] >= 2, shape
    for q in questions:
        names = re.findall(r"@([^\[\s]+)\[", q.dabench)
        assert sorted(names) == sorted(q.answers) == sorted(q.tolerance), q.id
        words = re.findall(r"[A-Za-z]{3,}", q.question)
        if q.language == "zh":
            assert re.search(r"[\u4e00-\u9fff]", q.question) and not re.search(
                r"\b(?:what|which|how|in)\b", q.question, re.I
            ), q.question
        else:
            assert len(words) >= 2, q.question


def test_robustness_variants_keep_the_answers() -> None:
    bases = {q.id: q for q in read_jsonl(QUESTIONS_FILE)}
    variants = read_jsonl(ROBUSTNESS_FILE)
    assert {v.variant for v in variants} == {"paraphrase", "other_language", "typo"}
    for v in variants:
        base = bases[v.group]
        assert v.answers == base.answers and v.question != base.question
        assert (v.language != base.language) == (v.variant == "other_language")


def test_typo_changes_one_word_or_character() -> None:
    import random

    en = typo("What was East's revenue in Q3 2026?", random.Random(1))
    assert en != "What was East's revenue in Q3 2026?" and len(en) == len(
        "What was East's revenue in Q3 2026?"
    )
    zh = typo("华东三季度销售额是多少?", random.Random(1))
    assert len(zh) == len("华东三季度销售额是多少?") + 1 and zh.endswith("？")


def _tiny(tmp_path: Path) -> SampleTruth:
    """Five deals, hand-computable: East wins 100 and 300 and loses one in 2026Q3; South wins 50 in 2026Q2."""
    rows = [
        # id, customer, rep, region, product, stage, amount, created, engaged, closed
        ("O1", "甲", "张伟", "华东", "A", "赢单", 100.0, "2026-05-01", "2026-05-11", "2026-07-10"),
        ("O2", "乙", "张伟", "华东", "B", "赢单", 300.0, "2026-06-01", None, "2026-08-01"),
        ("O3", "丙", "王芳", "华东", "A", "输单", 80.0, "2026-07-01", None, "2026-09-01"),
        ("O4", "甲", "周航", "华南", "A", "赢单", 50.0, "2026-04-01", None, "2026-05-01"),
        ("O5", "丁", "周航", "华南", "B", "线索", 70.0, "2026-07-05", None, None),
    ]
    cols = [
        "商机编号",
        "客户名称",
        "负责人",
        "区域",
        "产品",
        "阶段",
        "金额",
        "创建日期",
        "首次跟进日期",
        "结单日期",
    ]
    opps = pd.DataFrame(rows, columns=cols)
    for col in ("创建日期", "首次跟进日期", "结单日期"):
        opps[col] = pd.to_datetime(opps[col])
    targets = pd.DataFrame(
        [("2026Q3", "华东", "销售额", 500.0), ("2026Q3", "华南", "销售额", 100.0)],
        columns=["期间", "区域", "指标", "目标值"],
    )
    return SampleTruth(opps=opps, targets=targets)


@pytest.mark.parametrize(
    ("metric", "filters", "want"),
    [
        ("won_revenue", {}, 400.0),
        ("won_deals", {"region": "华东"}, 2.0),
        ("lost_deals", {}, 1.0),
        ("win_rate", {}, 2 / 3),
        ("avg_deal_size", {}, 200.0),
        ("target", {}, 600.0),
        ("achievement_rate", {"region": "华东"}, 0.8),
        ("gap", {}, -200.0),
        ("gap", {"region": "华南"}, -100.0),
        (
            "sales_cycle_median",
            {},
            (60 + 61) / 2,
        ),  # O1 from engagement 05-11 → 07-10 = 60; O2 06-01 → 08-01 = 61
        ("new_customers", {}, 1.0),  # 甲 first won in 2026Q2, so only 乙 is new in Q3
        ("conversion_lead_to_opportunity", {}, 0.5),  # created in Q3: O3 (lost) and O5 (lead)
        ("conversion_opportunity_to_order", {}, 0.0),
        ("won_revenue", {"product": "A"}, 100.0),
    ],
)
def test_truth_on_a_hand_computed_table(
    tmp_path: Path, metric: str, filters: dict[str, str], want: float
) -> None:
    assert _tiny(tmp_path).value(metric, "2026Q3", filters) == pytest.approx(want)


def test_truth_is_none_when_undefined(tmp_path: Path) -> None:
    truth = _tiny(tmp_path)
    assert truth.value("win_rate", "2026Q3", {"region": "华南"}) is None
    assert truth.value("target", "2026Q3", {"rep": "张伟"}) is None
    assert truth.by("won_revenue", "2026Q3", "rep") == {"周航": 0.0, "张伟": 400.0, "王芳": 0.0}


def _q(answers: dict[str, float | str], tolerance: dict[str, float]) -> EvalQuestion:
    return EvalQuestion(
        id="Q", question="q", language="en", shape="value", metric="m", period="2026Q3",
        answers=answers, tolerance=tolerance, dabench="", group="Q",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("expected", "got", "tolerance", "ok"),
    [
        (0.4123, "0.4123", 0.0001, True),
        (0.41234, "0.4124", 0.0001, True),
        (0.4123, "0.4125", 0.0001, False),
        (12.0, "12", 0.0, True),
        (12.0, "13", 0.0, False),
        (100.005, "100.0", 0.01, True),
        ("华东", "华东", 0.0, True),
        ("华东", "East", 0.0, False),
        (1.0, "", 0.0, False),
        (1.0, None, 0.0, False),
        (1.0, "n/a", 0.0, False),
    ],
)
def test_answer_tolerance(expected: float | str, got: str | None, tolerance: float, ok: bool) -> None:
    assert answer_matches(expected, got, tolerance) is ok


def test_a_question_is_right_only_when_every_answer_is_and_it_was_answered() -> None:
    q = _q({"current": 0.5, "base": 0.4}, {"current": 0.0001, "base": 0.0001})
    assert score_answers(q, "answered", {"current": "0.5", "base": "0.4"}).correct
    wrong = score_answers(q, "answered", {"current": "0.5", "base": "0.3"})
    assert not wrong.correct and wrong.wrong == ["base"]
    assert not score_answers(q, "clarify", {"current": "0.5", "base": "0.4"}).correct
