"""The API's blueprint class: strict argument parsing, token auth, problem handlers, no caching."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, ClassVar

from flask import Response
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from registry.api import problems
from registry.api.auth import authenticate_request

PREFIX = "/api/v1"


class StrictParser(FlaskParser):
    """Unknown query parameters are refused like unknown body fields (the schemas RAISE)."""

    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def problems(self, *statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the problem responses a view can answer (401 is added to all)."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            for status in sorted({401, *statuses}, reverse=True):
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
            return view

        return decorator


def _no_store(response: Response) -> Response:
    # Answers hold personal data: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def api_blueprint(name: str, path: str, description: str) -> ApiBlueprint:
    """A blueprint under /api/v1 whose views need a token and answer problems on error."""
    bp = ApiBlueprint(name, __name__, url_prefix=PREFIX + path, description=description)
    bp.before_request(authenticate_request)
    bp.after_request(_no_store)
    problems.register_error_handlers(bp.register_error_handler)
    return bp
