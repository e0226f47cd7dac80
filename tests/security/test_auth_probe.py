"""Authentication and object-level authorization over every route (OWASP API1, API2, API5): the probe found
these holding; this keeps them holding for routes added later. Every API route but health/version answers 401
without a key; a viewer can change nothing; another team's draft answers exactly like a missing one."""

from __future__ import annotations

import pytest
from api_world import World, build_world, hand_report

PUBLIC = {"/health", "/version"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("auth-probe"), sales=False)


def _routes(world: World) -> list[tuple[str, str]]:
    """Every documented operation (the OpenAPI schema lists what the app serves)."""
    paths = world.client.app.openapi()["paths"]
    return [(m.upper(), p) for p, ops in paths.items() if p not in PUBLIC for m in ops]


def _concrete(path: str) -> str:
    return (
        path.replace("{draft_id}", "rv-000000000000")
        .replace("{item_id}", "rv-0.A1")
        .replace("{version}", "1")
    )


def test_every_route_needs_a_key(world: World) -> None:
    routes = _routes(world)
    assert len(routes) >= 15
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer fpk_kdeadbeef_forged"}, {"X-API-Key": "nonsense"}):
            r = world.client.request(method, _concrete(path), headers=headers)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert r.headers["content-type"] == "application/problem+json"


def test_a_viewer_changes_nothing(world: World) -> None:
    draft_id = world.save("analyst", hand_report(marker="viewer-probe"))["id"]
    for method, path in _routes(world):
        if method == "GET" or path in ("/ask", "/ask/stream", "/lessons/search"):
            continue
        r = world.client.request(
            method,
            _concrete(path).replace("rv-000000000000", draft_id),
            headers=world.h("viewer", **{"If-Match": '"1"'}),
            json={},
        )
        assert r.status_code in (403, 422), (method, path, r.status_code, r.text)
    assert world.get("admin", draft_id).json()["revision"] == 1


def test_another_teams_draft_looks_missing(world: World) -> None:
    east = world.save("east_analyst", hand_report("华东", marker="team-probe"))["id"]
    for suffix in ("", "/report?format=md", "/versions/1"):
        theirs = world.client.get(f"/drafts/{east}{suffix}", headers=world.h("south_viewer"))
        missing = world.client.get(f"/drafts/rv-ffffffffffff{suffix}", headers=world.h("south_viewer"))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(east, "X") == missing.json()["detail"].replace(
            "rv-ffffffffffff", "X"
        )
    r = world.decide("south_approver", east, "approve", version=1)
    assert r.status_code == 404
