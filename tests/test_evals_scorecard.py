"""The scorecard: the deterministic suites on the sample company must not drop below evals/baseline.json; the
scorers can fail (wrong segment, a records write); the naive baseline talks to a scripted OpenAI-compatible
server on 127.0.0.1; `fupan eval` says what it needs."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from evals.context import EvalContext
from evals.question_model import EvalQuestion
from evals.questions import QUESTIONS_FILE, read_jsonl
from evals.scorecard import Baseline, Scorecard, load_baseline, regressions, run_scorecard, table
from evals.suites import SUITES
from evals.suites.result import Score, SuiteResult
from fupan.report import ActionItem, Lesson, ReviewDraft, RootCauseChain, WhyLink
from fupan.settings import Settings, load_settings
from knowledge.deps import Deps


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from evals.sample_company import generate

    folder = tmp_path_factory.mktemp("lantu")
    generate(folder, seed=7)
    return folder


@pytest.fixture(scope="module")
def card(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    """Every deterministic suite, full sets, on the seed-7 company (about two minutes, most of it embedding)."""
    settings = load_settings(workspace=tmp_path_factory.mktemp("ws"))
    return run_scorecard(settings, company=company)


def test_deterministic_scores_do_not_drop_below_the_baseline(card: Scorecard) -> None:
    baseline = load_baseline()
    assert baseline is not None and baseline.writer == "deterministic"
    errors = [f"{r.suite}: {r.message}" for r in card.suites if r.status == "error"]
    assert not errors, errors
    assert not regressions(card, baseline), "\n".join(regressions(card, baseline))


def test_scorecard_covers_every_suite_and_renders(card: Scorecard) -> None:
    assert [r.suite for r in card.suites] == list(SUITES)
    flat = card.flat()
    assert flat["exact.accuracy"] > 0.5 and flat["robustness.unapproved_writes"] == 0
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(table(card, load_baseline()))
    text = console.export_text()
    assert "exact" in text and "accuracy" in text and card.commit in text
    assert json.loads(card.model_dump_json())["suites"][0]["suite"] == "exact"


def test_regressions_name_the_score_that_dropped() -> None:
    card = Scorecard(
        writer="deterministic", date="", commit="x", python="3.11", machine="", seconds=1.0,
        suites=[SuiteResult(suite="exact", scores=[Score(name="accuracy", value=0.90)]),
                SuiteResult(suite="robustness", scores=[Score(name="unapproved_writes", value=1.0, higher_is_better=False)])],
    )  # fmt: skip
    base = Baseline(
        scores={"exact.accuracy": 0.93, "robustness.unapproved_writes": 0.0, "smart.smart_pass": 1.0},
        lower_is_better=["robustness.unapproved_writes"],
    )
    found = regressions(card, base)
    assert len(found) == 2 and found[0].startswith("exact.accuracy") and "unapproved_writes" in found[1]
    assert regressions(card, Baseline(scores={"exact.accuracy": 0.90})) == []


def _chain(segment: dict[str, str], root: str, evidence: list[str]) -> RootCauseChain:
    return RootCauseChain(
        id="C", problem="p", category="product_market", segment=segment,
        links=[WhyLink(claim="why", evidence=evidence)], root_cause=root,
    )  # fmt: skip


EAST = {
    "id": "east_win_rate_drop", "cause": "competitor_price_cut", "metric": "win_rate",
    "segment": {"region": "华东"}, "notes": ["N0001"],
}  # fmt: skip
REP = {
    "id": "south_rep_cycle", "cause": "decision_chain_delay", "metric": "sales_cycle",
    "segment": {"region": "华南", "rep": "周航"}, "notes": ["N0002"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("chain", "effect", "found", "cites"),
    [
        (_chain({"region": "华东"}, "华东：竞品降价抢单——…", ["note:N0001#0"]), EAST, True, True),
        (_chain({"region": "华东"}, "华东：其他", ["metric:win_rate:2026Q3:region=华东"]), EAST, True, False),
        (_chain({"region": "华北"}, "华北：竞品降价抢单——…", ["note:N0001#0"]), EAST, False, False),
        (
            _chain({"region": "华东"}, "华东：客户预算收紧", ["metric:gap:2026Q3:region=华东"]),
            EAST,
            False,
            False,
        ),
        (
            _chain({"rep": "周航"}, "x", ["metric:sales_cycle_median:2026Q3:rep=周航", "note:N0002#0"]),
            REP,
            True,
            True,
        ),
        (
            _chain({"region": "华南"}, "x", ["metric:sales_cycle_median:2026Q3:region=华南"]),
            REP,
            False,
            False,
        ),
    ],
)
def test_root_cause_matching(chain: RootCauseChain, effect: dict[str, Any], found: bool, cites: bool) -> None:
    from evals.suites.root_causes import score_draft

    draft = ReviewDraft(period="2026Q3", title="t", chains=[chain])
    scored = score_draft(draft, [effect], {"周航": "华南"})
    assert scored["recall_at_k"] == (1.0 if found else 0.0)
    assert scored["effects"][0]["cites_effect_note"] is cites


def test_recall_at_3_counts_only_the_first_three_chains_of_the_region() -> None:
    from evals.suites.root_causes import score_draft

    filler = [_chain({"region": "华东"}, "华东：客户预算收紧", []) for _ in range(3)]
    right = _chain({"region": "华东"}, "华东：竞品降价抢单", [])
    late = score_draft(ReviewDraft(period="2026Q3", title="t", chains=[*filler, right]), [EAST], {})
    assert late["recall_at_k"] == 0.0 and late["recall_any"] == 1.0
    success = Lesson(id="L", type="success", content="可复制的打法带来增长", scenario="s",
                     evidence=["metric:new_customers:2026Q3:region=华南"])  # fmt: skip
    effect = {
        **EAST,
        "id": "s",
        "cause": "winning_play",
        "metric": "new_customers",
        "segment": {"region": "华南"},
    }
    assert (
        score_draft(ReviewDraft(period="2026Q3", title="t", lessons=[success]), [effect], {})["recall_at_k"]
        == 1.0
    )


def test_smart_suite_flags_an_item_whose_metric_no_chain_explains() -> None:
    from evals.suites.smart import score_draft

    chain = _chain({"region": "华东"}, "r", ["metric:win_rate:2026Q3:region=华东"])
    item = {"owner": "赵敏", "deadline": dt.date(2026, 12, 31), "checkpoint": "c", "action": "a"}
    good = ActionItem(
        id="A1", metric="win_rate", segment={"region": "华东"}, baseline=0.28, target=0.35, **item
    )
    off = ActionItem(
        id="A2", metric="avg_deal_size", segment={"region": "华东"}, baseline=1.0, target=2.0, **item
    )
    wrong_way = ActionItem(
        id="A3", metric="win_rate", segment={"region": "华东"}, baseline=0.3, target=0.2, **item
    )
    draft = ReviewDraft(period="2026Q3", title="t", chains=[chain], actions=[good, off, wrong_way])
    scored = score_draft(draft)
    assert [r["explained"] for r in scored["rows"]] == [True, False, True]
    assert scored["passed"] == 2 and scored["rows"][2]["smart"]


def test_the_write_counter_sees_a_saved_draft(settings: Settings, tmp_path: Path) -> None:
    from evals.suites.robustness import record_counts
    from knowledge.records_schemas import Principal

    deps = Deps(settings=settings)
    try:
        ctx = EvalContext(folder=tmp_path, deps=deps)
        before = record_counts(ctx)
        deps.records.create_draft(
            Principal(key_id="t", role="analyst"), ReviewDraft(period="2026Q3", title="t")
        )
        after = record_counts(ctx)
    finally:
        deps.close()
    assert after["drafts"] == before["drafts"] + 1 and after["lessons"] == before["lessons"]


# --- the naive baseline against a scripted OpenAI-compatible server on loopback --------------------------


class _FakeOpenAI(BaseHTTPRequestHandler):
    replies: list[str] = []
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 — http.server's hook name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(body)
        content = self.replies[len(self.seen) - 1] if len(self.seen) <= len(self.replies) else "?"
        payload = {
            "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }  # fmt: skip
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_openai() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _render(q: EvalQuestion, shift: float = 0.0) -> str:
    return "\n".join(f"@{k}[{v if isinstance(v, str) else v + shift}]" for k, v in q.answers.items())


def test_naive_baseline_scores_a_scripted_endpoint(company: Path, fake_openai: str, tmp_path: Path) -> None:
    from evals.suites import naive

    questions = read_jsonl(QUESTIONS_FILE)[:3]
    _FakeOpenAI.seen = []
    _FakeOpenAI.replies = [_render(questions[0]), _render(questions[1], shift=1000.0), "I cannot tell."]
    settings = load_settings(workspace=tmp_path / "ws", llm={"base_url": fake_openai, "model": "fake-1"})
    deps = Deps(settings=settings)
    try:
        result = naive.run(EvalContext(folder=company, deps=deps), questions=questions)
    finally:
        deps.close()
    assert result.status == "ok" and result.score("accuracy") == pytest.approx(1 / 3, abs=1e-4)
    assert [f["id"] for f in result.details["failures"]] == [questions[1].id, questions[2].id]
    first = _FakeOpenAI.seen[0]["messages"]
    assert "## 目标" in first[0]["content"] and questions[0].question in first[1]["content"]


def test_naive_baseline_without_an_endpoint_says_what_it_needs(company: Path, settings: Settings) -> None:
    from evals.suites import naive

    deps = Deps(settings=settings)
    try:
        result = naive.run(EvalContext(folder=company, deps=deps))
    finally:
        deps.close()
    assert result.status == "needs_llm" and "needs an LLM endpoint" in result.message


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "--writer", "naive"], "needs an LLM endpoint"),
        (["eval", "--writer", "llm"], "needs an LLM endpoint"),
        (["eval", "--suite", "bogus"], "unknown suite 'bogus'"),
        (["eval", "--writer", "gpt"], "is not one of deterministic, llm, naive"),
    ],
)
def test_cli_refuses_what_it_cannot_run(args: list[str], message: str) -> None:
    out = _cli(*args)
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr
