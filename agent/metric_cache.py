"""The metric engine's memory of one data snapshot: the figures it computed and the facts it looked up.

A figure is keyed by (metric, period label, grouping, filters) and holds `{group: (numerator, denominator)}`;
a fact (the months a segment has deals in, the segments active in some periods, whether a dimension varies
inside an order, a funnel) by a tuple naming it. Both belong to the data they were read from: every access
names the current data version first (the snapshot id, and the store's write counter for direct writes), and
another version empties the cache, so nothing computed on earlier data is served after an import. Figures are
bounded (`limit`, the oldest go first; one pass's worth is kept whole), so a long session never grows it
without limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
Slot = dict[tuple, tuple[float | None, float | None]]
FigureKey = tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]]
_UNSET = object()


class SnapshotCache:
    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._version: object = _UNSET
        self._figures: dict[tuple, Slot] = {}
        self._targets: dict[tuple, tuple[Slot, str]] = {}
        self._facts: dict[tuple, object] = {}

    def use(self, version: object) -> None:
        """Name the data version (snapshot) the next reads and writes belong to; another one than before
        empties the cache."""
        if version != self._version:
            self.clear()
            self._version = version

    def clear(self) -> None:
        self._figures.clear()
        self._targets.clear()
        self._facts.clear()

    # ---- figures ------------------------------------------------------------------------------------------
    def figure(self, key: FigureKey) -> Slot | None:
        return self._figures.get(key)

    def put_figure(self, key: FigureKey, slot: Slot) -> None:
        self.put_figures({key: slot})

    def put_figures(self, slots: dict[tuple, Slot]) -> None:
        """Keep these figures (one pass's worth is kept whole); the oldest others go beyond the limit."""
        for key, slot in slots.items():
            self._figures.pop(key, None)  # re-inserted last: the newest
            self._figures[key] = slot
        excess = len(self._figures) - max(self.limit, len(slots))
        for key in list(self._figures)[: max(excess, 0)]:
            del self._figures[key]

    def figures(self) -> Iterator[tuple[FigureKey, Slot]]:
        yield from list(self._figures.items())  # type: ignore[misc]

    def figure_keys(self) -> set[FigureKey]:
        return set(self._figures)  # type: ignore[arg-type]

    # ---- targets ------------------------------------------------------------------------------------------
    def targets(self, key: tuple, build: Callable[[], tuple[Slot, str]]) -> tuple[Slot, str]:
        if key not in self._targets:
            if len(self._targets) >= self.limit:
                self._targets.clear()
            self._targets[key] = build()
        return self._targets[key]

    # ---- facts --------------------------------------------------------------------------------------------
    def fact(self, key: tuple, build: Callable[[], T]) -> T:
        if key not in self._facts:
            if len(self._facts) >= self.limit:
                self._facts.clear()
            self._facts[key] = build()
        return self._facts[key]  # type: ignore[return-value]
