"""What every part of the review service shares (api/review_service.py): the workspace's `Deps`, the lock that
serialises DuckDB, Chroma and BM25, the job runner once started, the cache of drafts as JSON, and who is
calling (a team-scoped key learns its team's people)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from knowledge.deps import Deps
from knowledge.jobs import JobRunner
from knowledge.records import Records
from knowledge.records_schemas import Principal


class ServiceBase:
    """The state the review service's parts share; see api/review_service.py."""

    def __init__(self, deps: Deps, *, cache_size: int = 512) -> None:
        self.deps = deps
        self.lock = threading.RLock()
        self._json: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._json_lock = threading.Lock()
        self._cache_size = cache_size
        self._people: dict[tuple[str, str | None], list[str]] = {}
        self.runner: JobRunner | None = None

    @property
    def records(self) -> Records:
        return self.deps.records

    # --- who is calling ------------------------------------------------------------------------
    def authenticate(self, key: str) -> Principal:
        return self.with_people(self.records.authenticate(key))

    def with_people(self, me: Principal) -> Principal:
        """A team-scoped caller learns its people, so it sees the action items they own in any review."""
        return me.model_copy(update={"people": self.team_people(me.team)}) if me.team else me

    def team_people(self, team: str) -> list[str]:
        """Reps and managers whose region is `team` in the current sales data (cached per data snapshot)."""
        sales = self.deps.sales
        key = (team, sales.current_snapshot_id())
        if key not in self._people:
            cursor = sales.connection.cursor()  # its own connection: no lock, safe beside the runner
            try:
                rows = cursor.execute(
                    "SELECT rep FROM opportunities WHERE region = ? AND rep IS NOT NULL UNION "
                    "SELECT manager FROM opportunities WHERE region = ? AND manager IS NOT NULL",
                    [team, team],
                ).fetchall()
            finally:
                cursor.close()
            self._people[key] = sorted({str(r[0]) for r in rows if str(r[0]).strip()})
        return self._people[key]

    def _forget_json(self, draft_id: str) -> None:
        """Drop the cached JSON of every revision of a draft."""
        with self._json_lock:
            for key in [k for k in self._json if k[0] == draft_id]:
                self._json.pop(key, None)
