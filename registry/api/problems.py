"""Errors of the API as RFC 9457 problem details, each message in Vietnamese and in English."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, json, request
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from registry.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RegistryError,
    ValidationError,
)
from registry.extensions import db
from registry.i18n import N_, fill

PROBLEM_TYPE = "application/problem+json"

#: Messages for statuses the registry raises no error of its own for.
STATUS_MESSAGES: dict[int, str] = {
    400: N_("The request could not be read."),
    401: N_("Send a valid API token: Authorization: Bearer <token>."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("Method not allowed."),
    406: N_("This response format is not available."),
    409: N_("This conflicts with data already recorded."),
    413: N_("The request is too large."),
    415: N_("Send the request body as JSON."),
    422: N_("The data entered has errors."),
    500: N_("An unexpected error occurred; it has been logged."),
}

#: What webargs says of a body it cannot parse, marked so the catalog translates it.
WEBARGS_MESSAGES = (N_("Invalid JSON body."),)

#: Short machine-readable names of the problems, stable for clients.
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    500: "server_error",
}


@dataclass(frozen=True)
class FieldMessage:
    """One problem with one input: where it is, and a msgid with its values."""

    location: str
    field: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


def in_locale(locale: str, message: str, params: Mapping[str, Any]) -> str:
    with force_locale(locale):
        return fill(gettext, message, dict(params or {}))


def problem_response(
    status: int,
    message: str | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    errors: Iterable[FieldMessage] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem details response: status, title, detail (in the client's language, Vietnamese
    by default), ``message_vi``, ``message_en`` and, for rejected input, ``errors``.
    """
    message = message or STATUS_MESSAGES.get(status) or STATUS_MESSAGES[500]
    params = params or {}
    vi, en = in_locale("vi", message, params), in_locale("en", message, params)
    language = request.accept_languages.best_match(("vi", "en"), default="vi")
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "detail": en if language == "en" else vi,
        "code": CODES.get(status, "error"),
        "message_vi": vi,
        "message_en": en,
    }
    items = [
        {
            "location": item.location,
            "field": item.field,
            "message_vi": in_locale("vi", item.message, item.params),
            "message_en": in_locale("en", item.message, item.params),
        }
        for item in errors
    ]
    if items:
        body["errors"] = items
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE
    )
    response.headers["Content-Language"] = "en" if language == "en" else "vi"
    response.headers.update(headers or {})
    return response


def _registry_error(error: RegistryError) -> Response:
    db.session.rollback()  # the half-done change goes; the request commits nothing
    if isinstance(error, ValidationError):
        location = "query" if request.method in ("GET", "HEAD") else "json"
        items = [FieldMessage(location, p.field, p.message, p.params) for p in error.problems]
        return problem_response(422, error.message, errors=items)
    status = 500
    if isinstance(error, NotFoundError):
        status = 404
    elif isinstance(error, PermissionDeniedError):
        status = 403
    elif isinstance(error, ConflictError):
        status = 409
    else:
        status = 422
    return problem_response(status, error.message, error.params)


def _schema_messages(messages: Any) -> list[FieldMessage]:
    """marshmallow's nested messages, keyed by location then field, as a flat list."""
    items: list[FieldMessage] = []

    def walk(location: str, path: str | None, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                name = None if key == "_schema" else str(key)
                walk(location, ".".join(p for p in (path, name) if p) or None, inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(location, path, inner)
        else:
            items.append(FieldMessage(location, path, str(value)))

    if isinstance(messages, Mapping):
        for location, inner in messages.items():
            walk(str(location), None, inner)
    return items


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405:
        headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="registry"'
    if status >= 500:
        db.session.rollback()
    return problem_response(status, errors=_schema_messages(data.get("messages")), headers=headers)


def register_error_handlers(register: Callable[[Any, Callable], Any]) -> None:
    """Install the problem handlers with ``register`` (a blueprint's register_error_handler)."""
    register(RegistryError, _registry_error)
    register(HTTPException, _http_error)


def routing_problem() -> Response | None:
    """Answer an unknown path or method under /api/ as a problem, before the HTML error pages.

    Routing errors reach no blueprint's handler, so the app checks them before dispatch.
    """
    error = request.routing_exception
    if error is None or not request.path.startswith("/api/"):
        return None
    if isinstance(error, HTTPException) and error.code in (404, 405):
        return _http_error(error)
    return None


def init_app(app: Flask) -> None:
    app.before_request(routing_problem)
