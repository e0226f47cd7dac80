"""Clean errors for bad input (issue 17, failures 6 and 7; OWASP API8 security misconfiguration / injection):
every input the probe sent gets a 4xx problem+json or one CLI line with exit 2, never a 500 or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_world import World, build_world, hand_report
from cli_run import run_cli

from fupan.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("bad-input"))


def _raw(world: World, method: str, path: str, body: str, who: str = "analyst", **headers: str):
    h = world.h(who, **{"Content-Type": "application/json", **headers})
    return world.client.request(method, path, headers=h, content=body.encode("utf-8"))


@pytest.mark.parametrize(
    "escape",
    ["\\ud800", "\\udfff", "\\u0000", "\\u0007", "x\\ud83d"],
    ids=["high", "low", "nul", "bell", "cut"],
)
@pytest.mark.parametrize("path", ["/ask", "/ask/stream"])
def test_unpaired_surrogates_and_control_characters_in_questions(
    world: World, path: str, escape: str
) -> None:
    r = _raw(world, "POST", path, f'{{"question": "华东赢单率 {escape} 是多少"}}', who="viewer")
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", "question"] and "U+" in problem["detail"]


def test_a_paired_surrogate_is_a_character_like_any_other(world: World) -> None:
    r = _raw(world, "POST", "/ask", '{"question": "2026Q3华东的销售额是多少? \\ud83d\\ude00"}', who="viewer")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("text", ["a\\u0000b", "x\\udc00y", "\\u001b[31m"])
def test_nul_and_surrogates_never_reach_a_draft(world: World, text: str) -> None:
    draft_id = world.save("analyst", hand_report(marker="nul"), submit=False)["id"]
    before = world.get("admin", draft_id).json()
    r = _raw(world, "PATCH", f"/drafts/{draft_id}", f'{{"summary": "{text}"}}', **{"If-Match": '"1"'})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "summary"], r.text
    nested = json.dumps({"lessons": [{"id": "L1", "type": "failure", "content": "ok", "scenario": "s\x00"}]})
    r = _raw(world, "PATCH", f"/drafts/{draft_id}", nested, **{"If-Match": '"1"'})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "lessons", 0, "scenario"]
    assert world.get("admin", draft_id).json()["revision"] == before["revision"]
    docx = world.client.get(f"/drafts/{draft_id}/report?format=docx", headers=world.h("viewer"))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_a_nul_in_a_query_parameter(world: World) -> None:
    r = world.client.get("/drafts?period=2026%00Q3", headers=world.h("viewer"))
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "period", ["2026Q3' OR 1=1", "2026Q3; DROP TABLE drafts", "2026Q5", "Q3 2026 x", "x"]
)
def test_a_period_is_parsed_strictly(world: World, period: str) -> None:
    for method, path, kwargs in (
        ("POST", "/drafts", {"json": {"period": period}}),
        ("POST", "/ask", {"json": {"question": "赢单率是多少", "period": period}}),
        ("GET", "/drafts", {"params": {"period": period}}),
        ("GET", "/lessons", {"params": {"period": period}}),
    ):
        r = world.client.request(method, path, headers=world.h("analyst"), **kwargs)
        assert r.status_code == 422, (method, path, r.text)
        assert [e["loc"][-1] for e in r.json()["errors"]] == ["period"], r.text


def test_a_period_is_normalised(world: World) -> None:
    r = world.client.get("/drafts", headers=world.h("viewer"), params={"period": "2026-Q3"})
    assert r.status_code == 200 and all(d["period"] == "2026Q3" for d in r.json())


@pytest.mark.parametrize(
    "name",
    [
        "..",
        ".",
        "../../../etc/passwd",
        "汉" * 120 + ".csv",
        "汉" * 120,
        "a\x00b.csv",
        "C:\\temp\\x.csv",
        " .csv",
    ],
)
@pytest.mark.parametrize("path", ["/data/sales", "/data/documents"])
def test_upload_names_are_sanitised(world: World, path: str, name: str) -> None:
    data = {"kind": "team"} if path == "/data/sales" else {}
    r = world.client.post(path, headers=world.h("analyst"), files={"file": (name, b"x,y\n1,2\n")}, data=data)
    assert r.status_code in (200, 422), r.text
    assert "/tmp" not in r.text and "fupan-upload-" not in r.text


def test_server_paths_never_appear_in_responses(world: World) -> None:
    cases = [
        ("notes.csv", b"", "/data/documents"),
        ("notes.csv", b"\xff\xfe\x00garbage\x00\x01", "/data/documents"),
        ("notes.xlsx", b"not a workbook", "/data/documents"),
        ("notes.csv", "text\n\n有效的笔记\n".encode(), "/data/documents"),
        ("deals.xlsx", b"not a workbook", "/data/sales"),
        ("deals.parquet", b"PAR1junk", "/data/sales"),
    ]
    for name, payload, path in cases:
        r = world.client.post(path, headers=world.h("analyst"), files={"file": (name, payload)})
        assert r.status_code in (200, 422), r.text
        assert "/tmp" not in r.text and "fupan-upload" not in r.text, r.text


def test_question_length_is_limited_at_the_api(world: World) -> None:
    r = world.client.post("/ask", headers=world.h("viewer"), json={"question": "华" * 501})
    assert r.status_code == 422 and "500" in r.json()["errors"][0]["msg"]


# --- the CLI: one line, exit 2 -----------------------------------------------------------------------


@pytest.fixture
def cli_ws(settings: Settings, tmp_path: Path) -> list[str]:
    from knowledge.sales_store import SalesStore

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
    store = SalesStore(settings)
    store.import_file(fixtures / "opportunities_zh.csv", "opportunities")
    store.close()
    return ["--workspace", str(settings.workspace)]


def _one_line_exit_2(code: int, err: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert lines and lines[0].startswith("error: ") and len(lines) <= 2, err
    assert "Traceback" not in err and "report it if it persists" not in err and "Error:" not in lines[0][7:20]


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "华" * 501],
        ["ask", "赢单率\x00是多少"],
        ["ask", "赢单率是多少", "--period", "2026Q3' OR 1=1"],
        ["draft", "--period", "2026Q3' OR 1=1"],
        ["draft", "--period", "2019Q1"],  # a period without data: bad input (was exit 3)
        ["keys", "revoke", "k-no-such-key"],  # a missing key: bad input (was exit 3)
    ],
    ids=["long-question", "nul-question", "ask-period", "draft-period", "no-data", "no-key"],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], cli_ws: list[str], args: list[str]
) -> None:
    code, _, err = run_cli(capsys, *cli_ws, *args)
    _one_line_exit_2(code, err)


UNREADABLE = [
    ("empty.csv", b""),
    ("garbage.csv", b'hello world\n\x01\x02garbage;;;\n"unterminated\n'),
    ("binary.csv", bytes(range(256)) * 8),
    ("binary.xlsx", b"PK\x03\x04 not really a workbook"),
    ("binary.parquet", b"PAR1 not really parquet"),
]


@pytest.mark.parametrize(
    "command,name,payload",
    [("import", n, p) for n, p in UNREADABLE]
    + [("ingest", n, p) for n, p in UNREADABLE if "parquet" not in n],
)
def test_cli_unreadable_files_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    cli_ws: list[str],
    tmp_path: Path,
    command: str,
    name: str,
    payload: bytes,
) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    code, _, err = run_cli(capsys, *cli_ws, command, str(path))
    _one_line_exit_2(code, err)
    assert name in err


def test_a_nul_in_a_page_form_is_refused(world: World) -> None:
    from fastapi.testclient import TestClient

    draft_id = world.save("analyst", hand_report(marker="form-nul"), submit=False)["id"]
    c = TestClient(world.client.app)
    r = c.post(
        f"/ui/drafts/{draft_id}/lessons/L1", data={"content": "a\x00b", "scenario": "s", "type": "failure"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "content"]
    assert world.get("admin", draft_id).json()["revision"] == 1
