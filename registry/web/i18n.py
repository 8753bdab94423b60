"""Choosing the interface language: the user's choice, else the office default (Vietnamese)."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user

LOCALES = ("vi", "en")


def select_locale() -> str:
    if not has_request_context():  # CLI: the office default
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")
