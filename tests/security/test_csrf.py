"""CSRF: every state-changing page refuses a form without its token; the API needs none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext

from registry.auth.permissions import Role
from tests.security.matrix import Route, routes
from tests.security.route_rules import declared
from tests.security.world import Clients, World, csrf_token, username

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: What the app answers a form without its token: back to the page with this message.
EXPIRED = "The form expired or was sent twice. Please try again."


def changing_pages() -> list[Route]:
    return [r for r in routes() if r.method in CHANGING and not r.api]


@pytest.fixture()
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    yield


@pytest.fixture()
def admin(clients: Clients) -> tuple[FlaskClient, str]:
    """A logged-in administrator of ward A and a CSRF token of their session, taken from a
    page before the views are replaced."""
    client = clients(username(Role.ADMIN, "commune"))
    return client, csrf_token(client, "/households/new")


@pytest.fixture()
def reached(app: Flask, monkeypatch: pytest.MonkeyPatch, admin) -> list[str]:
    """Every view replaced by a stand-in that records being reached, so a request that got
    through the CSRF check is seen whatever the view would have done."""
    calls: list[str] = []
    for endpoint in list(app.view_functions):

        def stand_in(*args, _endpoint=endpoint, **kwargs):
            calls.append(_endpoint)
            return "reached", 299

        monkeypatch.setitem(app.view_functions, endpoint, stand_in)
    return calls


def url(app: Flask, route: Route, world: World, name: str) -> str:
    rule = (declared(route.endpoint) or {}).get(route.method)
    assert rule is not None, f"declare {route.method} {route.endpoint} in route_rules.py"
    values = world.values(rule.scope, "own", name)
    return app.url_map.bind("localhost").build(route.endpoint, values, method=route.method)


@pytest.mark.parametrize("route", changing_pages(), ids=lambda r: f"{r.method}-{r.endpoint}")
def test_a_form_without_its_csrf_token_is_refused(
    route: Route, app: Flask, world: World, admin, csrf_on, reached
):
    """The refusal sends the officer back (to the home page when the referrer is unknown)
    with a message; the view never runs. Every route: log-in and log-out included."""
    client, _ = admin
    path = url(app, route, world, username(Role.ADMIN, "commune"))
    response = client.open(path, method=route.method, data={"x": "1"})
    assert reached == []
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.test_request_context():
        expired = gettext(EXPIRED)  # in the office language, as the page shows it
    with client.session_transaction() as kept:
        assert ("error", expired) in kept.get("_flashes", [])
        kept.pop("_flashes", None)


def test_the_same_forms_with_their_token_get_through(
    app: Flask, world: World, admin, csrf_on, reached
):
    """The control: with the session's token, every one of those requests reaches its view."""
    client, token = admin
    for route in changing_pages():
        path = url(app, route, world, username(Role.ADMIN, "commune"))
        response = client.open(path, method=route.method, data={"csrf_token": token})
        assert response.status_code == 299, route
    assert sorted(set(reached)) == sorted({r.endpoint for r in changing_pages()})


def test_a_token_of_another_session_is_refused(app: Flask, world: World, clients: Clients, csrf_on):
    mine = clients(username(Role.ADMIN, "commune"))
    theirs = clients(username(Role.LABOUR_OFFICER, "commune"))
    stolen = csrf_token(theirs, "/households/new")
    response = mine.post("/households/new", data={"csrf_token": stolen, "address": "Tổ 1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_api_takes_no_csrf_token_but_a_bearer_token(app: Flask, world: World, csrf_on):
    """Exempt from CSRF because it reads no cookie (see test_api_matrix.py): a write with a
    token and without any CSRF token is accepted."""
    raw = world.api_tokens[username(Role.LABOUR_OFFICER, "commune")]
    response = app.test_client().post(
        f"/api/v1/households/{world.own.household}/poverty-statuses",
        json={"review_year": 2023, "status": "poor", "area": "urban"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_posting_form_in_the_templates_carries_the_csrf_token():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            opening = form[: form.index(">") + 1].lower()
            if 'method="post"' in opening and "csrf" not in form:
                missing.append(f"{path.relative_to(TEMPLATES)}: {opening}")
    assert not missing, "Forms that post without {{ csrf() }}:\n  " + "\n  ".join(missing)
