"""The audit_events table: append-only, each row carrying the hash of the previous one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.actions import READ_ACTIONS, AuditAction
from registry.db import Base, str_enum

GENESIS_HASH = "0" * 64

#: The events that may change data (not READ_ACTIONS), as an index predicate.
CHANGES = "action NOT IN ({})".format(", ".join(f"'{a.value}'" for a in READ_ACTIONS))


class AuditEvent(Base):
    """One thing that happened: who, what, to which subject, when; never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        # The last change in one index step, however many reads were audited since.
        Index(
            "ix_audit_events_changes",
            "id",
            sqlite_where=text(CHANGES),
            postgresql_where=text(CHANGES),
        ),
    )

    #: Assigned by the chain (previous id + 1) under a lock, so the hash can cover it.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Username, or "system:…" for operator commands; kept even if the user is renamed.
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "audit_action"), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    #: Administrative unit of the subject, so audit reads can be scoped like everything else.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    #: Never a plaintext identifier: no CCCD, CMND or account number, not even masked.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a database round trip."""
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor_user_id": self.actor_user_id,
            "actor_name": self.actor_name,
            "action": str(self.action),
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "unit_id": self.unit_id,
            "details": self.details or {},
            "prev_hash": self.prev_hash,
        }


class AuditTamperingError(RuntimeError):
    """Code tried to update or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AuditTamperingError(f"audit event {target.id} is append-only")


def subject_key(value: uuid.UUID | int | str | None) -> str | None:
    return None if value is None else str(value)
