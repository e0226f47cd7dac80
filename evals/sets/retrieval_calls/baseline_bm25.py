"""Reference point, not part of the set: plain BM25 over whole calls (one document per call, all turns),
English tokens only, no stemming. Chinese queries have no lexical overlap with the English calls, so they
fall back to an empty (score-0) ranking. Writes runs/bm25_whole_call.jsonl for score_run.py."""
import json
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = Path("/work/shared/datasets/insurance_sales_calls")
tok = lambda s: re.findall(r"[a-z0-9']+", s.lower())
STOP = set("the a an and or of to in on for with is are was were be we i you they it that this who what which "
           "where calls call customer customers".split())

msgs = pd.read_csv(DATA / "messages.csv")
docs = msgs.groupby("conversation_id").message.apply(lambda m: tok(" ".join(m)))
N, avg = len(docs), sum(map(len, docs)) / len(docs)
tfs = {cid: Counter(t) for cid, t in docs.items()}
lens = {cid: len(t) for cid, t in docs.items()}
df = Counter(w for t in tfs.values() for w in t)
idf = {w: math.log(1 + (N - n + 0.5) / (n + 0.5)) for w, n in df.items()}


def bm25(q, k1=1.2, b=0.75):
    terms = [w for w in tok(q) if w not in STOP and w in idf]
    sc = {cid: sum(idf[w] * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * lens[cid] / avg)) for w in terms if w in tf)
          for cid, tf in tfs.items()}
    return [cid for cid, s in sorted(sc.items(), key=lambda x: -x[1]) if s > 0]


out = HERE / "runs" / "bm25_whole_call.jsonl"
out.parent.mkdir(exist_ok=True)
with open(out, "w", encoding="utf-8") as f:
    for line in open(HERE / "calls_queries.jsonl", encoding="utf-8"):
        q = json.loads(line)
        f.write(json.dumps({"id": q["id"], "ranked": bm25(q["query"])}) + "\n")
print("wrote", out)
