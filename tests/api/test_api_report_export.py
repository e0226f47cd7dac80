"""GET /drafts/{id}/report: the review as a file, latest or approved version, scoped like every draft read;
the file name says period, version and status."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import unquote

import openpyxl
from api_world import World, hand_report


def _filename(response) -> str:  # type: ignore[no-untyped-def]
    header = response.headers["content-disposition"]
    return unquote(header.split("filename*=UTF-8''", 1)[1])


def test_report_downloads_in_every_format(world: World) -> None:
    saved = world.save("analyst", hand_report("华东", marker="export"))
    draft_id = saved["id"]
    r = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "xlsx"})
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) >= 5
    assert _filename(r) == "华东-2026Q3-复盘报告-v1-待审批.xlsx"
    html = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text.lower()
    md = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "md"})
    assert md.status_code == 200 and "review.md" in zipfile.ZipFile(io.BytesIO(md.content)).namelist()
    docx = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "docx"}
    )
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert pdf.headers["content-type"] == "application/pdf" and _filename(pdf).endswith("-v1-待审批.pdf")


def test_the_approved_version_downloads_whether_or_not_it_is_the_latest(world: World) -> None:
    draft_id = world.save("analyst", hand_report("华东", marker="approved-latest"))["id"]
    assert world.decide("approver", draft_id, "approve", comment="ok", version=1).status_code == 200
    approved = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"version": "approved", "format": "md"}
    )
    assert approved.status_code == 200, approved.text  # it was 404 while the approved version was the latest
    assert _filename(approved) == "华东-2026Q3-复盘报告-v1-已批准.zip"
    first = zipfile.ZipFile(io.BytesIO(approved.content)).read("review.md").decode("utf-8")
    revision = world.get("analyst", draft_id).headers["ETag"].strip('"')
    assert world.edit("analyst", draft_id, revision, summary="修订后的概述。").status_code == 200
    still = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"version": "approved", "format": "md"}
    )
    latest = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"version": "latest", "format": "md"}
    )
    assert _filename(still) == "华东-2026Q3-复盘报告-v1-已批准.zip"
    assert _filename(latest) == "华东-2026Q3-复盘报告-v2-待审批.zip"
    assert zipfile.ZipFile(io.BytesIO(still.content)).read("review.md").decode("utf-8") == first
    assert "修订后的概述。" in zipfile.ZipFile(io.BytesIO(latest.content)).read("review.md").decode("utf-8")


def test_report_errors(world: World) -> None:
    draft_id = world.save("analyst", hand_report("华东", marker="export-errors"))["id"]
    unapproved = world.client.get(
        f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"version": "approved"}
    )
    assert unapproved.status_code == 404 and unapproved.headers["content-type"] == "application/problem+json"
    bad = world.client.get(f"/drafts/{draft_id}/report", headers=world.h("viewer"), params={"format": "rtf"})
    assert bad.status_code == 422
    missing = world.client.get("/drafts/rv-000000000000/report", headers=world.h("viewer"))
    assert missing.status_code == 404
    assert world.client.get(f"/drafts/{draft_id}/report").status_code == 401
