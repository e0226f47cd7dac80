"""Keys, roles and team scope: a team key neither sees nor changes other teams' drafts, lessons, action items."""

from __future__ import annotations

import pytest
from api_world import World, hand_report


def test_no_key_bad_key_revoked_key(world: World) -> None:
    assert world.client.get("/drafts").status_code == 401
    r = world.client.get("/drafts", headers={"Authorization": "Bearer fpk_kdeadbeef_nope"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert world.client.get("/drafts", headers={"X-API-Key": "garbage"}).status_code == 401
    assert world.client.get("/drafts", headers={"X-API-Key": world.keys["viewer"]}).status_code == 200
    created = world.deps.records.create_key("viewer", name="temp")
    assert world.client.get("/drafts", headers={"X-API-Key": created.key}).status_code == 200
    world.deps.records.revoke_key(created.id)
    r = world.client.get("/drafts", headers={"X-API-Key": created.key})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    stored = {k.id: k for k in world.deps.records.list_keys()}
    assert stored[created.id].revoked_at is not None
    assert created.key not in repr(stored)  # only the hash is kept


def test_health_needs_no_key(world: World) -> None:
    for path in ("/health", "/version"):
        r = world.client.get(path)
        assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["version"]


@pytest.fixture(scope="module")
def east(world: World) -> dict:
    draft = world.save("east_analyst", hand_report("华东", marker="east-scope-4411"))
    assert world.decide("east_approver", draft["id"], "approve").status_code == 200
    return world.get("admin", draft["id"]).json()


def _same_404(world: World, who: str, method: str, path: str, **kw: object) -> None:
    """A hidden record answers exactly like a missing one (no existence leak)."""
    hidden = world.client.request(method, path, headers=world.h(who), **kw)
    missing_path = path.replace(
        path.split("/")[2], "rv-000000000000.A1" if "action" in path else "rv-000000000000"
    )
    missing = world.client.request(method, missing_path, headers=world.h(who), **kw)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    assert hidden.json()["hint"] == missing.json()["hint"]


def test_other_team_sees_nothing(world: World, east: dict) -> None:
    draft_id = east["id"]
    _same_404(world, "south_viewer", "GET", f"/drafts/{draft_id}")
    _same_404(world, "south_viewer", "GET", f"/drafts/{draft_id}/versions/1")
    assert draft_id not in {
        d["id"] for d in world.client.get("/drafts", headers=world.h("south_viewer")).json()
    }
    assert draft_id in {d["id"] for d in world.client.get("/drafts", headers=world.h("east_analyst")).json()}
    assert draft_id in {d["id"] for d in world.client.get("/drafts", headers=world.h("viewer")).json()}

    lessons = world.client.get("/lessons", headers=world.h("south_viewer")).json()
    assert all(lesson["team"] == "华南" for lesson in lessons)
    assert not [
        m for m in world.search("south_viewer", "east-scope-4411 竞品降价") if draft_id in m["evidence_id"]
    ]
    assert [
        m for m in world.search("east_analyst", "east-scope-4411 竞品降价") if draft_id in m["evidence_id"]
    ]

    items = world.client.get("/action-items", headers=world.h("south_viewer")).json()
    assert all(i["team"] == "华南" for i in items)
    item_id = f"{draft_id}.A1"
    _same_404(world, "south_viewer", "GET", f"/action-items/{item_id}")
    audit = world.client.get("/audit", headers=world.h("south_approver")).json()
    assert all(a["team"] == "华南" for a in audit)


def test_other_team_changes_nothing(world: World, east: dict) -> None:
    draft_id, rev = east["id"], east["revision"]
    r = world.client.patch(
        f"/drafts/{draft_id}",
        headers=world.h("south_approver", **{"If-Match": f'"{rev}"'}),
        json={"summary": "x"},
    )
    assert r.status_code == 404
    for action in ("approve", "reject", "submit"):
        assert world.decide("south_approver", draft_id, action).status_code == 404
    item = f"{draft_id}.A1"
    assert (
        world.client.patch(
            f"/action-items/{item}", headers=world.h("south_approver"), json={"status": "done"}
        ).status_code
        == 404
    )
    assert (
        world.client.post(f"/action-items/{item}/checkpoint", headers=world.h("south_approver")).status_code
        == 404
    )
    assert world.get("admin", draft_id).json()["revision"] == rev


def test_team_keys_stay_in_their_team(world: World) -> None:
    r = world.client.post(
        "/drafts", headers=world.h("east_analyst"), json={"period": "2026Q3", "scope": {"region": "华南"}}
    )
    assert r.status_code == 403 and "华东" in r.json()["detail"]
    r = world.client.post("/drafts", headers=world.h("east_analyst"), json={"period": "2026Q3"})
    assert r.status_code == 201 and r.json()["team"] == "华东"  # a scoped key drafts for its own team
    files = {"file": ("t.csv", "期间,区域,指标,目标值\n2026Q3,华东,销售额,1\n".encode())}
    r = world.client.post(
        "/data/sales", headers=world.h("east_analyst"), files=files, data={"kind": "targets"}
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("viewer", "POST", "/drafts", 403),
        ("viewer", "POST", "/data/sales", 403),
        ("viewer", "POST", "/data/documents", 403),
        ("analyst", "GET", "/audit", 403),
        ("viewer", "GET", "/audit", 403),
        ("approver", "GET", "/audit", 200),
        ("viewer", "GET", "/lessons", 200),
    ],
)
def test_roles(world: World, who: str, method: str, path: str, status: int) -> None:
    kw: dict = {}
    if path == "/drafts":
        kw["json"] = {"period": "2026Q3"}
    elif path.startswith("/data"):
        kw["files"] = {"file": ("x.csv", b"a,b\n1,2\n")}
    r = world.client.request(method, path, headers=world.h(who), **kw)
    assert r.status_code == status, r.text


@pytest.mark.parametrize(
    ("question", "status"),
    [("2026Q3华东的销售额是多少?", 200), ("2026Q3华南的销售额是多少?", 403), ("2026Q3各区域的销售额", 403)],
)
def test_team_keys_ask_only_about_their_team(world: World, question: str, status: int) -> None:
    r = world.client.post("/ask", headers=world.h("east_analyst"), json={"question": question})
    assert r.status_code == status, r.text
    if status == 200:
        assert all("region=华东" in eid for eid in r.json()["evidence"] if eid.startswith("metric:"))
    assert (
        world.client.post("/ask", headers=world.h("analyst"), json={"question": question}).status_code == 200
    )
