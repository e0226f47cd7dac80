"""Every other endpoint through the real ASGI app: uploads, ask (JSON and SSE), lessons, action items and
checkpoints, audit, problem+json on bad input, body limits, and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from api_world import FIXTURES, World, build_world, expected_won_revenue, hand_report

from fupan.report import ActionItem

PROBLEM = "application/problem+json"


def test_import_sales_returns_the_validation_report(world: World) -> None:
    csv = "期间,区域,指标,目标值\n2026Q3,华东,销售额,300\n2026Q3,华南,销售额,abc\n2026Q3,华北,销售额,100\n"
    r = world.client.post(
        "/data/sales",
        headers=world.h("analyst"),
        files={"file": ("targets_q3.csv", csv.encode("utf-8"))},
        data={"kind": "targets"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (3, 2, 1)
    bad = report["rejected"][0]
    assert bad["column"] == "目标值" and "abc" in str(bad["value"]) and bad["file"] == "targets_q3.csv"
    # restore the fixture targets for the other tests
    with (FIXTURES / "targets.csv").open("rb") as f:
        ok = world.client.post(
            "/data/sales",
            headers=world.h("analyst"),
            files={"file": ("targets.csv", f)},
            data={"kind": "targets"},
        )
    assert ok.status_code == 200 and ok.json()["rows_accepted"] == 3


@pytest.mark.parametrize(
    ("name", "payload", "kind"),
    [
        ("x.csv", b"\x00\xff\xfe garbage", "opportunities"),
        ("x.xlsx", b"not a workbook", "opportunities"),
        ("x.exe", b"MZ", "targets"),
        ("../../etc/passwd.csv", b"a\n", "targets"),
    ],
)
def test_malformed_uploads_are_422_not_500(world: World, name: str, payload: bytes, kind: str) -> None:
    r = world.client.post(
        "/data/sales", headers=world.h("analyst"), files={"file": (name, payload)}, data={"kind": kind}
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["detail"]


def test_upload_form_errors(world: World) -> None:
    r = world.client.post("/data/sales", headers=world.h("analyst"), data={"kind": "targets"})
    assert r.status_code == 422 and any(e["loc"][-1] == "file" for e in r.json()["errors"])
    r = world.client.post(
        "/data/sales", headers=world.h("analyst"), files={"file": ("t.csv", b"a\n")}, data={"kind": "weather"}
    )
    assert r.status_code == 422 and any(e["loc"][-1] == "kind" for e in r.json()["errors"])


def test_ingest_notes_and_refuse_unapproved_lessons(world: World) -> None:
    notes = "note_id,date,kind,rep,region,customer,text\nN1,2026-08-01,call_note,张三,华东,客户甲,客户说竞品报价低了15%\n"
    r = world.client.post(
        "/data/documents", headers=world.h("analyst"), files={"file": ("notes.csv", notes.encode("utf-8"))}
    )
    assert r.status_code == 200, r.text
    assert r.json()["documents_added"] == 1 and world.deps.docs.get("note:upload-N1#0") is not None  # upload ids
    count = world.deps.docs.count()
    lesson = json.dumps(
        {"id": "X1", "kind": "lesson", "text": "未经批准的经验 zz-unapproved"}, ensure_ascii=False
    )
    r = world.client.post(
        "/data/documents", headers=world.h("admin"), files={"file": ("lessons.jsonl", lesson.encode("utf-8"))}
    )
    assert r.status_code == 422 and "approved" in r.json()["detail"]
    assert world.deps.docs.count() == count


def test_ask_json_and_stream(world: World) -> None:
    question = {"question": "2026Q3华东的销售额是多少?"}
    r = world.client.post("/ask", headers=world.h("viewer"), json=question)
    assert r.status_code == 200, r.text
    answer = r.json()
    expected = expected_won_revenue("华东", "2026-07-01", "2026-09-30")
    values = [e["value"] for e in answer["evidence"].values()]
    assert expected in values and answer["status"] == "answered"

    with world.client.stream("POST", "/ask/stream", headers=world.h("viewer"), json=question) as s:
        assert s.status_code == 200 and s.headers["content-type"].startswith("text/event-stream")
        raw = "".join(s.iter_text())
    events = [
        (
            block.split("\n")[0].removeprefix("event: "),
            json.loads(block.split("\n")[1].removeprefix("data: ")),
        )
        for block in raw.strip().split("\n\n")
    ]
    names = [n for n, _ in events]
    assert names[0] == "meta" and names[-2:] == ["answer", "done"] and "delta" in names
    assert "".join(d["text"] for n, d in events if n == "delta") == events[-2][1]["text"] == answer["text"]

    with world.client.stream("POST", "/ask/stream", headers=world.h("viewer"), json={"question": "  "}) as s:
        raw = "".join(s.iter_text())
    assert raw.startswith("event: error") and '"status": 422' in raw
    assert world.client.post("/ask", headers=world.h("viewer"), json={"question": ""}).status_code == 422
    assert world.client.post("/ask", headers=world.h("viewer"), json={"q": "x"}).status_code == 422


@pytest.fixture(scope="module")
def tracked(world: World) -> dict:
    """An approved 华东 review whose action items measure the fixture's own figures."""
    report = hand_report("华东", marker="ckpt")
    base = report.actions[0].model_dump()
    report.actions = [
        ActionItem(**{**base, "id": "A1", "target": 50.0}),  # reached
        ActionItem(**{**base, "id": "A2", "target": 1000.0}),  # not reached
        ActionItem(**{**base, "id": "A3", "period": "2027Q1"}),  # no data yet
        ActionItem(
            **{**base, "id": "A4", "metric": "win_rate", "baseline": 0.9, "target": 0.3}
        ),  # lower is goal
    ]
    draft = world.save("analyst", report)
    assert world.decide("approver", draft["id"], "approve").status_code == 200
    return draft


def test_action_items_list_update_and_conflict(world: World, tracked: dict) -> None:
    items = world.client.get(
        "/action-items", headers=world.h("viewer"), params={"draft_id": tracked["id"]}
    ).json()
    assert sorted(i["id"] for i in items) == [f"{tracked['id']}.A{n}" for n in (1, 2, 3, 4)]
    item_id = f"{tracked['id']}.A1"
    got = world.client.get(f"/action-items/{item_id}", headers=world.h("viewer"))
    etag = got.headers["ETag"]
    r = world.client.patch(
        f"/action-items/{item_id}",
        headers=world.h("analyst", **{"If-Match": etag}),
        json={"status": "in_progress", "progress": "材料已交付"},
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "in_progress"
        and r.json()["item"]["progress"] == "材料已交付"
    )
    stale = world.client.patch(
        f"/action-items/{item_id}", headers=world.h("analyst", **{"If-Match": etag}), json={"status": "done"}
    )
    assert stale.status_code == 409
    assert (
        world.client.patch(f"/action-items/{item_id}", headers=world.h("viewer"), json={}).status_code == 403
    )
    bad = world.client.patch(
        f"/action-items/{item_id}", headers=world.h("analyst"), json={"status": "finished"}
    )
    assert bad.status_code == 422
    done = world.client.get(
        "/action-items", headers=world.h("viewer"), params={"status": "in_progress"}
    ).json()
    assert item_id in {i["id"] for i in done}


def test_checkpoint_re_measures_the_metric(world: World, tracked: dict) -> None:
    actual = expected_won_revenue("华东", "2026-07-01", "2026-09-30")
    results = {}
    for n in (1, 2, 3, 4):
        r = world.client.post(f"/action-items/{tracked['id']}.A{n}/checkpoint", headers=world.h("analyst"))
        assert r.status_code == 200, r.text
        results[n] = r.json()
    assert results[1]["value"] == actual and results[1]["met"] is (actual >= 50)
    assert results[2]["met"] is (actual >= 1000)
    assert results[1]["evidence_id"] == "metric:won_revenue:2026Q3:region=华东"
    assert results[3]["value"] is None and results[3]["met"] is None
    won_lost = (1, 1)  # 华东 2026Q3 in the fixture: O1 won, O2 lost
    assert results[4]["value"] == pytest.approx(won_lost[0] / sum(won_lost)) and results[4]["met"] is False
    item = world.client.get(f"/action-items/{tracked['id']}.A1", headers=world.h("viewer")).json()
    assert [c["met"] for c in item["checkpoints"]] == [True]
    hit = world.deps.docs.get(f"note:{tracked['id']}.A1#0")
    assert hit is not None and hit.metadata.get("outcome") == "worked"
    assert (
        world.client.post(
            f"/action-items/{tracked['id']}.A1/checkpoint", headers=world.h("viewer")
        ).status_code
        == 403
    )
    assert (
        world.client.post("/action-items/rv-nope.A1/checkpoint", headers=world.h("analyst")).status_code
        == 404
    )


def test_audit_log_records_every_change(world: World, tracked: dict) -> None:
    rows = world.client.get("/audit", headers=world.h("approver"), params={"entity_id": tracked["id"]}).json()
    actions = [r["action"] for r in rows]
    assert actions[:2] == ["draft.create", "draft.approve"]
    assert rows[0]["detail"] == {"status": "pending"}  # saved and submitted in one step
    approve = rows[1]
    assert approve["actor"] == world.key_ids["approver"] and approve["before_hash"] and approve["after_hash"]
    version = world.get("viewer", tracked["id"]).json()["versions"][0]
    assert approve["after_hash"] == version["content_hash"]
    page = world.client.get("/audit", headers=world.h("admin"), params={"limit": 1, "offset": 1}).json()
    assert len(page) == 1


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("small"), sales=False, max_upload_mb=1)


def test_body_limits(small: World) -> None:
    big = b"a,b\n" + b"1,2\n" * 300_000  # 1.2 MB > 1 MB
    r = small.client.post("/data/sales", headers=small.h("analyst"), files={"file": ("big.csv", big)})
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 150_000

    r = small.client.post(
        "/ask", headers=small.h("viewer", **{"Content-Type": "application/json"}), content=chunks()
    )
    assert r.status_code == 413
    r = small.client.post("/ask", headers=small.h("viewer"), json={"question": "x" * 3_000_000})
    assert r.status_code == 413

    def multipart() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(20):
            yield b"1,2\n" * 40_000
        yield b"\r\n--b--\r\n"

    r = small.client.post(
        "/data/sales",
        headers=small.h("analyst", **{"Content-Type": "multipart/form-data; boundary=b"}),
        content=multipart(),
    )
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("POST", "/ask", b"{not json", {"Content-Type": "application/json"}),
        ("POST", "/ask", b"[]", {"Content-Type": "application/json"}),
        ("POST", "/ask", b'{"question": 12}', {"Content-Type": "application/json"}),
        ("POST", "/drafts", b'{"period": "20"}', {"Content-Type": "application/json"}),
        ("POST", "/drafts", b'{"period": "2026Q9"}', {"Content-Type": "application/json"}),
        ("POST", "/drafts/rv-x/approve", b'{"comment": 5}', {"Content-Type": "application/json"}),
        ("POST", "/lessons/search", b'{"brief": "x", "k": 0}', {"Content-Type": "application/json"}),
        ("POST", "/data/sales", b"--x\r\nbroken", {"Content-Type": "multipart/form-data; boundary=x"}),
        ("GET", "/drafts?limit=abc", b"", {}),
        ("GET", "/drafts?status=maybe", b"", {}),
        ("GET", "/drafts/rv-x/versions/0", b"", {}),
    ],
)
def test_malformed_requests_are_problems_not_500(
    small: World, method: str, path: str, body: bytes, headers: dict[str, str]
) -> None:
    r = small.client.request(method, path, content=body, headers=small.h("admin", **headers))
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["status"] == r.status_code and problem["title"]
    if r.status_code == 422 and path != "/drafts":
        assert problem["errors"], "validation problems name the bad fields"


def test_openapi_is_complete(small: World) -> None:
    schema = small.client.get("/openapi.json").json()
    operations = [(p, m, op) for p, item in schema["paths"].items() for m, op in item.items()]
    assert len(operations) >= 19
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("description"), where
        for status in ("401", "404", "409", "422"):
            assert "application/problem+json" in op["responses"][status]["content"], where
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            ref = body["schema"]["$ref"].rsplit("/", 1)[1]
            assert schema["components"]["schemas"][ref].get("examples"), (
                f"{where}: request body without examples"
            )
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])


def test_pages_router_is_mounted_when_present(small: World) -> None:
    """create_app mounts api.pages.router when the module exists (the reviewer's page)."""
    import importlib.util

    if importlib.util.find_spec("api.pages") is None:
        assert small.client.get("/ui").status_code == 404
        return
    from api.pages import router

    plain = [r.path for r in router.routes if "GET" in getattr(r, "methods", ()) and "{" not in r.path]
    assert plain, "the page router has GET routes"
    for path in plain:
        assert small.client.get(path).status_code != 404, path
