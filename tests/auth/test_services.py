"""Logging in: argon2id hashes, lockout after repeated failures, one message for every refusal."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.auth.services import AuthenticationError, authenticate, create_user, load_user
from registry.errors import ConflictError, PermissionDeniedError, ValidationError
from registry.extensions import db
from tests import factories
from tests.conftest import PASSWORD, WARD_A, WARD_B

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
LIMITS = {"max_failures": 5, "lockout": timedelta(minutes=15)}


def login(username, password, now=NOW):
    return authenticate(username, password, now=now, **LIMITS)


def test_password_is_stored_as_an_argon2id_hash(session):
    user = db.session.scalar(select(User).where(User.username == "commune_a"))
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_right_password_logs_in_and_is_audited(session):
    user = login("Commune_A ", PASSWORD)
    assert user.username == "commune_a" and user.last_login_at == NOW
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN))


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(session):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login("commune_a", "wrong")
    with pytest.raises(AuthenticationError):
        login("commune_a", PASSWORD, now=NOW + timedelta(minutes=14))
    assert login("commune_a", PASSWORD, now=NOW + timedelta(minutes=16)).failed_logins == 0
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count(AuditAction.ACCOUNT_LOCKED) == 1


def test_unknown_user_gets_the_same_message_and_is_not_named_in_the_trail(session):
    with pytest.raises(AuthenticationError) as unknown:
        login("nobody", "my-secret-password")
    with pytest.raises(AuthenticationError) as wrong:
        login("commune_a", "wrong")
    assert str(unknown.value) == str(wrong.value)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
    )
    assert "nobody" not in event.actor_name and "my-secret" not in str(event.details)


def test_disabled_account_cannot_log_in(session):
    db.session.scalar(select(User).where(User.username == "auditor")).is_active = False
    with pytest.raises(AuthenticationError):
        login("auditor", PASSWORD)


def test_session_token_is_invalidated_by_a_new_session_version(session):
    user = db.session.scalar(select(User).where(User.username == "labour"))
    token = user.get_id()
    assert load_user(token) is user
    user.session_version += 1
    assert load_user(token) is None and load_user("garbage") is None


def test_weak_or_duplicate_users_are_refused(session):
    system = Actor.system("tests")
    with pytest.raises(ValidationError):
        create_user(
            username="x1",
            full_name="X",
            role=Role.AUDITOR,
            unit=factories.unit("46"),
            password="short",
            actor=system,
        )
    with pytest.raises(ConflictError):
        create_user(
            username="labour",
            full_name="X",
            role=Role.AUDITOR,
            unit=factories.unit("46"),
            password="long-enough-pass",
            actor=system,
        )


def test_only_admins_create_users_and_only_inside_their_area(session, actor):
    with pytest.raises(PermissionDeniedError):
        create_user(
            username="x2",
            full_name="X",
            role=Role.AUDITOR,
            unit=factories.unit(WARD_A),
            password="long-enough-pass",
            actor=actor("labour"),
        )
    ward_admin = factories.user(
        "ward_admin", role=Role.ADMIN, unit_code=WARD_A, password=PASSWORD
    ).as_actor()
    with pytest.raises(ConflictError):
        create_user(
            username="x3",
            full_name="X",
            role=Role.AUDITOR,
            unit=factories.unit(WARD_B),
            password="long-enough-pass",
            actor=ward_admin,
        )
