"""The audit chain: each row carries the previous row's hash; edits and deletions are found."""

from itertools import pairwise

import pytest
from sqlalchemy import text

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent, AuditTamperingError
from registry.audit.services import record_event, verify_chain
from registry.auth.actors import Actor
from registry.extensions import db


@pytest.fixture()
def chain(session):
    actor = Actor.system("tests")
    return [record_event(AuditAction.DEMO_SEED, actor=actor, details={"n": i}) for i in range(5)]


def test_an_untouched_chain_verifies(chain):
    checked, broken = verify_chain(batch_size=2)
    assert broken is None and checked >= 5


def test_each_event_links_to_the_previous_one(chain):
    for before, after in pairwise(chain):
        assert after.prev_hash == before.hash and after.id == before.id + 1


def test_an_edited_row_is_named(chain):
    victim = chain[2]
    db.session.execute(
        text("UPDATE audit_events SET details = :d WHERE id = :id"),
        {"d": '{"n": 99}', "id": victim.id},
    )
    db.session.expire_all()
    _, broken = verify_chain()
    assert broken is not None and broken.event_id == victim.id and "edited" in broken.reason


def test_a_deleted_middle_row_is_found_at_its_successor(chain):
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": chain[2].id})
    db.session.expire_all()
    _, broken = verify_chain()
    assert broken is not None and broken.event_id == chain[3].id and "deleted" in broken.reason


def test_the_orm_refuses_to_update_or_delete_events(chain):
    chain[0].actor_name = "someone else"
    with pytest.raises(AuditTamperingError):
        db.session.flush()
    db.session.rollback()
    event = record_event(AuditAction.DEMO_SEED, actor=Actor.system("tests"))
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditTamperingError):
        db.session.flush()
