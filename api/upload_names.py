"""Names of uploaded files: what the server may call them, and what it may say about them.

The client's file name is only a hint (the readers go by its suffix, reports name it): it is cut to its last
path part, stripped of anything but letters, digits, CJK, `.`, `-` and `_`, never starts with a dot (so never
`.` or `..`), and fits in 100 bytes of UTF-8 with its suffix kept (120 CJK characters are 360 bytes, more than
a file system allows). Errors about a saved upload never show the server's temp folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from fupan.errors import FupanError, InputError

MAX_NAME_BYTES = 100
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]")


def safe_upload_name(name: str | None, default: str = "upload") -> str:
    """A file name safe to create in a fresh temp folder, keeping the suffix the readers go by."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE.sub("_", base).lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = base, ""
    suffix = suffix.lower()
    room = MAX_NAME_BYTES - len(suffix.encode()) - 1
    stem = stem.encode()[:room].decode("utf-8", "ignore").strip("._") or default
    return f"{stem}.{suffix}" if suffix else stem


def without_folder(exc: FupanError, folder: Path) -> FupanError:
    """The same error with the server's temp folder taken out of its message and file name."""
    prefix = f"{folder}/"
    exc.message = exc.message.replace(prefix, "")
    if isinstance(exc, InputError) and exc.file:
        exc.file = exc.file.replace(prefix, "")
    exc.args = (exc.message,)
    return exc
