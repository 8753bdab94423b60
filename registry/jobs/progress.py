"""Job progress: kept in memory for pages served by the same process, and written to the jobs
row in short transactions of their own whenever the database allows it.

Why both: SQLite has one writer at a time, and in WAL mode a transaction that has read
cannot write once another connection committed after its first read. So while an import's
single transaction is open (checking, then writing), a progress row written from another
connection would either wait for the import's write lock or break the import's own write.
On SQLite the row is therefore updated only between transactions (the reading phase, phase
changes before the import starts), and pages served by this process read the in-memory
board, which is exact. PostgreSQL has no such limit: every report reaches the row.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update

from registry.db import utcnow
from registry.extensions import db
from registry.jobs.models import Job

#: At most one progress row write per job this often (a report comes every 5,000 rows).
WRITE_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class Progress:
    phase: str | None
    done: int
    total: int | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, self.done * 100 // self.total))


_board: dict[uuid.UUID, Progress] = {}
_lock = threading.Lock()


def is_live(job_id: uuid.UUID) -> bool:
    """Whether a thread of this process is running the job now."""
    with _lock:
        return job_id in _board


def current(job_id: uuid.UUID) -> Progress | None:
    with _lock:
        return _board.get(job_id)


def _set(job_id: uuid.UUID, progress: Progress | None) -> None:
    with _lock:
        if progress is None:
            _board.pop(job_id, None)
        else:
            _board[job_id] = progress


class ProgressReporter:
    """Reports of one job run: always to the board; to the row when ``persist`` says it is safe."""

    def __init__(self, job_id: uuid.UUID, *, persist: Callable[[], bool]) -> None:
        self.job_id = job_id
        self.persist = persist
        self.last_written = 0.0
        self.last_phase: str | None = None
        _set(job_id, Progress(None, 0, None))

    def report(self, phase: str, done: int = 0, total: int | None = None) -> None:
        progress = Progress(phase, done, total)
        _set(self.job_id, progress)
        now = time.monotonic()
        if phase == self.last_phase and now - self.last_written < WRITE_EVERY_SECONDS:
            return
        if not self.persist():
            return
        self.last_phase, self.last_written = phase, now
        # Its own connection and transaction: visible at once, whatever the job's session does.
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(
                    phase=phase,
                    progress_done=done,
                    progress_total=total,
                    heartbeat_at=utcnow(),
                )
            )

    def close(self) -> None:
        _set(self.job_id, None)
