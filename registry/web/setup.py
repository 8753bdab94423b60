"""Wiring of the HTTP layer into the app: users, filters, errors, headers."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.auth import passwords
from registry.auth.permissions import ROLE_LABELS, Permission
from registry.auth.services import load_user
from registry.calendar import office_today
from registry.errors import NotFoundError, PermissionDeniedError
from registry.extensions import db, login_manager
from registry.web import formatting, sessions
from registry.web.decorators import safe_next
from registry.web.i18n import LOCALES, select_locale


def init_app(app: Flask) -> None:
    passwords.configure(app.config["REGISTRY_PASSWORD_HASH"])
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    app.jinja_env.filters.update(
        date=formatting.format_date,
        datetime=formatting.format_datetime,
        money=formatting.format_money,
        count=formatting.format_count,
        month=formatting.format_month,
    )
    app.jinja_env.globals.update(
        format_birth=formatting.format_birth,
        Permission=Permission,
        ROLE_LABELS=ROLE_LABELS,
        LOCALES=LOCALES,
        current_locale=select_locale,
        tr=translate_problem,
    )
    if app.config.get("REGISTRY_PROXY_COUNT"):
        # The client's address and scheme as the proxies saw them: the per-address log-in
        # limit must count the officer's computer, not the proxy.
        hops = app.config["REGISTRY_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.before_request(sessions.enforce)
    app.after_request(_security_headers)
    app.teardown_request(_rollback_on_error)
    app.register_error_handler(NotFoundError, lambda e: _error_page(404, e.render(gettext)))
    app.register_error_handler(PermissionDeniedError, lambda e: _error_page(403, e.render(gettext)))
    app.register_error_handler(404, lambda e: _error_page(404, gettext("Not found.")))
    app.register_error_handler(
        403, lambda e: _error_page(403, gettext("You are not allowed to do this."))
    )
    app.register_error_handler(
        405,
        lambda e: (
            _error_page(405, gettext("Method not allowed."))[0],
            405,
            {"Allow": ", ".join(e.valid_methods or [])},
        ),
    )
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_busy)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(
        413,
        lambda e: _error_page(
            413,
            gettext(
                "The file is too large: at most %(mb)d MB can be sent.",
                mb=(current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024),
            ),
        ),
    )


def translate_problem(problem) -> str:
    return problem.render(gettext)


def today() -> date:
    """The office's calendar day (Vietnam time), passed to services as ``today=``."""
    return office_today()


def current_actor():
    return current_user.as_actor()


def _error_page(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message), status


def _server_error(error: Exception):
    """The registry's own error page, saying only that something failed: what failed (and
    whatever personal data its message holds) goes to the log, through registry.logging."""
    db.session.rollback()
    message = gettext("An unexpected error occurred; it has been logged.")
    try:
        return _error_page(500, message)
    except Exception:  # the page needs what may have failed (the database, for the user)
        current_app.logger.exception("cannot show the error page")
        return message, 500, {"Content-Type": "text/plain; charset=utf-8"}


def _database_busy(error: OperationalError):
    """SQLite writes one change at a time: while a long one (an import, a payment build)
    holds the database, another write is refused. Say so, instead of a server error."""
    if "database is locked" not in str(error.orig).lower():
        return _server_error(error)
    db.session.rollback()
    page, _ = _error_page(
        503,
        gettext(
            "The database is busy saving another change (an import or a payment list): "
            "nothing was saved. Try again in a moment."
        ),
    )
    return page, 503, {"Retry-After": "30"}


def _csrf_error(error: CSRFError):
    flash(gettext("The form expired or was sent twice. Please try again."), "error")
    # The referrer may be another site: go back only to a path of ours.
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc in ("", request.host)
    back = (
        safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if same_site
        else None
    )
    return redirect(back or url_for("home.index"))


def _rollback_on_error(exc: BaseException | None) -> None:
    if exc is not None:
        db.session.rollback()


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    # The registry needs no camera, microphone, location or payment API of the browser.
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    if request.is_secure:
        # Served over HTTPS (directly or behind REGISTRY_PROXY_COUNT proxies): never over
        # plain http again, for a year.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and getattr(current_user, "is_authenticated", False):
        # Pages show personal data: never keep them in shared browser caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
