"""The independent question set (evals/sets/independent/): 389 questions, zh and en, over the sample company,
superstore and sample_sales_orders, written by someone who never read the router, with answers computed by a
standalone pandas script (`truth.py` there). Every answer falls in one of four classes:

- correct — the answer's figures (and names, in order) match the expected answer within its tolerance; for an
  unanswerable question, an honest refusal; for an ambiguous one, asking back or stating a reading that matches
  one of the accepted readings;
- clarified — the answer asked back, and one of the readings it offered computes the expected answer;
- refused — no figure was stated (a refusal or a clarification without the right reading);
- wrong — a figure was stated and it is not the expected one (or the system crashed).

    python -m evals.independent [--split dev|holdout|all] [--dataset sc|ss|so] [--show wrong,refused] [--set DIR]

Tune on the dev split only; the holdout split is measured at milestones and reported as it is.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from fupan.answers import Answer
from fupan.settings import Settings
from knowledge.deps import Deps

SET_DIR = Path(__file__).resolve().parent / "sets" / "independent"
SHARED = Path(os.environ.get("FUPAN_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "datasets"
DATASETS = {"sample_company": "sc", "superstore": "ss", "sample_sales_orders": "so"}
Verdict = Literal["correct", "clarified", "refused", "wrong"]


class Case(BaseModel):
    id: str
    dataset: str
    lang: str
    question: str
    category: str
    expect: dict[str, Any]
    notes: str = ""
    split: str = "dev"


class Graded(BaseModel):
    id: str
    dataset: str
    lang: str
    category: str
    split: str
    question: str
    verdict: Verdict
    status: str = ""
    restatement: str = ""
    detail: str = ""
    readings: list[str] = Field(default_factory=list)


def load_cases(split: str = "dev", datasets: list[str] | None = None, set_dir: Path = SET_DIR) -> list[Case]:
    """The cases of one split; `set_dir` may name another set in the same format (expected.jsonl), e.g. a fresh
    one written outside the repository."""
    lines = (set_dir / "expected.jsonl").read_text("utf-8").splitlines()
    cases = [Case.model_validate_json(line) for line in lines if line.strip()]
    keep = [c for c in cases if split == "all" or c.split == split]
    if datasets:
        keep = [c for c in keep if DATASETS.get(c.dataset, c.dataset) in datasets or c.dataset in datasets]
    return keep


# ---- matching one answer against one expectation ------------------------------------------------------------


def _num(text: str | None) -> float | None:
    try:
        return None if text in (None, "") else float(text)  # type: ignore[arg-type]
    except ValueError:
        return None


def _close(got: float | None, want: float | None, tol: float) -> bool:
    if got is None or want is None:
        return False
    return math.isclose(got, want, abs_tol=tol + 1e-9) or abs(got - want) <= tol + 1e-9


def _items(answer: Answer) -> list[tuple[str, float | None]]:
    raw = answer.answers.get("items")
    if not raw:
        return []
    return [(str(name), _num(value)) for name, value in json.loads(raw)]


def matches(answer: Answer, expect: dict[str, Any]) -> tuple[bool, str]:
    """Whether an answered question's figures are the expected ones, and why not."""
    kind, tol = expect["type"], float(expect.get("tol", 0.0))
    named = answer.answers
    if kind == "value":
        got = _num(named.get("value"))
        return _close(got, expect["value"], tol), f"value {got} vs {expect['value']}"
    if kind == "change":
        gots = [_num(named.get(k)) for k in ("current", "base", "change")]
        want = [expect["current"], expect["base"], expect["change"]]
        ok = all(_close(g, x, tol) for g, x in zip(gots, want, strict=True))
        return ok, f"current/base/change {gots} vs {want}"
    if kind in {"ranking", "breakdown", "series"}:
        return _match_items(answer, expect, tol)
    if kind == "decompose":
        return _match_decompose(named, expect, tol)
    return False, f"unknown expectation {kind}"


def _match_items(answer: Answer, expect: dict[str, Any], tol: float) -> tuple[bool, str]:
    got = _items(answer)
    key = "period" if expect["type"] == "series" else "name"
    want = [(str(i[key]), float(i["value"])) for i in expect["items"]]
    if expect["type"] == "ranking":
        head = got[: len(want)]
        ok = len(head) == len(want) and all(
            g[0] == w[0] and _close(g[1], w[1], tol) for g, w in zip(head, want, strict=True)
        )
        return ok, f"ranking {head} vs {want}"
    got_map = dict(got)
    ok = len(got) == len(want) and all(name in got_map and _close(got_map[name], v, tol) for name, v in want)
    return ok, f"{expect['type']} {got[:8]} vs {want[:8]}"


def _match_decompose(named: dict[str, str], expect: dict[str, Any], tol: float) -> tuple[bool, str]:
    if not _close(_num(named.get("total_change")), expect["total_change"], tol):
        return False, f"total change {named.get('total_change')} vs {expect['total_change']}"
    ours = [(k.removeprefix("part:"), _num(v)) for k, v in named.items() if k.startswith("part:")]
    for parts in (expect.get("parts") or {}, expect.get("alt_parts") or {}):
        if parts and len(parts) == len(ours) and all(
            _close(g, w, max(tol, 0.02)) for (_, g), w in zip(ours, parts.values(), strict=True)
        ):
            return True, ""
    return False, f"parts {ours} vs {expect.get('parts')} / {expect.get('alt_parts')}"


def grade(
    case: Case,
    answer: Answer | None,
    error: str,
    rerun: Callable[[Any], Answer | None],
    match: Callable[[Answer, dict[str, Any]], tuple[bool, str]] | None = None,
) -> Graded:
    """Put one answer in one of the four classes (see the module docstring). `rerun(query)` answers one of
    the readings a clarification offered; `match` compares figures (default `matches`)."""
    match = match or matches
    out = Graded(id=case.id, dataset=case.dataset, lang=case.lang, category=case.category, split=case.split,
                 question=case.question, verdict="wrong")  # fmt: skip
    if answer is None:
        out.detail = f"error: {error}"
        return out
    out.status, out.restatement = answer.status, answer.restatement
    out.readings = [r.restatement for r in answer.readings] if answer.status == "clarify" else []
    kind = case.expect["type"]
    if kind == "refuse":
        out.verdict = {"unanswerable": "correct", "clarify": "clarified"}.get(answer.status, "wrong")  # type: ignore[assignment]
        out.detail = "" if out.verdict != "wrong" else f"answered: {answer.text[:160]}"
        return out
    accepted = case.expect.get("any_of") if kind == "clarify" else [case.expect]
    if answer.status == "unanswerable":
        out.verdict, out.detail = "refused", answer.text[:200]
        return out
    if answer.status == "clarify":
        if kind == "clarify":
            out.verdict = "correct"
            return out
        for reading in answer.readings:
            picked = rerun(reading.query)
            if picked is not None and picked.status == "answered" and any(match(picked, e)[0] for e in accepted or []):
                out.verdict = "clarified"
                return out
        out.verdict, out.detail = "refused", "clarification without the expected reading"
        return out
    results = [match(answer, e) for e in accepted or []]
    if any(ok for ok, _ in results):
        out.verdict = "correct"
    else:
        out.detail = results[0][1] if results else "nothing to compare"
    return out


# ---- workspaces ---------------------------------------------------------------------------------------------


@contextmanager
def workspace(dataset: str, settings: Settings) -> Iterator[Deps]:
    """A scratch workspace holding one data set, imported the way a user would."""
    from evals.scorecard import eval_settings

    with tempfile.TemporaryDirectory(prefix=f"fupan-indep-{dataset}-") as tmp:
        deps = Deps(settings=eval_settings(settings, Path(tmp) / "ws", "deterministic"))
        try:
            load_dataset(deps, dataset, Path(tmp))
            yield deps
        finally:
            deps.close()


def load_dataset(deps: Deps, dataset: str, tmp: Path) -> None:
    if dataset == "sample_company":
        from evals.sample_company import generate
        from knowledge.sample_import import import_sample_company

        import_sample_company(deps.sales, generate(tmp / "company", seed=7))
    elif dataset == "superstore":
        deps.sales.import_file(SHARED / "superstore" / "superstore.csv", "opportunities", preset="superstore")
    elif dataset == "sample_sales_orders":
        deps.sales.import_file(SHARED / "sample_sales_orders" / "sales_data_sample.csv", "opportunities")
    else:
        raise ValueError(f"unknown data set {dataset}")


def run(
    settings: Settings, *, split: str = "dev", datasets: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None, set_dir: Path = SET_DIR,
) -> list[Graded]:  # fmt: skip
    from agent.ask_flow import answer_query
    from agent.workflows import ask

    cases = load_cases(split, datasets, set_dir)
    graded: list[Graded] = []
    by_set: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_set[c.dataset].append(c)
    for dataset, group in by_set.items():
        progress(f"{dataset}: {len(group)} questions")
        try:
            ctx = workspace(dataset, settings)
            deps = ctx.__enter__()
        except Exception as exc:  # noqa: BLE001 — a data set that cannot be imported: every answer refused
            graded += [Graded(id=c.id, dataset=c.dataset, lang=c.lang, category=c.category, split=c.split,
                              question=c.question, verdict="refused", detail=f"import failed: {exc}"[:200])
                       for c in group]  # fmt: skip
            continue
        try:
            for case in group:
                graded.append(_ask_one(deps, case, ask, answer_query))
        finally:
            ctx.__exit__(None, None, None)
    return graded


def _ask_one(deps: Deps, case: Case, ask: Callable[..., Answer], answer_query: Callable[..., Answer]) -> Graded:
    def rerun(query: Any) -> Answer | None:
        try:
            return answer_query(deps, case.question, query)
        except Exception:  # noqa: BLE001
            return None

    try:
        answer = ask(deps, case.question)
    except Exception as exc:  # noqa: BLE001 — a crash is recorded as a wrong answer with its message
        return grade(case, None, f"{type(exc).__name__}: {exc}"[:200], rerun)
    return grade(case, answer, "", rerun)


def summary(graded: list[Graded]) -> dict[str, dict[str, float]]:
    """Share of each class per data set × language (and overall)."""
    groups: dict[str, list[Graded]] = defaultdict(list)
    for g in graded:
        groups[f"{DATASETS.get(g.dataset, g.dataset)}-{g.lang}"].append(g)
        groups["all"].append(g)
    out = {}
    for name, items in sorted(groups.items()):
        counts = Counter(g.verdict for g in items)
        out[name] = {v: round(counts.get(v, 0) / len(items), 4) for v in ("correct", "clarified", "refused", "wrong")}
        out[name]["n"] = len(items)
    return out


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from fupan.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.independent")
    parser.add_argument("--split", default="dev", choices=["dev", "holdout", "all"])
    parser.add_argument("--dataset", action="append", help="sc, ss or so (repeatable); default all")
    parser.add_argument("--show", default="wrong", help="comma-separated classes to list")
    parser.add_argument("--out", type=Path, help="write every graded answer as JSON lines")
    parser.add_argument("--set", type=Path, default=SET_DIR, help="a set folder in this format (expected.jsonl)")
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    graded = run(load_settings(), split=args.split, datasets=args.dataset, progress=console.print, set_dir=args.set)
    show = set(args.show.split(",")) if args.show else set()
    for g in graded:
        if g.verdict in show and (args.split == "dev" or args.split == "all" and g.split == "dev"):
            console.print(f"[bold]{g.verdict}[/] {g.id} {g.question} [{g.status}] {g.restatement}\n    {g.detail}")
    table = Table(title=f"{args.set.name} set, split {args.split}")
    for col in ("group", "n", "correct", "clarified", "refused", "wrong"):
        table.add_column(col, justify="right" if col != "group" else "left")
    for name, s in summary(graded).items():
        table.add_row(name, str(int(s["n"])), *(f"{s[v]:.1%}" for v in ("correct", "clarified", "refused", "wrong")))
    console.print(table)
    if args.out:
        args.out.write_text("".join(g.model_dump_json() + "\n" for g in graded), encoding="utf-8")


if __name__ == "__main__":
    main()
