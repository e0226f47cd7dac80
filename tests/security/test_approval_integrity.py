"""What the approver read is what is approved (issue 17, failures 2, 3 and 9a; OWASP API1/API5: object- and
function-level authorization). Every edit is a new version; a decision names the version read (428 without,
409 when the draft moved); self-approval counts everyone who changed the content since the last decision;
a figure typed by hand that matches no evidence blocks approval until someone confirms it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from api_world import World, build_world, hand_report

from fupan.evidence import Evidence


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("approval"))


def _pending(world: World, marker: str) -> str:
    return world.save("analyst", hand_report(marker=marker))["id"]


def test_every_edit_is_a_new_version(world: World) -> None:
    draft_id = _pending(world, "versions")
    first = world.get("admin", draft_id).json()
    assert first["version"] == 1
    r = world.edit("analyst", draft_id, first["revision"], summary="第二版摘要")
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["version"] == 2 and second["status"] == "pending"
    statuses = {v["version"]: v["status"] for v in second["versions"]}
    assert statuses == {1: "superseded", 2: "pending"}
    old = world.client.get(f"/drafts/{draft_id}/versions/1", headers=world.h("viewer")).json()
    assert old["summary"] != "第二版摘要"  # the version read is kept as it was


def test_an_approval_of_an_edited_version_is_refused(world: World) -> None:
    draft_id = _pending(world, "stale-approve")
    read = world.get("approver", draft_id).json()  # the approver reads version 1
    world.edit("analyst", draft_id, read["revision"], summary="改过的摘要：竞品降价")
    r = world.decide("approver", draft_id, "approve", version=read["version"])
    assert r.status_code == 409 and "moved" in r.json()["detail"], r.text
    after = world.get("admin", draft_id).json()
    assert after["approved_version"] is None and after["status"] == "pending"
    stale = world.client.post(
        f"/drafts/{draft_id}/approve",
        headers=world.h("approver", **{"If-Match": f'"{read["revision"]}"'}),
        json={},
    )
    assert stale.status_code == 409  # If-Match names the revision read: the same protection


@pytest.mark.parametrize("what", ["approve", "reject"])
def test_a_decision_must_name_the_version(world: World, what: str) -> None:
    draft_id = _pending(world, f"no-version-{what}")
    r = world.client.post(f"/drafts/{draft_id}/{what}", headers=world.h("approver"), json={"comment": "ok"})
    assert r.status_code == 428 and r.headers["content-type"] == "application/problem+json"
    assert world.get("admin", draft_id).json()["status"] == "pending"


def test_racing_edits_never_let_unread_text_be_approved(world: World) -> None:
    """Five rounds of an approver deciding on what it read while an analyst edits: approved content is always
    the content of the version the approver named."""
    for round_ in range(5):
        draft_id = _pending(world, f"race-{round_}")
        read = world.get("approver", draft_id).json()

        with ThreadPoolExecutor(max_workers=2) as pool:  # both in flight at once
            approving = pool.submit(world.decide, "approver", draft_id, "approve", version=read["version"])
            editing = pool.submit(
                world.edit, "analyst", draft_id, read["revision"], summary=f"并发编辑 {round_}"
            )
            decided, edited = approving.result(), editing.result()
        final = world.get("admin", draft_id).json()
        if decided.status_code == 200:
            assert final["approved_version"] == read["version"]
            approved = world.client.get(
                f"/drafts/{draft_id}/versions/{read['version']}", headers=world.h("viewer")
            ).json()
            assert approved["summary"] == read["report"]["summary"]
        else:
            assert decided.status_code == 409 and final["approved_version"] is None
        assert edited.status_code in (200, 409)


def test_self_approval_counts_every_changer_since_the_last_decision(world: World) -> None:
    draft_id = _pending(world, "self-approval")
    d = world.get("admin", draft_id).json()
    d = world.edit("approver", draft_id, d["revision"], summary="审批人自己写的摘要").json()  # approver edits
    d = world.edit("analyst2", draft_id, d["revision"], title="另一位分析师改了标题").json()  # then another
    r = world.decide("approver", draft_id, "approve")
    assert r.status_code == 403 and "changed it" in r.json()["detail"], r.text
    assert world.get("admin", draft_id).json()["approved_version"] is None
    assert world.decide("approver2", draft_id, "approve").status_code == 200  # someone who changed nothing


def test_after_a_decision_earlier_editors_may_approve_a_revision_they_did_not_touch(world: World) -> None:
    draft_id = _pending(world, "after-decision")
    d = world.get("admin", draft_id).json()
    d = world.edit("approver2", draft_id, d["revision"], summary="approver2 的修改").json()
    assert world.decide("approver", draft_id, "reject", comment="再改改").status_code == 200
    d = world.get("admin", draft_id).json()
    world.edit("analyst", draft_id, d["revision"], summary="分析师按意见修改")
    assert world.decide("approver2", draft_id, "approve").status_code == 200


def _report_with_evidence(marker: str):
    report = hand_report(marker=marker)
    report.evidence = {
        "metric:won_revenue:2026Q3:region=华东": Evidence(
            id="metric:won_revenue:2026Q3:region=华东", kind="metric", value=1234567.0, unit="CNY"
        )
    }
    return report


def test_a_hand_typed_figure_blocks_approval_until_confirmed(world: World) -> None:
    draft_id = world.save("analyst", _report_with_evidence("typed"))["id"]
    d = world.get("admin", draft_id).json()
    r = world.edit("analyst", draft_id, d["revision"], summary="华东三季度赢单金额 ¥99,999,999，远超目标。")
    assert r.status_code == 200
    findings = [f for f in r.json()["report"]["findings"] if f["origin"] == "edit"]
    assert [
        (f["value"], f["location"], f["severity"], f["blocking"], f["confirmed_by"]) for f in findings
    ] == [
        ("¥99,999,999", "summary", "warning", True, "")  # a visible warning that blocks approval
    ]
    blocked = world.decide("approver", draft_id, "approve")
    assert blocked.status_code == 409 and "¥99,999,999" in blocked.json()["detail"], blocked.text
    d = world.get("admin", draft_id).json()
    confirmed = world.edit("analyst2", draft_id, d["revision"], confirm_figures=True)
    assert confirmed.status_code == 200
    finding = next(f for f in confirmed.json()["report"]["findings"] if f["origin"] == "edit")
    assert finding["confirmed_by"] == world.key_ids["analyst2"]  # visible on the draft, with who confirmed
    assert world.decide("approver", draft_id, "approve").status_code == 200


def test_a_typed_figure_that_matches_evidence_passes_and_untouched_figures_stay_blocked(world: World) -> None:
    draft_id = world.save("analyst", _report_with_evidence("grounded"))["id"]
    d = world.get("admin", draft_id).json()
    d = world.edit("analyst", draft_id, d["revision"], summary="华东三季度赢单金额 ¥1,234,567。").json()
    assert not [f for f in d["report"]["findings"] if f["origin"] == "edit"]
    lessons = d["report"]["lessons"]
    lessons[0]["content"] = "竞品降价后我们丢了 ¥88,888,888 的单子"
    d = world.edit("analyst", draft_id, d["revision"], lessons=lessons).json()
    d = world.edit(
        "analyst", draft_id, d["revision"], title="只改标题"
    ).json()  # the lesson text is untouched
    open_ = [f for f in d["report"]["findings"] if f["origin"] == "edit" and not f["confirmed_by"]]
    assert [(f["value"], f["location"]) for f in open_ if f["blocking"]] == [
        ("¥88,888,888", "lessons[L1].content")
    ]
    assert world.decide("approver", draft_id, "approve").status_code == 409


def test_only_figures_typed_in_the_edit_block(world: World) -> None:
    report = _report_with_evidence("old-figure")
    report.summary = "写作时留下的数字 ¥77,777,777。"
    draft_id = world.save("analyst", report)["id"]
    d = world.get("admin", draft_id).json()
    d = world.edit("analyst", draft_id, d["revision"], summary=report.summary + "补充一句说明。").json()
    warned = [f for f in d["report"]["findings"] if f["origin"] == "edit"]
    assert [(f["value"], f["blocking"]) for f in warned] == [("¥77,777,777", False)]  # shown, not blocking
    d = world.edit(
        "analyst", draft_id, d["revision"], summary=d["report"]["summary"] + "另有 ¥66,666,666。"
    ).json()
    blocking = [f["value"] for f in d["report"]["findings"] if f["origin"] == "edit" and f["blocking"]]
    assert blocking == ["¥66,666,666"]
    assert world.decide("approver", draft_id, "approve").status_code == 409
