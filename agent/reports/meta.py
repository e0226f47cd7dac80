"""What a sendable file says about itself: the cover (company, period, author, approver and date once approved)
and a file name that names the company, the period, the version and its status.

`report_version(draft, which)` picks the version a download asks for: `latest`, or `approved` — the version in
force, which may well be the latest one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from fupan.errors import NotFound
from fupan.report import ReviewDraft

ReportStatus = Literal["unsaved", "draft", "pending", "approved", "rejected", "superseded"]
_STATUS = {
    "unsaved": ("未保存", "unsaved"),
    "draft": ("草稿", "draft"),
    "pending": ("待审批", "pending"),
    "approved": ("已批准", "approved"),
    "rejected": ("已驳回", "rejected"),
    "superseded": ("已替代", "superseded"),
}


class ReportMeta(BaseModel):
    """Who and what a report file is: shown on the cover and in the file name."""

    company: str = Field("", description="the company's name (setting `company`)")
    draft_id: str = ""
    version: int | None = None
    status: ReportStatus = "unsaved"
    author: str = ""
    approver: str = ""
    approved_at: dt.datetime | None = None

    def status_label(self, lang: str) -> str:
        zh, en = _STATUS[self.status]
        return zh if lang == "zh" else en


def report_version(
    draft: Any, which: str, company: str = "", names: dict[str, str] | None = None
) -> tuple[ReviewDraft, ReportMeta]:
    """The report of a saved draft (a DraftPublic) for a download: the latest version, or the approved one
    (the version in force, whether or not a newer one is pending). NotFound when nothing is approved yet.
    `names` maps API key ids to the names of the people who hold them (the approver on the cover)."""
    if which == "approved":
        if draft.approved_version is None:
            raise NotFound(f"draft {draft.id} has no approved version yet", hint="use version=latest")
        number = draft.approved_version
        report = draft.report if number == draft.version else draft.approved_report
        if report is None:  # the records always carry the version in force; this is a broken record
            raise NotFound(
                f"draft {draft.id}: approved version {number} is missing", hint="use version=latest"
            )
    else:
        number, report = draft.version, draft.report
    info = next((v for v in draft.versions if v.version == number), None)
    status = info.status if info is not None else draft.status
    approved = status == "approved" or (which == "approved")
    return report, ReportMeta(
        company=company,
        draft_id=draft.id,
        version=number,
        status=status,
        author=draft.author,
        approver=(names or {}).get(info.decided_by or "", info.decided_by or "")
        if info is not None and approved
        else "",
        approved_at=info.decided_at if info is not None and approved else None,
    )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def report_filename(draft: ReviewDraft, meta: ReportMeta, ext: str, lang: str | None = None) -> str:
    """'示例公司-华东-2026Q3-复盘报告-v2-已批准.docx' / 'Acme-2026Q3-review-v2-approved.pdf'."""
    from agent.wording import segment_label

    lang = lang or draft.language
    parts = [meta.company.strip()]
    if draft.scope:
        parts.append(segment_label(draft.scope, lang))
    parts += [draft.period, "复盘报告" if lang == "zh" else "review"]
    if meta.version is not None:
        parts.append(f"v{meta.version}")
    parts.append(meta.status_label(lang))
    name = "-".join(_UNSAFE.sub("_", p).strip() for p in parts if p and p.strip())
    return f"{name.replace(' ', '_')}.{ext}"


def content_disposition(filename: str) -> str:
    """An attachment header any browser reads: an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    from urllib.parse import quote

    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "report"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
