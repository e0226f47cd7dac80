"""Where imported rows come from, staged as text in one DuckDB table: CSV, XLSX, Parquet or a database query.

Every source lands in the temporary table `_stage`: one VARCHAR column per source column (`c0`, `c1`, … in the
source's order; the user's headers are kept apart), each cell as it is in the file (an empty one NULL), in the
source's row order, so a row's line in the file is `rowid + first_line`. CSVs are read by DuckDB's parallel reader (files in another encoding are transcoded to UTF-8
first, in chunks); a CSV the strict reader refuses (a row with more or fewer fields than the header) is read again
by Python's csv module, which names those rows. Title lines above the header ("2024年销售目标") are skipped and
kept as the table's title.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from fupan.errors import InputError
from knowledge.dates import STRIP
from knowledge.encodings import file_encoding, transcode
from knowledge.import_report import Issue

STAGE = "_stage"
_BATCH = 100_000
_HEAD_BYTES = 256 << 10
Progress = Callable[[str, float], None]


class Staged(BaseModel):
    """A source in `_stage`: its headers, how it was read, and where its rows start."""

    name: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    first_line: int = Field(2, description="line of the first data row (the header is the line before)")
    content_hash: str = ""
    title: str = Field("", description="text above the header row, e.g. a sheet title")
    sheet: str | None = None
    issues: list[Issue] = Field(default_factory=list, description="rows read with fewer fields than the header")
    unreadable: dict[int, str] = Field(default_factory=dict, description="line -> why the row cannot be read")

    def column(self, header: str) -> str:
        """The staged column (`c3`) holding the user's column `header`."""
        return f"c{self.headers.index(header)}"


_EDGE_CODES = ", ".join(str(ord(c)) for c in STRIP)


def clean_sql(expr: str) -> str:
    """A cell's value: trimmed of spaces, tabs, line breaks, NBSP and ideographic spaces; blank → NULL
    (Python: `cell.strip(STRIP) or None`). Cells are staged as they are in the file; values are cleaned where
    they are stored or compared, and the trim runs only on the few cells that need it."""
    trimmed = f"NULLIF(trim({expr}, '{STRIP}'), '')"
    # CASE, not OR: DuckDB evaluates every operand of OR, and right() walks the whole string
    return (
        f"CASE WHEN ascii({expr}) IN ({_EDGE_CODES}) THEN {trimmed} "
        f"WHEN ascii(right({expr}, 1)) IN ({_EDGE_CODES}) THEN {trimmed} ELSE NULLIF({expr}, '') END"
    )


def dirty_sql(expr: str) -> str:
    """Whether `clean_sql` would change a staged cell (edge whitespace, or empty text): NULL for a NULL cell."""
    return (
        f"(CASE WHEN ascii({expr}) IN ({_EDGE_CODES}) THEN true "
        f"WHEN ascii(right({expr}, 1)) IN ({_EDGE_CODES}) THEN true ELSE {expr} = '' END)"
    )


def may_lead_sql(expr: str) -> str:
    """Whether a non-NULL staged cell may begin with an edge character (or is empty), by byte-wise comparisons
    only: its first byte is below '!' (space, tab, line breaks, other control characters, or nothing), or it
    begins with the bytes of NBSP or of the ideographic space. Cheaper than decoding the first character
    (`ascii`, ~2x on the profile's blank counts); a cell it lets through is tested exactly."""
    return (
        f"({expr} < '!' OR ({expr} >= '\u00a0' AND {expr} < '\u00a1') "
        f"OR ({expr} >= '\u3000' AND {expr} < '\u3001'))"
    )


def blank_sql(expr: str) -> str:
    """Whether a staged cell is blank: empty, or nothing but whitespace (a cell that cannot begin with an edge
    character and is not empty is not blank; the others are trimmed and compared)."""
    return (
        f"(CASE WHEN {expr} IS NULL THEN true WHEN {may_lead_sql(expr)} "
        f"THEN trim({expr}, '{STRIP}') = '' ELSE false END)"
    )


def raw(cell: object) -> str | None:
    """A cell as staged: the text as in the file, an empty cell as NULL."""
    if cell is None:
        return None
    text = str(cell)
    return text if text != "" else None


def clean_headers(raw: list[object]) -> list[str]:
    """Headers as text: trimmed, a blank one named by its position, repeats numbered (`金额 (2)`)."""
    out: list[str] = []
    for i, h in enumerate(raw):
        text = "" if h is None else str(h).strip().lstrip("\ufeff").strip()
        text = text or f"column {i + 1}"
        name, n = text, 2
        while name in out:
            name, n = f"{text} ({n})", n + 1
        out.append(name)
    return out


def stage_file(
    con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None = None, progress: Progress | None = None
) -> Staged:
    """Stage a CSV/TSV/TXT, XLSX or Parquet file."""
    if not path.exists():
        raise InputError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        staged = _stage_excel(con, path, sheet)
    elif suffix == ".parquet":
        staged = _stage_parquet(con, path)
    else:
        staged = _stage_csv(con, path, progress)
    staged.content_hash = _file_hash(path, sheet)
    return staged


def drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {STAGE}")


# ---- CSV ---------------------------------------------------------------------------------------------------
def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, progress: Progress | None) -> Staged:
    encoding = file_encoding(path)
    with tempfile.TemporaryDirectory(prefix="fupan-import-") as tmp:
        source = path
        if encoding not in ("utf-8", "utf-8-sig"):
            if progress:
                progress(f"transcoding from {encoding}", 0.0)
            source = Path(tmp) / "utf8.csv"
            transcode(path, encoding, source)
        head = _head_text(source)
        delimiter = sniff_delimiter(head)
        skip, headers, title = _header(head, delimiter)
        staged = Staged(
            name=path.name, headers=headers, encoding=encoding, delimiter=delimiter, title=title, first_line=skip + 2
        )
        try:
            _duckdb_csv(con, source, staged, skip)
        except duckdb.Error:
            _python_csv(con, source, staged, skip)
    staged.rows = int(con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0])  # type: ignore[index]
    return staged


def _head_text(path: Path) -> str:
    with path.open("rb") as f:
        raw = f.read(_HEAD_BYTES)
    return raw.decode("utf-8", errors="ignore").lstrip("\ufeff")


def sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(rec)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def header_index(records: list[list[str]]) -> int:
    """Which of the first records is the header: the first one at least half as full as the widest record
    (title lines like `2024年销售目标,,,` come before it)."""
    if not records:
        return 0
    filled = [sum(1 for c in r if str(c).strip()) for r in records]
    widest = max(filled)
    for i, n in enumerate(filled):
        if n >= max(2, widest / 2) or (widest == 1 and n == 1):
            return i
    return 0


def _header(text: str, delimiter: str) -> tuple[int, list[str], str]:
    lines = [line for line in text.splitlines()[:12]]
    records = _records("\n".join(lines), delimiter, 12)
    if not records:
        raise InputError("the file is empty", hint="export the table with a header row")
    i = header_index(records)
    title = " ".join(c.strip() for r in records[:i] for c in r if c.strip())
    return i, clean_headers(list(records[i])), title


def _duckdb_csv(con: duckdb.DuckDBPyConnection, path: Path, staged: Staged, skip: int) -> None:
    width = len(staged.headers)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    delim = staged.delimiter.replace("'", "''")
    # the cells only: no row hash while reading (80 MB more to hold at 10M rows, and 3 CPU-s of staging there,
    # for the one check that needs it, identical rows, which hashes the rows it compares itself)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT * FROM read_csv(?, header=true, "
        f"skip={skip}, delim='{delim}', quote='\"', escape='\"', auto_detect=false, columns={columns})",
        [str(path)],
    )


def _python_csv(con: duckdb.DuckDBPyConnection, path: Path, staged: Staged, skip: int) -> None:
    """The reader of last resort: pads short rows (reported) and names rows with too many fields."""
    width = len(staged.headers)
    body = ", ".join(f"c{i} VARCHAR" for i in range(width))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} ({body})")
    short: list[int] = []
    batch: list[list[str | None]] = []
    with path.open(encoding="utf-8", newline="") as f:
        records = csv.reader(f, delimiter=staged.delimiter)
        for _ in range(skip + 1):
            next(records, None)
        line = staged.first_line
        for rec in records:
            if not rec:
                continue  # blank line: skipped, as DuckDB's reader does
            if len(rec) > width and any(c.strip() for c in rec[width:]):
                staged.unreadable[line] = f"{len(rec)} fields, the header has {width}"
            elif len(rec) < width:
                short.append(line)
            cells: list[str | None] = [raw(c) for c in rec[:width]]
            batch.append(cells + [None] * (width - len(cells)))
            line += 1
            if len(batch) >= _BATCH:
                append_rows(con, batch, width)
                batch = []
    append_rows(con, batch, width)
    if short:
        shown = ", ".join(map(str, short[:50])) + (" ..." if len(short) > 50 else "")
        staged.issues.append(
            Issue(
                file=staged.name,
                reason=f"{len(short)} row(s) have fewer fields than the header ({width}); "
                f"their missing cells are blank: rows {shown}",
            )
        )


def append_rows(con: duckdb.DuckDBPyConnection, rows: list[list[str | None]], width: int) -> None:
    if not rows:
        return
    table = pa.table({f"c{i}": pa.array([r[i] for r in rows], type=pa.string()) for i in range(width)})
    con.register("_batch", table)
    try:
        con.execute(f"INSERT INTO {STAGE} SELECT * FROM _batch")
    finally:
        con.unregister("_batch")


# ---- XLSX and Parquet ----------------------------------------------------------------------------------------
def _stage_excel(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None) -> Staged:
    import pandas as pd

    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # noqa: BLE001 - a broken workbook is the user's input
        raise InputError(f"cannot open the workbook ({exc})", file=path.name) from None
    if sheet is not None and sheet not in book.sheet_names:
        raise InputError(
            f"no sheet {sheet!r}", file=path.name, hint=f"sheets: {', '.join(map(str, book.sheet_names))}"
        )
    name = sheet if sheet is not None else book.sheet_names[0]
    frame = book.parse(name, header=None, dtype=str, keep_default_na=False)
    records = frame.head(12).astype(str).values.tolist()
    i = header_index(records)
    title = " ".join(str(c).strip() for r in records[:i] for c in r if str(c).strip())
    headers = clean_headers(frame.iloc[i].tolist()) if len(frame) else []
    body = frame.iloc[i + 1 :]
    width = len(headers)
    rows: list[list[str | None]] = [[raw(v) for v in rec] for rec in body.itertuples(index=False)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} ({', '.join(f'c{k} VARCHAR' for k in range(width))})")
    append_rows(con, rows, width)
    return Staged(
        name=path.name,
        headers=headers,
        encoding="xlsx",
        rows=len(rows),
        first_line=i + 2,
        title=" ".join(filter(None, [str(name), title])),
        sheet=str(name),
    )


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> Staged:
    names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()]
    select = ", ".join(
        f'CAST({_ident(n)} AS VARCHAR) AS c{i}' for i, n in enumerate(names)
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {select} FROM read_parquet(?)", [str(path)])
    rows = int(con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0])  # type: ignore[index]
    return Staged(name=path.name, headers=clean_headers(list(names)), encoding="parquet", rows=rows)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- content hash -------------------------------------------------------------------------------------------
def _file_hash(path: Path, sheet: str | None) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in _chunks(f):
            h.update(chunk)
    h.update(str(sheet).encode())
    return h.hexdigest()


def _chunks(f: io.BufferedReader) -> Iterator[bytes]:
    while chunk := f.read(8 << 20):
        yield chunk
