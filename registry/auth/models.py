"""The users table: role, administrative scope, password hash and lockout state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.auth.actors import Actor
from registry.auth.permissions import Role
from registry.db import Base, str_enum, utcnow
from registry.units.models import AdminUnit


class User(Base):
    """An officer account. Flask-Login's interface is implemented here without importing Flask."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped on password change so other sessions of this user stop being valid.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(8))

    unit: Mapped[AdminUnit] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def as_actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username, role=self.role, unit_id=self.unit_id)
