"""The schema comes only from the migrations: they build it from empty, it matches the models
exactly, and they undo it down to nothing — on SQLite, and on PostgreSQL.

PostgreSQL needs a server: REGISTRY_TEST_POSTGRES_URL (scripts/test starts a throwaway one).
Without it the PostgreSQL case is skipped with the reason shown; under CI=true it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.extensions import db
from registry.identity.keyring import Keyring, write_keyring_file
from tests.conftest import UNDER_CI


@contextmanager
def _own_app(url: str, root: Path) -> Iterator:
    """An app of its own on ``url`` (its own keyring too)."""
    keyring_path = root / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring_path))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_KEYRING": str(keyring_path),
            "REGISTRY_KEYRING_DATA": None,
            "SECRET_KEY": secrets.token_hex(16),
        }
    )
    with app.app_context():
        yield app
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _upgrade_match_downgrade() -> None:
    upgrade()
    assert _tables() == set(db.metadata.tables)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, db.metadata)
    assert drift == [], "the models differ from the migrated schema: add a migration"

    downgrade(revision="base")
    assert _tables() == set()
    # Again from empty: a downgrade must not leave behind anything (a type, a sequence)
    # that makes the next upgrade fail.
    upgrade()
    assert _tables() == set(db.metadata.tables)


def test_migrations_build_the_models_schema_and_undo_it_on_sqlite(tmp_path: Path) -> None:
    with _own_app(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path):
        _upgrade_match_downgrade()


def _postgres_server() -> str | None:
    url = os.environ.get("REGISTRY_TEST_POSTGRES_URL")
    if not url and os.environ.get("REGISTRY_TEST_DATABASE_URL", "").startswith("postgresql"):
        url = os.environ["REGISTRY_TEST_DATABASE_URL"]
    return url or None


@contextmanager
def _fresh_postgres_database(server: str) -> Iterator[str]:
    name = f"registry_migrations_{secrets.token_hex(4)}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_migrations_build_the_models_schema_and_undo_it_on_postgresql(tmp_path: Path) -> None:
    server = _postgres_server()
    if server is None:
        reason = "REGISTRY_TEST_POSTGRES_URL is not set"
        if UNDER_CI:
            pytest.fail(f"{reason}: PostgreSQL is required under CI", pytrace=False)
        pytest.skip(
            f"{reason}: PostgreSQL migration test SKIPPED (scripts/test starts a "
            "throwaway server when PostgreSQL is installed)"
        )
    with _fresh_postgres_database(server) as url, _own_app(url, tmp_path):
        _upgrade_match_downgrade()
