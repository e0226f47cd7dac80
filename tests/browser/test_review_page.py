"""The page in real headless Chromium, at a desktop (1440×900) and a phone (390×844) width:
- the manager's path: sign in, read (headline cards, contents, charts, a citation), ask, search, approve;
- the analyst's path: rejected with a reason, revised, resubmitted, the diff, approved;
- the board (my team, progress in per cent) and the webhook delivery of the decisions;
- an axe-core scan of every screen with zero serious or critical violations, and no horizontal overflow.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import WIDTHS, axe_violations, no_horizontal_overflow
from page_world import PASSWORD
from playwright.sync_api import Page, expect

from agent.numbers import fmt, fmt_change
from agent.tools import engine_for

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("width", list(WIDTHS))]


def _page(browser: Any, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return page, problems


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/ui/inbox")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")  # keyboard use: the form submits from the field
    expect(page).to_have_url(re.compile(r"/ui/inbox"))


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/ui/login"))


def _checked(page: Page, what: str) -> None:
    assert axe_violations(page) == [], what
    assert no_horizontal_overflow(page), f"{what} overflows horizontally"


def test_manager_signs_in_reads_asks_searches_and_approves(site, browser, shot, width: int) -> None:  # noqa: ANN001
    draft = site.world.draft()
    page, problems = _page(browser, width)
    _sign_in(page, site.url, "wang")
    row = page.locator(f"tr[data-draft-id='{draft.id}']")
    expect(row).to_contain_text("待审批")
    _checked(page, "inbox")
    shot(page, "1-inbox")
    row.get_by_role("link").click()

    # read first: title, status, headline cards with a traffic light, contents, charts beside their tables
    expect(page.locator("h1")).to_have_text(draft.report.title)
    expect(page.locator("#draft-status")).to_have_attribute("data-status", "pending")
    goal = next(g for g in draft.report.goals if g.metric == "won_revenue" and not g.segment)
    # the cards' figures are the metric engine's, this quarter's and last quarter's
    now = engine_for(site.world.deps).value("won_revenue", "2026Q3").value
    before = engine_for(site.world.deps).value("won_revenue", "2026Q2").value
    assert now is not None and before is not None and now != before
    expect(page.locator(".kpi[data-card='actual'] .kpi-value")).to_contain_text(fmt(now, "CNY", "zh"))
    expect(page.locator(".kpi[data-card='achievement'] .light")).to_have_text("未达成")
    assert goal.achievement is not None and goal.achievement < 0.9
    change = ("+" if now > before else "−") + fmt_change(now - before, "CNY", "zh")
    expect(page.locator(".kpi[data-card='actual'] .kpi-change")).to_contain_text(f"较 2026Q2 {change}")
    expect(page.locator("nav.toc li")).to_have_count(6)
    charts = page.locator(".echart[data-drawn='true'] svg")
    expect(charts).to_have_count(len(draft.report.charts))
    beside = page.locator("#table-performance .beside .charts figure")
    assert beside.count() >= 2  # the charts sit with the goal-vs-result table
    cards_top = page.locator(".cards").bounding_box()["y"]
    report_top = page.locator("#table-performance").bounding_box()["y"]
    assert cards_top < WIDTHS[width] and report_top > cards_top
    if width == 1440:  # the decision stays in view beside the report on a desktop
        panel = page.locator("aside.panel").bounding_box()
        assert panel["x"] > page.locator("article.report").bounding_box()["x"] + 600
        assert page.locator("#approve").bounding_box()["y"] < WIDTHS[width]
    else:  # below the report on a phone
        assert page.locator("aside.panel").bounding_box()["y"] > page.locator("#evidence").bounding_box()["y"]
    _checked(page, "draft")
    shot(page, "2-draft")
    shot(page, "2-draft-full", full=True)

    cite = page.locator("table[data-table='performance'] tbody tr").first.locator("a.cite").first
    evidence_id = cite.get_attribute("data-evidence-id")
    cite.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#evidence-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".evidence-view")).to_have_attribute("data-evidence-id", evidence_id)
    expect(dialog).to_contain_text(draft.report.evidence[evidence_id].label)
    shot(page, "3-citation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # ask in place, from the bar on every screen
    page.get_by_label("你的问题").first.fill("2026Q3 各区域赢单率")
    page.get_by_role("button", name="提问").first.click()
    expect(page).to_have_url(re.compile(r"/ui/ask\?q="))
    answer = page.locator(".answer")
    expect(answer).to_contain_text("赢单率")
    expect(answer.locator(".answer-text a.cite").first).to_be_visible()
    expect(answer.locator("ol.footnotes li").first).to_contain_text("metric:win_rate:2026Q3")
    _checked(page, "ask")
    shot(page, "4-ask")

    # search call notes, reviews and lessons
    page.goto(f"{site.url}/ui/search")
    page.get_by_label("要找什么").fill("竞品降价")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#h-results")).to_be_visible()
    _checked(page, "search")
    shot(page, "5-search")

    # approve: the decision is recorded at once, the knowledge base follows in the background
    page.goto(f"{site.url}/ui/drafts/{draft.id}")
    page.get_by_label("意见").fill("同意，按计划执行。")
    page.locator("#approve").click()
    expect(page.locator(".flash")).to_have_text("已批准。")
    expect(page.locator("#draft-status")).to_have_attribute("data-in-force", "1")
    expect(page.locator("#index-state")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#index-state")).to_have_text("已写入知识库")
    shot(page, "6-approved")
    assert problems == []
    page.context.close()


def test_analyst_rejected_revises_resubmits_and_is_approved(site, browser, shot, width: int) -> None:  # noqa: ANN001
    draft = site.world.draft()
    action = next(a for a in draft.report.actions if a.metric == "win_rate")
    approver, problems = _page(browser, width)
    _sign_in(approver, site.url, "wang")
    approver.goto(f"{site.url}/ui/drafts/{draft.id}")
    approver.locator("#reject").click()  # no reason: refused in the browser…
    expect(approver.locator("#draft-status")).to_have_attribute("data-status", "pending")
    csrf = approver.locator("meta[name='csrf-token']").get_attribute("content")
    refused = approver.request.post(
        f"{site.url}/ui/drafts/{draft.id}/reject", form={"csrf": csrf, "comment": ""}
    )
    assert refused.status == 422 and "驳回时请写明原因" in refused.text()  # …and by the server
    approver.get_by_label("意见").fill("华东赢单率目标太保守，请改到 60%。")
    approver.locator("#reject").click()
    expect(approver.locator(".flash")).to_contain_text("已驳回")
    shot(approver, "1-rejected")

    analyst, more = _page(browser, width)
    _sign_in(analyst, site.url, "li")
    analyst.goto(f"{site.url}/ui/inbox?status=rejected")
    analyst.locator(f"tr[data-draft-id='{draft.id}'] a").click()
    banner = analyst.locator("#rejection")
    expect(banner).to_contain_text("华东赢单率目标太保守")
    expect(banner).to_contain_text("第 2 版")
    _checked(analyst, "rejected draft")
    shot(analyst, "2-reason-at-top")
    analyst.locator(f"#edit-action-{action.id} summary").click()
    analyst.locator(f"#{action.id}-target").fill("60")
    analyst.get_by_role("button", name=f"保存 {action.id}").click()
    expect(analyst.locator(".flash")).to_have_text("已保存为新版本并提交审批。")
    expect(analyst.locator("#draft-status")).to_have_attribute("data-status", "pending")
    expect(analyst.locator("table[data-table='actions']")).to_contain_text("60%")
    shot(analyst, "3-resubmitted")

    approver.goto(f"{site.url}/ui/drafts/{draft.id}")
    approver.get_by_role("link", name="第 1 版与第 2 版的差异").click()
    expect(approver.locator("li.change[data-location$='.action_target'] ins")).to_have_text("60%")
    _checked(approver, "diff")
    shot(approver, "4-diff")
    approver.goto(f"{site.url}/ui/drafts/{draft.id}")
    approver.locator("#approve").click()
    expect(approver.locator(".flash")).to_have_text("已批准。")
    expect(approver.locator("#draft-status")).to_have_attribute("data-in-force", "2")
    shot(approver, "5-approved")
    assert problems == [] and more == []
    approver.context.close()
    analyst.context.close()


def test_board_and_webhook_delivery(site, browser, shot, width: int) -> None:  # noqa: ANN001
    from knowledge.records_schemas import Decision

    world = site.world
    start = len(world.receiver.requests)
    draft = world.draft(scope={"region": "华东"})
    world.service.approve(world.who("wang"), draft.id, Decision(comment="同意", version=draft.version))
    delivered = world.receiver.wait_for(
        lambda: any(
            draft.id in str(r.body) and "approved" in str(r.body) for r in world.receiver.requests[start:]
        )
    )
    assert delivered, "the approval reached the webhook receiver"
    page, problems = _page(browser, width)
    _sign_in(page, site.url, "zhou")  # the 华东 approver
    page.get_by_role("link", name="行动项看板").first.click()
    item_id = f"{draft.id}.{draft.report.actions[0].id}"
    card = page.locator(f"li[data-item-id='{item_id}']")
    expect(card).to_be_visible()
    _checked(page, "board")
    shot(page, "1-board")
    page.context.close()

    analyst, more = _page(browser, width)
    _sign_in(analyst, site.url, "li")
    analyst.goto(f"{site.url}/ui/actions?view=all")
    card = analyst.locator(f"li[data-item-id='{item_id}']")
    card.locator("summary").click()
    card.get_by_label("完成百分比").fill("40")
    card.get_by_label("状态").select_option("in_progress")
    card.get_by_role("button", name="保存").click()
    card = analyst.locator(f"li[data-item-id='{item_id}']")
    expect(card.locator("progress").first).to_have_attribute("value", "40")
    expect(card).to_contain_text("40%")
    expect(card.locator(".badge")).to_have_text("进行中")
    with analyst.expect_download() as download:
        analyst.locator("#export-xlsx").click()
    assert download.value.suggested_filename == "action-items.xlsx"
    shot(analyst, "2-board-updated")
    assert problems == [] and more == []
    analyst.context.close()


def test_every_screen_passes_axe_and_fits(site, browser, shot, width: int) -> None:  # noqa: ANN001
    draft = site.world.draft()
    page, problems = _page(browser, width)
    page.goto(f"{site.url}/ui/login")
    _checked(page, "login")
    shot(page, "login")
    page.get_by_label("用户名").fill("li")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").first.click()
    screens = {
        "inbox": "/ui/inbox?status=all",
        "draft": f"/ui/drafts/{draft.id}",
        "diff": f"/ui/drafts/{draft.id}/diff",
        "ask": "/ui/ask?q=赢单情况怎么样",
        "search": "/ui/search?q=预算&kind=call_note",
        "lessons": "/ui/lessons?q=竞品降价",
        "actions": "/ui/actions?view=all",
        "new-review": "/ui/reviews/new",
        "error": "/ui/drafts/rv-does-not-exist",
    }
    for name, path in screens.items():
        page.goto(f"{site.url}{path}")
        _checked(page, name)
        shot(page, name)
    page.goto(f"{site.url}/ui/reviews/new")
    page.locator("#r-region").select_option("华南")
    page.locator("#start-review").click()
    expect(page).to_have_url(re.compile(r"/ui/jobs/|/ui/drafts/"))
    if "/ui/jobs/" in page.url:
        _checked(page, "job")
        shot(page, "job")
    expect(page).to_have_url(re.compile(r"/ui/drafts/rv-"), timeout=60_000)
    expect(page.locator("h1")).to_contain_text("华南")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#draft-status")).to_contain_text("draft")
    _checked(page, "draft in English")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button></button>')")  # the scan can fail
    assert "button-name" in {v["id"] for v in axe_violations(page)}
    assert [p for p in problems if "404" not in p] == []  # the error screen's own 404 is expected
    page.context.close()
