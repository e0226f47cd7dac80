"""The reviewer's page in-process (FastAPI TestClient, real records/DuckDB/Chroma): sign-in errors, CSRF,
bad edits named by field, stale revisions, lesson edits, rejection, checkpoints, well-formed pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from fupan.deps import Deps
from fupan.settings import load_settings
from knowledge.records_schemas import Decision

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sales"


@dataclass
class App:
    app: object
    deps: Deps
    keys: dict[str, str]
    drafts: list[str]

    def client(self, role: str | None = None) -> TestClient:
        c = TestClient(self.app)
        if role:
            r = c.post("/ui/login", data={"api_key": self.keys[role]})
            assert r.status_code == 200 and "/ui/inbox" in str(r.url)
        return c

    def who(self, role: str):  # noqa: ANN201
        return self.deps.records.authenticate(self.keys[role])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sample_company: Path) -> Iterator[App]:
    deps = Deps(settings=load_settings(workspace=tmp_path_factory.mktemp("page-inproc")))
    from knowledge.sample_import import import_sample_company

    import_sample_company(deps.sales, sample_company)  # a quarter with misses, successes and actions to edit
    app = create_app(deps)
    roles = ("analyst", "approver", "viewer")
    keys = {r: deps.records.create_key(r, name=f"{r}-x").key for r in roles}
    service = app.state.service
    analyst = service.authenticate(keys["analyst"])
    report = service.draft_review(analyst, "2026Q3", language="zh", submit=True).report
    drafts = [service.save_draft(analyst, report, submit=True).id for _ in range(3)]
    yield App(app=app, deps=deps, keys=keys, drafts=drafts)
    deps.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)


def _revision(site: App, draft_id: str) -> int:
    return site.deps.records.get_draft(site.who("analyst"), draft_id).revision


def _action_form(site: App, draft_id: str, csrf: str, **change: str) -> dict[str, str]:
    a = site.deps.records.get_draft(site.who("analyst"), draft_id).report.actions[0]
    form = {
        "csrf": csrf,
        "revision": str(_revision(site, draft_id)),
        "action": a.action,
        "owner": a.owner,
        "deadline": a.deadline.isoformat(),
        "target": str(a.target),
        "resources": a.resources,
        "checkpoint": a.checkpoint,
        "status": a.status,
    }
    return form | change


def test_sign_in_is_required_and_a_bad_key_is_refused(site: App) -> None:
    c = site.client()
    r = c.get("/ui/drafts/" + site.drafts[0], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/ui/login?next=/ui/drafts/{site.drafts[0]}"
    r = c.post("/ui/login", data={"api_key": "fpk_nope_nope"})
    assert r.status_code == 401 and "unknown API key" in r.text
    assert c.post(f"/ui/drafts/{site.drafts[0]}/approve", data={"csrf": ""}).status_code == 401
    assert c.post("/ui/login", data={"api_key": site.keys["viewer"], "next": "//evil.example"}).url.path == (
        "/ui/inbox"
    )


def test_a_form_without_the_session_token_is_refused(site: App) -> None:
    c = site.client("analyst")
    form = _action_form(site, site.drafts[0], "forged", owner="Mallory")
    r = c.post(f"/ui/drafts/{site.drafts[0]}/actions/A1", data=form)
    assert r.status_code == 403 and "expired" in r.text
    assert (
        site.deps.records.get_draft(site.who("analyst"), site.drafts[0]).report.actions[0].owner != "Mallory"
    )


def test_a_bad_edit_names_the_field_and_value_and_changes_nothing(site: App) -> None:
    c = site.client("analyst")
    csrf = _csrf(c.get(f"/ui/drafts/{site.drafts[0]}").text)
    before = site.deps.records.get_draft(site.who("analyst"), site.drafts[0]).report.actions[0]
    r = c.post(
        f"/ui/drafts/{site.drafts[0]}/actions/A1",
        data=_action_form(site, site.drafts[0], csrf, deadline="next week"),
    )
    assert r.status_code == 422 and "deadline" in r.text and "next week" in r.text
    r = c.post(f"/ui/drafts/{site.drafts[0]}/actions/A9", data=_action_form(site, site.drafts[0], csrf))
    assert r.status_code == 404 and "A9" in r.text
    stale = _action_form(site, site.drafts[0], csrf, owner="Stale")
    stale["revision"] = str(int(stale["revision"]) - 1)
    r = c.post(f"/ui/drafts/{site.drafts[0]}/actions/A1", data=stale)
    assert r.status_code == 409
    assert site.deps.records.get_draft(site.who("analyst"), site.drafts[0]).report.actions[0] == before


def test_lesson_edit_and_rejection_with_a_comment(site: App) -> None:
    draft_id = site.drafts[1]
    c = site.client("analyst")
    csrf = _csrf(c.get(f"/ui/drafts/{draft_id}").text)
    lesson = site.deps.records.get_draft(site.who("analyst"), draft_id).report.lessons[0]
    form = {
        "csrf": csrf,
        "revision": _revision(site, draft_id),
        "content": "新内容：先试点再推广。",
        "scenario": lesson.scenario,
        "type": "success",
    }
    r = c.post(f"/ui/drafts/{draft_id}/lessons/{lesson.id}", data=form)
    assert r.status_code == 200 and "已保存" in r.text
    assert (
        site.deps.records.get_draft(site.who("analyst"), draft_id).report.lessons[0].content
        == "新内容：先试点再推广。"
    )
    assert c.post(f"/ui/drafts/{draft_id}/reject", data={"csrf": csrf, "comment": "x"}).status_code == 403
    boss = site.client("approver")
    csrf = _csrf(boss.get(f"/ui/drafts/{draft_id}").text)
    r = boss.post(f"/ui/drafts/{draft_id}/reject", data={"csrf": csrf, "comment": "缺少华北的客户证据"})
    assert r.status_code == 200 and 'data-status="rejected"' in r.text and "缺少华北的客户证据" in r.text
    inbox = boss.get("/ui/inbox?status=rejected").text
    assert f'data-draft-id="{draft_id}"' in inbox
    assert f'data-draft-id="{site.drafts[2]}"' not in inbox


def test_checkpoint_result_on_the_board(site: App) -> None:
    draft_id = site.drafts[2]
    site.app.state.service.approve(site.who("approver"), draft_id, Decision(comment="ok"))
    c = site.client("analyst")
    board = c.get("/ui/actions").text
    item = f"{draft_id}.A1"
    assert f'data-item-id="{item}"' in board
    r = c.post(f"/ui/actions/{item}/checkpoint", data={"csrf": _csrf(board)})
    assert r.status_code == 200
    tracked = site.deps.records.get_action_item(site.who("analyst"), item)
    check = tracked.checkpoints[-1]
    card = r.text.split(f'data-item-id="{item}"', 1)[1].split("</article>", 1)[0]
    assert (
        check.evidence_id in card
        and ("暂无数据" if check.met is None else ("已达成" if check.met else "未达成")) in card
    )
    r = c.post(
        f"/ui/actions/{item}",
        data={
            "csrf": _csrf(r.text),
            "status": "done",
            "progress": "材料已交付",
            "revision": tracked.revision,
        },
    )
    done = r.text.split('data-status="done"', 1)[1]
    assert "材料已交付" in done and item in done
    assert site.client("viewer").post(f"/ui/actions/{item}/checkpoint", data={"csrf": "x"}).status_code == 403


@pytest.mark.parametrize(
    "path", ["/ui/inbox?status=all", "/ui/drafts/{d}", "/ui/lessons?q=竞品", "/ui/actions", "/ui/login"]
)
def test_pages_are_well_formed_with_no_broken_in_page_links(site: App, path: str) -> None:
    c = site.client("approver")
    c.get("/ui/lang/en")
    r = c.get(path.format(d=site.drafts[0]))
    assert r.status_code == 200
    root = etree.fromstring(r.content, etree.XMLParser(recover=False))
    assert root.get("lang") == "en"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert {a.get("href")[1:] for a in root.iter("a") if a.get("href", "").startswith("#")} <= set(ids)
    labelled = {el.get("for") for el in root.iter("label")}
    inputs = [el for el in root.iter("input", "textarea", "select") if el.get("type") != "hidden"]
    assert all(el.get("id") in labelled for el in inputs), "every field has a label"


def test_static_files_and_language_switch(site: App) -> None:
    c = site.client()
    assert "showModal" in c.get("/ui/static/page.js").text
    assert c.get("/ui/static/../pages.py").status_code == 404
    assert c.get("/ui/static/nothing.js").status_code == 404
    assert 'lang="en"' in c.get("/ui/lang/en?next=/ui/login").text
    assert 'lang="zh-CN"' in c.get("/ui/lang/zh?next=/ui/login").text


@pytest.mark.parametrize("fmt", ["html", "xlsx", "docx", "md"])
def test_the_report_downloads_in_each_format(site: App, fmt: str, tmp_path: Path) -> None:
    import io
    import zipfile

    from docx import Document
    from openpyxl import load_workbook

    c = site.client("viewer")
    c.get("/ui/lang/en")
    r = c.get(f"/ui/drafts/{site.drafts[0]}/export/{fmt}")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    report = site.deps.records.get_draft(site.who("viewer"), site.drafts[0]).report
    if fmt == "html":
        root = etree.fromstring(r.content, etree.XMLParser(recover=False))
        assert root.get("lang") == "en" and len(root.findall(".//figure")) == len(report.charts)
    elif fmt == "xlsx":
        wb = load_workbook(io.BytesIO(r.content))
        rows = list(wb["Action plan tracking"].iter_rows(min_row=2, values_only=True))
        assert [row[1] for row in rows] == [a.owner for a in report.actions]
    elif fmt == "docx":
        doc = Document(io.BytesIO(r.content))
        assert [row.cells[0].text for row in doc.tables[3].rows[1:]] == [
            "Success experience" if x.type == "success" else "Failure lesson" for x in report.lessons
        ]
    else:
        names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
        assert "review.md" in names and sum(n.endswith(".png") for n in names) == len(report.charts)
    assert c.get(f"/ui/drafts/{site.drafts[0]}/export/rtf").status_code == 422


def test_the_approved_version_downloads_from_the_page(site: App) -> None:
    from urllib.parse import unquote

    service = site.app.state.service
    report = site.deps.records.get_draft(site.who("analyst"), site.drafts[0]).report
    draft_id = service.save_draft(site.who("analyst"), report, submit=True).id  # a draft of its own
    c = site.client("viewer")
    assert c.get(f"/ui/drafts/{draft_id}/export/docx?version=approved").status_code == 404  # nothing approved
    service.approve(site.who("approver"), draft_id, Decision(comment="ok"), if_match=None)
    page = c.get(f"/ui/drafts/{draft_id}")
    assert f"/ui/drafts/{draft_id}/export/pdf?version=approved" in page.text
    r = c.get(f"/ui/drafts/{draft_id}/export/docx?version=approved")
    assert r.status_code == 200, r.text
    name = unquote(r.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])
    assert name in ("2026Q3-复盘报告-v1-已批准.docx", "2026Q3-review-v1-approved.docx")  # no company set
