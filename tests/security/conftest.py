"""Fixtures for the security tests: the matrix world, and logged-in clients per user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, g, request_started

from tests.security.world import Clients, World, world_in_transaction


@pytest.fixture(scope="module")
def world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The records and users of tests/security/world.py, rolled back after the module."""
    with world_in_transaction(app, tmp_path_factory.mktemp("security")) as built:
        yield built


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> Clients:
    return Clients(app)


@pytest.fixture(autouse=True)
def fresh_g_per_request(app: Flask) -> Iterator[None]:
    """An empty ``g`` per request, as a served request has (tests/web/conftest.py says why):
    Flask-Login keeps the user there, which must not outlive a log-out or a timeout."""

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)
