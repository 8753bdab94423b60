"""The jobs table: one long task, its owner, state, progress and result."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, str_enum, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A long task submitted from a page; the page polls it instead of waiting for it."""

    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: Which handler runs it ("people_import").
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"), index=True)
    #: The user who submitted it (None for operator commands); only they see it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The administrative unit it works on, so administrators see jobs of their scope.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: Refreshed while the job runs; a running job whose heartbeat stops was interrupted.
    heartbeat_at: Mapped[datetime | None]
    progress_done: Mapped[int] = mapped_column(default=0)
    #: None while the amount of work is unknown (the page then shows no percentage).
    progress_total: Mapped[int | None]
    #: What the job is doing now ("reading", "checking", "writing"), named by the handler.
    phase: Mapped[str | None] = mapped_column(String(40))
    #: What the handler needs (never a plaintext identifier).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: A message id saying why it failed; never personal data (tracebacks go to the log).
    error: Mapped[str | None] = mapped_column(String(500))
    #: The uploaded file the job reads, under REGISTRY_IMPORT_DIR; removed when done with.
    input_path: Mapped[str | None] = mapped_column(String(500))
