"""The approval workflow through the real ASGI app: state machine, idempotency, versions, ETags, the KB gate."""

from __future__ import annotations

import pytest
from api_world import World, build_world, hand_report

PROBLEM = "application/problem+json"


def _audit(world: World, draft_id: str, action: str) -> list[dict]:
    r = world.client.get("/audit", headers=world.h("admin"), params={"entity_id": draft_id, "action": action})
    assert r.status_code == 200, r.text
    return r.json()


def test_create_runs_the_analyst_and_saves_a_draft(world: World) -> None:
    r = world.client.post(
        "/drafts", headers=world.h("analyst"), json={"period": "2026Q3", "scope": {"region": "华东"}}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["approved_version"] is None
    assert r.headers["ETag"] == f'"{body["revision"]}"'
    assert r.headers["Location"] == f"/drafts/{body['id']}"
    assert body["report"]["period"] == "2026Q3" and body["report"]["scope"] == {"region": "华东"}
    assert body["report"]["goals"], "the analyst's draft has goal-vs-result rows"
    assert [e["action"] for e in _audit(world, body["id"], "draft.create")] == ["draft.create"]


@pytest.mark.parametrize(
    ("start", "action", "who", "status"),
    [
        ("draft", "approve", "approver", 409),  # must be submitted first
        ("draft", "reject", "approver", 409),
        ("pending", "submit", "analyst", 200),  # idempotent
        ("approved", "reject", "approver", 409),
        ("approved", "submit", "analyst", 409),
        ("rejected", "approve", "approver", 409),
        ("rejected", "submit", "analyst", 409),
        ("pending", "approve", "analyst", 403),  # role
        ("pending", "approve", "viewer", 403),
        ("pending", "reject", "analyst", 403),
        ("draft", "submit", "viewer", 403),
    ],
)
def test_transitions(world: World, start: str, action: str, who: str, status: int) -> None:
    draft = world.save("analyst", hand_report(marker=f"{start}-{action}-{who}"), submit=start != "draft")
    if start in ("approved", "rejected"):
        decision = {"approved": "approve", "rejected": "reject"}[start]
        assert world.decide("approver", draft["id"], decision, comment="理由").status_code == 200
    before = world.get("admin", draft["id"]).json()
    r = world.decide(who, draft["id"], action)
    assert r.status_code == status, r.text
    after = world.get("admin", draft["id"]).json()
    if status != 200:
        assert r.headers["content-type"].startswith(PROBLEM)
        assert after["status"] == before["status"] and after["revision"] == before["revision"]


def test_approve_is_idempotent_and_puts_lessons_in_the_kb(world: World) -> None:
    draft = world.save("analyst", hand_report(marker="idem-7731"))
    lesson_eid = f"lesson:{draft['id']}.L1"
    assert world.deps.docs.get(lesson_eid) is None, "nothing enters the KB before approval"
    assert not [m for m in world.search("admin", "idem-7731 竞品降价") if draft["id"] in m["evidence_id"]]

    first = world.decide("approver", draft["id"], "approve", comment="同意")
    second = world.decide("approver", draft["id"], "approve", comment="同意")
    third = world.decide("approver2", draft["id"], "approve")
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert [r.json()["changed"] for r in (first, second, third)] == [True, False, False]
    assert second.json()["draft"]["revision"] == first.json()["draft"]["revision"]
    assert len(_audit(world, draft["id"], "draft.approve")) == 1

    hit = world.deps.docs.get(lesson_eid)
    assert hit is not None and "idem-7731" in hit.text and hit.metadata["region"] == "华东"
    found = [m["evidence_id"] for m in world.search("admin", "idem-7731 竞品降价")]
    assert lesson_eid in found
    lessons = world.client.get("/lessons", headers=world.h("viewer")).json()
    assert f"{draft['id']}.L1" in {lesson["id"] for lesson in lessons}


def test_rejected_drafts_are_kept_and_never_reach_the_kb(world: World) -> None:
    draft = world.save("analyst", hand_report(marker="rej-5512"))
    r = world.decide("approver", draft["id"], "reject", comment="数据不全")
    assert r.status_code == 200 and r.json()["draft"]["status"] == "rejected"
    assert world.decide("approver", draft["id"], "reject").json()["changed"] is False
    got = world.get("viewer", draft["id"]).json()
    assert got["status"] == "rejected" and got["versions"][0]["comment"] == "数据不全"
    revised = world.edit("analyst", draft["id"], got["revision"], summary="补充数据")
    assert revised.status_code == 200  # revise and resubmit: a new pending version, the rejected one kept
    assert [(v["version"], v["status"]) for v in revised.json()["versions"]] == [
        (1, "rejected"),
        (2, "pending"),
    ]
    v1 = world.client.get(f"/drafts/{draft['id']}/versions/1", headers=world.h("viewer")).json()
    assert v1["summary"] == "摘要 rej-5512"
    assert world.deps.docs.get(f"lesson:{draft['id']}.L1") is None
    rejected = world.save("analyst", hand_report(marker="rej-list"))
    refused = world.decide("approver", rejected["id"], "reject", comment="  ")
    assert refused.status_code == 422 and "reason" in refused.json()["detail"]  # the server requires a reason
    assert world.get("viewer", rejected["id"]).json()["status"] == "pending"
    assert world.decide("approver", rejected["id"], "reject", comment="口径不对").status_code == 200
    listed = world.client.get("/drafts", headers=world.h("viewer"), params={"status": "rejected"}).json()
    assert rejected["id"] in {d["id"] for d in listed}


def test_editing_an_approved_report_makes_a_pending_version_and_keeps_the_old_in_force(world: World) -> None:
    draft = world.save("analyst", hand_report(marker="ver-1001"))
    assert world.decide("approver", draft["id"], "approve").status_code == 200
    etag = world.get("analyst", draft["id"]).headers["ETag"]
    new_lesson = {
        "id": "L9",
        "type": "success",
        "content": "转介绍客户成交快 ver-2002",
        "scenario": "老客户推荐",
    }
    r = world.client.patch(
        f"/drafts/{draft['id']}",
        headers=world.h("analyst2", **{"If-Match": etag}),
        json={"summary": "修订 ver-2002", "lessons": [new_lesson]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["version"], body["status"], body["approved_version"]) == (2, "pending", 1)
    assert body["report"]["summary"] == "修订 ver-2002"
    assert body["approved_report"]["summary"] == "摘要 ver-1001"
    assert [v["status"] for v in body["versions"]] == ["approved", "pending"]
    v1 = world.client.get(f"/drafts/{draft['id']}/versions/1", headers=world.h("viewer")).json()
    assert v1["summary"] == "摘要 ver-1001"
    # still version 1 in the KB while version 2 waits
    assert world.deps.docs.get(f"lesson:{draft['id']}.L1") is not None
    assert world.deps.docs.get(f"lesson:{draft['id']}.L9") is None

    assert world.decide("analyst2", draft["id"], "approve").status_code == 403  # analysts never approve
    assert world.decide("approver", draft["id"], "approve").json()["draft"]["approved_version"] == 2
    final = world.get("viewer", draft["id"]).json()
    assert [v["status"] for v in final["versions"]] == ["superseded", "approved"]
    assert world.deps.docs.get(f"lesson:{draft['id']}.L1") is None, "the superseded lesson left the KB"
    assert "ver-2002" in world.deps.docs.get(f"lesson:{draft['id']}.L9").text
    lessons = {x["id"] for x in world.client.get("/lessons", headers=world.h("viewer")).json()}
    assert f"{draft['id']}.L9" in lessons and f"{draft['id']}.L1" not in lessons


def test_version_conflict_gets_409_never_a_silent_overwrite(world: World) -> None:
    draft = world.save("analyst", hand_report(marker="etag"), submit=False)
    rev = world.get("analyst", draft["id"]).json()["revision"]
    first = world.edit("analyst", draft["id"], rev, summary="first writer")
    second = world.edit("analyst2", draft["id"], rev, summary="second writer")
    assert first.status_code == 200 and second.status_code == 409
    assert second.headers["content-type"].startswith(PROBLEM)
    assert "revision" in second.json()["detail"]
    assert world.get("viewer", draft["id"]).json()["report"]["summary"] == "first writer"
    assert world.edit("analyst", draft["id"], None, summary="x").status_code == 428
    bad = world.client.patch(
        f"/drafts/{draft['id']}", headers=world.h("analyst", **{"If-Match": "abc"}), json={"summary": "x"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["column"] == "If-Match"
    stale = world.client.post(
        f"/drafts/{draft['id']}/submit", headers=world.h("analyst", **{"If-Match": f'"{rev}"'})
    )
    assert stale.status_code == 409
    assert world.decide("analyst", draft["id"], "submit").status_code == 200
    wrong = world.decide("approver", draft["id"], "approve", version=7)
    assert wrong.status_code == 409 and "version 7" in wrong.json()["detail"]


def test_edit_validates_report_fields(world: World) -> None:
    draft = world.save("analyst", hand_report(marker="val"), submit=False)
    rev = world.get("analyst", draft["id"]).json()["revision"]
    r = world.edit(
        "analyst", draft["id"], rev, lessons=[{"id": "L1", "type": "maybe", "content": "", "scenario": ""}]
    )
    assert r.status_code == 422
    locs = {tuple(e["loc"][-2:]) for e in r.json()["errors"]}
    assert (0, "type") in locs and (0, "content") in locs
    assert (
        world.edit("analyst", draft["id"], rev, status="approved").status_code == 422
    )  # not an editable field
    assert world.edit("viewer", draft["id"], rev, summary="x").status_code == 403


def test_authors_cannot_approve_their_own_draft(world: World) -> None:
    draft = world.save("approver", hand_report(marker="self"))
    r = world.decide("approver", draft["id"], "approve")
    assert r.status_code == 403 and "author" in r.json()["detail"]
    assert world.decide("approver2", draft["id"], "approve").status_code == 200


def test_self_approval_when_the_deployment_allows_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    for w in build_world(tmp_path_factory.mktemp("selfok"), sales=False, allow_self_approval=True):
        draft = w.save("approver", hand_report(marker="selfok", lessons=0))
        assert w.decide("approver", draft["id"], "approve").json()["changed"] is True


def test_list_filters_and_paging(world: World) -> None:
    ids = [world.save("analyst", hand_report(marker=f"page{i}"))["id"] for i in range(3)]
    pending = world.client.get(
        "/drafts", headers=world.h("viewer"), params={"status": "pending", "limit": 500}
    )
    assert pending.status_code == 200
    assert set(ids) <= {d["id"] for d in pending.json()}
    assert all(d["status"] == "pending" for d in pending.json())
    page = world.client.get("/drafts", headers=world.h("viewer"), params={"limit": 2}).json()
    assert len(page) == 2
    assert world.client.get("/drafts", headers=world.h("viewer"), params={"limit": 0}).status_code == 422
    assert world.client.get("/drafts/rv-nope", headers=world.h("viewer")).status_code == 404


def test_an_interrupted_kb_write_is_indexed_later(world: World) -> None:
    """Approval commits first, then indexes; an approval whose indexing never finished is picked up again."""
    from sqlalchemy import text

    draft = world.save("analyst", hand_report(marker="resync-3141"))
    assert world.decide("approver", draft["id"], "approve").status_code == 200
    world.deps.docs.delete_document(f"{draft['id']}.L1")  # as if the server stopped before indexing
    with world.deps.records._write_engine.begin() as conn:  # noqa: SLF001
        conn.execute(text("UPDATE drafts SET kb_synced_version = NULL WHERE id = :id"), {"id": draft["id"]})
    assert world.deps.docs.get(f"lesson:{draft['id']}.L1") is None
    service = world.client.app.state.service  # type: ignore[attr-defined]
    assert service.sync_knowledge() == 1
    assert "resync-3141" in world.deps.docs.get(f"lesson:{draft['id']}.L1").text
    assert service.sync_knowledge() == 0
