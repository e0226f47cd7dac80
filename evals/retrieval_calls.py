"""Retrieval on real calls, scored by an independent set: `evals/sets/retrieval_calls/` (written by someone who
read only the data and the README; see its README.md).

Calls: the shared insurance calls (../shared/datasets/insurance_sales_calls, 101 calls) are ingested as a user
would (`messages.csv`, with `conversations.csv` beside it), and each of the 71 queries runs as `fupan search`
does (filters named in the query applied, whole calls ranked). Relevance is the call's outcome label: a call
is relevant when its outcome is one of the query's `relevant_outcomes` (and, for the date-filter queries,
its date is in range) — the set's qrels. Score: call-level precision@10 (top 10 distinct calls, denominator
10), compared with the query's base rate (the share of relevant calls = a random ranking's precision).

Sample-company notes: the set's 15 note queries, scored the same way over the sample company's notes
(relevance = the generator's topic label), when the eval workspace holds the same notes the set was made on.

    .venv/bin/python -m evals.retrieval_calls [--calls FOLDER] [--split dev|holdout] [--mode hybrid]
    .venv/bin/python -m evals.retrieval_calls --set FILE [--split dev|holdout]   # another set, same format as
                                                                                 # own_queries.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from fupan.settings import Settings, load_settings
from knowledge.deps import Deps

SET = Path(__file__).parent / "sets" / "retrieval_calls"
K = 10


class LabelledQuery(BaseModel):
    id: str
    query: str
    lang: str
    split: str = "dev"
    kind: str = ""
    paraphrase_group: str = ""
    base_rate: float
    relevant: set[str] = Field(default_factory=set)


def load_set(queries: str = "calls_queries.jsonl", qrels: str = "calls_qrels.tsv") -> list[LabelledQuery]:
    relevant: dict[str, set[str]] = {}
    with (SET / qrels).open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0] != "query_id":
                relevant.setdefault(row[0], set()).add(row[1])
    out = []
    for line in (SET / queries).read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            out.append(LabelledQuery(**raw, relevant=relevant.get(raw["id"], set())))
    return out


def load_own(calls: Path, queries: Path = SET / "own_queries.jsonl") -> list[LabelledQuery]:
    """Fupan's own paraphrases (sets/retrieval_calls/own_queries.jsonl, splits "own" and "fresh"), or another
    set in that format (`--set FILE`, kept outside the repository), relevant calls read from the calls'
    `conversations.csv` by their outcome labels."""
    with (calls / "conversations.csv").open(encoding="utf-8", newline="") as f:
        outcome = {r["conversation_id"]: r["outcome"] for r in csv.DictReader(f)}
    out = []
    for line in queries.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            wanted = set(raw.pop("relevant_outcomes"))
            out.append(LabelledQuery(**raw, relevant={c for c, o in outcome.items() if o in wanted}))
    return out


def precision_at_10(ranked: list[str], relevant: set[str]) -> float:
    """Share of the first 10 distinct documents that are relevant; fewer than 10 count as misses."""
    top = list(dict.fromkeys(ranked))[:K]
    return sum(d in relevant for d in top) / K


def default_calls_folder() -> Path | None:
    import os

    root = Path(os.environ.get("FUPAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    folder = root / "datasets" / "insurance_sales_calls"
    return folder if (folder / "messages.csv").is_file() else None


def score_queries(deps: Deps, queries: list[LabelledQuery], *, mode: str = "hybrid") -> list[dict[str, Any]]:
    """One row per query: precision@10, base rate, lift, whether it beats twice its base rate."""
    from agent.note_search import search_notes

    rows = []
    for q in queries:
        result = search_notes(deps, q.query, limit=K, mode=mode)  # type: ignore[arg-type]
        ranked = [d.doc_id for d in result.documents]
        p = precision_at_10(ranked, q.relevant)
        ideal = min(len(q.relevant), K) / K
        rows.append(
            {
                "id": q.id,
                "split": q.split,
                "lang": q.lang,
                "kind": q.kind,
                "group": q.paraphrase_group,
                "query": q.query,
                "p@10": p,
                "base_rate": q.base_rate,
                "lift": round(p - q.base_rate, 4),
                "beats_2x": p >= 2 * q.base_rate,
                "beats_2x_or_ideal": p >= min(2 * q.base_rate, ideal),
                "read_as": result.restatement,
                "top": ranked[:K],
            }
        )
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means overall and per split, language and kind; how many queries beat twice their base rate."""

    def block(part: list[dict[str, Any]]) -> dict[str, float]:
        if not part:
            return {}
        return {
            "p@10": round(statistics.mean(r["p@10"] for r in part), 4),
            "base_rate": round(statistics.mean(r["base_rate"] for r in part), 4),
            "beats_2x": round(sum(r["beats_2x"] for r in part) / len(part), 4),
            "beats_2x_or_ideal": round(sum(r["beats_2x_or_ideal"] for r in part) / len(part), 4),
            "queries": len(part),
        }

    out: dict[str, Any] = {"all": block(rows)}
    for key in ("split", "lang", "kind"):
        for value in sorted({r[key] for r in rows}):
            out[f"{key}={value}"] = block([r for r in rows if r[key] == value])
    return out


def calls_workspace(settings: Settings, folder: Path) -> Deps:
    """A workspace of its own under the given settings' workspace, with the calls ingested (idempotent)."""
    sub = settings.model_copy(
        update={
            "workspace": settings.workspace / "calls",
            "chroma": settings.chroma.model_copy(update={"path": None, "url": ""}),
        }
    )
    deps = Deps(settings=sub)
    deps.docs.ingest_file(folder / "messages.csv")
    return deps


def notes_corpus_matches(company: Path) -> bool:
    """Whether the company's notes are the ones the note queries were judged on (same ids and topics)."""

    def labels(path: Path) -> dict[str, str]:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return {r["note_id"]: r["topic"] for r in csv.DictReader(f)}

    notes = company / "notes.csv"
    return notes.is_file() and labels(notes) == labels(SET / "sample_notes_seed7.csv")


def score_notes(deps: Deps, *, mode: str = "hybrid") -> list[dict[str, Any]]:
    """The set's sample-company note queries over the notes in `deps` (call and visit notes only)."""
    from agent.note_search import search_notes
    from knowledge.documents import NOTE_KINDS, SearchFilters

    rows = []
    for q in load_set("sample_notes_queries.jsonl", "sample_notes_qrels.tsv"):
        result = search_notes(
            deps,
            q.query,
            limit=K,
            mode=mode,  # type: ignore[arg-type]
            filters=SearchFilters(kinds=list(NOTE_KINDS)),
        )
        p = precision_at_10([d.doc_id for d in result.documents], q.relevant)
        rows.append(
            {
                "id": q.id,
                "split": q.split,
                "lang": q.lang,
                "kind": "notes",
                "query": q.query,
                "p@10": p,
                "base_rate": q.base_rate,
                "beats_2x": p >= 2 * q.base_rate,
                "beats_2x_or_ideal": p >= min(2 * q.base_rate, min(len(q.relevant), K) / K),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Per paraphrase group: split, queries, mean p@10, base rate."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r.get("group") or r["id"], []).append(r)
    lines = ["| group | split | queries | p@10 | base rate | 2× base |", "|---|---|---|---|---|---|"]
    for name, part in groups.items():
        lines.append(
            f"| {name} | {part[0]['split']} | {len(part)} | {statistics.mean(r['p@10'] for r in part):.2f} | "
            f"{part[0]['base_rate']:.3f} | {sum(r['beats_2x'] for r in part)}/{len(part)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Call-level precision@10 on the independent call set")
    parser.add_argument(
        "--calls", type=Path, default=default_calls_folder(), help="insurance_sales_calls folder"
    )
    parser.add_argument(
        "--workspace", type=Path, help="keep the ingested calls here (default: a temp folder)"
    )
    parser.add_argument(
        "--split",
        choices=["dev", "holdout", "own", "fresh"],
        help="score one split only (own: Fupan's paraphrases, tuned on; fresh: written after, never tuned on)",
    )
    parser.add_argument(
        "--set",
        type=Path,
        dest="query_set",
        help="score this query file instead (own_queries.jsonl's format: relevant_outcomes per query)",
    )
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "vector", "bm25"])
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per query")
    args = parser.parse_args()
    if args.calls is None:
        raise SystemExit("insurance_sales_calls not found; pass --calls or set FUPAN_SHARED")
    with tempfile.TemporaryDirectory() as tmp:
        deps = calls_workspace(load_settings(workspace=args.workspace or Path(tmp)), args.calls)
        every = load_own(args.calls, args.query_set) if args.query_set else load_set() + load_own(args.calls)
        queries = [q for q in every if args.split in (None, q.split)]
        rows = score_queries(deps, queries, mode=args.mode)
        deps.close()
    for r in rows if args.verbose else []:
        mark = "ok " if r["beats_2x_or_ideal"] else "LOW"
        print(
            f"{r['id']} {r['split']:7} {r['lang']} {mark} p@10 {r['p@10']:.1f} base {r['base_rate']:.2f}  {r['query']}"
        )
    print(json.dumps(summary(rows), indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
