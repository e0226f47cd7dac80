"""Text that cannot be stored, exported or echoed safely is refused where it comes in (CLI and API).

A NUL or another C0 control character (other than tab, newline and carriage return) cannot be written to Word
or Excel files (XML 1.0 forbids it), and an unpaired surrogate (`"\\ud800"` in JSON) cannot be encoded as
UTF-8 at all; either one saved in a draft would break its exports for good. Questions are also limited in length,
so one request cannot keep the question router busy.
"""

from __future__ import annotations

import re

from fupan.errors import InputError

MAX_QUESTION_CHARS = 500
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAMES = {0: "a NUL character"}


def unsafe_character(text: str) -> str | None:
    """What is wrong with `text` ('a NUL character (U+0000) at character 5'), or None when it is safe."""
    m = _UNSAFE.search(text)
    if m is None:
        return None
    code = ord(m.group(0))
    if 0xD800 <= code <= 0xDFFF:
        name = "an unpaired surrogate"
    else:
        name = _NAMES.get(code, "a control character")
    return f"{name} (U+{code:04X}) at character {m.start() + 1}"


def check_text(text: str, *, what: str, max_chars: int | None = None) -> str:
    """`text` when it is safe to keep; otherwise InputError naming the field and the problem (never echoing
    the offending character itself)."""
    problem = unsafe_character(text)
    if problem:
        raise InputError(
            f"{what} contains {problem}",
            hint="remove control characters and broken characters from the text and send it again",
        )
    if max_chars is not None and len(text) > max_chars:
        raise InputError(
            f"{what} is {len(text):,} characters long; at most {max_chars:,} are accepted",
            hint="shorten it to one question about one metric",
        )
    return text


def check_question(question: str) -> str:
    """A question as the CLI and the API accept it: safe text of at most MAX_QUESTION_CHARS characters."""
    return check_text(question, what="question", max_chars=MAX_QUESTION_CHARS)


def first_unsafe(value: object, path: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str] | None:
    """The first unsafe string (keys too) in parsed JSON, as (where, what is wrong)."""
    if isinstance(value, str):
        problem = unsafe_character(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_unsafe(key, (*path, "<key>")) or first_unsafe(item, (*path, str(key)))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := first_unsafe(item, (*path, i)):
                return found
    return None
