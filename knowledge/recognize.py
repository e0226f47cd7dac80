"""Recognising a file: which table it is, its layout, and which column holds which field.

Each field is matched on the column's header *and* its values (knowledge/column_profile.py): a header that is
a known word for the field scores 1 (a header that only contains one, 0.6), times how well the values fit (a
date field needs dates, an amount numbers, an id unique values, a stage stage names). A column no header word
explains can still be matched on values alone, more weakly (a column of stage names is the stage, a lone date
column the close date, a money-like column the amount). Matches are taken best first, one column per field;
each carries its confidence and the reason, which `--dry-run` shows and writes as an editable mapping file.

Layouts: `crm` (a stage per row), `order_lines` (no stage: every line is a won sale of its order; a status
column is kept as a dimension), `targets_long` (a period and a target column), `targets_wide` (one row per
segment, one column per period) and `table` (team, products, accounts). Every other text column with at most
`dimension_max_values` distinct values is kept as a dimension under the user's own header.
"""

from __future__ import annotations

from fupan.errors import InputError
from knowledge.column_profile import ColumnProfile
from knowledge.field_matching import (
    TYPES,
    Recognized,
    assign,
    candidates,
    cjk,
    header_score,
    target_metric_of,
)
from knowledge.import_report import FieldMatch
from knowledge.mapping import (
    CONTACT_WORDS,
    KINDS,
    PRESETS,
    REQUIRED,
    ROW_ID_HEADERS,
    STATUS_HEADERS,
    SYNONYMS,
    Layout,
    Mapping,
    norm,
)
from knowledge.target_periods import is_period_name, is_total
from knowledge.targets_import import recognize_targets

CORE_FIELDS = ("account", "rep", "manager", "region", "product", "lead_source")
SIDE_KEYS = {"team": "rep", "products": "product", "accounts": "account"}
FILLS_CORE = {"team": ("manager", "region")}  # side-table columns that fill the deals' own fields


def _money_like(p: ColumnProfile) -> bool:
    return p.number_share >= 0.95 and not p.sequence and (p.decimal_share >= 0.3 or bool(p.currencies))


def _value_only(kind: str, profiles: list[ColumnProfile], taken: set[str]) -> list[tuple[float, str, str, str]]:
    """Matches on values alone, for columns whose header says nothing Fupan knows."""
    if kind != "opportunities":
        return []
    free = [p for p in profiles if p.header not in taken and p.filled]
    out = []
    for p in free:
        if p.stage_share >= 0.25 and p.distinct <= 50:  # a few known stage names: the stage, with the team's words
            out.append((0.3 + 0.4 * p.stage_share, "stage", p.header, f"{p.stage_share:.0%} of its values are stages"))
        if _money_like(p):
            out.append((0.45, "amount", p.header, f"money-like values ({p.number_share:.0%} numbers)"))
    dates = [p for p in free if p.date_share >= 0.9]
    if len(dates) == 1:
        out.append((0.45, "close_date", dates[0].header, "the only column of dates"))
    return out


# ---- kind --------------------------------------------------------------------------------------------------
def detect_kind(profiles: list[ColumnProfile]) -> tuple[str, str]:
    """The table a file is, from its headers (and values), with the reason."""
    headers = [p.header for p in profiles]

    def hits(kind: str, f: str, strong: float = 0.7) -> list[str]:
        return [h for h in headers if header_score(SYNONYMS[kind][f], h) >= strong]

    periods = [h for h in headers if is_period_name(h)]
    target_cols = hits("targets", "target") + [  # 新客户目标, Revenue Target: a target word and a metric word
        h for h in headers if header_score(SYNONYMS["targets"]["target"], h) > 0 and target_metric_of(h)
    ]
    if target_cols or len(periods) >= 2:
        why = f"a target column ({target_cols[0]})" if target_cols else f"period columns ({', '.join(periods[:4])})"
        return "targets", f"the headers have {why}"
    amount = hits("opportunities", "amount")
    dated = [p.header for p in profiles if p.date_share >= 0.9] + hits("opportunities", "close_date")
    stage = hits("opportunities", "stage")
    if amount and (dated or stage):
        return "opportunities", f"the headers have an amount ({amount[0]}) and {'a stage' if stage else 'dates'}"
    staged = [p.header for p in profiles if p.stage_share >= 0.5 and 0 < p.distinct <= 50]
    money = [p.header for p in profiles if _money_like(p)]
    if dated and (staged or money):
        what = f"stage names ({staged[0]})" if staged else f"amounts ({money[0]})"
        return "opportunities", f"the values have dates and {what}"
    scores = {}
    for kind in ("team", "products", "accounts"):
        key = hits(kind, SIDE_KEYS[kind])
        others = [h for f in SYNONYMS[kind] if f != SIDE_KEYS[kind] for h in hits(kind, f) if h not in key]
        if key and others:
            scores[kind] = (len(others), f"{key[0]} and {', '.join(others[:3])}")
    if scores:
        kind = max(scores, key=lambda k: scores[k][0])
        return kind, f"the headers have {scores[kind][1]}"
    if stage or amount:
        return "opportunities", "the headers look like deals"
    return "opportunities", "nothing in the headers is clearer; read as deals"


# ---- the whole recognition ---------------------------------------------------------------------------------
def recognize(
    headers: list[str],
    profiles: list[ColumnProfile],
    *,
    kind: str | None,
    mapping: Mapping | None,
    preset: str | None,
    max_values: int,
    staged: object = None,
    fy: int = 1,
) -> Recognized:
    given = _layered(mapping, preset, headers)
    kind_basis = "given"
    if kind is None:
        kind = given.kind
    if kind is None:
        kind, kind_basis = detect_kind(profiles)
    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    if kind == "targets":
        rec = recognize_targets(headers, profiles, given, kind_basis, staged, fy)
    else:
        rec = _recognize_table(kind, kind_basis, profiles, given)
    _dimensions(rec, profiles, given, max_values)
    return rec


def _layered(mapping: Mapping | None, preset: str | None, headers: list[str]) -> Mapping:
    """The preset, then the user's mapping over it; every column they name must be in the file."""
    if preset and preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}", hint=f"presets: {', '.join(PRESETS)}")
    base = PRESETS.get(preset or "generic", Mapping())
    base = base.model_copy(update={"columns": {f: c for f, c in base.columns.items() if c in headers}})
    if mapping is None:
        return base
    missing = [c for c in [*mapping.columns.values(), mapping.order_id, mapping.row_id] if c and c not in headers]
    if missing:
        raise InputError(
            f"the mapping names column(s) not in the file: {', '.join(missing)}",
            hint=f"headers: {', '.join(headers)}",
        )
    data = base.model_dump(exclude_defaults=True)
    data.update(mapping.model_dump(exclude_defaults=True))
    data["columns"] = {**base.columns, **mapping.columns}
    data["constants"] = {**base.constants, **mapping.constants}
    return Mapping.model_validate(data)


def _recognize_table(kind: str, basis: str, profiles: list[ColumnProfile], given: Mapping) -> Recognized:
    fixed = {f: c for f, c in given.columns.items() if f in SYNONYMS[kind] or f in TYPES}
    ignored = set(given.ignore)
    usable = [p for p in profiles if p.header not in ignored]
    cands = candidates(kind, usable)
    matches = assign(cands, fixed)
    taken = {m.column for m in matches.values() if m.column}
    for m in assign(_value_only(kind, usable, taken), {}).values():
        if m.field not in matches and m.column not in taken:
            matches[m.field] = m
            taken.add(m.column or "")
    layout: Layout = given.layout or "table"
    notes: list[str] = []
    mapping = given.model_copy(update={"kind": kind})
    if kind == "opportunities":
        layout, notes = _opportunity_layout(given, matches, profiles)
    constants = dict(given.constants)
    if layout == "order_lines":
        constants.setdefault("stage", "won")
    columns = {f: m.column for f, m in matches.items() if m.column}
    for f, value in constants.items():
        matches[f] = FieldMatch(field=f, constant=value, confidence=1.0, why="constant")
    mapping = mapping.model_copy(update={"columns": columns, "constants": constants, "layout": layout})
    if layout == "order_lines":
        mapping = _order_ids(mapping, matches, profiles, notes)
    _require(kind, mapping, profiles, matches)
    return Recognized(kind, basis, layout, mapping, list(matches.values()), notes=notes)


def _opportunity_layout(
    given: Mapping, matches: dict[str, FieldMatch], profiles: list[ColumnProfile]
) -> tuple[Layout, list[str]]:
    if given.layout:
        return given.layout, [f"layout {given.layout} (as the mapping says)"]
    if "stage" in matches or "stage" in given.constants:
        return "crm", ["layout: deals with a stage per row (crm)"]
    if "amount" in matches and "close_date" in matches:
        status = [p.header for p in profiles if norm(p.header) in STATUS_HEADERS or p.status_share >= 0.5]
        note = (
            "layout: order lines (no stage column): every line counts as a won sale on its "
            f"{matches['close_date'].column}"
        )
        if status:
            note += f", whatever its {status[0]}; {status[0]} is kept as a dimension to filter by"
        return "order_lines", [note]
    return "crm", []


def _order_ids(
    mapping: Mapping, matches: dict[str, FieldMatch], profiles: list[ColumnProfile], notes: list[str]
) -> Mapping:
    cols = dict(mapping.columns)
    row_id = mapping.row_id
    if row_id is None:
        rows = [p for p in profiles if norm(p.header) in ROW_ID_HEADERS and (p.sequence or p.unique_share > 0.99)]
        row_id = rows[0].header if rows else None
    if row_id and "opportunity_id" not in cols:
        cols["opportunity_id"] = row_id
        matches["opportunity_id"] = FieldMatch(
            field="opportunity_id", column=row_id, confidence=0.9, why=f"{row_id!r} numbers the lines"
        )
    order_id = mapping.order_id or cols.pop("order_id", None)
    matches.pop("order_id", None)
    if order_id:
        notes.append(f"orders: lines with the same {order_id} are one order (deal counts count orders)")
    else:
        notes.append("no order id column: every line is its own order")
    if "created_date" not in cols and "close_date" in cols:
        cols["created_date"] = cols["close_date"]
    return mapping.model_copy(update={"columns": cols, "order_id": order_id, "row_id": row_id})


def _require(kind: str, mapping: Mapping, profiles: list[ColumnProfile], matches: dict[str, FieldMatch]) -> None:
    missing = [f for f in REQUIRED[kind] if f not in mapping.columns and f not in mapping.constants]
    if kind == "opportunities" and mapping.layout == "order_lines":
        missing = [f for f in ("amount", "close_date") if f not in mapping.columns]
    if not missing:
        return
    headers = ", ".join(p.header for p in profiles)
    raise InputError(
        f"no column found for {', '.join(missing)} in {kind} (headers: {headers})",
        hint="name them in a --mapping file (columns: {field: your column}); `fupan import FILE --dry-run` "
        "writes one to start from",
    )


# ---- dimensions --------------------------------------------------------------------------------------------
def _dimensions(rec: Recognized, profiles: list[ColumnProfile], given: Mapping, max_values: int) -> None:
    """Which remaining columns are kept as dimensions, and why the others are not."""
    used = {m.column for m in rec.matches if m.column}
    used |= {c for c in (rec.mapping.order_id, rec.mapping.row_id) if c}
    if rec.kind == "targets":
        used |= set(rec.mapping.periods)
    keep = set(given.dimensions) if given.dimensions is not None else None
    key = SIDE_KEYS.get(rec.kind)
    origin = "attribute" if key else "data"
    for p in profiles:
        if p.header in rec.unused:
            continue
        if rec.kind in SIDE_KEYS:
            f = next((m.field for m in rec.matches if m.column == p.header), None)
            if f == key or f in FILLS_CORE.get(rec.kind, ()):
                continue
            if f is not None and TYPES.get(f) != "money":
                rec.dimension_columns.append((p.header, origin))
                continue
        if p.header in used:
            continue
        why = _not_a_dimension(p, given, keep, max_values, rec.kind)
        if why and rec.kind == "opportunities" and _is_measure(p, given):
            rec.measure_columns.append(p.header)
        elif why:
            if rec.kind == "opportunities" and why.startswith("numbers"):
                why = "numbers that are a code, an id or a calendar part, not a measure"
            rec.unused[p.header] = why
        else:
            rec.dimension_columns.append((p.header, origin))


def _is_measure(p: ColumnProfile, given: Mapping) -> bool:
    """A numeric column that is a quantity, not a code or a row number (knowledge/learned_measures.py)."""
    from knowledge.learned_measures import is_code

    if p.header in given.ignore or p.filled == 0 or p.number_share < 0.9 or p.sequence:
        return False
    return not is_code(p.header)


def _not_a_dimension(
    p: ColumnProfile, given: Mapping, keep: set[str] | None, max_values: int, kind: str
) -> str | None:
    if p.header in given.ignore:
        return "ignored by the mapping"
    if keep is not None:
        return None if p.header in keep else "not in the mapping's dimensions"
    if kind == "targets":
        return "not a target column"
    if is_total(p.header):
        return "a total"
    h = norm(p.header)
    if any(w in h.split() or (cjk(w) and w in h) or h.replace(" ", "").startswith(w) for w in CONTACT_WORDS):
        return "contact details"
    if p.contact_share >= 0.5:
        return "contact details"
    if p.filled == 0:
        return "always blank"
    if p.number_share >= 0.9:
        return "numbers (a measure or a code)"
    if p.date_share >= 0.9:
        return "dates"
    if p.distinct > max_values:
        return f"{p.distinct:,} distinct values (more than dimension_max_values = {max_values:,})"
    if p.avg_length > 60:
        return "free text"
    return None
