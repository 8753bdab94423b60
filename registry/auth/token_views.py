"""The page where officers manage their personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from registry.auth.tokens import create_token, get_token, revoke_token, user_tokens
from registry.errors import RegistryError, ValidationError
from registry.extensions import db
from registry.people.schemas import FormDate, FormSchema, Text, load_form
from registry.web.decorators import render_rejected
from registry.web.setup import current_actor, today

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
bp.before_request(login_required(lambda: None))


class TokenInputSchema(FormSchema):
    name = Text(required=True, max_length=80)
    expires_on = FormDate(load_default=None)


def _context(form: Any) -> dict[str, Any]:
    return {
        "form": form,
        "errors": {},
        "tokens": user_tokens(current_user, actor=current_actor()),
        "now": datetime.now(UTC),
    }


@bp.get("")
def index():
    return render_template("auth/tokens.html", **_context({}))


@bp.post("")
def create():
    """Create a token and show it on this response only: it is stored hashed, never shown again
    (so no redirect, which would have to carry it through the session)."""
    try:
        data = load_form(TokenInputSchema(), request.form)
        token, raw = create_token(
            current_user,
            name=data["name"],
            expires_on=data["expires_on"],
            actor=current_actor(),
            today=today(),
        )
    except ValidationError as error:
        return render_rejected("auth/tokens.html", error, **_context(request.form))
    db.session.commit()
    return render_template("auth/tokens.html", created=token, raw_token=raw, **_context({}))


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    actor = current_actor()
    token = get_token(token_id, user=current_user, actor=actor)
    try:
        revoke_token(token, actor=actor, now=datetime.now(UTC))
    except RegistryError as error:
        db.session.rollback()
        flash(error.render(gettext), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(gettext("The token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for(".index"))
