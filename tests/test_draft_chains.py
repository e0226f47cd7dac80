"""The drafter's action targets on their own (agent/draft_actions.py): each unit is rounded the way a manager
would state a goal. The chains, lessons and actions as a whole are tested on the sample company and on data with
no notes in tests/test_draft_honest.py and tests/test_draft_comparable.py (the drafting rewrite of issue 13 moved
them from agent/draft_chains.py to draft_problems, draft_actions and draft_tree)."""

from __future__ import annotations

import pytest

from agent.draft_actions import _round_target


@pytest.mark.parametrize(
    ("value", "unit", "better", "expected"),
    [
        (7.2, "count", True, 8.0),  # a count aimed up rounds up, aimed down rounds down
        (7.8, "count", False, 7.0),
        (0.55555, "ratio", True, 0.556),
        (1_234_567.0, "CNY", True, 1_235_000.0),  # money to the thousand
        (614.4, "money", True, 614.0),  # smaller amounts keep three significant figures, never 1,000
        (63.46, "days", False, 63.5),
    ],
)
def test_targets_are_rounded_for_their_unit(value: float, unit: str, better: bool, expected: float) -> None:
    assert _round_target(value, unit, better) == expected
