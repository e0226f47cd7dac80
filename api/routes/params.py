"""Shared request parameters: paging, ids, and the If-Match revision."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Path, Query, Response
from pydantic import AfterValidator

from fupan.errors import InputError, PreconditionRequired
from fupan.periods import period_label

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
DraftId = Annotated[str, Path(min_length=1, max_length=80, examples=["rv-3f9a1c2b7d4e"])]
ItemId = Annotated[str, Path(min_length=1, max_length=120, examples=["rv-3f9a1c2b7d4e.A1"])]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=100,
        description='the ETag (revision) you read, e.g. "3"; a stale one gets 409',
        examples=['"3"'],
    ),
]



def _period(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return period_label(value)
    except InputError as exc:
        raise ValueError(f"{exc.message}; {exc.hint}") from None


PeriodLabel = Annotated[str, AfterValidator(_period)]  # strict: 2026Q3, 2026-Q3, 2026年第3季度 … → label
PeriodFilter = Annotated[str | None, Query(max_length=20), AfterValidator(_period)]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,12})"?\s*$')


def revision_from(if_match: str | None, *, required: bool = False) -> int | None:
    """The revision number in an If-Match header (`"3"`, `W/"3"` or `3`)."""
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired(
                "this change needs an If-Match header with the revision you read",
                hint="GET the resource, then send its ETag as If-Match",
            )
        return None
    match = _ETAG.match(if_match)
    if not match:
        raise InputError('If-Match must be a revision number like "3"', column="If-Match", value=if_match)
    return int(match.group(1))


def set_etag(response: Response, revision: int) -> None:
    response.headers["ETag"] = f'"{revision}"'
