"""API benchmark: requests/s and latency for draft reads, lesson search and the reviewer's page with concurrent
clients, and the latency of an approval (the knowledge base is indexed in the background, off the request).

    .venv/bin/python bench/api.py [--clients 20] [--seconds 15] [--drafts 40] [--approvals 20]

Builds a temp workspace from the sample company (sales imported, notes and its approved lessons ingested),
drafts and approves the three regions' 2026Q3 reviews and saves copies up to --drafts, then starts
`fupan serve` in its own process (uvicorn, one worker) and drives it from this process over `--clients`
keep-alive connections (a minimal asyncio HTTP/1.1 client), one request in flight on each. Prints a Markdown block for bench/RESULTS.md ("## API").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fupan.settings import load_settings  # noqa: E402
from knowledge.deps import Deps  # noqa: E402

BRIEFS = [
    "四季度华南新品上市，重点开发新客户",
    "华东区应对竞品降价的打法",
    "Q1 push in the North with referral partners",
    "客户预算冻结、决策延迟怎么跟进",
    "How to defend price against a competitor's discount in the East",
    "老客户复购与转介绍",
    "product gap objections from enterprise accounts",
    "华北区赢单率提升",
]


def _prepare(
    workspace: Path, n_drafts: int, n_pending: int
) -> tuple[dict[str, str], list[str], list[str], str]:
    from agent.workflows import draft_review
    from api.review_service import ReviewService
    from evals.sample_company import generate
    from knowledge.records_schemas import Decision
    from knowledge.sample_import import import_sample_company

    settings = load_settings(workspace=workspace)
    deps = Deps(settings=settings)
    folder = generate(workspace / "sample")
    import_sample_company(deps.sales, folder)
    deps.docs.ingest_file(folder / "notes.csv")
    deps.docs.ingest_file(folder / "lessons.jsonl", approved=True)  # the company's past approved lessons
    service = ReviewService(deps)
    keys = {role: deps.records.create_key(role, name=f"bench-{role}").key for role in ("analyst", "approver")}
    analyst, approver = (service.authenticate(keys[r]) for r in ("analyst", "approver"))
    reports = [draft_review(deps, "2026Q3", scope={"region": r}) for r in ("华东", "华南", "华北")]
    ids = []
    for i in range(n_drafts):
        draft = service.save_draft(analyst, reports[i % 3], submit=True)
        if i < 6:  # approved ones put their lessons into the KB
            service.approve(approver, draft.id, Decision(comment="bench"))
        ids.append(draft.id)
    pending = [service.save_draft(analyst, reports[i % 3], submit=True).id for i in range(n_pending)]
    cookie, _ = deps.records.accounts.open_session(approver, hours=2, kind="key")  # a signed-in page session
    deps.close()
    return keys, ids, pending, cookie


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Connection:
    """A minimal HTTP/1.1 keep-alive client (asyncio streams): the load generator shares the 2 cores with the
    server, so it should cost as little CPU as possible (httpx costs several times more per request)."""

    def __init__(self, host: str, port: int, key: str, cookie: str = "") -> None:
        self.host, self.port, self.key, self.cookie = host, port, key, cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: object | None) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        head = (
            f"{method} {quote(path, safe='/?=&')} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Length: {len(payload)}\r\n"
            + (f"Cookie: fupan_session={self.cookie}\r\n" if self.cookie else "")
            + ("Content-Type: application/json\r\n" if body is not None else "")
            + "\r\n"
        )
        self.writer.write(head.encode() + payload)
        assert self.reader is not None
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _drive(
    port: int, key: str, make_request, clients: int, seconds: float, cookie: str = ""
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        conn = _Connection("127.0.0.1", port, key, cookie)
        try:
            while time.perf_counter() < stop:
                method, path, body = make_request(rng)
                t0 = time.perf_counter()
                status = await conn.request(method, path, body)
                latencies.append(time.perf_counter() - t0)
                errors += status != 200
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "errors": errors,
    }


async def _approve_each(port: int, key: str, draft_ids: list[str]) -> dict[str, float]:
    """Approve each pending draft in turn, as an approver clicking through the inbox: the latency of the
    decision itself (indexing runs in the server's background job runner meanwhile)."""
    conn = _Connection("127.0.0.1", port, key)
    latencies, errors = [], 0
    t0 = time.perf_counter()
    try:
        for draft_id in draft_ids:
            start = time.perf_counter()
            status = await conn.request("POST", f"/drafts/{draft_id}/approve", {"comment": "bench"})
            latencies.append(time.perf_counter() - start)
            errors += status != 200
    finally:
        conn.close()
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": max(latencies) * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--drafts", type=int, default=40)
    parser.add_argument("--approvals", type=int, default=20, help="pending drafts approved one after another")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fupan-bench-api-") as tmp:
        workspace = Path(tmp) / "ws"
        t0 = time.perf_counter()
        keys, ids, pending, cookie = _prepare(workspace, args.drafts, args.approvals)
        print(f"prepared {len(ids)} drafts in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUPAN_")}
        env["FUPAN_CONFIG"] = str(Path(tmp) / "none.toml")
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "-w", str(workspace), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            key = keys["analyst"]
            scenarios = {
                "GET /drafts/{id} (draft read)": lambda rng: ("GET", f"/drafts/{rng.choice(ids)}", None),
                "GET /drafts (list, 50)": lambda rng: ("GET", "/drafts", None),
                "POST /lessons/search (k=5)": lambda rng: (
                    "POST",
                    "/lessons/search",
                    {"brief": rng.choice(BRIEFS), "k": 5},
                ),
                "GET /health (no auth, floor)": lambda rng: ("GET", "/health", None),
            }
            pages = {
                "GET /ui/drafts/{id} (draft screen)": lambda rng: (
                    "GET",
                    f"/ui/drafts/{rng.choice(ids)}",
                    None,
                ),
                "GET /ui/inbox (page)": lambda rng: ("GET", "/ui/inbox", None),
                "GET /ui/actions (board)": lambda rng: ("GET", "/ui/actions?view=all", None),
            }
            rows = []
            for name, make in scenarios.items():
                asyncio.run(_drive(port, key, make, args.clients, 2))  # warm-up
                result = asyncio.run(_drive(port, key, make, args.clients, args.seconds))
                rows.append((name, result))
                print(name, result, file=sys.stderr)
            for name, make in pages.items():
                asyncio.run(_drive(port, key, make, args.clients, 2, cookie))
                result = asyncio.run(_drive(port, key, make, args.clients, args.seconds, cookie))
                rows.append((name, result))
                print(name, result, file=sys.stderr)
            approvals = asyncio.run(_approve_each(port, keys["approver"], pending))
            rows.append((f"POST /drafts/{{id}}/approve (one at a time, {len(pending)}; p99 = max)", approvals))
            print("approve", approvals, file=sys.stderr)
            load = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)

    print("## API\n")
    print(
        f"Command: `.venv/bin/python bench/api.py --clients {args.clients} --seconds {args.seconds:g} "
        f"--drafts {args.drafts} --approvals {args.approvals}`. Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Server: `fupan serve` "
        f"(uvicorn, 1 worker) and the client (asyncio streams, HTTP/1.1 keep-alive, {args.clients} connections) on the same machine; load average during the run {load[0]:.1f} / {load[1]:.1f} (1 / 5 min).\n"
    )
    print("| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['requests']:.0f} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']:.0f} |"
        )


if __name__ == "__main__":
    main()
