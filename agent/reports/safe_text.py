"""Exports carry text, never live content. One place for the escaping every writer calls at its write point:

- `printable(draft)`: characters that XML 1.0 forbids (NUL and other C0 controls, unpaired surrogates) become
  U+FFFD in every text of the draft, so no text can break a Word or Excel file (or the Markdown/HTML).
- `guard_sheet(ws)`: every text cell of an XLSX sheet is stored as text, never as a formula: text starting with
  `=`, `+`, `-`, `@` (or a tab / carriage return) gets Excel's quote prefix (OWASP CSV/formula injection), so
  `=HYPERLINK(...)` in a lesson shows as that text and does nothing.
- `markdown_text(text)`: HTML is escaped (`<script>` shows as text), and a Markdown link survives only when it
  points to http(s); `[x](javascript:...)` and images from user text become plain text (images become links,
  so opening the report fetches nothing). `markdown_code(text)` is a code span that text cannot break out of.
- `safe_url(url)`: the URL when it is http(s), else "".
"""

from __future__ import annotations

import html
import re
from typing import Any

from fupan.report import ReviewDraft

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.I)
# [label](target) or ![alt](target), with an optional "title"; labels do not nest
_LINK = re.compile(r"(!?)\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_MD_SPECIAL = re.compile(r"([\\`\[\]])")  # what could make a link or hide an escape; emphasis stays


def xml_text(text: str) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def printable(draft: ReviewDraft) -> ReviewDraft:
    """The draft with every text XML-safe (the same draft object when nothing needed replacing)."""
    data = draft.model_dump(mode="python")
    cleaned = _clean(data)
    return draft if cleaned == data else ReviewDraft.model_validate(cleaned)


def formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def guard_sheet(ws: Any) -> None:
    """Store every text cell of an openpyxl worksheet as text; formula-like text gets the quote prefix."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if cell.data_type == "f" or formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def safe_url(url: str) -> str:
    return url if _SAFE_URL.match(url.strip()) else ""


def _escape_md(text: str) -> str:
    """HTML escaped, and the characters that make links or code spans backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def markdown_text(text: str) -> str:
    """User text as Markdown that renders as that text: see the module docstring."""
    out: list[str] = []
    last = 0
    for m in _LINK.finditer(text):
        out.append(_escape_md(text[last : m.start()]))
        _bang, label, target = m.groups()
        url = safe_url(target)
        out.append(f"[{_escape_md(label)}]({url})" if url else _escape_md(m.group(0)))
        last = m.end()
    out.append(_escape_md(text[last:]))
    return "".join(out)


def markdown_code(text: str) -> str:
    """An inline code span holding `text` literally, whatever backticks it contains."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_fence(text: str) -> tuple[str, str]:
    """(fence, text) for a fenced code block that `text` cannot close early."""
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", text)), default=2)
    return "`" * max(3, longest + 1), text
