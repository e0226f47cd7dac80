"""Paraphrases and near misses of the independent set's dev questions (evals/sets/paraphrases/cases.jsonl),
written for the router's regression tests: new phrasings, names close to the data's, columns and periods the
data does not have, exclusions, growth without a base, team and bottom-N compositions, months, halves, YoY.

Each case says one of:
- `same_as`: a dev question of the independent set it rephrases; graded with that question's expected answer
  by the independent grader, and it must be correct;
- `status`: the answer must be `unanswerable` or `clarify` (never a figure for another question);
- `reading`: the answer's typed query must have these fields (operation, group_by, periods, base, order, n…).

    python -m evals.paraphrases        # every case, one line per failure
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.independent import Case, grade, load_cases
from knowledge.deps import Deps

CASES_FILE = Path(__file__).resolve().parent / "sets" / "paraphrases" / "cases.jsonl"


class Paraphrase(BaseModel):
    id: str
    dataset: str
    question: str
    same_as: str | None = None
    status: str | None = None
    reading: dict[str, Any] | None = None


def load() -> list[Paraphrase]:
    return [Paraphrase.model_validate_json(line) for line in CASES_FILE.read_text("utf-8").splitlines() if line.strip()]


def dev_cases() -> dict[str, Case]:
    return {c.id: c for c in load_cases("dev")}


def check(deps: Deps, case: Paraphrase, dev: dict[str, Case]) -> str:
    """'' when the answer is as the case says, else what differs."""
    from agent.ask_flow import answer_query
    from agent.workflows import ask

    answer = ask(deps, case.question)
    if case.same_as:
        original = dev[case.same_as]
        twin = original.model_copy(update={"question": case.question, "id": case.id})
        g = grade(twin, answer, "", lambda q: answer_query(deps, case.question, q))
        return "" if g.verdict == "correct" else f"{g.verdict}: {answer.restatement} | {g.detail}"
    if case.status:
        return "" if answer.status == case.status else f"{answer.status}: {answer.restatement} {answer.text[:160]}"
    if answer.status != "answered" or answer.query is None:
        return f"{answer.status}: {answer.text[:160]}"
    got = answer.query.model_dump()
    differ = {k: got.get(k) for k, v in (case.reading or {}).items() if got.get(k) != v}
    return "" if not differ else f"query differs: {json.dumps(differ, ensure_ascii=False)} ({answer.restatement})"


def main() -> None:
    from evals.independent import workspace
    from fupan.settings import load_settings

    cases, dev, failed = load(), dev_cases(), 0
    for dataset in dict.fromkeys(c.dataset for c in cases):
        with workspace(dataset, load_settings()) as deps:
            for case in (c for c in cases if c.dataset == dataset):
                if problem := check(deps, case, dev):
                    failed += 1
                    print(f"{case.id} {case.question}\n    {problem}")
    print(f"{len(cases) - failed}/{len(cases)} as expected")


if __name__ == "__main__":
    main()
