"""50 parallel clients against a real uvicorn on 127.0.0.1, approving and editing the same and different drafts:
no lost update, no duplicate approval, and the audit rows account for the final state of every draft."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from api_world import World, build_world, hand_report

from api.app import create_app

CHANGES = {"draft.submit", "draft.edit", "draft.approve", "draft.reject"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    for world in build_world(tmp_path_factory.mktemp("conc"), sales=False):
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(world.deps), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield world, f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=30)


def _approve(base: str, key: str, draft_id: str) -> dict[str, Any]:
    """An approver reads the draft, then approves the version read."""
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"}) as c:
        read = c.get(f"/drafts/{draft_id}").json()["version"]
        r = c.post(f"/drafts/{draft_id}/approve", json={"comment": "ok", "version": read})
        return {"kind": "approve", "draft": draft_id, "status": r.status_code, "body": r.json(), "read": read}


def _append(base: str, key: str, draft_id: str, token: str) -> dict[str, Any]:
    """Read-modify-write with If-Match, retrying on 409 until the token is in."""
    rng = random.Random(token)
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"}) as c:
        for attempt in range(200):
            got = c.get(f"/drafts/{draft_id}")
            summary = got.json()["report"]["summary"]
            r = c.patch(
                f"/drafts/{draft_id}",
                headers={"If-Match": got.headers["ETag"]},
                json={"summary": f"{summary} {token}"},
            )
            if r.status_code == 200:
                return {
                    "kind": "append",
                    "draft": draft_id,
                    "status": 200,
                    "body": r.json(),
                    "tries": attempt + 1,
                }
            assert r.status_code == 409, r.text
            time.sleep(rng.uniform(0, 0.02))
    return {"kind": "append", "draft": draft_id, "status": 409, "body": {}}


def _edit_once(base: str, key: str, draft_id: str, token: str) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"}) as c:
        got = c.get(f"/drafts/{draft_id}")
        r = c.patch(
            f"/drafts/{draft_id}",
            headers={"If-Match": got.headers["ETag"]},
            json={"summary": f"edit {token}"},
        )
        return {"kind": "edit", "draft": draft_id, "status": r.status_code, "body": r.json(), "token": token}


def _audit(world: World, draft_id: str) -> list[dict[str, Any]]:
    r = world.client.get("/audit", headers=world.h("admin"), params={"entity_id": draft_id, "limit": 500})
    return r.json()


def test_fifty_clients_same_and_different_drafts(served: tuple[World, str]) -> None:
    world, base = served
    shared_approve = world.save("analyst", hand_report(marker="conc-shared"))["id"]
    shared_edit = world.save("analyst", hand_report(marker="conc-edit", lessons=0), submit=False)["id"]
    others = [world.save("analyst", hand_report(marker=f"conc-{i}", lessons=0))["id"] for i in range(10)]

    jobs: list[tuple[Any, ...]] = []
    for i in range(15):
        jobs.append((_approve, base, world.keys["approver" if i % 2 else "approver2"], shared_approve))
    tokens = [f"t{i:02d}" for i in range(15)]
    for i, token in enumerate(tokens):
        jobs.append((_append, base, world.keys["analyst" if i % 2 else "analyst2"], shared_edit, token))
    for i, draft_id in enumerate(others):
        jobs.append((_approve, base, world.keys["approver"], draft_id))
        jobs.append((_edit_once, base, world.keys["analyst2"], draft_id, f"o{i}"))
    assert len(jobs) == 50
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda job: job[0](*job[1:]), jobs))

    assert all(r["status"] in (200, 409) for r in results), [
        r for r in results if r["status"] not in (200, 409)
    ]

    # one draft, 15 approvers: all answered 200, exactly one approval
    shared = [r for r in results if r["draft"] == shared_approve]
    assert [r["status"] for r in shared] == [200] * 15
    assert sum(r["body"]["changed"] for r in shared) == 1
    assert [a["action"] for a in _audit(world, shared_approve)].count("draft.approve") == 1

    # one draft, 15 writers appending: every token survives, one audited edit each
    final = world.get("admin", shared_edit).json()
    assert all(r["status"] == 200 for r in results if r["draft"] == shared_edit)
    assert sorted(final["report"]["summary"].split()[2:]) == tokens, final["report"]["summary"]
    assert [a["action"] for a in _audit(world, shared_edit)].count("draft.edit") == 15

    # different drafts, an approver and an editor racing on each: what the approver read is what is approved
    for draft_id in others:
        mine = {r["kind"]: r for r in results if r["draft"] == draft_id}
        draft = world.get("admin", draft_id).json()
        audit = _audit(world, draft_id)
        actions = Counter(a["action"] for a in audit)
        if mine["approve"]["status"] == 409:  # the edit moved the draft between the approver's read and decision
            assert mine["edit"]["status"] == 200 and actions["draft.approve"] == 0
            assert draft["approved_version"] is None and draft["version"] > mine["approve"]["read"]
            continue
        assert mine["approve"]["body"]["changed"] is True and actions["draft.approve"] == 1
        assert draft["approved_version"] == mine["approve"]["read"]
        assert actions["draft.edit"] == (1 if mine["edit"]["status"] == 200 else 0)
        approved = next(v for v in draft["versions"] if v["version"] == draft["approved_version"])
        approve_row = next(a for a in audit if a["action"] == "draft.approve")
        assert approve_row["after_hash"] == approved["content_hash"]
        if mine["edit"]["status"] == 200:  # the edit landed before the approval, or made version 2 after it
            texts = [draft["report"]["summary"], (draft.get("approved_report") or {}).get("summary")]
            assert f"edit {mine['edit']['token']}" in texts

    # audit rows account for every revision of every draft (no change without its row, none lost)
    for draft_id in [shared_approve, shared_edit, *others]:
        draft = world.get("admin", draft_id).json()
        changes = [a for a in _audit(world, draft_id) if a["action"] in CHANGES]
        assert draft["revision"] == 1 + len(changes), draft_id
        edited = {a["version"] for a in changes if a["action"] == "draft.edit"}
        assert [v["version"] for v in draft["versions"]] == sorted({1} | edited), draft_id

    lesson = world.deps.docs.get(f"lesson:{shared_approve}.L1")
    assert lesson is not None and "conc-shared" in lesson.text
