"""The eval suites. Each `run(ctx) -> SuiteResult`; `fupan eval --suite NAME` picks them."""

from __future__ import annotations

from collections.abc import Callable

from evals.context import EvalContext
from evals.suites import (
    exact,
    grounding,
    independent,
    naive,
    retrieval,
    retrieval_calls,
    robustness,
    root_causes,
    smart,
)
from evals.suites.result import SuiteResult

SUITES: dict[str, Callable[[EvalContext], SuiteResult]] = {
    "exact": exact.run,
    "root_causes": root_causes.run,
    "grounding": grounding.run,
    "smart": smart.run,
    "retrieval": retrieval.run,
    "robustness": robustness.run,
    "independent": independent.run,
}
NAIVE: Callable[[EvalContext], SuiteResult] = naive.run
# run only when named (`fupan eval --suite retrieval_calls`): it embeds the 101 shared call transcripts
ON_DEMAND: dict[str, Callable[[EvalContext], SuiteResult]] = {"retrieval_calls": retrieval_calls.run}
