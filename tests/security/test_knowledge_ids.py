"""Knowledge ids are owned (issue 17, failure 4; OWASP API3 broken object property level authorization): an
analyst's notes upload can never replace an approved review, lesson or action item, and its response never
shows a server path."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_world import World, build_world, hand_report


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("kb-ids"))


@pytest.fixture(scope="module")
def approved(world: World) -> str:
    draft_id = world.save("analyst", hand_report(marker="owned-kb-7731"))["id"]
    assert world.decide("approver", draft_id, "approve").status_code == 200
    return draft_id


def _upload(world: World, rows: list[tuple[str, str]]):
    body = "note_id,date,kind,rep,region,customer,text\n" + "".join(
        f"{note_id},2026-08-01,call_note,张三,华东,客户甲,{text}\n" for note_id, text in rows
    )
    return world.client.post(
        "/data/documents", headers=world.h("analyst"), files={"file": ("notes.csv", body.encode("utf-8"))}
    )


def test_a_note_upload_cannot_replace_approved_knowledge(world: World, approved: str) -> None:
    lesson_id, review_id, action_id = f"{approved}.L1", f"review-{approved}", f"{approved}.A1"
    before = {eid: world.deps.docs.get(eid) for eid in (f"lesson:{lesson_id}", f"note:{review_id}#0")}
    assert all(hit is not None for hit in before.values())
    r = _upload(
        world, [(lesson_id, "恶意覆盖经验"), (review_id, "恶意覆盖复盘"), (action_id, "恶意覆盖行动")]
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert sorted(report["doc_ids"]) == sorted(f"upload-{i}" for i in (lesson_id, review_id, action_id))
    for eid, hit in before.items():
        assert world.deps.docs.get(eid).text == hit.text  # still the approved text
    assert world.deps.docs.get(f"note:{action_id}#0").text.startswith("建立特价审批通道")
    lessons = world.client.get("/lessons", headers=world.h("viewer")).json()
    assert any(x["id"] == lesson_id and "owned-kb-7731" in x["content"] for x in lessons)
    found = world.search("viewer", "面对竞品降价要量化价值 owned-kb-7731")
    assert any(m["evidence_id"] == f"lesson:{lesson_id}" for m in found)
    assert "/tmp" not in r.text and "fupan-upload" not in r.text


def test_a_note_upload_can_update_its_own_notes(world: World) -> None:
    assert _upload(world, [("N-own-1", "第一次写的纪要")]).status_code == 200
    assert _upload(world, [("N-own-1", "改过的纪要")]).json()["documents_added"] == 1
    assert world.deps.docs.get("note:upload-N-own-1#0").text == "改过的纪要"


def test_unapproved_documents_never_replace_approved_ones_by_any_path(
    world: World, approved: str, tmp_path: Path
) -> None:
    """The CLI path (`fupan ingest`, no namespace) is held by the index itself."""
    lesson_id = f"{approved}.L1"
    notes = tmp_path / "notes.csv"
    notes.write_text(f"note_id,text\n{lesson_id},命令行覆盖经验\n", encoding="utf-8")
    report = world.deps.docs.ingest_file(notes, approved=False)
    assert report.documents_rejected == 1 and report.documents_added == 0
    assert "belongs to an approved lesson" in report.issues[0].message
    assert "owned-kb-7731" in world.deps.docs.get(f"lesson:{lesson_id}").text
