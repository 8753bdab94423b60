"""Fixtures: app → migrated database → one rolled-back transaction per test → client → login."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from registry import create_app
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.extensions import db, keys
from registry.identity.crypto import FieldCipher
from registry.identity.keyring import Keyring, write_keyring_file
from registry.units.cli import BUNDLED
from tests import factories

#: The tests' fixed calendar day, so ages and periods never drift with the real clock.
TODAY = date(2026, 11, 29)
PASSWORD = "mat-khau-thu-nghiem-1"
UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

#: Demo wards of Huế used by the tests (codes valid from 1/7/2025, see units/data/46-hue.csv).
WARD_A = "19789"  # Phường Thuận Hóa
WARD_B = "19753"  # Phường Phú Xuân

#: One account per role. Commune officers cover one ward each; the others the whole province.
USERS = {
    "admin": (Role.ADMIN, "46"),
    "labour": (Role.LABOUR_OFFICER, "46"),
    "commune_a": (Role.COMMUNE_OFFICER, WARD_A),
    "commune_b": (Role.COMMUNE_OFFICER, WARD_B),
    "accountant": (Role.ACCOUNTANT, "46"),
    "auditor": (Role.AUDITOR, "46"),
    "leader": (Role.LEADER, "46"),
}


def database_url(tmp_root: Path) -> str:
    """PostgreSQL when REGISTRY_TEST_DATABASE_URL names one, otherwise a fresh SQLite file."""
    return os.environ.get("REGISTRY_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database built by the migrations, with the Huế units and one user per role."""
    from flask_migrate import upgrade

    root = tmp_path_factory.mktemp("registry")
    url = database_url(root)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    keyring_path = root / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring_path))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_KEYRING": str(keyring_path),
            "REGISTRY_KEYRING_DATA": None,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "REGISTRY_PASSWORD_HASH": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        upgrade()
        from registry.units.services import load_units

        system = Actor.system("tests")
        load_units(
            (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"), source="46-hue.csv", actor=system
        )
        for username, (role, unit_code) in USERS.items():
            factories.user(username, role=role, unit_code=unit_code, password=PASSWORD)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def session(app: Flask) -> Iterator[Session]:
    """Each test runs inside one outer transaction, rolled back at the end; the code under
    test may commit freely (its commits release savepoints).
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own would route to the app's
        # engine (its get_bind looks at the model's bind key first) and escape the rollback.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture()
def today() -> date:
    return TODAY


@pytest.fixture()
def cipher(session: Session) -> FieldCipher:
    return keys.cipher


@pytest.fixture()
def actor(session: Session):
    """``actor("commune_a")`` → the Actor of that test user."""

    def _actor(username: str) -> Actor:
        return db.session.query(User).filter_by(username=username).one().as_actor()

    return _actor


@pytest.fixture()
def client(app: Flask, session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def login(client: FlaskClient):
    """``login("commune_a")`` logs the test client in as that user."""

    def _login(username: str, password: str = PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return _login
