"""Personal API tokens: the api_tokens table and creating, listing, revoking and checking them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Permission
from registry.calendar import OFFICE_TZ
from registry.db import Base, utcnow
from registry.errors import ConflictError, NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_

#: Recognisable by secret scanners and by people reading a log or a config file.
TOKEN_PREFIX = "rgt_"
#: Characters of the token kept in clear (prefix included), to tell tokens apart in lists.
HINT_LENGTH = 10
NAME_MAX = 80
#: last_used_at is written at most this often, so reads do not each cost a write.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiToken(Base):
    """A personal API token: acts with its user's role and scope until revoked or expired.

    Only the SHA-256 of the token is stored. The token carries 256 random bits, so a plain
    hash cannot be reversed by guessing, and it stays valid when the app secret rotates.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: The token's first characters ("rgt_AbC123"), shown in lists; never enough to use it.
    hint: Mapped[str] = mapped_column(String(HINT_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The token stops working at this instant (end of the chosen day, Vietnam time).
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _check_owner(user: User, actor: Actor) -> None:
    # Users manage their own tokens; administrators (and operators) anyone's.
    if actor.user_id != user.id:
        actor.require(Permission.USER_MANAGE)


def create_token(
    user: User, *, name: str, expires_on: date | None, actor: Actor, today: date
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token, which is never shown again.

    The token expires at the end of ``expires_on`` (Vietnam time) when given. Raises
    ValidationError for an empty or long name or a past expiry date, PermissionDeniedError
    when the actor is neither the user nor a user manager.
    """
    _check_owner(user, actor)
    name = " ".join((name or "").split())
    problems = []
    if not name:
        problems.append(Problem("name", N_("Give the token a name.")))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", N_("The name may have at most 80 characters.")))
    if expires_on is not None and expires_on < today:
        problems.append(Problem("expires_on", N_("The expiry date is in the past.")))
    if not user.is_active:
        problems.append(Problem(None, N_("The account is disabled.")))
    if problems:
        raise ValidationError(problems)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = None
    if expires_on is not None:
        end = datetime.combine(expires_on + timedelta(days=1), time(), tzinfo=OFFICE_TZ)
        expires_at = end.astimezone(UTC)
    token = ApiToken(
        user=user,
        name=name,
        hint=raw[:HINT_LENGTH],
        token_hash=token_hash(raw),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        AuditAction.TOKEN_CREATE,
        actor=actor,
        subject=token,
        unit_id=user.unit_id,
        details={
            "username": user.username,
            "token_name": name,
            "until": expires_on.isoformat() if expires_on else None,
        },
    )
    return token, raw


def user_tokens(user: User, *, actor: Actor) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they explain past access)."""
    _check_owner(user, actor)
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def get_token(token_id: int, *, user: User, actor: Actor) -> ApiToken:
    """The token ``token_id`` of ``user``; NotFoundError for another user's or none."""
    _check_owner(user, actor)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError()
    return token


def revoke_token(token: ApiToken, *, actor: Actor, now: datetime) -> ApiToken:
    """Revoke a token from ``now`` on; ConflictError if it is revoked already."""
    _check_owner(token.user, actor)
    if token.revoked_at is not None:
        raise ConflictError(N_("This token is already revoked."))
    token.revoked_at = now
    db.session.flush()
    record_event(
        AuditAction.TOKEN_REVOKE,
        actor=actor,
        subject=token,
        unit_id=token.user.unit_id,
        details={"username": token.user.username, "token_name": token.name},
    )
    return token


def authenticate_token(raw: str, *, now: datetime) -> User | None:
    """The active user a presented token belongs to, or None for an unknown, revoked or
    expired token. Records the time of use (flushed; the request's edge commits).
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        db.session.flush()
    return token.user
