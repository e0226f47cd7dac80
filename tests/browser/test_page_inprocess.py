"""The reviewer's page in-process (FastAPI TestClient; real records, DuckDB, Chroma, job runner, and a local
webhook receiver): sign-in by account or key with sessions in the records DB, CSRF on every form, the review
loop (a reason is required, revise and resubmit, diff), edits that keep the report true, conflicts that keep
what was typed, the board, scope of a regional approver, background drafting, webhooks and their retries."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html
from page_world import PASSWORD, Receiver, World, build_world, csrf_of, login_token, signed_in

from api.app import create_app
from fupan.report import MAX_WHYS, RootCauseChain
from knowledge.records_schemas import Decision


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    receiver = Receiver().start()
    w = build_world(tmp_path_factory.mktemp("page-inproc"), receiver)
    with TestClient(w.app):  # runs the lifespan: the background job runner
        yield w
    receiver.stop()
    w.deps.close()


def _text(page_html: str) -> str:
    return " ".join(html.fromstring(page_html).text_content().split())


def _action_form(
    world: World, draft_id: str, csrf: str, item: str | None = None, **change: str
) -> dict[str, str]:
    draft = world.service.get_draft(world.who("li"), draft_id)
    a = next(x for x in draft.report.actions if x.id == item) if item else draft.report.actions[0]
    form = {
        "csrf": csrf,
        "revision": str(draft.revision),
        "action": a.action,
        "owner": a.owner,
        "deadline": a.deadline.isoformat(),
        "target": str(round(a.target * 100, 4)) if a.metric.endswith("rate") else str(a.target),
        "resources": a.resources,
        "checkpoint": a.checkpoint,
        "status": a.status,
    }
    return form | change


# --- signing in --------------------------------------------------------------------------------------
def test_sign_in_needs_the_form_token_and_refuses_bad_credentials(world: World) -> None:
    c = TestClient(world.app)
    r = c.get("/ui/drafts/rv-x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=/ui/drafts/rv-x"
    token = login_token(c.get("/ui/login").text)
    assert c.post("/ui/login", data={"username": "li", "password": PASSWORD}).status_code == 403  # no token
    r = c.post("/ui/login", data={"login_csrf": token, "username": "li", "password": "wrong password!"})
    assert r.status_code == 401 and "用户名、密码或密钥不对" in r.text
    r = c.post("/ui/login", data={"login_csrf": login_token(r.text), "api_key": "fpk_nope_nope"})
    assert r.status_code == 401
    r = c.post(
        "/ui/login",
        data={
            "login_csrf": login_token(r.text),
            "username": "li",
            "password": PASSWORD,
            "next": "//evil.example",
        },
    )
    assert r.status_code == 200 and r.url.path == "/ui/inbox"


def test_sessions_live_in_the_records_db_so_another_worker_knows_them(world: World) -> None:
    c = signed_in(world.app, username="wang")
    cookie = c.cookies.get("fupan_session")
    assert cookie and len(cookie) > 30
    stored = world.service.records.accounts.session(cookie)[0]
    assert stored.name == "王总监" and stored.role == "approver"
    other_worker = create_app(world.deps)  # a second app over the same records DB, as a second uvicorn worker
    c2 = TestClient(other_worker)
    c2.cookies.set("fupan_session", cookie, path="/ui")
    assert c2.get("/ui/inbox").status_code == 200
    csrf = csrf_of(c.get("/ui/inbox").text)
    assert c.post("/ui/logout", data={"csrf": csrf}).status_code == 200
    assert c2.get("/ui/inbox", follow_redirects=False).status_code == 303  # signed out everywhere


def test_a_revoked_key_signs_the_page_out(world: World) -> None:
    created = world.deps.records.create_key("viewer", name="short-lived")
    c = signed_in(world.app, key=created.key)
    world.deps.records.revoke_key(created.id)
    assert c.get("/ui/inbox", follow_redirects=False).headers["location"].startswith("/ui/login")


def test_a_form_without_the_session_token_is_refused(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="li")
    r = c.post(
        f"/ui/drafts/{draft.id}/edit/action/A1", data=_action_form(world, draft.id, "forged", owner="Mallory")
    )
    assert r.status_code == 403 and "页面已过期" in r.text
    assert world.service.get_draft(world.who("li"), draft.id).report.actions[0].owner != "Mallory"


# --- the review loop --------------------------------------------------------------------------------
def test_reject_needs_a_reason_then_revise_resubmit_diff_approve(world: World) -> None:
    draft = world.draft()
    boss = signed_in(world.app, username="wang")
    page = boss.get(f"/ui/drafts/{draft.id}").text
    csrf = csrf_of(page)
    r = boss.post(
        f"/ui/drafts/{draft.id}/reject", data={"csrf": csrf, "comment": "  ", "revision": draft.revision}
    )
    assert r.status_code == 422 and "驳回时请写明原因" in r.text  # the server refuses, in the page's language
    assert world.service.get_draft(world.who("wang"), draft.id).status == "pending"
    r = boss.post(
        f"/ui/drafts/{draft.id}/reject",
        data={"csrf": csrf, "comment": "华东的行动目标太保守，请提高到 60%。", "revision": draft.revision},
    )
    assert r.status_code == 200 and "已驳回" in r.text

    analyst = signed_in(world.app, username="li")
    page = analyst.get(f"/ui/drafts/{draft.id}").text
    banner = html.fromstring(page).get_element_by_id("rejection").text_content()
    assert "华东的行动目标太保守" in banner
    assert "第 2 版" in banner  # revise and resubmit as version 2
    from agent.numbers import fmt

    rate = next(a for a in draft.report.actions if a.metric.endswith("rate"))  # a target typed in per cent
    form = _action_form(world, draft.id, csrf_of(page), item=rate.id, target="60")
    r = analyst.post(f"/ui/drafts/{draft.id}/edit/action/{rate.id}", data=form)
    assert r.status_code == 200 and "已保存为新版本并提交审批" in r.text
    revised = world.service.get_draft(world.who("li"), draft.id)
    assert [(v.version, v.status) for v in revised.versions] == [(1, "rejected"), (2, "pending")]
    item = next(a for a in revised.report.actions if a.id == rate.id)
    assert item.target == pytest.approx(0.6)
    assert "60%" in item.action and fmt(rate.target, "ratio") not in item.action

    diff = boss.get(f"/ui/drafts/{draft.id}/diff?a=1&b=2").text
    changes = html.fromstring(diff).find_class("change")
    located = {c.get("data-location") for c in changes}
    assert {f"actions[{rate.id}].action", f"actions[{rate.id}].action_target"} <= located
    assert f"<del>{fmt(rate.target, 'ratio')}</del>" in diff and "<ins>60%</ins>" in diff
    csrf = csrf_of(boss.get(f"/ui/drafts/{draft.id}").text)
    r = boss.post(
        f"/ui/drafts/{draft.id}/approve", data={"csrf": csrf, "revision": revised.revision, "version": 2}
    )
    assert r.status_code == 200 and "已批准" in r.text
    assert world.service.get_draft(world.who("wang"), draft.id).approved_version == 2


def test_the_status_shows_the_version_in_force_not_only_the_latest(world: World) -> None:
    draft = world.draft()
    world.service.approve(world.who("wang"), draft.id, Decision(comment="ok", version=draft.version))
    analyst = signed_in(world.app, username="li")
    page = analyst.get(f"/ui/drafts/{draft.id}").text
    world.service.edit_draft(
        world.who("li"),
        draft.id,
        _edit_summary("补充说明"),
        if_match=world.service.get_draft(world.who("li"), draft.id).revision,
    )
    latest = world.service.get_draft(world.who("li"), draft.id)
    world.service.reject(
        world.who("wang"), draft.id, Decision(comment="不需要这段"), if_match=latest.revision
    )
    page = analyst.get(f"/ui/drafts/{draft.id}").text
    status = html.fromstring(page).get_element_by_id("draft-status").text_content()
    assert "v1 已批准·生效中" in status and "v2 已驳回" in status
    inbox = analyst.get("/ui/inbox?status=in_force").text
    assert draft.id in inbox


def _edit_summary(text: str):  # noqa: ANN202
    from knowledge.records_schemas import DraftEdit

    return DraftEdit(summary=text)


# --- edits that keep the report true -------------------------------------------------------------------
def test_a_past_deadline_is_refused_in_words_and_what_was_typed_stays(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="li")
    csrf = csrf_of(c.get(f"/ui/drafts/{draft.id}").text)
    form = _action_form(world, draft.id, csrf, deadline="2020-01-31", owner="新的负责人")
    r = c.post(f"/ui/drafts/{draft.id}/edit/action/A1", data=form)
    assert r.status_code == 422
    assert "A1 的完成时间 2020-01-31 已经过去" in _text(r.text)
    doc = html.fromstring(r.text)
    assert doc.get_element_by_id("A1-owner").get("value") == "新的负责人"  # nothing typed is lost
    assert doc.get_element_by_id("A1-deadline").get("value") == "2020-01-31"
    assert world.service.get_draft(world.who("li"), draft.id).report.actions[0].owner != "新的负责人"


def test_a_conflict_shows_both_versions_and_keeps_the_typed_text(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="li")
    csrf = csrf_of(c.get(f"/ui/drafts/{draft.id}").text)
    stale = {
        "csrf": csrf,
        "revision": str(draft.revision),
        "title": draft.report.title,
        "summary": "我在第一个标签页写的概述",
    }
    other = signed_in(world.app, username="li")
    r = other.post(
        f"/ui/drafts/{draft.id}/edit/summary",
        data=stale
        | {"csrf": csrf_of(other.get(f"/ui/drafts/{draft.id}").text), "summary": "第二个标签页先保存了"},
    )
    assert r.status_code == 200
    r = c.post(f"/ui/drafts/{draft.id}/edit/summary", data=stale)
    assert r.status_code == 409
    doc = html.fromstring(r.text)
    assert doc.get_element_by_id("e-summary").text_content() == "我在第一个标签页写的概述"
    assert "第二个标签页先保存了" in doc.find_class("conflict-now")[0].text_content()
    assert "别人已经修改了这份报告" in _text(r.text)
    fresh = doc.get_element_by_id("edit-summary-all").xpath(".//input[@name='revision']")[0].get("value")
    r = c.post(f"/ui/drafts/{draft.id}/edit/summary", data=stale | {"revision": fresh})  # save mine over it
    assert r.status_code == 200
    assert world.service.get_draft(world.who("li"), draft.id).report.summary == "我在第一个标签页写的概述"


def test_summary_causes_and_lessons_are_editable_and_figures_are_checked(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="li")
    csrf = csrf_of(c.get(f"/ui/drafts/{draft.id}").text)
    # a chain with room for one more why, and a hypothesis link that says what would confirm it
    chain = next(
        ch
        for ch in draft.report.chains
        if len(ch.links) < MAX_WHYS and any(link.grade == "hypothesis" and link.check for link in ch.links)
    )
    full = next(ch for ch in draft.report.chains if len(ch.links) == MAX_WHYS)

    def chain_form(ch: RootCauseChain, revision: int, added: list[str]) -> dict[str, object]:
        return {
            "csrf": csrf,
            "revision": str(revision),
            "problem": ch.problem,
            "links": [link.claim for link in ch.links] + added,
            "root_cause": "缺少竞品应对机制",
            "verification": ch.verification,
            "category": "process",
        }

    r = c.post(
        f"/ui/drafts/{draft.id}/edit/chain/{full.id}",
        data=chain_form(full, draft.revision, ["为什么？第六个为什么。"]),
    )
    assert r.status_code == 422  # six whys: refused in words, nothing saved
    assert f"一条原因链最多 {MAX_WHYS} 个“为什么”，这里有 {MAX_WHYS + 1} 个" in _text(r.text)
    assert "WhyLink(" not in r.text
    assert world.service.get_draft(world.who("li"), draft.id).report.chains == draft.report.chains

    r = c.post(
        f"/ui/drafts/{draft.id}/edit/chain/{chain.id}",
        data=chain_form(chain, draft.revision, ["为什么？区域经理没有复盘竞品参与的商机。"]),
    )
    assert r.status_code == 200
    saved = next(
        ch for ch in world.service.get_draft(world.who("li"), draft.id).report.chains if ch.id == chain.id
    )
    assert (
        saved.root_cause == "缺少竞品应对机制"
        and saved.category == "process"
        and len(saved.links) == len(chain.links) + 1
    )
    # the links kept their evidence, grade and what would confirm them; the added why is a hypothesis
    assert saved.links[:-1] == chain.links
    assert saved.links[-1].grade == "hypothesis" and saved.links[-1].evidence == []
    # emptying the second why drops that link only: the ones after it keep their own evidence
    now = world.service.get_draft(world.who("li"), draft.id)
    emptied = chain_form(saved, now.revision, [])
    emptied["links"] = [link.claim for link in saved.links]
    emptied["links"][1] = " "
    r = c.post(f"/ui/drafts/{draft.id}/edit/chain/{chain.id}", data=emptied)
    assert r.status_code == 200
    after = next(
        ch for ch in world.service.get_draft(world.who("li"), draft.id).report.chains if ch.id == chain.id
    )
    assert after.links == [saved.links[0], *saved.links[2:]]
    lesson = draft.report.lessons[0]
    now = world.service.get_draft(world.who("li"), draft.id)
    r = c.post(
        f"/ui/drafts/{draft.id}/edit/lesson/{lesson.id}",
        data={
            "csrf": csrf,
            "revision": str(now.revision),
            "type": "failure",
            "content": "新的教训：报价前先量化价值。",
            "scenario": "竞品低价",
        },
    )
    assert r.status_code == 200
    now = world.service.get_draft(world.who("li"), draft.id)
    r = c.post(
        f"/ui/drafts/{draft.id}/edit/summary",
        data={
            "csrf": csrf,
            "revision": str(now.revision),
            "title": now.report.title,
            "summary": "销售额 999.9万，远超目标。",
        },
    )
    assert r.status_code == 200
    warnings = html.fromstring(r.text).get_element_by_id("edit-warnings").text_content()
    assert "999.9万" in warnings and "summary" in warnings


def test_no_raw_floats_anywhere_on_the_draft_and_the_forms(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="li")
    page = c.get(f"/ui/drafts/{draft.id}").text
    doc = html.fromstring(page)
    for pre in doc.xpath("//pre|//script"):  # SQL and the charts' data carry numbers for machines
        pre.getparent().remove(pre)
    shown = doc.text_content() + " ".join(doc.xpath("//input/@value"))
    assert not re.findall(r"\d+\.\d{5,}", shown)
    assert not re.findall(r"\b\d{4,}\.0\b", shown)
    a1 = next(a for a in draft.report.actions if a.metric.endswith("rate"))
    assert doc.get_element_by_id(f"{a1.id}-target").get("value") == f"{a1.target * 100:g}"


def test_a_viewer_sees_no_controls_and_gets_403_when_posting(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="guest")
    page = c.get(f"/ui/drafts/{draft.id}").text
    assert 'id="approve"' not in page and 'details class="edit"' not in page and "只读" in page
    csrf = csrf_of(page)
    assert c.post(f"/ui/drafts/{draft.id}/approve", data={"csrf": csrf}).status_code == 403
    r = c.post(f"/ui/drafts/{draft.id}/edit/action/A1", data=_action_form(world, draft.id, csrf, owner="x"))
    assert r.status_code == 403 and "没有这项操作的权限" in r.text


# --- scope, board ---------------------------------------------------------------------------------------
def test_a_regional_approver_sees_the_region_and_its_peoples_actions_in_a_company_review(
    world: World,
) -> None:
    zhou = world.who("zhou")
    assert zhou.people, "the 华东 approver's people come from the sales data"
    company = world.draft()  # company-wide; the manager assigns its first action to one of 华东's reps
    actions = [
        company.report.actions[0].model_copy(update={"owner": zhou.people[0]})
    ] + company.report.actions[1:]
    from knowledge.records_schemas import DraftEdit

    company = world.service.edit_draft(
        world.who("li"), company.id, DraftEdit(actions=actions), if_match=company.revision
    )
    world.service.approve(world.who("wang"), company.id, Decision(comment="ok", version=company.version))
    east = world.draft(scope={"region": "华东"})
    assert {d.id for d in world.service.list_drafts(zhou, limit=100)} >= {east.id}
    assert company.id not in {d.id for d in world.service.list_drafts(zhou, limit=100)}
    people = set(zhou.people)
    theirs = [a for a in company.report.actions if a.owner in people]
    assert theirs, "the company review assigns some actions to 华东's people"
    c = signed_in(world.app, username="zhou")
    board = c.get("/ui/actions?view=team").text
    for a in theirs:
        assert f"{company.id}.{a.id}" in board
    others = [a for a in company.report.actions if a.owner not in people]
    for a in others:
        assert f'id="item-{company.id}.{a.id}"' not in board


def test_board_progress_overdue_filters_and_excel(world: World) -> None:
    draft = world.draft()
    item = draft.report.actions[0]
    past = item.deadline - dt.timedelta(days=1)
    world.service.approve(world.who("wang"), draft.id, Decision(comment="ok", version=draft.version))
    tracked_id = f"{draft.id}.{item.id}"
    c = signed_in(world.app, username="li")
    page = c.get(f"/ui/actions?view=all&owner={item.owner}").text
    csrf = csrf_of(page)
    tracked = world.service.get_action_item(world.who("li"), tracked_id)
    r = c.post(
        f"/ui/actions/{tracked_id}",
        data={"csrf": csrf, "status": "in_progress", "percent": "40", "revision": tracked.revision},
    )
    assert r.status_code == 200
    card = html.fromstring(r.text).get_element_by_id(f"item-{tracked_id}")
    assert card.xpath(".//progress")[0].get("value") == "40" and "40%" in card.text_content()
    r = c.post(f"/ui/actions/{tracked_id}", data={"csrf": csrf, "status": "done", "percent": "140"})
    assert r.status_code == 422
    # overdue: the same board seen on a day after the deadline
    world.deps.clock = lambda: dt.datetime.combine(
        item.deadline + dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC
    )
    try:
        card = html.fromstring(c.get("/ui/actions?view=all&status=in_progress").text).get_element_by_id(
            f"item-{tracked_id}"
        )
        assert "overdue" in card.get("class") and "逾期 3 天" in card.text_content()
        xlsx = c.get(f"/ui/actions/export.xlsx?view=all&owner={item.owner}")
    finally:
        world.deps.clock = lambda: dt.datetime.now(dt.UTC)
    assert past < item.deadline
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "行动", "责任人")
    row = next(r for r in rows[1:] if r[0] == tracked_id)
    assert row[2] == item.owner and row[5] == 3 and row[7] == pytest.approx(0.4)


def test_start_a_review_runs_in_the_background_and_opens_the_draft(world: World) -> None:
    c = signed_in(world.app, username="li")
    page = c.get("/ui/reviews/new").text
    assert "2026Q3" in page and "华东" in page
    r = c.post(
        "/ui/reviews",
        data={"csrf": csrf_of(page), "period": "2026Q3", "region": "华南", "language": "en"},
        follow_redirects=False,
    )
    job_url = r.headers["location"]
    assert r.status_code == 303 and job_url.startswith("/ui/jobs/")
    state = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = c.get(f"{job_url}/state").json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state["state"] == "done", state
    opened = c.get(job_url)
    assert opened.url.path == state["next"] and "South" in opened.text
    draft_id = state["next"].rsplit("/", 1)[1]
    made = world.service.get_draft(world.who("li"), draft_id)
    assert made.report.scope == {"region": "华南"} and made.report.language == "en" and made.status == "draft"


# --- webhooks ---------------------------------------------------------------------------------------
def _sign(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def test_webhooks_in_each_robots_shape_with_signatures_and_retries(world: World) -> None:
    receiver = world.receiver
    start = len(receiver.requests)
    draft = world.draft(scope={"region": "华东"})  # submitted → pending

    def got(path: str, event: str) -> list:  # noqa: ANN202
        return [
            r
            for r in receiver.requests[start:]
            if r.path == path and event in json.dumps(r.body, ensure_ascii=False)
        ]

    assert receiver.wait_for(lambda: len(got("/generic", "draft.pending")) == 1)
    receiver.fail["/generic"] = 2  # the generic endpoint is down twice: delivered on the third try
    world.service.approve(world.who("wang"), draft.id, Decision(comment="同意", version=draft.version))

    assert receiver.wait_for(
        lambda: len(got("/generic", "draft.approved")) == 3 and got("/east", "draft.approved")
    )
    wecom = got("/wecom", "已批准")[0].body
    assert wecom["msgtype"] == "markdown" and draft.title in wecom["markdown"]["content"]
    assert f"http://fupan.example/ui/drafts/{draft.id}" in wecom["markdown"]["content"]
    ding = got("/dingtalk", "待审批")[0]
    assert ding.body["msgtype"] == "markdown" and ding.body["markdown"]["title"].startswith("【待审批】")
    params = dict(p.split("=", 1) for p in ding.query.split("&"))
    from urllib.parse import unquote

    assert unquote(params["sign"]) == _sign(b"SEC-ding", f"{params['timestamp']}\nSEC-ding".encode())
    fei = got("/feishu", "已批准")[0].body
    assert fei["msg_type"] == "text" and fei["sign"] == _sign(f"{fei['timestamp']}\nfei-secret".encode(), b"")
    generic = got("/generic", "draft.approved")[-1]
    body = json.dumps(generic.body, ensure_ascii=False).encode()
    assert generic.body["event"] == "draft.approved" and generic.body["data"]["comment"] == "同意"
    assert generic.headers["X-Fupan-Signature"].startswith("sha256=") and body
    assert not got("/east", "draft.pending")  # that webhook asked for approvals only

    def delivered_on_third_try() -> bool:  # the job is marked done only after the third response returns
        jobs = world.deps.records.jobs.list(kind="webhook", limit=200)
        return any(
            j.result.get("target") == "ops" and j.result.get("attempts") == 3 and j.state == "done" for j in jobs
        )

    assert receiver.wait_for(delivered_on_third_try)


def test_overdue_items_are_announced_once(world: World) -> None:
    draft = world.draft()
    world.service.approve(world.who("wang"), draft.id, Decision(comment="ok", version=draft.version))
    # the approval is indexed first by the same job runner: wait for it before timing the announcements
    assert world.service.runner.wait_idle(timeout=180), "the job runner did not finish indexing"
    late = max(a.deadline for a in draft.report.actions) + dt.timedelta(days=1)
    first = world.service.check_overdue(today=late)
    again = world.service.check_overdue(today=late)
    assert first >= len(draft.report.actions) and again == 0
    assert world.receiver.wait_for(
        lambda: any(
            f"{draft.id}.A1" in json.dumps(r.body, ensure_ascii=False) for r in world.receiver.at("/wecom")
        )
    )


# --- every page is well-formed ----------------------------------------------------------------------
def test_every_screen_is_well_formed_html(world: World) -> None:
    draft = world.draft()
    c = signed_in(world.app, username="wang")
    for path in (
        "/ui/inbox",
        f"/ui/drafts/{draft.id}",
        f"/ui/drafts/{draft.id}/diff",
        "/ui/actions",
        "/ui/search?q=竞品降价&kind=lesson",
        "/ui/ask?q=2026Q3各区域赢单率",
        "/ui/lessons?q=竞品",
        "/ui/reviews/new",
    ):
        r = c.get(path)
        assert r.status_code == 200, path
        etree.fromstring(r.text.replace("<!DOCTYPE html>", "").encode(), etree.XMLParser(recover=False))
