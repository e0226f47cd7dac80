"""Background jobs in the records database: work that must not hold a request (knowledge indexing after an
approval, drafting a review, webhook delivery), with a state and a progress the page can show.

    job = records.jobs.enqueue("draft", {"period": "2026Q3"}, owner=me.key_id, team=me.team)
    records.jobs.get(job.id)                       # JobPublic: queued → running → done | failed, progress 0-100

    runner = JobRunner(records.jobs, {"draft": run_draft, "index": run_index})
    runner.start(); runner.wake(); ...; runner.stop()

A job row is claimed with one conditional UPDATE (state queued → running), so several workers (uvicorn
processes, each with its runner) never run the same job twice. A handler gets a `JobContext` to report
progress; it returns a JSON-able result, or raises. `Retry(after_s)` puts the job back in the queue for a
later attempt (webhook delivery backs off that way); any other exception fails the job with its message.
A job left `running` by a worker that died is taken up again after `stale_after_s`.
`dedupe_key` makes an enqueue idempotent (one overdue notice per item and deadline).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fupan.clock import utc_now
from fupan.errors import FupanError, NotFound
from knowledge.records_models import JobRow

if TYPE_CHECKING:
    from knowledge.records_db import RecordsDB

JobState = Literal["queued", "running", "done", "failed"]
log = logging.getLogger("fupan.jobs")


class JobPublic(BaseModel):
    id: str
    kind: str
    state: JobState
    progress: int = Field(0, ge=0, le=100)
    stage: str = Field("", description="what the job is doing now (a message key of the page's wording)")
    result: dict[str, Any] = Field(default_factory=dict)
    error: str = ""
    owner: str = ""
    team: str = ""
    attempts: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class Retry(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a handler: try the job again after `after_s` seconds (up to the handler's own limit)."""

    def __init__(self, message: str, after_s: float) -> None:
        super().__init__(message)
        self.after_s = after_s


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _public(row: JobRow) -> JobPublic:
    return JobPublic(
        id=row.id,
        kind=row.kind,
        state=row.state,  # type: ignore[arg-type]
        progress=row.progress,
        stage=row.stage,
        result=dict(row.result or {}),
        error=row.error,
        owner=row.owner,
        team=row.team,
        attempts=row.attempts,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


class JobQueue:
    """The jobs table: enqueue, read, claim, report (see the module docstring)."""

    def __init__(self, db: RecordsDB) -> None:
        self.db = db

    def enqueue(
        self,
        kind: str,
        params: dict[str, Any] | None = None,
        *,
        owner: str = "",
        team: str = "",
        dedupe_key: str | None = None,
        delay_s: float = 0,
    ) -> JobPublic:
        now = utc_now()
        row = JobRow(
            id=f"job-{secrets.token_hex(6)}",
            kind=kind,
            state="queued",
            progress=0,
            stage="queued",
            params=params or {},
            result={},
            error="",
            owner=owner,
            team=team,
            attempts=0,
            dedupe_key=dedupe_key,
            run_after=now + dt.timedelta(seconds=delay_s),
            created_at=now,
            updated_at=now,
        )
        try:
            with self.db.writing() as session:
                session.add(row)
        except IntegrityError:
            if dedupe_key is None:
                raise
            with self.db.reading() as session:
                existing = session.scalars(select(JobRow).where(JobRow.dedupe_key == dedupe_key)).one()
                return _public(existing)
        return _public(row)

    def get(self, job_id: str) -> JobPublic:
        with self.db.reading() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise NotFound(f"no job {job_id!r}", hint="jobs are listed on the page that started them")
            return _public(row)

    def by_key(self, dedupe_key: str) -> JobPublic | None:
        with self.db.reading() as session:
            row = session.scalars(select(JobRow).where(JobRow.dedupe_key == dedupe_key)).first()
            return _public(row) if row else None

    def params(self, job_id: str) -> dict[str, Any]:
        with self.db.reading() as session:
            row = session.get(JobRow, job_id)
            return dict(row.params or {}) if row else {}

    def list(self, *, kind: str | None = None, state: str | None = None, limit: int = 50) -> list[JobPublic]:
        with self.db.reading() as session:
            query = select(JobRow).order_by(JobRow.created_at.desc())
            if kind:
                query = query.where(JobRow.kind == kind)
            if state:
                query = query.where(JobRow.state == state)
            return [_public(r) for r in session.scalars(query.limit(limit))]

    def claim(self, kinds: Sequence[str], *, stale_after_s: float = 600) -> JobPublic | None:
        """Take the oldest runnable job of these kinds (queued and due, or running but abandoned)."""
        now = utc_now()
        stale = now - dt.timedelta(seconds=stale_after_s)
        with self.db.reading() as session:
            candidates = session.scalars(
                select(JobRow.id)
                .where(
                    JobRow.kind.in_(kinds),
                    ((JobRow.state == "queued") & (JobRow.run_after <= now))
                    | ((JobRow.state == "running") & (JobRow.updated_at < stale)),
                )
                .order_by(JobRow.run_after)
                .limit(5)
            ).all()
        for job_id in candidates:
            with self.db.writing() as session:
                taken = session.execute(
                    update(JobRow)
                    .where(
                        JobRow.id == job_id,
                        (JobRow.state == "queued")
                        | ((JobRow.state == "running") & (JobRow.updated_at < stale)),
                    )
                    .values(state="running", stage="started", attempts=JobRow.attempts + 1, updated_at=now)
                )
                if taken.rowcount:  # type: ignore[attr-defined]
                    row = session.get(JobRow, job_id)
                    assert row is not None
                    session.refresh(row)
                    return _public(row)
        return None

    def report(self, job_id: str, *, progress: int | None = None, stage: str | None = None) -> None:
        values: dict[str, Any] = {"updated_at": utc_now()}
        if progress is not None:
            values["progress"] = max(0, min(100, int(progress)))
        if stage is not None:
            values["stage"] = stage[:200]
        with self.db.writing() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def finish(self, job_id: str, result: dict[str, Any]) -> None:
        with self.db.writing() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(state="done", progress=100, stage="done", result=result, updated_at=utc_now())
            )

    def fail(self, job_id: str, error: str) -> None:
        with self.db.writing() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(state="failed", stage="failed", error=error[:4000], updated_at=utc_now())
            )

    def retry(self, job_id: str, error: str, after_s: float) -> None:
        now = utc_now()
        with self.db.writing() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(
                    state="queued",
                    stage="retrying",
                    error=error[:4000],
                    run_after=now + dt.timedelta(seconds=after_s),
                    updated_at=now,
                )
            )


@dataclass
class JobContext:
    """What a handler gets: its job, its parameters, and a way to report progress."""

    job: JobPublic
    params: dict[str, Any]
    queue: JobQueue

    def progress(self, percent: int, stage: str) -> None:
        self.queue.report(self.job.id, progress=percent, stage=stage)


Handler = Callable[[JobContext], dict[str, Any]]


class JobRunner:
    """One background thread that runs queued jobs; `wake()` after an enqueue for no polling delay."""

    def __init__(
        self,
        queue: JobQueue,
        handlers: dict[str, Handler],
        *,
        poll_s: float = 2.0,
        tick: Callable[[], object] | None = None,
        tick_every_s: float = 300.0,
    ) -> None:
        self.queue, self.handlers, self.poll_s = queue, dict(handlers), poll_s
        self.tick, self.tick_every_s = tick, tick_every_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="fupan-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def wait_idle(self, timeout: float = 30) -> bool:
        """Block until the queue had nothing runnable (tests and benchmarks)."""
        self.wake()
        return self._idle.wait(timeout)

    def run_pending(self) -> int:
        """Run every job that is due now, in this thread; returns how many ran."""
        ran = 0
        while (job := self.queue.claim(list(self.handlers))) is not None:
            self._run(job)
            ran += 1
        return ran

    def _loop(self) -> None:
        import time

        last_tick = 0.0
        while not self._stop.is_set():
            try:
                if self.tick is not None and time.monotonic() - last_tick >= self.tick_every_s:
                    last_tick = time.monotonic()
                    self.tick()
                if self.run_pending():
                    continue  # more may have arrived meanwhile
            except Exception:  # noqa: BLE001 - the runner outlives one bad job or a database hiccup
                log.exception("job runner")
            self._idle.set()
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _run(self, job: JobPublic) -> None:
        context = JobContext(job=job, params=self.queue.params(job.id), queue=self.queue)
        try:
            result = self.handlers[job.kind](context)
        except Retry as again:
            self.queue.retry(job.id, str(again), again.after_s)
        except FupanError as exc:
            self.queue.fail(job.id, f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        except Exception as exc:  # noqa: BLE001 - recorded on the job, shown on the page
            log.exception("job %s (%s) failed", job.id, job.kind)
            self.queue.fail(job.id, f"{type(exc).__name__}: {exc}")
        else:
            self.queue.finish(job.id, result or {})
