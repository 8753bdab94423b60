"""The JSON API at /api/v1: token auth, problem details, OpenAPI 3 from the marshmallow schemas."""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from registry.api import problems
from registry.api.schemas import ProblemSchema


class RegistryApi(Api):
    """flask-smorest's Api, answering problem details only inside the API's own blueprints.

    flask-smorest would install its JSON error handler for the whole app, turning the web
    pages' errors into JSON; here each API blueprint installs the problem handlers instead.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        # The documented error responses are problem+json, as problem_response sends them.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, problems.PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details", "schema": ProblemSchema}
        prepare_response(response, self.spec, problems.PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app: Flask) -> Api:
    """Register the API's blueprints, its docs and its routing-error answers on ``app``."""
    from registry.api.views import BLUEPRINTS, docs
    from registry.extensions import csrf

    api = RegistryApi(
        spec_kwargs={
            "title": "Beneficiary registry API",
            "version": "1",
            "openapi_version": "3.0.3",
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "info": {
                "description": (
                    "Read the registry of households, people, benefit decisions and payment "
                    "runs with a personal API token (Authorization: Bearer <token>), with the "
                    "role and area of the user who created it. Errors are RFC 9457 problem "
                    "details with the message in Vietnamese and in English."
                )
            },
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A personal API token"}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs.bp)
    app.extensions["registry-api"] = api
    problems.init_app(app)
    return api
