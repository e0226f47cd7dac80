"""Managers' questions the data can answer once the import keeps what the export says (issue 12, the data side):
open deals by the export's own stages (as of the export), blank segments as their own row, reps known only
from the team table, exclusions ('excluding …', '除了…以外'), and loss reasons. Expected figures come from the
generator's rows (tests/pipeline_exports.py) or pandas on the shared datasets, never from the engine."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from pipeline_exports import IDLE_REP, Deal, generate

from evals.scorecard import eval_settings
from fupan.answers import Answer
from fupan.settings import Settings
from knowledge.deps import Deps


def _deps(tmp: Path, *, reasons: bool = True) -> tuple[Deps, list[Deal]]:
    deps = Deps(settings=eval_settings(Settings(), tmp / "ws", "deterministic"))
    deals = generate(tmp / "files", reasons=reasons)
    deps.sales.import_file(tmp / "files" / "team.csv")
    deps.sales.import_file(tmp / "files" / "deals.csv")
    return deps, deals


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, list[Deal]]]:
    deps, deals = _deps(tmp_path_factory.mktemp("gaps"))
    yield deps, deals
    deps.close()


def _ask(deps: Deps, question: str) -> Answer:
    from agent.workflows import ask

    return ask(deps, question)


def _items(answer: Answer) -> dict[str, float]:
    return {name: float(v) for name, v in json.loads(answer.answers["items"]) if v not in (None, "")}


def _won_2024(deals: list[Deal]) -> list[Deal]:
    return [d for d in deals if d.stage == "Closed Won" and d.closed and d.closed.year == 2024]


# ---- 1. open pipeline by the export's own stages -----------------------------------------------------------


def test_the_export_keeps_its_own_stage_names(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    assert "stage_name" in deps.sales.dimensions().ids()
    stored = dict(deps.sales.connection.execute("SELECT opportunity_id, stage_name FROM opportunities").fetchall())
    assert stored == {d.deal_id: d.stage for d in deals}


@pytest.mark.parametrize("question", ["open deals by stage", "各阶段在手商机多少", "how many open deals by stage right now"])
def test_open_deals_by_stage(crm, question: str) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    answer = _ask(deps, question)
    assert answer.status == "answered", answer.text
    assert _items(answer) == {s: float(n) for s, n in Counter(d.stage for d in deals if d.open).items()}
    assert "Closed Won" not in answer.text  # a closed stage is not an open one at 0
    assert ("export" in answer.restatement) or ("导出" in answer.restatement)


def test_open_pipeline_amounts_say_how_many_deals_have_no_amount(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    answer = _ask(deps, "open deals by stage right now, amounts")
    amounts: dict[str, float] = defaultdict(float)
    for d in deals:
        if d.open and d.amount is not None:
            amounts[d.stage] += d.amount
    assert _items(answer) == pytest.approx(dict(amounts))
    unknown = sum(1 for d in deals if d.open and d.amount is None)
    assert unknown and f"{unknown} open deal(s) have no amount yet" in answer.text


def test_share_of_the_open_pipeline_in_one_stage(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    answer = _ask(deps, "what share of the open pipeline is in negotiation")
    open_ = [d for d in deals if d.open and d.amount is not None]
    want = sum(d.amount for d in open_ if d.stage == "Negotiation") / sum(d.amount for d in open_)  # type: ignore[misc]
    assert float(answer.answers["value"]) == pytest.approx(want)


def test_open_deals_at_an_earlier_period_end_are_not_guessed(crm) -> None:  # type: ignore[no-untyped-def]
    deps, _ = crm
    answer = _ask(deps, "open pipeline in 2024Q1")
    assert answer.status != "answered" and "current stage" in answer.text


def test_order_lines_have_no_open_deals(orders: Deps) -> None:
    answer = _ask(orders, "open deals by stage")
    assert answer.status != "answered" and "no stage column" in answer.text


# ---- 2. blank segments -------------------------------------------------------------------------------------


def test_a_blank_segment_is_its_own_row_and_the_total_adds_up(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    won = _won_2024(deals)
    answer = _ask(deps, "won revenue by segment in 2024")
    items = _items(answer)
    assert items["(blank)"] == pytest.approx(sum(d.amount for d in won if not d.segment))  # type: ignore[misc]
    assert sum(items.values()) == pytest.approx(sum(d.amount for d in won))  # type: ignore[misc]
    zh = _ask(deps, "2024年各Segment赢单金额")
    assert "（空）" in _items(zh)


# ---- 3. reps known only from the team table ----------------------------------------------------------------


def test_a_team_rep_without_deals_is_ranked_and_said(crm) -> None:  # type: ignore[no-untyped-def]
    deps, _ = crm
    answer = _ask(deps, "lowest 3 reps by won revenue in Dana's team in 2024")
    assert answer.answers["top_1"] == IDLE_REP[0] and "(no deals)" in answer.text
    rates = _ask(deps, "win rate by rep in 2024")
    assert f"no deals in 2024: {IDLE_REP[0]}" in rates.text


# ---- 4. exclusions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "said"),
    [("2024 won revenue excluding Technology", "excluding Technology"), ("2024年除了Technology以外的赢单金额", "不含 Technology")],
)
def test_excluding_a_value(crm, question: str, said: str) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    answer = _ask(deps, question)
    assert answer.query is not None and answer.query.exclude == {"category": ["Technology"]}
    assert said in answer.restatement
    want = sum(d.amount for d in _won_2024(deals) if d.category != "Technology")  # type: ignore[misc]
    assert float(answer.answers["value"]) == pytest.approx(want)


def test_an_exclusion_keeps_the_blank_values(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    answer = _ask(deps, "won revenue by region in 2024 excluding SMB")
    want: dict[str, float] = defaultdict(float)
    for d in _won_2024(deals):
        if d.segment != "SMB":
            want[d.region] += d.amount  # type: ignore[operator]
    assert _items(answer) == pytest.approx(dict(want))


def test_excluding_a_name_not_in_the_data_is_not_answered_whole(crm) -> None:  # type: ignore[no-untyped-def]
    deps, _ = crm
    assert _ask(deps, "2024 won revenue excluding Gadgets").status != "answered"


def test_excluding_a_status_on_order_lines(orders: Deps, shared_datasets: Path) -> None:
    df = pd.read_csv(shared_datasets / "sample_sales_orders" / "sales_data_sample.csv", encoding="cp1252")
    df = df[pd.to_datetime(df.ORDERDATE, format="mixed").dt.year == 2004]
    answer = _ask(orders, "2004年不含取消的订单销售额")
    assert float(answer.answers["value"]) == pytest.approx(df[df.STATUS != "Cancelled"].SALES.sum())


# ---- 5. loss reasons ---------------------------------------------------------------------------------------


def test_lost_deals_by_reason(crm) -> None:  # type: ignore[no-untyped-def]
    deps, deals = crm
    lost = [d for d in deals if d.stage == "Closed Lost" and d.closed and d.closed.year == 2024]
    answer = _ask(deps, "lost deals by reason in 2024")
    assert _items(answer) == {(r or "(blank)"): float(n) for r, n in Counter(d.reason for d in lost).items()}
    share = _ask(deps, "what share of 2024 losses were price related")
    assert float(share.answers["value"]) == pytest.approx(sum(d.reason == "Price" for d in lost) / len(lost))
    zh = _ask(deps, "2024年丢单原因分布")
    assert zh.status == "answered" and zh.query is not None and zh.query.group_by == ["loss_reason"]


def test_no_loss_reason_column_is_said(tmp_path: Path) -> None:
    deps, _ = _deps(tmp_path, reasons=False)
    try:
        answer = _ask(deps, "lost deals by loss reason in 2024")
        assert answer.status != "answered" and "no loss-reason column" in answer.text
    finally:
        deps.close()


# ---- shared data -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orders(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    tmp = tmp_path_factory.mktemp("orders")
    deps = Deps(settings=eval_settings(Settings(), tmp / "ws", "deterministic"))
    deps.sales.import_file(shared_datasets / "sample_sales_orders" / "sales_data_sample.csv")
    yield deps
    deps.close()


def test_excluding_a_category_on_superstore(shared_datasets: Path, tmp_path: Path) -> None:
    deps = Deps(settings=eval_settings(Settings(), tmp_path / "ws", "deterministic"))
    try:
        deps.sales.import_file(shared_datasets / "superstore" / "superstore.csv")
        df = pd.read_csv(shared_datasets / "superstore" / "superstore.csv", encoding="utf-8-sig")
        df = df[pd.to_datetime(df["Order Date"], format="%m/%d/%Y").dt.year == 2017]
        answer = _ask(deps, "sales in 2017 excluding Technology")
        assert float(answer.answers["value"]) == pytest.approx(df[df.Category != "Technology"].Sales.sum())
    finally:
        deps.close()


def test_the_llm_tool_takes_an_exclusion_and_its_citation_re_runs(crm) -> None:  # type: ignore[no-untyped-def]
    from agent.engine import engine_for
    from agent.tools import run_query
    from fupan.errors import InputError
    from fupan.evidence import parse_metric_id
    from fupan.query import MetricQuery

    deps, deals = crm
    q = MetricQuery(metrics=["won_revenue"], periods=["2024"], exclude={"category": ["Technology"]}, language="en")
    got = run_query(deps, q)
    want = sum(d.amount for d in _won_2024(deals) if d.category != "Technology")  # type: ignore[misc]
    assert [f.value for f in got.figures] == pytest.approx([want])
    parsed = parse_metric_id(got.figures[0].evidence_id)
    assert parsed is not None and parsed.dims == {"category!": "Technology"}
    assert engine_for(deps).value(parsed.name, parsed.period, parsed.dims).value == pytest.approx(want)
    with pytest.raises(InputError):  # a name left out must be in the data: never an exclusion of nothing
        run_query(deps, q.model_copy(update={"exclude": {"category": ["Gadgets"]}}))
