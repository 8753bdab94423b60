"""Payment runs and their lines: one line per decision, month paid for and kind, never twice."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, str_enum, utcnow
from registry.decisions.models import Programme

#: A sum of many lines in VND: BIGINT on PostgreSQL; SQLite's INTEGER is already 64-bit.
MONEY_TOTAL = BigInteger().with_variant(Integer(), "sqlite")


class RunStatus(enum.StrEnum):
    DRAFT = "draft"
    LOCKED = "locked"  # chốt danh sách
    EXPORTED = "exported"  # đã xuất tệp
    RECONCILED = "reconciled"  # đã đối soát


class LineKind(enum.StrEnum):
    REGULAR = "regular"  # the month itself
    ARREARS = "arrears"  # truy lĩnh: an earlier month never paid
    CORRECTION = "correction"  # an earlier month paid at a rate since raised back-dated
    FUNERAL = "funeral"  # hỗ trợ chi phí mai táng: one-off, after a beneficiary's death


class LineStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


class PaymentRun(Base):
    """The payment list of one month for one administrative unit (kỳ chi trả)."""

    __tablename__ = "payment_runs"
    __table_args__ = (UniqueConstraint("month", "unit_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: The month paid for (first day of the month).
    month: Mapped[date]
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, "run_status"), index=True)
    #: Frozen on lock: the control count and sum every exported file must match.
    line_count: Mapped[int | None]
    #: VND: a province's month passes the 2,147,483,647 a 32-bit integer holds.
    total: Mapped[int | None] = mapped_column(MONEY_TOTAL)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PaymentFile(Base):
    """A file exported from a locked run: its bytes' SHA-256, count and sum are kept, so a
    second export or download must give the same file."""

    __tablename__ = "payment_files"
    __table_args__ = (UniqueConstraint("run_id", "format", "bank_bin"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    #: pain001 | bank-xlsx | bank-csv | post-xlsx
    format: Mapped[str] = mapped_column(String(20))
    #: The bank the file is for ("" for all banks or the post office).
    bank_bin: Mapped[str] = mapped_column(String(6), default="")
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int]
    total: Mapped[int] = mapped_column(MONEY_TOTAL)
    #: The message id and creation time written into the file, so it can be rebuilt byte for byte.
    message_id: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentLine(Base):
    """One payment: a decision, the month it pays for, its kind and amount (integer VND).

    At most one line per (decision, month paid for, kind) that has not failed: that partial
    unique index is what makes paying twice impossible, across runs and across concurrent
    builds. A failed line stays in its run (a locked run never changes its lines); the next
    build carries it as a new line pointing back at it (``carried_from_id``, at most once).
    """

    __tablename__ = "payment_lines"
    __table_args__ = (
        Index(
            "uq_payment_lines_live",
            "decision_id",
            "month_paid_for",
            "kind",
            unique=True,
            sqlite_where=text("status <> 'failed'"),
            postgresql_where=text("status <> 'failed'"),
        ),
        # Carried at most once; partial, so the million ordinary lines of a run cost nothing.
        Index(
            "uq_payment_lines_carried_from",
            "carried_from_id",
            unique=True,
            sqlite_where=text("carried_from_id IS NOT NULL"),
            postgresql_where=text("carried_from_id IS NOT NULL"),
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payment_lines_run_commune", "run_id", "commune_id"),
        # A build carries earlier failed lines: found through this, never by a scan.
        Index(
            "ix_payment_lines_failed",
            "commune_id",
            sqlite_where=text("status = 'failed'"),
            postgresql_where=text("status = 'failed'"),
        ),
    )

    #: Also the end-to-end id of the transfer (32 hex characters fit ISO 20022's 35).
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: Looked up through ix_payment_lines_run_commune (run_id first), so no index of its own.
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_runs.id"))
    #: No index of its own: lines are read by run, by person or (failed ones) by commune, and
    #: every index costs a B-tree insert per line of a million-line run.
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("benefit_decisions.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    programme: Mapped[Programme] = mapped_column(str_enum(Programme, "line_programme"))
    group_code: Mapped[str] = mapped_column(String(60))
    month_paid_for: Mapped[date]
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind, "line_kind"))
    amount: Mapped[int]
    status: Mapped[LineStatus] = mapped_column(
        str_enum(LineStatus, "line_status"), default=LineStatus.PENDING
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    #: The failed line of an earlier run this line pays again (carried over).
    carried_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment_lines.id"))
