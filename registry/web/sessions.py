"""Session limits: logged out when idle too long, or too long after logging in."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.extensions import db
from registry.i18n import N_
from registry.web.decorators import safe_next

#: Session keys: when the user logged in, and when their last request came (epoch seconds).
STARTED, SEEN = "login_at", "seen_at"

IDLE = N_("You were logged out after %(minutes)d minutes without activity. Log in again.")
TOO_LONG = N_("Your session ended %(hours)d hours after you logged in. Log in again.")


def start(store: MutableMapping[str, Any]) -> None:
    """Start counting at log-in."""
    store[STARTED] = store[SEEN] = int(time.time())


def enforce() -> Response | None:
    """Before each page: end a session idle or old beyond the limits, else note the request.

    Flask's signed cookie already dies PERMANENT_SESSION_LIFETIME after its last refresh; the
    times kept inside it let the server end it sooner, on its own clock, and say why. The
    API (bearer tokens) and static files never touch the session.
    """
    if request.endpoint in (None, "static") or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = current_app.config["REGISTRY_IDLE_TIMEOUT"].total_seconds()
    longest = current_app.permanent_session_lifetime.total_seconds()
    if now - session.get(SEEN, now) > idle:
        return _end("idle", gettext(IDLE, minutes=int(idle // 60)))
    if now - session.get(STARTED, now) > longest:
        return _end("session_limit", gettext(TOO_LONG, hours=int(longest // 3600)))
    session[SEEN] = now
    return None


def _end(reason: str, message: str) -> Response:
    user = current_user._get_current_object()
    record_event(
        AuditAction.LOGOUT, actor=user.as_actor(), subject=user, details={"reason": reason}
    )
    db.session.commit()
    logout_user()
    for key in (STARTED, SEEN):
        session.pop(key, None)
    flash(message, "info")
    # Back to the page asked for after logging in again; a form's content is lost anyway.
    here = request.full_path.rstrip("?")
    target = safe_next(here) if request.method == "GET" and request.blueprint != "auth" else None
    return redirect(url_for("auth.login", next=target))
