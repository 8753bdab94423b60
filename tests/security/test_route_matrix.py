"""Every web route × every role × own record, another ward's record, and no log-in."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.security.matrix import Case, cases, check, declared_without_route, undeclared
from tests.security.route_rules import API_RULES, WEB_RULES
from tests.security.world import World


def test_every_route_of_the_app_is_declared():
    missing = undeclared()
    assert not missing, (
        "Routes with no declaration in tests/security/route_rules.py (add who may reach "
        "them, the record their URL names and what they answer):\n  " + "\n  ".join(missing)
    )


def test_every_declaration_names_a_route_of_the_app():
    stale = declared_without_route([WEB_RULES, API_RULES])
    assert not stale, "Declared in route_rules.py but not in the URL map:\n  " + "\n  ".join(stale)


@pytest.mark.parametrize("case", cases(api=False), ids=lambda c: c.id)
def test_the_web_route_answers_as_declared(case: Case, app: Flask, world: World, clients):
    check(app, case, world, clients)
