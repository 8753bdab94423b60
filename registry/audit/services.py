"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from registry.audit.actions import AuditAction
from registry.audit.models import GENESIS_HASH, AuditEvent, subject_key
from registry.auth.actors import Actor
from registry.bulkcopy import copy_rows, copyable
from registry.db import utcnow
from registry.extensions import db


def event_hash(payload: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's fields, previous hash included."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_CHAIN_LOCK = 727274


def _chain_head() -> tuple[int, str] | None:
    """Serialise appends so two transactions cannot both extend the same last row, and
    return that last row (id, hash), or None for an empty trail.

    PostgreSQL: a transaction-scoped advisory lock, taken and followed by the read in one
    round trip (``audit_chain_head()``, migration 0014). SQLite allows one writer at a time
    anyway; the unique prev_hash makes a fork fail loudly rather than silently.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        last = db.session.execute(
            text("SELECT id, hash FROM audit_chain_head(:key)"), {"key": _CHAIN_LOCK}
        ).first()
    else:
        last = db.session.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
    return (last.id, last.hash) if last else None


def record_event(
    action: AuditAction,
    *,
    actor: Actor,
    subject: Any = None,
    subject_type: str | None = None,
    unit_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction (flushed, not committed).

    ``subject`` may be a model with an ``id`` (its table name becomes the subject type) or
    a plain identifier with ``subject_type``. ``details`` must hold no plaintext identifier.
    """
    if subject is not None and hasattr(subject, "__tablename__"):
        subject_type = subject_type or subject.__tablename__
        subject_id = subject_key(subject.id)
    else:
        subject_id = subject_key(subject)
    last = _chain_head()
    event = AuditEvent(
        id=(last[0] + 1) if last else 1,
        occurred_at=utcnow(),
        actor_user_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        unit_id=unit_id,
        details=details or {},
        prev_hash=last[1] if last else GENESIS_HASH,
    )
    event.hash = event_hash(event.payload())
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class PendingEvent:
    """One event for ``record_events``: what ``record_event`` takes, the subject as plain values."""

    action: AuditAction
    subject_type: str | None = None
    subject_id: str | None = None
    unit_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record_events(events: Iterable[PendingEvent], *, actor: Actor, chunk_size: int = 5000) -> int:
    """Append many events to the chain in the caller's transaction; return how many.

    The same chain as ``record_event`` (same lock, ids, hashes, one timestamp for the batch,
    since they happen in one transaction), computed in Python and inserted with executemany
    (COPY on PostgreSQL), so a bulk import writes 100,000 events without 100,000 round trips.
    """
    db.session.flush()  # events the ORM still holds must take their place in the chain first
    last = _chain_head()
    next_id, prev_hash = ((last[0] + 1), last[1]) if last else (1, GENESIS_HASH)
    occurred_at = utcnow()
    stamp = occurred_at.isoformat(timespec="microseconds")
    table = AuditEvent.__table__
    rows: list[dict[str, Any]] = []
    written = 0
    for pending in events:
        # Keys and forms exactly as AuditEvent.payload() gives them back from the database.
        payload = {
            "id": next_id,
            "occurred_at": stamp,
            "actor_user_id": actor.user_id,
            "actor_name": actor.username,
            "action": str(pending.action),
            "subject_type": pending.subject_type,
            "subject_id": pending.subject_id,
            "unit_id": pending.unit_id,
            "details": pending.details,
            "prev_hash": prev_hash,
        }
        digest = event_hash(payload)
        rows.append(
            {**payload, "occurred_at": occurred_at, "action": pending.action, "hash": digest}
        )
        prev_hash, next_id = digest, next_id + 1
        if len(rows) >= chunk_size:
            written += _append(table, rows)
            rows = []
    if rows:
        written += _append(table, rows)
    return written


def _append(table: Any, rows: list[dict[str, Any]]) -> int:
    # PostgreSQL: COPY (an import's 100,000 events took half its time as single INSERTs).
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and copyable(table, rows):
        copy_rows(connection, table, rows)
    else:
        db.session.execute(insert(table), rows)
    return len(rows)


@dataclass(frozen=True)
class ChainBreak:
    """The first row where the chain does not hold, and why."""

    event_id: int
    reason: str


def verify_chain(
    batch_size: int = 5000, *, session: Session | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in id order; return (rows checked, first break or None).

    An edited row no longer matches its own hash; a deleted row leaves its successor
    pointing at a hash that is not its predecessor's. ``session`` reads another database
    than the app's (a backup being restored); by default the app's session.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    for event in _iterate_events(batch_size, session or db.session):
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(
                event.id, "previous-hash link broken: a row before it was deleted or altered"
            )
        if event_hash(event.payload()) != event.hash:
            return checked, ChainBreak(event.id, "content does not match its hash: row was edited")
        expected_prev = event.hash
        checked += 1
    return checked, None


def _iterate_events(batch_size: int, session: Any) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id  # keyset paging; the identity map is weak, so memory stays flat
