"""Every route of the JSON API × every role's bearer token × own record, foreign, no token."""

from __future__ import annotations

import pytest
from flask import Flask

from registry.auth.permissions import Role
from tests.security.matrix import Case, cases, check
from tests.security.world import Clients, World, username


@pytest.mark.parametrize("case", cases(api=True), ids=lambda c: c.id)
def test_the_api_route_answers_as_declared(case: Case, app: Flask, world: World, clients):
    check(app, case, world, clients)


def test_a_logged_in_browser_session_does_not_authenticate_an_api_call(
    world: World, clients: Clients
):
    """The API reads the Authorization header only, so a hostile page that makes an officer's
    browser call it (with the session cookie) gets 401: no CSRF token is needed there."""
    browser = clients(username(Role.ADMIN, "commune"))
    assert browser.get("/").status_code == 200  # the session is valid for the pages
    for path in ("/api/v1/people", f"/api/v1/people/{world.own.person}"):
        assert browser.get(path).status_code == 401, path
    refused = browser.post(
        f"/api/v1/households/{world.own.household}/poverty-statuses",
        json={"review_year": 2024, "status": "poor", "area": "urban"},
    )
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer rgt_not-a-token", "Basic YWRtaW46eA==", "rgt_without-scheme"],
)
def test_a_missing_or_unknown_token_is_refused(app: Flask, world: World, header: str):
    response = app.test_client().get("/api/v1/people", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
