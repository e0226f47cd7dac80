"""Analyst benchmarks: ask latency (deterministic path) on 1M opportunities, the review draft on the same 1M
opportunities beside the metric pack from the same run, draft latency on the sample company, and LLM calls per
job with the scripted fake model.

    .venv/bin/python bench/agent.py [--rows 1000000] [--repeat 40] [--drafts 3] [--keep DIR] [--ask-only]
                                    [--workspace DIR] [--processes 3]

Prints a Markdown block for bench/RESULTS.md ("## Agent"): ask p50/p95/p99 beside DuckDB's own aggregate
interleaved in the same run, each question's first asking and the slowest of them, the first ask of a fresh
`Deps` (vocabulary built) and of a fresh process (`bench/ask_once.py`, beside the same process start running only
DuckDB's query). `--keep DIR` leaves the 1M-row workspace in DIR; `--workspace DIR` asks in it again without
generating or importing. The fresh-process timing can also be taken with farm-bench:

    farm-bench --vs '.venv/bin/python bench/ask_once.py DIR --anchor' -- .venv/bin/python bench/ask_once.py DIR
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fupan.settings import load_settings  # noqa: E402
from knowledge.deps import Deps  # noqa: E402

QUESTIONS = [
    "2026Q3 销售额是多少?",
    "What was East's win rate in Q3?",
    "华南三季度客单价环比",
    "which reps drove the Q3 win-rate drop?",
    "赢单率前三的销售是谁",
    "三季度华东为什么没完成目标?",
    "compare Q3 and Q2 average deal size by product",
    "win rate trend over the last 4 quarters",
    "各区域达成率",
    "Q3 funnel in the North",
    "which region had the largest drop in won revenue from Q2 to Q3 2026?",
    "华东三季度销售额占全公司的比例",
    "Q3 vs Q2 revenue change: fewer deals or smaller deals?",
    "2026年每个月销售额",
    "bottom 3 reps by win rate in Q3",
]
ALIASES = {"values": {"region": {"华东": ["East"], "华南": ["South"], "华北": ["North"]}}}  # the bench team's words


def synthetic_export(folder: Path, rows: int, seed: int = 11) -> Path:
    """A 纷享销客-style export with `rows` opportunities over 2025Q3..2026Q3, plus targets and team."""
    rng = np.random.default_rng(seed)
    regions = np.array(["华东", "华南", "华北"])
    reps = np.array([f"销售{i:02d}" for i in range(60)])
    rep_region = regions[np.arange(60) % 3]
    pick = rng.integers(0, 60, rows)
    created = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 480, rows), unit="D")
    stage = rng.choice(
        np.array(["赢单", "输单", "方案报价", "商务谈判", "商机确认", "线索"]),
        rows,
        p=[0.3, 0.35, 0.1, 0.1, 0.1, 0.05],
    )
    closed = np.isin(stage, ["赢单", "输单"])
    close = created + pd.to_timedelta(rng.integers(7, 120, rows), unit="D")
    df = pd.DataFrame(
        {
            "商机编号": [f"OPP{i:07d}" for i in range(rows)],
            "商机名称": "商机",
            "客户名称": [f"客户{i}" for i in rng.integers(0, 50_000, rows)],
            "负责人": reps[pick],
            "区域": rep_region[pick],
            "产品": rng.choice(np.array(["澜图CRM", "澜图BI", "澜图OA", "澜图云", "澜图HR"]), rows),
            "线索来源": rng.choice(np.array(["展会", "官网", "转介绍", "电话"]), rows),
            "阶段": stage,
            "金额": np.round(rng.uniform(2e4, 5e5, rows), 2),
            "创建日期": created.strftime("%Y-%m-%d"),
            "首次跟进日期": (created + pd.to_timedelta(rng.integers(0, 10, rows), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "结单日期": np.where(
                closed & (close < pd.Timestamp("2026-10-01")), close.strftime("%Y-%m-%d"), ""
            ),
            "丢单原因": np.where(
                stage == "输单",
                rng.choice(np.array(["价格", "竞品", "预算", "需求不匹配", "决策延迟"]), rows),
                "",
            ),
        }
    )
    df.loc[(df["结单日期"] == "") & closed, "阶段"] = "商务谈判"
    df.to_csv(folder / "opportunities.csv", index=False)
    quarters = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    pd.DataFrame(
        [(q, r, "销售额", rows * 30.0) for q in quarters for r in regions],
        columns=["期间", "区域", "指标", "目标值"],
    ).to_csv(folder / "targets.csv", index=False)
    pd.DataFrame({"销售": reps, "经理": [f"经理{r}" for r in rep_region], "区域": rep_region}).to_csv(
        folder / "team.csv", index=False
    )
    return folder


def _p95(samples: list[float]) -> float:
    return float(np.percentile(samples, 95))


def _p99(samples: list[float]) -> float:
    return float(np.percentile(samples, 99))


def bench_fresh_process(ws: Path, runs: int) -> dict[str, float]:
    """The first ask of a fresh process (imports, workspace, vocabulary, answer: bench/ask_once.py), each run
    beside its anchor (the same process start running only DuckDB's query for that figure); medians."""
    once = [sys.executable, str(ROOT / "bench" / "ask_once.py"), str(ws)]
    asks, anchors = [], []
    for _ in range(runs):
        for cmd, out in ((once, asks), ([*once, "--anchor"], anchors)):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT)
            out.append(time.perf_counter() - t0)
    return {"process_s": statistics.median(asks), "process_anchor_s": statistics.median(anchors)}


def bench_ask(rows: int, repeat: int, keep: Path | None = None, reuse: Path | None = None) -> dict[str, float]:
    from agent.workflows import ask
    from knowledge.workspace_aliases import WorkspaceAliases, save_aliases

    with tempfile.TemporaryDirectory() as tmp:
        imported = 0.0
        if reuse is not None:  # a workspace an earlier run kept (--keep): no generation, no import
            ws = reuse
            deps = Deps(settings=load_settings(workspace=ws))
            rows = int(deps.sales.connection.execute("SELECT count(*) FROM opportunities_data").fetchone()[0])
        else:
            folder = synthetic_export(Path(tmp), rows)
            ws = keep if keep is not None else Path(tmp) / "ws"
            deps = Deps(settings=load_settings(workspace=ws))
            t0 = time.perf_counter()
            for name in ("opportunities", "targets", "team"):
                deps.sales.import_file(folder / f"{name}.csv", name)
            imported = time.perf_counter() - t0
        save_aliases(deps.settings, WorkspaceAliases.model_validate(ALIASES))
        statuses = [ask(deps, q).status for q in QUESTIONS]
        assert statuses.count("answered") == len(QUESTIONS), list(zip(QUESTIONS, statuses, strict=True))
        deps.close()
        deps = Deps(settings=load_settings(workspace=ws))  # a fresh process's state: no vocabulary, no cache
        t0 = time.perf_counter()
        ask(deps, QUESTIONS[0])
        first = time.perf_counter() - t0
        samples, anchor = [], []
        con = deps.sales.connection
        for i in range(repeat):
            t0 = time.perf_counter()
            answer = ask(deps, QUESTIONS[i % len(QUESTIONS)])
            samples.append((time.perf_counter() - t0) * 1000)
            assert answer.status == "answered", (QUESTIONS[i % len(QUESTIONS)], answer.text)
            t0 = time.perf_counter()  # the anchor, interleaved: DuckDB's own aggregate of one question's figures
            con.execute(
                "SELECT region, sum(amount) FILTER (WHERE stage = 'won'), count(*) FILTER (WHERE stage = 'won') "
                "FROM opportunities_data WHERE close_date >= DATE '2026-07-01' AND close_date < DATE '2026-10-01' "
                f"AND amount > {i} GROUP BY region"
            ).fetchall()
            anchor.append((time.perf_counter() - t0) * 1000)
        drafts = bench_big_draft(deps, DRAFTS) if DRAFTS else {}
        deps.close()
        process = bench_fresh_process(ws, PROCESSES) if PROCESSES else {}
    once, again = samples[: len(QUESTIONS)], samples[len(QUESTIONS) :] or samples
    slowest = sorted(zip(once, QUESTIONS, strict=False), reverse=True)[:3]
    return {
        "rows": rows,
        "import_s": imported,
        "first_ms": first * 1000,
        "p50_ms": statistics.median(samples),
        "p95_ms": _p95(samples),
        "p99_ms": _p99(samples),
        "max_ms": max(samples),
        "slowest": "; ".join(f"“{q}” {ms:.0f} ms" for ms, q in slowest),
        "once_p50_ms": statistics.median(once),
        "once_p95_ms": _p95(once),
        "again_p50_ms": statistics.median(again),
        "again_p95_ms": _p95(again),
        "anchor_p50_ms": statistics.median(anchor),
        "anchor_p95_ms": _p95(anchor),
        **drafts,
        **process,
    }


DRAFTS = 3
PROCESSES = 3


def bench_big_draft(deps: Deps, repeat: int) -> dict[str, float]:
    """The 2026Q3 review drafted (and validated) over the 1M opportunities, each time on a cold engine cache,
    alternating with the review pack (every metric × 2026Q3, 2026Q2, 2025Q3 × total, region, rep, product)."""
    from agent import tools
    from agent.workflows import draft_review

    engine = tools.engine_for(deps)
    packs, drafts, chains = [], [], 0
    for _ in range(repeat):
        engine.clear_cache()
        t0 = time.perf_counter()
        engine.prefetch(["2026Q3", "2026Q2", "2025Q3"], [[], ["region"], ["rep"], ["product"]])
        packs.append(time.perf_counter() - t0)
        engine.clear_cache()
        t0 = time.perf_counter()
        draft = draft_review(deps, "2026Q3", language="zh")
        drafts.append(time.perf_counter() - t0)
        chains = len(draft.chains)
        assert draft.grounded, [f for f in draft.findings if f.severity == "error"][:3]
    return {
        "pack_s": statistics.median(packs),
        "pack_min_s": min(packs),
        "big_draft_s": statistics.median(drafts),
        "big_draft_min_s": min(drafts),
        "big_draft_chains": chains,
    }


def _sample_deps(tmp: Path) -> Deps:
    from evals.sample_company import generate
    from knowledge.sample_import import import_sample_company

    generate(tmp / "lantu", seed=7)
    deps = Deps(settings=load_settings(workspace=tmp / "ws"))
    import_sample_company(deps.sales, tmp / "lantu")
    deps.docs.ingest_file(tmp / "lantu" / "notes.csv")
    return deps


def bench_draft() -> dict[str, float]:
    from agent.workflows import draft_review

    with tempfile.TemporaryDirectory() as tmp:
        deps = _sample_deps(Path(tmp))
        times = []
        for lang in ("zh", "en"):
            t0 = time.perf_counter()
            draft = draft_review(deps, "2026Q3", language=lang)
            times.append(time.perf_counter() - t0)
        deps.close()
    return {
        "draft_zh_s": times[0],
        "draft_en_s": times[1],
        "chains": len(draft.chains),
        "actions": len(draft.actions),
    }


def bench_llm_calls() -> dict[str, float]:
    """LLM calls per ask on the LLM path with the scripted fake model: the reading (the same query as the
    rules'), one run_query tool call, then the answer."""
    import json

    from langchain_core.messages import AIMessage
    from test_llm_writer import ScriptedChatModel

    from agent.ask_flow import routing_for
    from agent.workflows import ask

    with tempfile.TemporaryDirectory() as tmp:
        deps = _sample_deps(Path(tmp))
        deps.settings = load_settings(
            workspace=Path(tmp) / "ws", llm={"base_url": "http://127.0.0.1:9/v1", "model": "fake"}
        )
        calls = []
        for question in QUESTIONS[:5]:
            query = routing_for(deps, question).readings[0].query.model_dump(mode="json")
            call = {"name": "run_query", "args": {"query": query}, "id": "t1"}
            model = ScriptedChatModel(
                responses=[
                    AIMessage(content=json.dumps({"query": query, "unclear": []}, ensure_ascii=False)),
                    AIMessage(content="", tool_calls=[call]),
                    AIMessage(content="Done."),
                ],
                seen=[],
                bound=[],
            )
            deps.provide("chat_model", model)
            ask(deps, question)
            calls.append(len(model.seen))
        deps.close()
    return {"llm_calls_per_ask_max": max(calls), "llm_calls_per_ask_mean": statistics.mean(calls)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--drafts", type=int, default=3, help="drafts (and packs) timed at --rows")
    parser.add_argument("--keep", type=Path, help="leave the synthetic workspace in this folder")
    parser.add_argument("--ask-only", action="store_true", help="skip the draft and LLM-call measures")
    parser.add_argument("--workspace", type=Path, help="ask in a workspace an earlier --keep left (no import)")
    parser.add_argument("--processes", type=int, default=3, help="fresh processes timed for the first ask (0: none)")
    args = parser.parse_args()
    global DRAFTS, PROCESSES
    DRAFTS = 0 if args.ask_only else args.drafts
    PROCESSES = args.processes
    ask_stats = bench_ask(args.rows, args.repeat, args.keep, args.workspace)
    draft_stats = bench_draft() if not args.ask_only else {"draft_zh_s": 0, "draft_en_s": 0, "chains": 0, "actions": 0}
    llm_stats = bench_llm_calls() if not args.ask_only else {"llm_calls_per_ask_max": 0, "llm_calls_per_ask_mean": 0}
    print("## Agent\n")
    print(f"Command: `.venv/bin/python {' '.join(sys.argv)}`\n")
    print("| measure | value | target |\n|---|---|---|")
    if "process_s" in ask_stats:
        print(
            f"| first ask of a fresh process (median of {PROCESSES}; anchor: the same process start running "
            f"DuckDB's query) | {ask_stats['process_s']:.2f} s (anchor {ask_stats['process_anchor_s']:.2f} s) | — |"
        )
    print(
        f"| ask, deterministic, {ask_stats['rows']:,} opportunities: first query of a fresh Deps (vocabulary built) | {ask_stats['first_ms']:.0f} ms | — |"
    )
    print(
        f"| ask p50 / p95 / p99 / max after the first ({args.repeat} questions, {len(QUESTIONS)} shapes) | "
        f"{ask_stats['p50_ms']:.0f} / {ask_stats['p95_ms']:.0f} / {ask_stats['p99_ms']:.0f} / "
        f"{ask_stats['max_ms']:.0f} ms | p95 ≤ 150 ms |"
    )
    print(
        f"| ask p50 / p95, each question's first asking / asked again (figures kept per snapshot) | "
        f"{ask_stats['once_p50_ms']:.0f} / {ask_stats['once_p95_ms']:.0f} ms; "
        f"{ask_stats['again_p50_ms']:.0f} / {ask_stats['again_p95_ms']:.0f} ms | p95 ≤ 150 ms |"
    )
    print(f"| the slowest first askings | {ask_stats['slowest']} | — |")
    print(
        f"| anchor, same run: DuckDB's own GROUP BY of one quarter's won revenue (p50 / p95) | "
        f"{ask_stats['anchor_p50_ms']:.0f} / {ask_stats['anchor_p95_ms']:.0f} ms | — |"
    )
    if "big_draft_s" in ask_stats:
        print(
            f"| draft 2026Q3, {ask_stats['rows']:,} opportunities, cold cache (median / best of {args.drafts}) | "
            f"{ask_stats['big_draft_s']:.2f} / {ask_stats['big_draft_min_s']:.2f} s | ≤ 3 s |"
        )
        print(
            f"| review pack, same data, same run (median / best of {args.drafts}) | "
            f"{ask_stats['pack_s']:.2f} / {ask_stats['pack_min_s']:.2f} s | — |"
        )
    print(
        f"| draft 2026Q3 on the sample company (zh / en) | {draft_stats['draft_zh_s']:.2f} / {draft_stats['draft_en_s']:.2f} s | ≤ 10 s |"
    )
    print(
        f"| LLM calls per ask (fake model, max / mean) | {llm_stats['llm_calls_per_ask_max']} / {llm_stats['llm_calls_per_ask_mean']:.1f} | ≤ 3 |"
    )
    print(
        f"\n(import of the synthetic export took {ask_stats['import_s']:.1f} s; draft had {draft_stats['chains']} chains, "
        f"{draft_stats['actions']} actions)"
    )


if __name__ == "__main__":
    main()
