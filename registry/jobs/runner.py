"""Running a committed job: in a background thread of this process, or inline for tests.

``start`` is the single place that decides where a job runs. A queue (RQ workers with Redis,
as ARCHITECTURE.md plans) would replace its body with an enqueue of ``run_job(job_id)``;
handlers, progress and the job pages would stay as they are.
"""

from __future__ import annotations

import threading
import uuid

from flask import Flask, current_app

from registry.db import utcnow
from registry.errors import RegistryError
from registry.extensions import db
from registry.i18n import N_
from registry.jobs.models import Job, JobStatus
from registry.jobs.progress import ProgressReporter
from registry.jobs.services import HANDLERS, JobContext, JobFailedError

UNEXPECTED = N_(
    "The job stopped on an unexpected error; nothing was written. The administrator can find"
    " the details in the server log."
)


def start(job_id: uuid.UUID) -> None:
    """Run a job the caller has committed: inline when REGISTRY_JOBS_INLINE, else in a thread."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REGISTRY_JOBS_INLINE"):
        run_job(job_id, inline=True)
        return
    thread = threading.Thread(
        target=_in_thread, args=(app, job_id), name=f"job-{job_id}", daemon=True
    )
    thread.start()


def _in_thread(app: Flask, job_id: uuid.UUID) -> None:
    # A new app context has its own Flask-SQLAlchemy session: the request's is never shared.
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: uuid.UUID, *, inline: bool = False) -> None:
    """Run one queued job to its end: its handler's changes and result commit together, or
    nothing of them does and the job is marked failed. Never raises for a handler's error.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return  # already taken (a second start) or gone
    handler = HANDLERS[job.kind]
    sqlite = db.engine.dialect.name == "sqlite"
    # Inline, the request's (or test's) transaction may still hold the database: never
    # write progress from another connection then.
    reporter = ProgressReporter(
        job.id,
        persist=lambda: not inline and not (sqlite and db.session().in_transaction()),
    )
    # Built before the commit, so reading its parameters opens no transaction after it.
    context = JobContext(job, reporter)
    now = utcnow()
    job.status, job.started_at, job.heartbeat_at = JobStatus.RUNNING, now, now
    db.session.commit()
    try:
        result = handler(job, context)
        job.status, job.result, job.error = JobStatus.DONE, result, None
        _finish(job)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        failed = db.session.get(Job, job_id)
        assert failed is not None
        if isinstance(error, JobFailedError):
            failed.error, failed.result = error.message, error.result
        elif isinstance(error, RegistryError):
            failed.error = error.message
            failed.result = {"error_params": {k: str(v) for k, v in error.params.items()}}
        else:
            current_app.logger.exception("job %s (%s) failed", job_id, failed.kind)
            failed.error = UNEXPECTED
        failed.status = JobStatus.FAILED
        _finish(failed)
        db.session.commit()
        return
    finally:
        reporter.close()
    for work in context.after_commit:
        try:
            work()
        except Exception:  # cleaning up must not turn a finished job into a failure
            current_app.logger.exception("job %s: clean-up after commit failed", job_id)


def _finish(job: Job) -> None:
    now = utcnow()
    job.finished_at, job.heartbeat_at = now, now
