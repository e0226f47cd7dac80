"""The playbook of known causes and remedies (knowledge/playbook.yaml), and how a cause is chosen for a
segment from the metrics that moved and the signals in its notes."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from fupan.messages import Text

PLAYBOOK_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "playbook.yaml"
LOSS_REASON_SHARE = 0.3  # reasons pointing to a cause, on this share of the lost deals, support it


class Remedy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: str
    action: Text
    resources: Text
    checkpoint: Text


class LessonText(Text):
    scenario: Text


class Cause(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    category: Literal["people", "product_market", "process", "resources"]
    title: Text
    question: Text
    signals: list[str]
    keywords: list[str]
    symptoms: dict[str, Literal["up", "down"]]
    why: dict[str, list[str]]
    loss_reasons: list[str]
    findings: list[str] = []  # patterns of the quantitative tree it fits (agent/draft_tree.py)
    hypotheses: dict[str, list[str]]
    check: Text
    remedy: Remedy
    lesson: LessonText


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    causes: list[Cause]

    def cause(self, cause_id: str) -> Cause:
        return next(c for c in self.causes if c.id == cause_id)

    def causes_of_loss_reason(self, reason: str) -> list[Cause]:
        """The causes a loss-reason value (丢单原因 '价格', 'Budget') points to, by their loss-reason words."""
        text = reason.strip().lower()
        return [c for c in self.causes if text and any(w.lower() in text for w in c.loss_reasons)]


@cache
def load_playbook(path: Path = PLAYBOOK_FILE) -> Playbook:
    return Playbook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def score_cause(
    cause: Cause,
    moved: dict[str, str],
    signal_counts: dict[str, float],
    findings: AbstractSet[str] = frozenset(),
    records: AbstractSet[str] = frozenset(),
) -> float:
    """How well a cause explains a segment: metric symptoms that moved its way, patterns the quantitative tree
    found (e.g. a shift to smaller deals), note signals of its kinds, and loss reasons that point to it."""
    symptom = sum(1.0 for metric, way in cause.symptoms.items() if moved.get(metric) == way)
    pattern = sum(1.0 for f in cause.findings if f in findings)
    signal = sum(min(signal_counts.get(kind, 0), 5) * 0.6 for kind in cause.signals)
    return symptom + pattern + signal + (2.0 if cause.id in records else 0.0)


def best_causes(
    moved: dict[str, str],
    signal_counts: dict[str, float],
    *,
    exclude: frozenset[str] | AbstractSet[str] = frozenset(),
    success: bool = False,
    findings: AbstractSet[str] = frozenset(),
    records: AbstractSet[str] = frozenset(),
) -> list[Cause]:
    """Causes ranked for a segment; `moved` maps metric id → 'up'/'down' for the metrics that moved."""
    pool = [
        c for c in load_playbook().causes if c.id not in exclude and ((c.id == "winning_play") == success)
    ]

    def score(c: Cause) -> float:
        return score_cause(c, moved, signal_counts, findings, records)

    ranked = sorted(pool, key=lambda c: -score(c))
    return [c for c in ranked if score(c) > 0] or ranked[:1]


def loss_reason_causes(shares: list[tuple[str, float, float]], with_base: bool) -> list[str]:
    """The playbook causes the loss reasons point at: (reason, share now, share in the base period) summed per
    cause; a cause counts from LOSS_REASON_SHARE of the lost deals, and, with a base period, only when its
    share grew. Largest share first."""
    book = load_playbook()
    support: dict[str, list[float]] = {}
    for reason, now_share, then_share in shares:
        for cause in book.causes_of_loss_reason(reason):
            got = support.setdefault(cause.id, [0.0, 0.0])
            got[0], got[1] = got[0] + now_share, got[1] + then_share
    causes = [
        c for c, (now, then) in support.items() if now >= LOSS_REASON_SHARE and (not with_base or now > then)
    ]
    return sorted(causes, key=lambda c: -support[c][0])
