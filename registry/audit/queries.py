"""Reading the audit trail (nhật ký thao tác), scoped to the reader's administrative area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.calendar import OFFICE_TZ
from registry.extensions import db
from registry.units.scope import in_scope


@dataclass(frozen=True)
class EventsPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _start_of(day: date) -> datetime:
    """Midnight of an office calendar day (Vietnam time), as an aware UTC timestamp."""
    return datetime.combine(day, time.min, OFFICE_TZ).astimezone(UTC)


def list_events(
    *,
    actor: Actor,
    action: AuditAction | None = None,
    actor_name: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> EventsPage:
    """Events the reader may see, newest first: those of units inside their scope, plus
    events tied to no unit (log-ins, key rotation), which every AUDIT_READ holder reads.

    ``since`` and ``until`` are office calendar days, both included.
    """
    actor.require(Permission.AUDIT_READ)
    stmt = select(AuditEvent).where(
        or_(AuditEvent.unit_id.is_(None), in_scope(AuditEvent.unit_id, actor))
    )
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_name:
        stmt = stmt.where(func.lower(AuditEvent.actor_name) == actor_name.strip().lower())
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(since))
    if until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(until + timedelta(days=1)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(page, 1)
    events = db.session.scalars(
        stmt.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return EventsPage(list(events), total, page, per_page)


def subject_events(
    *, actor: Actor, subject_type: str, subject_id: str, limit: int = 50
) -> list[AuditEvent]:
    """The history of one record (a person, a household), newest first.

    The caller has already loaded the record within the actor's scope; events recorded in
    another area (before a person moved here) stay with that area's officers.
    """
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == subject_type,
                AuditEvent.subject_id == subject_id,
                in_scope(AuditEvent.unit_id, actor),
            )
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
