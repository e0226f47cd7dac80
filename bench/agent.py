"""Analyst benchmarks: ask latency (deterministic path) on 1M opportunities, draft latency on the sample
company, and LLM calls per job with the scripted fake model.

    .venv/bin/python bench/agent.py [--rows 1000000] [--repeat 40]

Prints a Markdown block for bench/RESULTS.md ("## Agent").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fupan.deps import Deps  # noqa: E402
from fupan.settings import load_settings  # noqa: E402

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
]


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


def bench_ask(rows: int, repeat: int) -> dict[str, float]:
    from agent.workflows import ask

    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic_export(Path(tmp), rows)
        deps = Deps(settings=load_settings(workspace=Path(tmp) / "ws"))
        t0 = time.perf_counter()
        for name in ("opportunities", "targets", "team"):
            deps.sales.import_file(folder / f"{name}.csv", name)
        imported = time.perf_counter() - t0
        t0 = time.perf_counter()
        ask(deps, QUESTIONS[0])
        first = time.perf_counter() - t0
        samples = []
        for i in range(repeat):
            t0 = time.perf_counter()
            ask(deps, QUESTIONS[i % len(QUESTIONS)])
            samples.append((time.perf_counter() - t0) * 1000)
        deps.close()
    return {
        "rows": rows,
        "import_s": imported,
        "first_ms": first * 1000,
        "p50_ms": statistics.median(samples),
        "p95_ms": _p95(samples),
        "max_ms": max(samples),
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
    """LLM calls per ask on the LLM path with the scripted fake model (a tool call, then the answer)."""
    from langchain_core.messages import AIMessage
    from test_llm_writer import ScriptedChatModel

    from agent.workflows import ask

    with tempfile.TemporaryDirectory() as tmp:
        deps = _sample_deps(Path(tmp))
        deps.settings = load_settings(
            workspace=Path(tmp) / "ws", llm={"base_url": "http://127.0.0.1:9/v1", "model": "fake"}
        )
        calls = []
        for question in QUESTIONS[:5]:
            call = {"name": "metric_value", "args": {"metric": "win_rate", "period": "2026Q3"}, "id": "t1"}
            model = ScriptedChatModel(
                responses=[AIMessage(content="", tool_calls=[call]), AIMessage(content="Done.")],
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
    args = parser.parse_args()
    ask_stats = bench_ask(args.rows, args.repeat)
    draft_stats = bench_draft()
    llm_stats = bench_llm_calls()
    print("## Agent\n")
    print(f"Command: `.venv/bin/python bench/agent.py --rows {args.rows} --repeat {args.repeat}`\n")
    print("| measure | value | target |\n|---|---|---|")
    print(
        f"| ask, deterministic, {ask_stats['rows']:,} opportunities: first query | {ask_stats['first_ms']:.0f} ms | — |"
    )
    print(
        f"| ask p50 / p95 / max after the first ({args.repeat} questions, {len(QUESTIONS)} shapes) | "
        f"{ask_stats['p50_ms']:.0f} / {ask_stats['p95_ms']:.0f} / {ask_stats['max_ms']:.0f} ms | p95 ≤ 150 ms |"
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
