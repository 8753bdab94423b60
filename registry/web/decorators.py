"""View decorators and helpers shared by every blueprint: permission checks, rejected forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, render_template
from flask_babel import gettext
from flask_login import current_user

from registry.auth.permissions import Permission
from registry.errors import ConflictError, RegistryError, ValidationError
from registry.extensions import db
from registry.people.schemas import problems_by_field


def permission_required(permission: Permission) -> Callable:
    """Refuse with 403 when the logged-in user's role lacks ``permission``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.as_actor().can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can(permission: Permission) -> bool:
    """Whether the logged-in user's role grants ``permission`` (for templates)."""
    return bool(current_user.is_authenticated and current_user.as_actor().can(permission))


def render_rejected(template: str, error: RegistryError, **context: Any) -> tuple[str, int]:
    """Undo the half-done change and show the form again, each problem next to its field.

    A ValidationError answers 422 with per-field problems; a ConflictError (a duplicate,
    a head already set) answers 409 with one message for the whole form.
    """
    db.session.rollback()
    if isinstance(error, ValidationError):
        context.update(
            errors=problems_by_field(error.problems), problems=error.problems, form_error=None
        )
        status = 422
    else:
        context.update(errors={}, problems=[], form_error=error.render(gettext))
        status = 409 if isinstance(error, ConflictError) else 422
    return render_template(template, **context), status


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target
