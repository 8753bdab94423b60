"""The benefit_decisions table: one decision per person, programme and group, with its steps."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, str_enum, utcnow
from registry.people.models import Person


class DecisionStatus(enum.StrEnum):
    PROPOSED = "proposed"  # đề nghị
    APPRAISED = "appraised"  # đã thẩm định
    APPROVED = "approved"  # đã phê duyệt (ký quyết định)
    SUSPENDED = "suspended"  # tạm dừng
    ENDED = "ended"  # thôi hưởng
    REJECTED = "rejected"  # không đủ điều kiện


#: Statuses in which a decision still holds its person, programme and group.
OPEN_STATUSES = (
    DecisionStatus.PROPOSED,
    DecisionStatus.APPRAISED,
    DecisionStatus.APPROVED,
    DecisionStatus.SUSPENDED,
)


class Programme(enum.StrEnum):
    SOCIAL_ASSISTANCE = "social_assistance"
    SOCIAL_PENSION = "social_pension"
    MERIT = "merit"


class BenefitDecision(Base):
    """A benefit for one person under one programme and group, from its start month.

    The amount paid each month is always the law engine's for that month; ``proposed_amount``
    only records what the officer saw when proposing.
    """

    __tablename__ = "benefit_decisions"
    __table_args__ = (
        # At most one open decision per person, programme and group.
        Index(
            "uq_benefit_decisions_open",
            "person_id",
            "programme",
            "group_code",
            unique=True,
            sqlite_where=text("status IN ('proposed', 'appraised', 'approved', 'suspended')"),
            postgresql_where=text("status IN ('proposed', 'appraised', 'approved', 'suspended')"),
        ),
        CheckConstraint("end_month IS NULL OR end_month >= start_month", name="valid_period"),
        CheckConstraint(
            "status NOT IN ('approved', 'suspended', 'ended') OR "
            "(decision_number IS NOT NULL AND decided_on IS NOT NULL AND signer IS NOT NULL)",
            name="approved_has_decision",
        ),
        CheckConstraint("proposed_amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    #: The person's commune when proposed: the scope the decision is read and paid in.
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    programme: Mapped[Programme] = mapped_column(str_enum(Programme, "programme"))
    #: The engine's group code, e.g. "sa.5.5a" (Decree 20/2021 art. 5(5)(a)).
    group_code: Mapped[str] = mapped_column(String(60))
    status: Mapped[DecisionStatus] = mapped_column(
        str_enum(DecisionStatus, "decision_status"), index=True
    )
    proposed_amount: Mapped[int]
    reference: Mapped[str] = mapped_column(String(500))
    #: First month paid for (the 1st of that month); set by the law's start rule on approval.
    start_month: Mapped[date]
    end_month: Mapped[date | None]
    decision_number: Mapped[str | None] = mapped_column(String(80))
    decided_on: Mapped[date | None]
    signer: Mapped[str | None] = mapped_column(String(200))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appraised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appraised_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    #: Why it was suspended, resumed, ended or rejected (the latest change).
    status_reason: Mapped[str | None] = mapped_column(String(500))
    suspended_from: Mapped[date | None]

    person: Mapped[Person] = relationship(lazy="joined")
