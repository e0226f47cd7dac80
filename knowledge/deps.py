"""The one dependencies object: services reach the analyst, the tools and the API only through it.

Stores open lazily, so a command that needs only the sales data never loads the embedding model.
It lives in `knowledge/`, the layer of the stores it opens, so every layer above (the analyst, the API) takes it
and the kernel (`fupan/`) imports nothing above itself.
Tests build a `Deps` on a temp workspace (see tests/conftest.py) or pass fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fupan.clock import utc_now
from fupan.settings import Settings

if TYPE_CHECKING:  # imported lazily at run time
    from knowledge.doc_index import DocumentIndex
    from knowledge.records import Records
    from knowledge.sales_store import SalesStore

T = TypeVar("T")


@dataclass(frozen=True)
class _Versioned:
    version: str
    value: Any


@dataclass
class Deps:
    settings: Settings
    clock: Callable[[], dt.datetime] = utc_now
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def sales(self) -> SalesStore:
        """Sales tables in DuckDB (opportunities, targets, side tables, snapshots)."""
        if "sales" not in self._cache:
            from knowledge.sales_store import SalesStore

            self._cache["sales"] = SalesStore(self.settings)
        return self._cache["sales"]

    @property
    def docs(self) -> DocumentIndex:
        """Notes, past reviews and lessons: Chroma + BM25 hybrid search."""
        if "docs" not in self._cache:
            from knowledge.doc_index import DocumentIndex

            self._cache["docs"] = DocumentIndex(self.settings)
        return self._cache["docs"]

    @property
    def records(self) -> Records:
        """Drafts, approvals, action items, API keys and the audit log (SQLAlchemy)."""
        if "records" not in self._cache:
            from knowledge.records import Records

            self._cache["records"] = Records(self.settings)
        return self._cache["records"]

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A service of an outer layer, built on first use and kept for this Deps (the metric engine, the chat
        model): `deps.cached("metric_engine", lambda: MetricEngine(deps.sales))` is typed as what `build`
        returns, so callers need not reach into the cache."""
        if key not in self._cache:
            self._cache[key] = build()
        return cast(T, self._cache[key])

    def cached_for(self, key: str, version: str, build: Callable[[], T]) -> T:
        """A value built from data that changes (the router vocabulary of one data snapshot and aliases file):
        kept while `version` stays the same, built again, replacing the old one, when it differs."""
        held = self._cache.get(key)
        if not (isinstance(held, _Versioned) and held.version == version):
            held = _Versioned(version, build())
            self._cache[key] = held
        return cast(T, held.value)

    def is_open(self, key: str) -> bool:
        """Whether a store or service (`docs`, `sales`, `records`, a cached key) was opened already."""
        return key in self._cache

    def provide(self, key: str, service: object) -> None:
        """Put a service in place before first use, e.g. a scripted chat model in tests (`chat_model`)."""
        self._cache[key] = service

    def close(self) -> None:
        for held in self._cache.values():
            service = held.value if isinstance(held, _Versioned) else held
            close = getattr(service, "close", None)
            if callable(close):
                close()
        self._cache.clear()
