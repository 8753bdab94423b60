"""A rotation stopped before its audit event was committed is recorded when it is resumed."""

from __future__ import annotations

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth.actors import Actor
from registry.extensions import db
from registry.identity.keyring import Keyring
from registry.identity.services import record_rotation, record_rotation_if_missing


def _rotations() -> list[dict]:
    return [
        e.details
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.KEYS_ROTATE)
        )
    ]


def test_resuming_records_a_rotation_whose_event_was_lost_once(session):
    actor = Actor.system("tests")
    first = Keyring.generate()
    rotated = first.with_new_primary()
    assert record_rotation_if_missing(actor=actor, keyring=first) is False  # never rotated
    assert record_rotation_if_missing(actor=actor, keyring=rotated) is True
    assert record_rotation_if_missing(actor=actor, keyring=rotated) is False
    assert _rotations() == [{"old_primary": 1, "new_primary": rotated.primary_key_id}]


def test_a_rotation_recorded_normally_is_not_recorded_again(session):
    actor = Actor.system("tests")
    rotated = Keyring.generate().with_new_primary()
    record_rotation(actor=actor, old_primary=1, new_primary=rotated.primary_key_id)
    assert record_rotation_if_missing(actor=actor, keyring=rotated) is False
    assert len(_rotations()) == 1
