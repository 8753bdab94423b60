"""The actor a service acts for: a logged-in user or an operator command."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from registry.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from registry.errors import PermissionDeniedError


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``unit_id`` None means no administrative restriction (operators).

    Services receive an Actor, never Flask's ``current_user``, so a use case runs the same
    from the web, the CLI and the tests.
    """

    user_id: int | None
    username: str
    role: Role
    unit_id: int | None

    @classmethod
    def system(cls, command: str) -> Actor:
        """An operator running a ``flask`` command on the server: full rights, no scope."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(user_id=None, username=f"system:{who}:{command}", role=Role.ADMIN, unit_id=None)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError()
