"""The registry's exceptions: what went wrong, said so an officer can act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.i18n import N_, fill


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field, a message id (English) and its values.

    The message is an English msgid with ``%(name)s`` placeholders; the web and CLI
    edges translate it (Vietnamese by default) and fill in ``params``.
    """

    field: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    code: str = "invalid"

    def render(self, translate=lambda s: s) -> str:
        return fill(translate, self.message, self.params)


class RegistryError(Exception):
    """Base of every error a service raises on purpose."""

    message = N_("The request could not be completed.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.render())

    def render(self, translate=lambda s: s) -> str:
        return fill(translate, self.message, self.params)


class ValidationError(RegistryError):
    """Input was rejected; ``problems`` lists every problem found, not only the first."""

    message = N_("The data entered has errors.")

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(message)

    def render(self, translate=lambda s: s) -> str:
        return "; ".join(p.render(translate) for p in self.problems) or super().render(translate)


class NotFoundError(RegistryError):
    """The thing does not exist, or lies outside the actor's administrative scope."""

    message = N_("Not found.")


class PermissionDeniedError(RegistryError):
    """The actor's role does not allow this action."""

    message = N_("You are not allowed to do this.")


class ConflictError(RegistryError):
    """The change contradicts what is already recorded (a duplicate, a stale state)."""

    message = N_("This conflicts with data already recorded.")
