"""Text encodings of exported files: detection from a sample, and streaming transcoding to UTF-8.

Exports come as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), GB18030/GBK (Chinese Windows) or
Windows-1252 (Western Windows, e.g. `Café`, `€`). UTF-8 is checked first; a file that is not UTF-8 is GBK when
its high bytes pair up as Chinese characters (both bytes in A1-FE), and Windows-1252 otherwise. Files are
transcoded in chunks, so a 1 GB export never sits in memory.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from fupan.errors import InputError

SAMPLE_BYTES = 4 << 20
_CHUNK = 8 << 20
_GB_PAIR = re.compile(rb"[\xa1-\xfe][\xa1-\xfe]")
_HIGH = re.compile(rb"[\x80-\xff]")
_UTF8_SEQ = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")  # a well-formed 3-byte UTF-8 character (CJK, €, …)


def sniff_encoding(raw: bytes, *, complete: bool = True) -> str:
    """The encoding of `raw` (a whole file, or its first bytes when `complete` is false)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(raw) > 3 and raw[1:4:2] == b"\x00\x00":
        return "utf-16-le"
    if _decodes(raw, "utf-8", complete):
        return "utf-8"
    high = len(_HIGH.findall(raw))
    if 3 * len(_UTF8_SEQ.findall(raw)) >= 0.8 * high:  # UTF-8 with a few broken bytes: not another encoding
        bad = _first_bad_line(raw)
        raise InputError(
            f"the file is UTF-8 but line {bad} is not valid UTF-8",
            hint="re-export the file as UTF-8, or fix that line",
        )
    paired = 2 * len(_GB_PAIR.findall(raw))
    if paired >= 0.8 * high and _decodes(raw, "gb18030", complete):
        return "gb18030"
    if _decodes(raw, "cp1252", complete):
        return "cp1252"
    if _decodes(raw, "gb18030", complete):
        return "gb18030"
    raise InputError(
        "cannot detect the encoding (tried UTF-8, UTF-16, GB18030/GBK, Windows-1252)",
        hint="save the file as UTF-8 CSV",
    )


def _first_bad_line(raw: bytes) -> int:
    for n, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return n
    return 1


def _decodes(raw: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(raw, final=complete)
        return True
    except UnicodeDecodeError:
        return False


def file_encoding(path: Path) -> str:
    """The encoding of a file, judged on its first 4 MB."""
    with path.open("rb") as f:
        raw = f.read(SAMPLE_BYTES)
        complete = len(raw) < SAMPLE_BYTES or not f.read(1)
    return sniff_encoding(raw, complete=complete)


def transcode(path: Path, encoding: str, out: Path) -> None:
    """Write `path` decoded from `encoding` as UTF-8 (no BOM) to `out`, chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)()
    first, done = True, 0
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(_CHUNK):
                text = decoder.decode(chunk)
                if first:
                    text, first = text.lstrip("\ufeff"), False
                dst.write(text)
                done += len(chunk)
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not valid {encoding} near byte {done + exc.start:,}",
            file=path.name,
            hint="save it as UTF-8 CSV",
        ) from None
