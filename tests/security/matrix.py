"""The route × role × scope cases, generated from the app's URL map and the declarations."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import Map
from werkzeug.test import TestResponse

from registry import create_app
from registry.auth.permissions import Role
from tests.security.route_rules import NOT_ROUTES, PUBLIC, Rule, Scope, declared, expected
from tests.security.world import OTHER, Clients, World, username

#: The argon2 cost of tests/conftest.py's app.
CHEAP_HASH = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}
#: Methods every route answers on its own (Flask adds them); never declared.
IMPLICIT = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


@cache
def url_map() -> Map:
    """The URL map of an app made only to read it (no database is touched)."""
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "url-map",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            # No keyring is read (none is needed to list routes), instance/'s included.
            "REGISTRY_KEYRING": str(Path(tempfile.gettempdir()) / "no-keyring-for-the-url-map"),
            # create_app sets the process's password hasher: keep the tests' cheap one.
            "REGISTRY_PASSWORD_HASH": CHEAP_HASH,
        }
    )
    return app.url_map


def routes() -> list[Route]:
    """Every endpoint and method of the URL map, but the ones NOT_ROUTES leaves out."""
    found = []
    for rule in url_map().iter_rules():
        if rule.endpoint in NOT_ROUTES:
            continue
        for method in sorted((rule.methods or set()) - IMPLICIT):
            found.append(Route(rule.endpoint, method, rule.rule))
    return sorted(found, key=lambda r: (r.path, r.method))


def rule_of(route: Route) -> Rule | None:
    return (declared(route.endpoint) or {}).get(route.method)


def undeclared() -> list[str]:
    return [f"{r.method} {r.path} ({r.endpoint})" for r in routes() if rule_of(r) is None]


def declared_without_route(tables: list[dict[str, dict[str, Rule]]]) -> list[str]:
    present = {(r.endpoint, r.method) for r in routes()}
    return [
        f"{method} {endpoint}"
        for table in tables
        for endpoint, methods in table.items()
        for method in methods
        if (endpoint, method) not in present
    ]


@dataclass(frozen=True)
class Case:
    route: Route
    rule: Rule
    role: Role | None
    #: "own" (a record of the user's ward), "foreign" (of another ward or user) or
    #: "anonymous"; "province" is a province-level user on the other ward's record.
    side: str

    @property
    def id(self) -> str:
        who = self.role.value if self.role else "anonymous"
        return f"{self.route.method}-{self.route.endpoint}-{who}-{self.side}"


def cases(*, api: bool) -> list[Case]:
    """For each declared route: anonymous once; for every role the own record and (when the
    URL names one) a foreign record; and for reads of an area's records, a province-level
    user on commune B's record, which the province covers."""
    found = []
    for route in routes():
        rule = rule_of(route)
        if rule is None or route.api != api:
            continue
        found.append(Case(route, rule, None, "anonymous"))
        for role in Role:
            found.append(Case(route, rule, role, "own"))
            if rule.scope is not Scope.NONE:
                found.append(Case(route, rule, role, "foreign"))
            if rule.scope.by_area and route.method == "GET":
                found.append(Case(route, rule, role, "province"))
    return found


def send(app: Flask, case: Case, world: World, clients: Clients) -> TestResponse:
    """Make the case's request; return the response."""
    rule, route = case.rule, case.route
    level = "province" if case.side == "province" else "commune"
    side = "own" if case.side in ("own", "anonymous") else "foreign"
    name = username(case.role, level) if case.role else ""
    # Values the rule's path does not take go into the query string.
    values = {
        **world.values(rule.scope, side, name or OTHER),
        **rule.url,
        **world.query(rule.scope, side, dict(rule.query)),
    }
    path = app.url_map.bind("localhost").build(route.endpoint, values, method=route.method)
    body = world.body(rule.scope, side, dict(rule.body))
    if case.role is None:
        client = app.test_client()
    else:
        client = clients.fresh(name) if rule.ends_session else clients(name)
    if route.api:
        headers = {"Authorization": f"Bearer {world.api_tokens[name]}"} if name else {}
        return client.open(path, method=route.method, json=body or None, headers=headers)
    return client.open(path, method=route.method, data=body)


def check(app: Flask, case: Case, world: World, clients: Clients) -> None:
    """Send the case's request and assert the declared answer."""
    response = send(app, case, world, clients)
    side = "own" if case.side == "province" else case.side
    wanted = expected(case.rule, role=case.role, side=side, api=case.route.api)
    where = urlsplit(response.headers.get("Location", "")).path
    detail = f"{case.id}: {response.status_code} (wanted {wanted}) {where}"
    assert response.status_code in wanted, detail + "\n" + response.get_data(as_text=True)[:400]
    if response.status_code == 302:
        # Flask-Login's refusal is the log-in page with next=; any other redirect is the
        # page's own answer (a log-out also ends on /login, but without next).
        refused = where == "/login" and "next=" in response.headers["Location"]
        assert refused == (case.role is None and case.rule.access != PUBLIC), detail
