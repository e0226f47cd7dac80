"""Reference scorer: call-level precision@10 (and the same for the sample notes).

A run is JSONL, one line per query: {"id": "call-001", "ranked": ["<conversation_id or note_id>", ...]}
in ranked order. Ids may repeat (several chunks of one call); the first occurrence counts and later ones
are dropped, so precision@10 is over the top 10 DISTINCT calls. The denominator is always 10: returning
fewer than 10 calls counts the missing slots as not relevant.

    python score_run.py run.jsonl [--queries calls_queries.jsonl] [--qrels calls_qrels.tsv]
    python score_run.py --random [--seeds 200]        # expected score of random ranking
"""
import argparse
import json
import random
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def p_at_10(ranked, relevant):
    seen, top = set(), []
    for x in ranked:
        if x not in seen:
            seen.add(x)
            top.append(x)
        if len(top) == 10:
            break
    return sum(x in relevant for x in top) / 10


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", nargs="?")
    ap.add_argument("--queries", default=HERE / "calls_queries.jsonl")
    ap.add_argument("--qrels", default=HERE / "calls_qrels.tsv")
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--universe", default="/work/shared/datasets/insurance_sales_calls/conversations.csv")
    a = ap.parse_args()
    qs = pd.read_json(a.queries, lines=True)
    qr = pd.read_csv(a.qrels, sep="\t")
    idcol = qr.columns[1]
    rel = qr.groupby("query_id")[idcol].apply(set).to_dict()
    if a.random:
        ids = pd.read_csv(a.universe).iloc[:, 0].tolist()  # document ids in the first column
        scores = {}
        for q in qs.id:
            vals = [p_at_10(random.Random(s).sample(ids, len(ids)), rel.get(q, set())) for s in range(a.seeds)]
            scores[q] = sum(vals) / len(vals)
    else:
        runs = {}
        with open(a.run, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    runs[r["id"]] = r["ranked"]
        missing = set(qs.id) - set(runs)
        if missing:
            print(f"warning: {len(missing)} queries missing from the run, scored 0")
        scores = {q: p_at_10(runs.get(q, []), rel.get(q, set())) for q in qs.id}
    qs["p_at_10"] = qs.id.map(scores)
    qs["lift"] = qs.p_at_10 - qs.base_rate
    cols = ["p_at_10", "base_rate", "lift"]
    print(f"all ({len(qs)}):", qs[cols].mean().round(3).to_dict())
    for by in ["split", "lang"] + (["kind"] if "kind" in qs else []):
        print(qs.groupby(by)[cols].mean().round(3).to_string(), "\n")
    g = qs.groupby("paraphrase_group").agg(split=("split", "first"), n=("id", "size"),
                                          p_at_10=("p_at_10", "mean"), base_rate=("base_rate", "first"))
    print(g.round(3).to_string())


if __name__ == "__main__":
    main()
