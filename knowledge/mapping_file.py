"""The mapping file `fupan import --dry-run` writes: what was recognised, as a YAML file the user edits and
passes back with `--mapping`. Each matched column carries its confidence and reason as a comment; unused
columns and likely spelling pairs are listed as comments to copy in."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from knowledge.import_report import ImportReport
from knowledge.mapping import Mapping


def _q(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def mapping_text(mapping: Mapping, report: ImportReport, rulings: dict[str, str] | None = None) -> str:
    lines = [
        f"# Fupan mapping for {report.file}: {report.kind}, layout {report.layout}",
        "# Proposed by `fupan import --dry-run`; edit it and import with --mapping this-file.",
        f"kind: {report.kind}",
        f"layout: {report.layout}",
    ]
    why = {m.field: m for m in report.matches if m.column}
    if mapping.columns:
        lines.append("columns:")
        for f, c in mapping.columns.items():
            m = why.get(f)
            note = f"  # {m.confidence:.2f}: {m.why}" if m else ""
            lines.append(f"  {f}: {_q(c)}{note}")
    if mapping.constants:
        lines.append("constants:")
        lines += [f"  {f}: {_q(v)}" for f, v in mapping.constants.items()]
    for key in ("order_id", "row_id"):
        value = getattr(mapping, key)
        if value:
            lines.append(f"{key}: {_q(value)}")
    if mapping.periods:
        lines.append("periods:")
        lines += [f"  {_q(c)}: {_q(p)}" for c, p in mapping.periods.items()]
    if mapping.year:
        lines.append(f"year: {mapping.year}")
    if mapping.date_format:
        lines.append(f"date_format: {_q(mapping.date_format)}")
    orders = {c: o for c, o in (rulings or {}).items() if o}
    if isinstance(mapping.date_order, str):
        lines.append(f"date_order: {mapping.date_order}")
    elif orders or mapping.date_order:
        lines.append("date_order:")
        lines += [f"  {_q(c)}: {o}" for c, o in {**orders, **(mapping.date_order or {})}.items()]
    if mapping.stage_map:
        lines.append("stage_map:")
        lines += [f"  {_q(k)}: {v}" for k, v in mapping.stage_map.items()]
    if report.currency:
        lines.append(f"currency: {report.currency}  # {report.currency_basis}")
    else:
        lines.append("# currency: USD  # not recognised from the data; set it if you know it")
    dims = [d.header for d in report.dimensions if d.origin != "core"]
    lines.append(f"dimensions: {_q(dims)}")
    if mapping.ignore:
        lines.append(f"ignore: {_q(mapping.ignore)}")
    if mapping.value_map:
        lines.append("value_map:")
        lines += [f"  {f}: {_q(v)}" for f, v in mapping.value_map.items()]
    if report.unused:
        lines.append("# columns not used (list one under dimensions: to keep it as a dimension):")
        lines += [f"#   {c}: {why}" for c, why in report.unused.items()]
    if report.suggested_value_map:
        lines.append("# likely the same names spelled differently; uncomment to accept them:")
        lines.append("# value_map:")
        lines += [f"#   {f}: {_q(v)}" for f, v in report.suggested_value_map.items()]
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
