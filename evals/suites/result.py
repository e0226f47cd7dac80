"""What every suite returns: named scores with their targets, a status, and the details behind them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["ok", "not_available", "needs_llm", "error"]


class Score(BaseModel):
    name: str
    value: float | None
    target: float | None = None
    higher_is_better: bool = True
    count: int | None = Field(None, description="how many items the score is over")

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


class SuiteResult(BaseModel):
    suite: str
    status: Status = "ok"
    message: str = ""
    scores: list[Score] = Field(default_factory=list)
    seconds: float = 0.0
    details: dict[str, Any] = Field(default_factory=dict)

    def score(self, name: str) -> float | None:
        return next((s.value for s in self.scores if s.name == name), None)


def share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None
