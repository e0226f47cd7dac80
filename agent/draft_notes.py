"""Where the drafter's notes and owners come from: the knowledge base and the team table."""

from __future__ import annotations

from agent.signals import SIGNAL_KEYWORDS, Note
from fupan.deps import Deps

_QUERIES = {kind: " ".join(words) for kind, words in SIGNAL_KEYWORDS.items()}


def load_notes(deps: Deps, period: str, scope: dict[str, str], *, per_query: int = 40) -> list[Note]:
    """Call/visit notes of the period (and scope) that mention any signal, from the knowledge base."""
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


def owner_for(deps: Deps, segment: dict[str, str]) -> str:
    """The responsible person for a segment: the rep, else the region's manager from the team table."""
    if "rep" in segment:
        return segment["rep"]
    con = deps.sales.connection
    if "region" in segment:
        row = con.execute(
            "SELECT manager, count(*) AS n FROM opportunities WHERE region = ? AND manager IS NOT NULL "
            "GROUP BY manager ORDER BY n DESC LIMIT 1",
            [segment["region"]],
        ).fetchone()
        if row and row[0]:
            return str(row[0])
    if "product" in segment:
        row = con.execute(
            "SELECT manager, count(*) AS n FROM opportunities WHERE product = ? AND manager IS NOT NULL "
            "GROUP BY manager ORDER BY n DESC LIMIT 1",
            [segment["product"]],
        ).fetchone()
        if row and row[0]:
            return str(row[0])
    return "销售总监"
