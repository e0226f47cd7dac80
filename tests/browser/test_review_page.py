"""The reviewer's main path in real headless Chromium: inbox → draft → citation → edit an action item →
approve → the lesson appears in lesson search; and a viewer key sees no approve button and gets 403."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from agent.reports.citations import anchor

pytestmark = pytest.mark.browser


def _sign_in(page: Page, url: str, key: str) -> None:
    page.goto(f"{url}/ui/inbox")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    page.get_by_label("API 密钥").fill(key)
    page.keyboard.press("Enter")  # keyboard use: the form submits from the field
    expect(page).to_have_url(re.compile(r"/ui/inbox"))


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/ui/login"))


def test_main_path_inbox_draft_citation_edit_approve_then_lesson_search(site, browser, shot) -> None:  # noqa: ANN001
    draft_id = site.drafts["zh"]
    service = site.deps.records
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    script_errors: list[str] = []
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))
    page.on("console", lambda msg: script_errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, site.url, site.keys["analyst"])

    row = page.locator(f"tr[data-draft-id='{draft_id}']")
    expect(row).to_contain_text("待审批")
    shot(page, "1-inbox")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/ui/drafts/{draft_id}$"))
    expect(page.locator("#draft-status")).to_have_attribute("data-status", "pending")

    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(5)
    widths = charts.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 300 for w in widths)
    shot(page, "2-draft")

    cite = page.locator("table[data-table='performance'] tbody tr").first.locator("a.cite").first
    evidence_id = cite.get_attribute("data-evidence-id")
    cite.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#evidence-dialog")
    expect(dialog).to_be_visible()
    view = dialog.locator(".evidence-view")
    expect(view).to_have_attribute("data-evidence-id", evidence_id)
    report = site.deps.records.get_draft(
        site.deps.records.authenticate(site.keys["analyst"]), draft_id
    ).report
    evidence = report.evidence[evidence_id]
    expect(view).to_contain_text(evidence_id)
    expect(view).to_contain_text(evidence.label)
    expect(view).to_contain_text(evidence.sql.split("\n")[0][:60])
    assert page.locator(f"#{anchor(evidence_id)}").count() == 1
    shot(page, "3-citation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.getAttribute('data-evidence-id')") == evidence_id

    action = report.actions[0]
    page.locator(f"#edit-{action.id} summary").click()
    page.get_by_label("责任人").first.fill("李雷")
    page.locator(f"#{action.id}-status").select_option("in_progress")
    page.get_by_role("button", name=f"保存 {action.id}").click()
    expect(page.locator(".flash")).to_have_text("已保存。")
    expect(page.locator("table[data-table='actions'] tbody tr").first).to_contain_text("李雷")
    expect(page.locator("table[data-table='actions'] tbody tr").first).to_contain_text("进行中")
    analyst = service.authenticate(site.keys["analyst"])
    saved = service.get_draft(analyst, draft_id).report.actions[0]
    assert (saved.owner, saved.status, saved.action) == ("李雷", "in_progress", action.action)
    assert page.locator("#approve").count() == 0  # an analyst cannot approve
    shot(page, "4-edited")

    _sign_out(page)
    _sign_in(page, site.url, site.keys["approver"])
    page.goto(f"{site.url}/ui/drafts/{draft_id}")
    page.get_by_label("意见").fill("同意，按计划执行。")
    page.locator("#approve").click()
    expect(page.locator(".flash")).to_have_text("已记录审批。")
    expect(page.locator("#draft-status")).to_have_attribute("data-status", "approved")
    expect(page.locator("#h-versions + table")).to_contain_text("同意，按计划执行。")
    shot(page, "5-approved")

    lesson = next(x for x in report.lessons if x.type == "failure")
    page.get_by_role("link", name="经验检索").click()
    page.get_by_label("活动简报").fill(lesson.scenario)
    page.get_by_role("button", name="检索").click()
    match = page.locator(f"li.match[data-evidence-id='lesson:{draft_id}.{lesson.id}']")
    expect(match).to_be_visible()
    expect(match).to_contain_text(lesson.content)
    expect(page.locator(f"#lesson-{draft_id}\\.{lesson.id}")).to_contain_text(lesson.scenario)
    shot(page, "6-lesson-search")

    page.get_by_role("link", name="行动项看板").click()
    card = page.locator(f"article[data-item-id='{draft_id}.{action.id}']")
    expect(card).to_contain_text("李雷")
    expect(page.locator("section[data-status='in_progress']")).to_contain_text(action.action[:20])
    shot(page, "7-board")
    assert script_errors == []
    page.close()


def test_viewer_sees_no_approve_button_and_gets_403(site, browser, shot) -> None:  # noqa: ANN001
    draft_id = site.drafts["en"]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _sign_in(page, site.url, site.keys["viewer"])
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Inbox")
    page.goto(f"{site.url}/ui/drafts/{draft_id}")
    expect(page.locator("#draft-status")).to_have_attribute("data-status", "pending")
    expect(page.locator("h1").first).to_contain_text("sales review")
    assert page.locator("#approve").count() == 0
    assert page.locator("#reject").count() == 0
    assert page.locator("details.edit").count() == 0
    expect(page.get_by_text("Read-only: this key cannot make changes.")).to_be_visible()
    shot(page, "viewer-draft")

    csrf = page.locator("meta[name='csrf-token']").get_attribute("content")
    response = page.request.post(
        f"{site.url}/ui/drafts/{draft_id}/approve", form={"csrf": csrf, "comment": "sneaky"}
    )
    assert response.status == 403
    assert "approver" in response.text()
    edit = page.request.post(
        f"{site.url}/ui/drafts/{draft_id}/actions/A1",
        form={
            "csrf": csrf,
            "revision": "1",
            "action": "x",
            "owner": "x",
            "deadline": "2026-12-31",
            "target": "1",
        },
    )
    assert edit.status == 403
    page.reload()
    expect(page.locator("#draft-status")).to_have_attribute("data-status", "pending")
    viewer = site.deps.records.authenticate(site.keys["viewer"])
    assert site.deps.records.get_draft(viewer, draft_id).status == "pending"
    page.close()
