"""Questions written for this work (not beside the router) on the sample company and superstore, graded against
pandas over the CSV files themselves: a target missed or beaten by the most is the gap, not the target; how far
off target is the gap; a manager's team's share is the team against the company; months, halves, 'top N'
after the year, amounts per deal. Unanswerable ones must be asked back or refused."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fupan.settings import Settings
from knowledge.deps import Deps

Q3 = ("2026-07-01", "2026-10-01")


def _sc_frames(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    opp = pd.read_csv(folder / "opportunities.csv", dtype=str)
    opp["close"] = pd.to_datetime(opp["结单日期"])
    opp["amount"] = opp["金额"].astype(float)
    return (
        opp,
        pd.read_csv(folder / "targets.csv", dtype={"目标值": float}),
        pd.read_csv(folder / "team.csv", dtype=str),
    )


def _q3(opp: pd.DataFrame) -> pd.DataFrame:
    return opp[(opp.close >= Q3[0]) & (opp.close < Q3[1])]


def _won_by_region(opp: pd.DataFrame) -> dict[str, float]:
    w = _q3(opp)
    return w[w["阶段"] == "赢单"].groupby("区域")["amount"].sum().to_dict()


def _gaps(opp: pd.DataFrame, targets: pd.DataFrame) -> dict[str, float]:
    t = targets[(targets["期间"] == "2026Q3") & (targets["指标"] == "销售额")].set_index("区域")["目标值"]
    won = _won_by_region(opp)
    return {r: won.get(r, 0.0) - float(v) for r, v in t.items()}


def _team_share(opp: pd.DataFrame, team: pd.DataFrame, manager_col: str, manager: str) -> float:
    w = _q3(opp)
    w = w[w["阶段"] == "赢单"]
    reps = set(team[team[manager_col] == manager].iloc[:, 0])
    return float(w[w["负责人"].isin(reps)].amount.sum() / w.amount.sum())


def _reason_ranking(opp: pd.DataFrame) -> list[tuple[str, float]]:
    """Q3 lost deals by the export's 丢单原因 column, most first (ties by name)."""
    lost = _q3(opp)
    counts = lost[lost["阶段"] == "输单"].groupby("丢单原因").size()
    return sorted(((str(k), float(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))


Truth = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], Any]
SC: list[tuple[str, str, Truth | None]] = [
    (
        "which region missed its Q3 target by the most",
        "rank",
        lambda o, t, _: sorted(_gaps(o, t).items(), key=lambda kv: kv[1])[:1],
    ),
    (
        "which region beat its Q3 target by the most",
        "rank",
        lambda o, t, _: sorted(_gaps(o, t).items(), key=lambda kv: -kv[1])[:1],
    ),
    (
        "三季度哪个区域没完成目标差得最多",
        "rank",
        lambda o, t, _: sorted(_gaps(o, t).items(), key=lambda kv: kv[1])[:1],
    ),
    ("how far did East miss its target in Q3", "value", lambda o, t, _: _gaps(o, t)["华东"]),
    (
        "what share of Q3 won revenue came from 赵敏's team",
        "value",
        lambda o, _, tm: _team_share(o, tm, "经理", "赵敏"),
    ),
    ("赵敏团队三季度的赢单金额占全公司的比例", "value", lambda o, _, tm: _team_share(o, tm, "经理", "赵敏")),
    ("three reps with the lowest Q3 won revenue", "rank", None),  # checked against pandas below
    ("张三三季度的赢单金额", "ask", None),
    ("三季度丢单原因排名", "rank", lambda o, _, __: _reason_ranking(o)),  # the loss-reason column, never 'why'
    ("三季度DataHub和SmartCRM哪个卖得好", "table", None),  # the two products side by side, checked below
    ("Q3 won revenue by industry sector size", "ask", None),
]


@pytest.fixture(scope="module")
def sc(sample_company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    from evals.independent import load_dataset
    from evals.scorecard import eval_settings

    tmp = tmp_path_factory.mktemp("unseen-sc")
    deps = Deps(settings=eval_settings(Settings(), tmp / "ws", "deterministic"))
    load_dataset(deps, "sample_company", tmp)
    try:
        yield deps
    finally:
        deps.close()


def _check(answer: Any, kind: str, want: Any, question: str) -> None:
    if kind == "ask":
        assert answer.status != "answered", (question, answer.restatement, answer.answers)
        return
    assert answer.status == "answered", (question, answer.status, answer.text[:300])
    named = answer.answers
    if kind == "value":
        got = [named.get(k) for k in ("value", "change", "gap")]
        assert any(g not in (None, "") and abs(float(g) - want) <= max(0.01, abs(want) * 1e-6) for g in got), (
            question, answer.restatement, named, want)  # fmt: skip
        return
    items = [(str(n), float(v)) for n, v in json.loads(named.get("items") or "[]")]
    assert [n for n, _ in items] == [n for n, _ in want], (question, answer.restatement, items, want)
    assert all(abs(g - w) <= 0.01 for (_, g), (_, w) in zip(items, want, strict=True)), (
        question,
        items,
        want,
    )


@pytest.mark.parametrize(("question", "kind", "truth"), SC, ids=[c[0] for c in SC])
def test_sample_company_question(
    sc: Deps, sample_company: Path, question: str, kind: str, truth: Truth | None
) -> None:
    from agent.workflows import ask

    opp, targets, team = _sc_frames(sample_company)
    team_cols = list(team.columns)
    team = team.rename(columns={c: "经理" for c in team_cols if "经理" in c or "manager" in c.lower()})
    if truth is None and kind == "table":
        w = _q3(opp)
        per = w[(w["阶段"] == "赢单") & w["产品"].isin(["DataHub", "SmartCRM"])].groupby("产品").amount.sum()
        answer = ask(sc, question)
        assert answer.status == "answered", (question, answer.text)
        got = {str(n): float(v) for n, v in json.loads(answer.answers.get("items") or "[]")}
        assert got == pytest.approx(per.to_dict()), (got, per.to_dict())
        return
    if truth is None and kind == "rank":
        w = _q3(opp)
        per_rep = w[w["阶段"] == "赢单"].groupby("负责人").amount.sum()
        want: Any = sorted(per_rep.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    else:
        want = truth(opp, targets, team) if truth else None
    _check(ask(sc, question), kind, want, question)


SS: list[tuple[str, str, Callable[[pd.DataFrame], Any] | None]] = [
    (
        "sales by city in 2019 top 5",
        "rank",
        lambda d: sorted(d.groupby("City").Sales.sum().items(), key=lambda kv: -kv[1])[:5],
    ),
    ("Sales of the top 3 states by profit in 2019", "ask", None),  # two measures in one ranking: not guessed
    (
        "top 3 states by profit in 2019",
        "rank",
        lambda d: sorted(d.groupby("State").Profit.sum().items(), key=lambda kv: -kv[1])[:3],
    ),
    ("2019年西部地区的销售额", "value", lambda d: float(d[d.Region == "West"].Sales.sum())),
    ("sales per order in 2019", "value", lambda d: float(d.Sales.sum() / d["Order ID"].nunique())),
    (
        "how many orders had a discount in 2019",
        "ask",
        None,
    ),  # a count of some orders, never the mean discount
]


@pytest.fixture(scope="module")
def ss(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    from evals.independent import load_dataset
    from evals.scorecard import eval_settings

    tmp = tmp_path_factory.mktemp("unseen-ss")
    deps = Deps(settings=eval_settings(Settings(), tmp / "ws", "deterministic"))
    load_dataset(deps, "superstore", tmp)
    try:
        yield deps
    finally:
        deps.close()


@pytest.mark.parametrize(("question", "kind", "truth"), SS, ids=[c[0] for c in SS])
def test_superstore_question(
    ss: Deps, shared_datasets: Path, question: str, kind: str, truth: Callable[[pd.DataFrame], Any] | None
) -> None:
    from agent.workflows import ask

    d = pd.read_csv(shared_datasets / "superstore" / "superstore.csv", encoding="utf-8-sig")
    d["date"] = pd.to_datetime(d["Order Date"], format="%m/%d/%Y")
    d = d[d.date.dt.year == 2019]
    _check(ask(ss, question), kind, truth(d) if truth else None, question)


def test_a_long_list_states_no_uncited_count(ss: Deps) -> None:
    """'sales by city' lists eight cities and leaves the rest to the table without a count in the text, which
    the grounding check would take for a figure no evidence cites."""
    from agent.workflows import ask

    answer = ask(ss, "sales by city in 2019")
    assert answer.status == "answered" and "the rest in the table" in answer.text
    assert not answer.findings, answer.findings
