"""The naive baseline: what a generic chat-with-your-data tool gets — the raw data summary and the question in
one prompt to the configured LLM endpoint, no tools, no metric engine. Scored on the same questions."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from agent.prompt_loader import load_prompt
from evals.question_model import EvalQuestion, QuestionScore, score_answers

PROMPTS = Path(__file__).resolve().parent / "prompts"
_ANSWER = re.compile(r"@(?P<name>[^\s\[\]@]+)\[(?P<value>[^\]]*)\]")


def data_summary(folder: Path) -> str:
    """Opportunities grouped by close quarter, region, rep, product and stage; deals created per quarter by
    stage; the targets table — as CSV text."""
    opps = pd.read_csv(folder / "opportunities.csv", dtype=str)
    opps["金额"] = opps["金额"].astype(float)
    opps["结单季度"] = pd.PeriodIndex(pd.to_datetime(opps["结单日期"]), freq="Q").astype(str)
    opps["创建季度"] = pd.PeriodIndex(pd.to_datetime(opps["创建日期"]), freq="Q").astype(str)
    closed = opps.dropna(subset=["结单日期"])
    grouped = (
        closed.groupby(["结单季度", "区域", "负责人", "产品", "阶段"], dropna=False)
        .agg(商机数=("商机编号", "count"), 金额合计=("金额", "sum"))
        .reset_index()
    )
    created = opps.groupby(["创建季度", "区域", "阶段"]).size().rename("商机数").reset_index()
    targets = pd.read_csv(folder / "targets.csv", dtype=str)
    return "\n\n".join(
        [
            "## 已结单商机（按结单季度汇总）\n" + grouped.to_csv(index=False),
            "## 新建商机（按创建季度与当前阶段）\n" + created.to_csv(index=False),
            "## 目标\n" + targets.to_csv(index=False),
        ]
    )


def parse_answers(text: str) -> dict[str, str]:
    out = {}
    for m in _ANSWER.finditer(text):
        value = m.group("value").strip().replace(",", "").replace("¥", "").replace("，", "")
        if value.endswith("%"):
            try:
                value = str(float(value[:-1]) / 100)
            except ValueError:
                pass
        out[m.group("name")] = value
    return out


def ask_naive(model: object, question: EvalQuestion, summary: str) -> QuestionScore:
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt("naive", question.language, PROMPTS)
    system, user = prompt.render(
        summary=summary, question=question.question, names=", ".join(question.answers)
    )
    try:
        reply = model.invoke([SystemMessage(system), HumanMessage(user)])  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 — a failed request is a wrong answer, with its reason
        return score_answers(question, f"error: {type(exc).__name__}"[:200], {})
    named = parse_answers(str(reply.content))
    return score_answers(question, "answered" if named else "unanswered", named)
