"""Pages for auth: log in, log out (POST, audited), and the interface language switch."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.models import User
from registry.auth.schemas import LocaleInputSchema, LoginInputSchema
from registry.auth.services import (
    AddressThrottledError,
    AuthenticationError,
    authenticate,
    check_address,
)
from registry.errors import ValidationError
from registry.extensions import db
from registry.people.schemas import load_form
from registry.web import sessions
from registry.web.decorators import render_rejected, safe_next

bp = Blueprint("auth", __name__)


def record_logout(user: User) -> None:
    """Write the log-out to the audit trail (the edge commits)."""
    record_event(AuditAction.LOGOUT, actor=user.as_actor(), subject=user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or url_for("home.index"))
        return render_template("auth/login.html", form={"next": next_url or ""}, errors={})
    try:
        data = load_form(LoginInputSchema(), request.form)
    except ValidationError as error:
        return render_rejected("auth/login.html", error, form=request.form)
    config, now = current_app.config, datetime.now(UTC)
    try:
        check_address(
            request.remote_addr,
            now=now,
            max_failures=config["REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window=config["REGISTRY_LOGIN_LOCKOUT"],
        )
        user = authenticate(
            data["username"],
            data["password"],
            now=now,
            max_failures=config["REGISTRY_LOGIN_MAX_FAILURES"],
            lockout=config["REGISTRY_LOGIN_LOCKOUT"],
            address=request.remote_addr,
        )
    except (AddressThrottledError, AuthenticationError) as error:
        db.session.commit()  # the failure counter, the lock and the audit events must persist
        form = {"username": request.form.get("username", ""), "next": next_url or ""}
        page = render_template(
            "auth/login.html", form=form, errors={}, form_error=error.render(gettext)
        )
        if isinstance(error, AddressThrottledError):
            seconds = int(config["REGISTRY_LOGIN_LOCKOUT"].total_seconds())
            return page, 429, {"Retry-After": str(seconds)}
        return page, 401
    db.session.commit()
    login_user(user)
    session.permanent = True
    sessions.start(session)
    return redirect(next_url or url_for("home.index"))


@bp.post("/logout")
@login_required
def logout():
    record_logout(current_user)
    db.session.commit()
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/locale")
def set_locale():
    """Remember the chosen interface language (vi or en) in the session."""
    try:
        data = load_form(LocaleInputSchema(), request.form)
    except ValidationError:
        return redirect(url_for("home.index"))
    session["locale"] = data["locale"]
    return redirect(safe_next(data.get("next")) or url_for("home.index"))
