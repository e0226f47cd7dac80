"""GET /drafts/{id}/report: the review as a file, latest or approved version, scoped like every draft read."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from api_world import World, hand_report


def test_report_downloads_in_every_format(world: World) -> None:
    saved = world.save("analyst", hand_report("华东", marker="export"))
    draft_id = saved["id"]
    r = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "xlsx"})
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) >= 4
    html = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text.lower()
    md = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "md"})
    assert md.status_code == 200 and "review.md" in zipfile.ZipFile(io.BytesIO(md.content)).namelist()
    docx = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "docx"}
    )
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_report_errors(world: World) -> None:
    draft_id = world.save("analyst", hand_report("华东", marker="export-errors"))["id"]
    unapproved = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"version": "approved"}
    )
    assert unapproved.status_code == 404 and unapproved.headers["content-type"] == "application/problem+json"
    bad = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "pdf"})
    assert bad.status_code == 422
    missing = world.client.get("/drafts/rv-000000000000/report", headers=world.h("viewer"))
    assert missing.status_code == 404
    assert world.client.get(f"/drafts/{draft_id}/report").status_code == 401
