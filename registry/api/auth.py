"""Bearer-token authentication for the API; a session cookie never authenticates a call."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, g, request

from registry.api.problems import problem_response
from registry.auth.actors import Actor
from registry.auth.tokens import authenticate_token
from registry.i18n import N_

BAD_TOKEN = N_("The API token is not valid: it is unknown, revoked or expired.")


def authenticate_request() -> Response | None:
    """Before each API view: find the token's user and keep its actor, or answer 401.

    Only the Authorization header is read. Ignoring the session cookie is what makes the
    API safe without CSRF tokens: a browser sending a logged-in officer's cookie from a
    hostile page gets no further than 401.
    """
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    challenge = 'Bearer realm="registry"'
    if scheme.lower() != "bearer" or not raw.strip():
        return problem_response(401, headers={"WWW-Authenticate": challenge})
    user = authenticate_token(raw.strip(), now=datetime.now(UTC))
    if user is None:
        return problem_response(
            401, BAD_TOKEN, headers={"WWW-Authenticate": challenge + ', error="invalid_token"'}
        )
    g.api_actor = user.as_actor()
    return None


def api_actor() -> Actor:
    """The actor of the token that authenticated this request."""
    return g.api_actor
