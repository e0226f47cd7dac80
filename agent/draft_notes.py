"""Where the drafter's notes and owners come from: the knowledge base and the team table."""

from __future__ import annotations

import sqlite3

from agent.signals import SIGNAL_KEYWORDS, Note
from knowledge.deps import Deps

_QUERIES = {kind: " ".join(words) for kind, words in SIGNAL_KEYWORDS.items()}


def load_notes(deps: Deps, period: str, scope: dict[str, str], *, per_query: int = 40) -> list[Note]:
    """Call/visit notes of the period (and scope) that mention any signal, from the knowledge base."""
    if not _has_documents(deps):
        return []  # an empty knowledge base: do not load the search stack for nothing
    try:
        from knowledge.doc_index import SearchFilters

        index = deps.docs
        if index.count() == 0:
            return []
    except (ImportError, OSError):
        return []
    filters = SearchFilters(
        kinds=["call_note", "visit_note"],
        period_from=period,
        period_to=period,
        region=scope.get("region"),
        rep=scope.get("rep"),
    )
    notes: dict[str, Note] = {}
    for query in _QUERIES.values():
        for hit in index.search(query, k=per_query, mode="bm25", filters=filters):
            meta = dict(hit.metadata)
            notes.setdefault(
                hit.evidence_id,
                Note(
                    evidence_id=hit.evidence_id,
                    text=hit.text,
                    rep=meta.get("rep", ""),
                    region=meta.get("region", ""),
                    product=meta.get("product", ""),
                    customer=meta.get("customer", ""),
                    opportunity_id=meta.get("opportunity_id", ""),
                    date=meta.get("date", ""),
                    language=meta.get("language", ""),
                ),
            )
    _fill_products(deps, list(notes.values()))
    return list(notes.values())


def _has_documents(deps: Deps) -> bool:
    """Whether the knowledge base holds any chunk, read from its SQLite catalogue without opening Chroma."""
    if deps.is_open("docs"):
        return True
    path = deps.settings.docs_path / "catalogue.sqlite"
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(con.execute("SELECT 1 FROM chunks LIMIT 1").fetchone())
        finally:
            con.close()
    except sqlite3.Error:
        return True  # let the index itself open it and report what is wrong


def _fill_products(deps: Deps, notes: list[Note]) -> None:
    ids = [n.opportunity_id for n in notes if n.opportunity_id and not n.product]
    if not ids:
        return
    rows = deps.sales.connection.execute(
        "SELECT opportunity_id, product FROM opportunities WHERE opportunity_id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    products = dict(rows)
    for n in notes:
        if not n.product and n.opportunity_id in products:
            n.product = products[n.opportunity_id] or ""


def owner_for(deps: Deps, segment: dict[str, str], lang: str = "zh") -> str:
    """The responsible person for a segment: the rep, else the manager with the most deals in it (region,
    then product), else the sales director."""
    if segment.get("rep"):
        return segment["rep"]
    cache: dict[tuple[object, ...], str] = deps.cached("draft_owners", dict)  # a memo of the lookups below
    key = (deps.sales.current_snapshot_id(), tuple(sorted(segment.items())), lang)
    if key not in cache:
        cache[key] = _manager_of(deps, segment) or ("销售总监" if lang == "zh" else "Sales director")
    return str(cache[key])


def _manager_of(deps: Deps, segment: dict[str, str]) -> str | None:
    deps.sales.ensure_derived()  # the monthly cube: rows per region, product and manager, far fewer than deals
    con = deps.sales.connection
    for dim in ("region", "product"):
        if dim in segment:
            row = con.execute(
                f"SELECT manager, sum(n) AS n FROM opportunity_cube WHERE {dim} = ? AND manager IS NOT NULL "
                "GROUP BY manager ORDER BY n DESC, manager LIMIT 1",
                [segment[dim]],
            ).fetchone()
            if row and row[0]:
                return str(row[0])
    return None
