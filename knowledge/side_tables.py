"""Side tables checked against the deals: names in the team, products or accounts table that match no deal, and
deal names the side table lacks, with the likely pairs when they match after folding case, spaces and
punctuation ("GTX Pro" and "GTXPro"). A pair is only reported, never applied: the user accepts it into a
mapping file (`value_map`), and the next import uses it.
"""

from __future__ import annotations

import re
from collections import defaultdict

import duckdb

from knowledge.import_report import Issue

SIDE = {"rep": "team", "product": "products", "account": "accounts"}
KEY_OF = {side: key for key, side in SIDE.items()}
_LISTED = 200


def fold(value: str) -> str:
    """Case, spaces and punctuation folded: 'GTX Pro' → 'gtxpro', 'A.C.M.E  Ltd' → 'acmeltd'."""
    return re.sub(r"[\W_]+", "", value.casefold())


def _pairs(missing: list[str], other: set[str]) -> dict[str, str]:
    folded: dict[str, list[str]] = defaultdict(list)
    for v in sorted(other):
        folded[fold(v)].append(v)
    return {v: folded[fold(v)][0] for v in missing if len(folded.get(fold(v), [])) == 1}


def _values(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None and str(r[0]) != ""}


def check_against_deals(
    con: duckdb.DuckDBPyConnection, kind: str, file: str, columns: dict[str, str]
) -> tuple[list[Issue], dict[str, dict[str, str]]]:
    """Issues for the rows in `_checked` (the file being imported) against the stored other side, and the
    likely pairs as a value_map for this file ({field: {value here: value there}})."""
    issues: list[Issue] = []
    suggestions: dict[str, dict[str, str]] = {}
    checked = {r[0] for r in con.execute("DESCRIBE _checked").fetchall()}
    if kind == "opportunities":
        for field, side in SIDE.items():
            if field not in checked:
                continue
            known = _values(con, f"SELECT DISTINCT {field} FROM {side}_data")
            if not known:
                continue
            here = _values(con, f"SELECT DISTINCT {field} FROM _checked WHERE NOT _bad")
            missing = sorted(here - known)
            pairs = _pairs(missing, known)
            for value in missing[:_LISTED]:
                pair = pairs.get(value)
                reason = f"not found in the {side} table" + (
                    f"; likely the same as {pair!r} there (spelled differently)" if pair else ""
                )
                issues.append(Issue(file=file, column=columns.get(field), value=value, reason=reason))
            if len(missing) > _LISTED:
                issues.append(Issue(file=file, column=columns.get(field), reason=f"{len(missing):,} values in all are not in the {side} table"))
            if pairs:
                suggestions[field] = pairs
    elif kind in KEY_OF:
        field = KEY_OF[kind]
        deals = _values(con, f"SELECT DISTINCT {field} FROM opportunities_data")
        if not deals or field not in checked:
            return issues, suggestions
        here = _values(con, f"SELECT DISTINCT {field} FROM _checked WHERE NOT _bad")
        unmatched = sorted(here - deals)
        pairs = _pairs(unmatched, deals)
        for value in unmatched[:_LISTED]:
            pair = pairs.get(value)
            reason = f"matches no {field} in the deals" + (
                f"; likely the same as {pair!r} there (spelled differently): accept it with value_map in a mapping file"
                if pair else ""
            )
            issues.append(Issue(file=file, column=columns.get(field), value=value, reason=reason))
        if pairs:
            suggestions[field] = pairs
    return issues, suggestions
