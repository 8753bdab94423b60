"""Creating users and logging in, with lockout after repeated failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import record_event
from registry.auth import passwords
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Permission, Role
from registry.errors import ConflictError, RegistryError
from registry.extensions import db
from registry.i18n import N_
from registry.units.models import AdminUnit
from registry.units.scope import in_scope


class AuthenticationError(RegistryError):
    """Wrong username or password, or a locked or disabled account (one message for all)."""

    message = N_(
        "Wrong username or password, or the account is locked. "
        "Try again later or ask the administrator."
    )


class AddressThrottledError(RegistryError):
    """Too many failed log-ins from one client address: refused whatever the account."""

    message = N_(
        "Too many failed log-ins from this computer. Wait %(minutes)d minutes, then try again."
    )


def create_user(
    *, username: str, full_name: str, role: Role, unit: AdminUnit, password: str, actor: Actor
) -> User:
    """Create an officer account scoped to ``unit``; the password is hashed with argon2id.

    Raises ConflictError if the username exists, ValidationError for a weak password,
    NotFoundError-like PermissionDeniedError if the actor may not manage users there.
    """
    actor.require(Permission.USER_MANAGE)
    username = username.strip().lower()
    passwords.check_new_password(password, username)
    if actor.unit_id is not None:
        allowed = db.session.scalar(
            select(func.count()).where(in_scope(AdminUnit.id, actor), AdminUnit.id == unit.id)
        )
        if not allowed:
            raise ConflictError(N_("You can only create users inside your own area."))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ConflictError(N_("The username %(username)s is already taken."), username=username)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        unit=unit,
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        AuditAction.USER_CREATE,
        actor=actor,
        subject=user,
        unit_id=unit.id,
        details={"username": username, "role": role.value, "unit": unit.code},
    )
    return user


def address_failures(address: str, *, since: datetime) -> int:
    """Failed log-ins from the client ``address`` since ``since``, whatever the accounts."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == AuditAction.LOGIN_FAILED,
                AuditEvent.occurred_at >= since,
                AuditEvent.details["client_address"].as_string() == address,
            )
        )
        or 0
    )


def check_address(
    address: str | None, *, now: datetime, max_failures: int, window: timedelta
) -> None:
    """Refuse a log-in from an address that failed ``max_failures`` times within ``window``.

    Raises AddressThrottledError before any password is checked, so guessing from one address
    stops even with the right password; the refusal is audited and counts as a failure, so
    the address stays refused while the guessing goes on.
    """
    if address is None or address_failures(address, since=now - window) < max_failures:
        return
    record_event(
        AuditAction.LOGIN_FAILED,
        actor=_anonymous(""),
        details={"reason": "address_throttled", "client_address": address},
    )
    raise AddressThrottledError(minutes=max(1, int(window.total_seconds() // 60)))


def authenticate(
    username: str,
    password: str,
    *,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
    address: str | None = None,
) -> User:
    """Check a log-in. After ``max_failures`` wrong passwords in a row the account is locked
    for ``lockout``; while locked even the right password is refused. Every attempt is audited,
    a failure with the client ``address`` (see check_address).
    """
    seen = {"client_address": address} if address else {}
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        passwords.dummy_verify(password)
        record_event(
            AuditAction.LOGIN_FAILED,
            actor=_anonymous(username),
            details={"reason": "unknown_user", **seen},
        )
        raise AuthenticationError()
    actor = user.as_actor()
    if user.locked_until is not None and user.locked_until > now:
        passwords.dummy_verify(password)  # as slow as any other refusal: nothing to time
        record_event(
            AuditAction.LOGIN_FAILED,
            actor=actor,
            subject=user,
            details={"reason": "locked", **seen},
        )
        raise AuthenticationError()
    # Checked even for a disabled account, so its answer takes as long as any other.
    valid = passwords.verify_password(user.password_hash, password)
    if not user.is_active or not valid:
        user.failed_logins += 1
        details = {
            "reason": "inactive" if not user.is_active else "bad_password",
            "failures": user.failed_logins,
            **seen,
        }
        record_event(AuditAction.LOGIN_FAILED, actor=actor, subject=user, details=details)
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            record_event(
                AuditAction.ACCOUNT_LOCKED,
                actor=actor,
                subject=user,
                details={"until": user.locked_until.isoformat()},
            )
        db.session.flush()
        raise AuthenticationError()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    record_event(AuditAction.LOGIN, actor=actor, subject=user)
    return user


def load_user(token: str) -> User | None:
    """Flask-Login's loader: ``id:session_version``; a stale version logs the session out."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def _anonymous(username: str) -> Actor:
    # The typed name is not kept: people type passwords into the username box.
    return Actor(user_id=None, username="anonymous", role=Role.AUDITOR, unit_id=None)
