"""Submitting and reading jobs: handlers by kind, ownership, and interrupted jobs seen on read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from registry.auth.actors import Actor
from registry.auth.permissions import Role
from registry.db import utcnow
from registry.errors import NotFoundError, Problem, RegistryError
from registry.extensions import db
from registry.i18n import N_
from registry.jobs import progress as live
from registry.jobs.models import Job, JobStatus
from registry.units.scope import units_under

#: A running job whose heartbeat is older than this, and that no thread of this process runs,
#: was interrupted (the process stopped). Generous: on SQLite the heartbeat cannot be written
#: while the job's own write transaction holds the database (see progress.py).
STALE_AFTER = timedelta(minutes=10)

INTERRUPTED = N_(
    "The job was interrupted (the server stopped) before it finished; nothing was written."
    " Start it again."
)


class JobFailedError(RegistryError):
    """A handler's refusal: the job ends failed with this message and, if given, a result."""

    def __init__(self, message: str, *, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result


class JobContext:
    """What a handler gets besides its job: progress reporting, and work to do after commit."""

    def __init__(self, job: Job, reporter: live.ProgressReporter) -> None:
        self.job_id: uuid.UUID = job.id
        self.params: dict[str, Any] = dict(job.params or {})
        self.input_path: str | None = job.input_path
        self.reporter = reporter
        self.after_commit: list[Callable[[], None]] = []

    def progress(self, phase: str, done: int = 0, total: int | None = None) -> None:
        self.reporter.report(phase, done, total)


#: ``handler(job, context) -> result``: runs inside the job's own transaction, flushes; the
#: runner commits the result with the handler's changes, or rolls both back on an exception.
Handler = Callable[[Job, JobContext], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of jobs of ``kind``."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def submit(
    kind: str,
    params: dict[str, Any],
    *,
    actor: Actor,
    unit_id: int | None = None,
    input_path: str | None = None,
) -> Job:
    """Queue a job for ``actor``. Flushes; the caller commits, then calls runner.start(job.id)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    now = utcnow()
    job = Job(
        kind=kind,
        status=JobStatus.QUEUED,
        created_by_id=actor.user_id,
        unit_id=unit_id,
        created_at=now,
        heartbeat_at=now,
        progress_done=0,
        params=params,
        input_path=input_path,
    )
    db.session.add(job)
    db.session.flush()
    return job


def get_job(job_id: uuid.UUID, *, actor: Actor) -> Job:
    """The job, if ``actor`` submitted it (administrators: any job in their scope).

    Raises NotFoundError otherwise, so another officer's job looks like no job at all.
    """
    job = db.session.get(Job, job_id)
    if job is None or not _may_see(job, actor):
        raise NotFoundError()
    return job


def _may_see(job: Job, actor: Actor) -> bool:
    if job.created_by_id is not None and job.created_by_id == actor.user_id:
        return True
    if actor.role is not Role.ADMIN:
        return False
    if actor.unit_id is None or job.unit_id is None:
        return actor.unit_id is None
    return job.unit_id in set(db.session.scalars(units_under(actor.unit_id)))


def recent_jobs(*, actor: Actor, kind: str, limit: int = 10) -> list[Job]:
    """The actor's own latest jobs of ``kind``, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.kind == kind, Job.created_by_id == actor.user_id)
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )


def is_interrupted(job: Job, now: datetime | None = None) -> bool:
    """Whether a job still marked queued or running was in fact abandoned by a dead process."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING) or live.is_live(job.id):
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last is not None and last < (now or utcnow()) - STALE_AFTER


def effective_status(job: Job, now: datetime | None = None) -> JobStatus:
    """The status to show: an interrupted job is shown failed (its transaction never committed)."""
    return JobStatus.FAILED if is_interrupted(job, now) else job.status


def error_of(job: Job, now: datetime | None = None) -> Problem | None:
    """Why the job failed (a message id and its values), an interruption included."""
    if is_interrupted(job, now):
        return Problem(None, INTERRUPTED)
    if job.error is None:
        return None
    return Problem(None, job.error, dict((job.result or {}).get("error_params") or {}))


def shown_progress(job: Job) -> live.Progress:
    """Progress as this process sees it now (fresher than the row while the job runs here)."""
    return live.current(job.id) or live.Progress(job.phase, job.progress_done, job.progress_total)
