"""Retrieval eval: the labelled query set `evals/sets/retrieval.jsonl` over the sample company's notes.

Relevance comes from the generator's labels, never from Fupan: a note is relevant to a query when its
`topic` is one of the query's `topics` and it passes the query's filters (region, rep, period range), which
are also given to the search. Scores per mode (vector, bm25, hybrid):
- recall@5: |relevant ∩ top 5| / min(5, |relevant|) (capped recall: 1.0 means the top 5 are all relevant,
  or hold every relevant note when there are fewer than 5),
- hit@5: a relevant note is in the top 5; MRR: 1 / rank of the first relevant note (0 beyond 10).
Cross-language queries also report xhit@5: a relevant note in the *other* language is in the top 5.

    .venv/bin/python -m evals.retrieval [COMPANY_FOLDER]   # prints the table (generates the company if absent)
    .venv/bin/python -m evals.retrieval --transcripts ../shared/datasets/insurance_sales_calls
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from fupan.settings import load_settings
from knowledge.deps import Deps
from knowledge.doc_index import DocumentIndex, Mode
from knowledge.documents import SearchFilters

QUERY_SET = Path(__file__).parent / "sets" / "retrieval.jsonl"
MODES: tuple[Mode, ...] = ("vector", "bm25", "hybrid")
K = 5
THINK_OUTCOME = "process paused - customer needs to consider the offer"
THINK_QUERY = "customer wants to think about the offer"


class RetrievalQuery(BaseModel):
    id: str
    query: str
    lang: str
    type: str
    topics: list[str] = Field(min_length=1)
    filters: SearchFilters | None = None


def load_queries(path: Path = QUERY_SET) -> list[RetrievalQuery]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [RetrievalQuery.model_validate_json(line) for line in lines if line.strip()]


def _quarter_span(label: str) -> tuple[dt.date, dt.date]:
    year, q = int(label[:4]), int(label[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return start, end


def relevant_ids(query: RetrievalQuery, notes: list[dict[str, str]]) -> set[str]:
    """Note ids whose topic is among the query's and that pass its filters (from the labels alone)."""
    f = query.filters or SearchFilters()
    out = set()
    for note in notes:
        day = dt.date.fromisoformat(note["date"])
        if note["topic"] not in query.topics:
            continue
        if any(getattr(f, name) and note[name] != getattr(f, name) for name in ("region", "rep", "customer")):
            continue
        if f.period_from and day < _quarter_span(f.period_from)[0]:
            continue
        if f.period_to and day >= _quarter_span(f.period_to)[1]:
            continue
        out.add(note["note_id"])
    return out


def read_notes(company: Path) -> list[dict[str, str]]:
    with (company / "notes.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _score(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    top = ranked[:K]
    first = next((i for i, d in enumerate(ranked[:10], start=1) if d in relevant), None)
    return {
        "recall@5": len(relevant.intersection(top)) / min(K, len(relevant)),
        "hit@5": float(any(d in relevant for d in top)),
        "mrr": 1.0 / first if first else 0.0,
    }


def _ranked_docs(index: DocumentIndex, query: RetrievalQuery, mode: Mode, k: int = 10) -> list[str]:
    # the set asks about call and visit notes: search those kinds unless the query names others (a workspace
    # that also holds reviews and lessons, like the scorecard's, then scores the same as a notes-only one)
    filters = query.filters or SearchFilters()
    if not filters.kinds:
        filters = filters.model_copy(update={"kinds": ["call_note", "visit_note"]})
    hits = index.search(query.query, k=k, mode=mode, filters=filters)
    return list(dict.fromkeys(h.doc_id for h in hits))


def evaluate_retrieval(deps: Deps, company_folder: Path | str) -> dict[str, Any]:
    """Ingest the company's notes (idempotent) and score every query in every mode; see the module docstring."""
    company = Path(company_folder)
    report = deps.docs.ingest_file(company / "notes.csv")
    notes = read_notes(company)
    language = {n["note_id"]: n["language"] for n in notes}
    queries = load_queries()
    per_mode: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for mode in MODES:
        scores: list[dict[str, float]] = []
        by_type: dict[str, list[dict[str, float]]] = {}
        for query in queries:
            relevant = relevant_ids(query, notes)
            ranked = _ranked_docs(deps.docs, query, mode)
            s = _score(ranked, relevant)
            if query.type == "cross":
                s["xhit@5"] = float(any(d in relevant and language[d] != query.lang for d in ranked[:K]))
            scores.append(s)
            by_type.setdefault(query.type, []).append(s)
            rows.append({"mode": mode, "id": query.id, "relevant": len(relevant), **s, "top": ranked[:K]})
        per_mode[mode] = {
            **_mean(scores, ("recall@5", "hit@5", "mrr")),
            "by_type": {t: _mean(v, ("recall@5", "mrr")) for t, v in sorted(by_type.items())},
            "cross_xhit@5": _mean(by_type.get("cross", []), ("xhit@5",)).get("xhit@5", 0.0),
        }
    hybrid = per_mode["hybrid"]
    return {
        "recall@5": hybrid["recall@5"],
        "mrr": hybrid["mrr"],
        "queries": len(queries),
        "notes_indexed": len(report.doc_ids),
        "hybrid": _numbers(hybrid),
        "vector": _numbers(per_mode["vector"]),
        "bm25": _numbers(per_mode["bm25"]),
        "by_type": {m: per_mode[m]["by_type"] for m in MODES},
        "rows": rows,
    }


def _mean(scores: list[dict[str, float]], names: tuple[str, ...]) -> dict[str, float]:
    if not scores:
        return {}
    return {n: round(sum(s[n] for s in scores) / len(scores), 4) for n in names}


def _numbers(result: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in result.items() if isinstance(v, float)}


def table(result: dict[str, Any]) -> str:
    """One comparable table: modes × (recall@5, hit@5, MRR, cross xhit@5) and recall@5 per query type."""
    types = sorted(result["by_type"]["hybrid"])
    head = "| mode | recall@5 | hit@5 | MRR | cross xhit@5 | " + " | ".join(f"r@5 {t}" for t in types) + " |"
    lines = [head, "|" + "---|" * (5 + len(types))]
    for mode in MODES:
        m = result[mode]
        cells = [f"{result['by_type'][mode][t]['recall@5']:.3f}" for t in types]
        lines.append(
            f"| {mode} | {m['recall@5']:.3f} | {m['hit@5']:.3f} | {m['mrr']:.3f} | {m['cross_xhit@5']:.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


# --- real call transcripts (../shared/datasets/insurance_sales_calls)


def transcript_precision(
    index: DocumentIndex, folder: Path, *, query: str = THINK_QUERY, k: int = 10, mode: str = "hybrid"
) -> dict[str, Any]:
    """Precision@k at call level: of the first k distinct calls retrieved, the share labelled THINK_OUTCOME."""
    with (folder / "conversations.csv").open(encoding="utf-8", newline="") as f:
        outcome = {r["conversation_id"]: r["outcome"] for r in csv.DictReader(f)}
    hits = index.search(query, k=k * 8, mode=mode)  # type: ignore[arg-type]
    calls = [c for c in dict.fromkeys(h.doc_id for h in hits) if c in outcome][:k]
    labelled = sum(outcome[c] == THINK_OUTCOME for c in calls)
    base = sum(o == THINK_OUTCOME for o in outcome.values()) / len(outcome)
    return {"precision": labelled / len(calls) if calls else 0.0, "calls": len(calls), "base_rate": base}


def main() -> None:
    parser = argparse.ArgumentParser(description="Retrieval eval (recall@5, MRR) or transcript precision@10")
    parser.add_argument("company", nargs="?", type=Path, help="sample-company folder (generated if absent)")
    parser.add_argument("--transcripts", type=Path, help="insurance_sales_calls folder: precision@10 instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        deps = Deps(settings=load_settings(workspace=Path(tmp) / "ws"))
        if args.transcripts:
            report = deps.docs.ingest_file(args.transcripts / "messages.csv")
            print(f"ingested {len(report.doc_ids)} calls, {report.chunks_added} chunks")
            for mode in MODES:
                r = transcript_precision(deps.docs, args.transcripts, mode=mode)
                print(
                    f"{mode}: precision@10 {r['precision']:.2f} over {r['calls']} calls (base rate {r['base_rate']:.2f})"
                )
        else:
            company = args.company
            if company is None or not (company / "notes.csv").exists():
                from evals.sample_company import generate

                company = generate(company or Path(tmp) / "company")
            result = evaluate_retrieval(deps, company)
            print(f"{result['queries']} queries over {result['notes_indexed']} notes")
            print(table(result))
        deps.close()


if __name__ == "__main__":
    main()
