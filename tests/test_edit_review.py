"""Editing keeps the report true: figures follow their field, past deadlines are refused, edited text is
grounding-checked (agent/edit_review.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.edit_review import EDIT_MESSAGE, review_edit
from fupan.errors import InputError
from fupan.evidence import Evidence
from fupan.report import ActionItem, ReviewDraft

TODAY = dt.date(2026, 12, 2)


def _report(**action: object) -> ReviewDraft:
    item = {
        "id": "A1",
        "action": "【华东】竞品对比材料。目标：2026Q4 将赢单率从 28.4% 改善到 36.1%。",
        "owner": "王芳",
        "deadline": dt.date(2026, 12, 31),
        "metric": "win_rate",
        "baseline": 0.284,
        "target": 0.361,
        "checkpoint": "每月检查赢单率是否达到 36.1%",
        "evidence": ["metric:win_rate:2026Q3:region=华东"],
    } | action
    evidence = {
        "metric:win_rate:2026Q3:region=华东": Evidence(
            id="metric:win_rate:2026Q3:region=华东", kind="metric", label="赢单率", value=0.284, unit="ratio"
        ),
        "metric:won_revenue:2026Q3": Evidence(
            id="metric:won_revenue:2026Q3", kind="metric", label="赢单金额", value=3197100.0, unit="CNY"
        ),
    }
    return ReviewDraft(
        period="2026Q3",
        title="华东 2026Q3 复盘",
        summary="全公司销售额 319.7万。",
        actions=[ActionItem(**item)],  # type: ignore[arg-type]
        evidence=evidence,
    )


def test_a_changed_target_rewrites_the_sentences_that_state_it() -> None:
    before = _report()
    after = before.model_copy(update={"actions": [before.actions[0].model_copy(update={"target": 0.35})]})
    report, findings = review_edit(before, after, today=TODAY)
    item = report.actions[0]
    assert item.action.endswith("将赢单率从 28.4% 改善到 35%。") and "36.1%" not in item.action
    assert item.checkpoint == "每月检查赢单率是否达到 35%"
    assert findings == []


def test_a_sentence_the_person_rewrote_is_kept_and_its_stray_figure_flagged() -> None:
    before = _report()
    edited = before.actions[0].model_copy(update={"target": 0.35, "action": "把赢单率提升到 40%。"})
    report, findings = review_edit(before, before.model_copy(update={"actions": [edited]}), today=TODAY)
    assert report.actions[0].action == "把赢单率提升到 40%。"
    assert [(f.location, f.value, f.severity, f.message) for f in findings] == [
        ("actions[A1].action", "40%", "warning", EDIT_MESSAGE)
    ]


def test_a_deadline_moved_into_the_past_is_refused_and_an_old_one_left_alone() -> None:
    before = _report()
    past = before.actions[0].model_copy(update={"deadline": dt.date(2020, 1, 31)})
    with pytest.raises(InputError) as err:
        review_edit(before, before.model_copy(update={"actions": [past]}), today=TODAY)
    assert "A1" in err.value.message and "2020-01-31" in err.value.message
    old = _report(deadline=dt.date(2026, 10, 1))
    renamed = old.actions[0].model_copy(update={"owner": "李雷"})
    report, _ = review_edit(old, old.model_copy(update={"actions": [renamed]}), today=TODAY)
    assert report.actions[0].deadline == dt.date(2026, 10, 1)


def test_an_edited_summary_is_grounding_checked_and_an_earlier_warning_cleared() -> None:
    before = _report()
    bad, findings = review_edit(before, before.model_copy(update={"summary": "销售额 999.9万。"}), today=TODAY)
    assert [(f.location, f.value) for f in findings] == [("summary", "999.9万")]
    good, findings = review_edit(bad, bad.model_copy(update={"summary": "销售额 319.7万。"}), today=TODAY)
    assert findings == [] and good.findings == []
