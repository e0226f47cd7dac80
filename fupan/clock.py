"""The clock: `utc_now()` is the default of `Deps.clock`, and the records, accounts and job stores stamp rows
with it. It lives in the kernel on its own so that those stores need not import `knowledge.deps` (which opens them)."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)
