"""``flask backup create`` and ``flask backup restore``: a restored registry holds the same
rows, sums and audit chain as the one backed up, and a damaged backup changes nothing."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.auth.actors import Actor
from registry.backup import pgtools
from registry.backup.manifest import BackupError, Figures, read_figures
from registry.demo.seed import seed_demo
from registry.eligibility.engine import load_law
from registry.extensions import db, keys
from registry.identity.keyring import Keyring, write_keyring_file
from registry.payments.services import build_run
from registry.people.identity import read_cccd
from registry.people.models import Sex
from registry.people.queries import find_by_cccd
from registry.units.cli import BUNDLED
from registry.units.services import find_unit, load_units
from tests import factories
from tests.conftest import UNDER_CI, WARD_A
from tests.test_migrations import _postgres_server

TODAY = date(2026, 11, 29)
CCCD = factories.cccd(Sex.FEMALE, 1950)
HUE = BUNDLED / "46-hue.csv"


@contextmanager
def registry_app(url: str, keyring: Path) -> Iterator[Flask]:
    """An app of its own on ``url``; English messages, so the tests can read them."""
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_KEYRING": str(keyring),
            "REGISTRY_KEYRING_DATA": None,
            "SECRET_KEY": "backup-tests",
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def fill(url: str, keyring: Path) -> None:
    """A migrated registry with demo households, one known CCCD and a payment list."""
    with registry_app(url, keyring):
        upgrade()
        actor = Actor.system("tests")
        seed_demo(households=15, seed=7, today=TODAY, actor=actor)
        factories.person(
            actor=actor,
            today=TODAY,
            commune_code=WARD_A,
            full_name="Hồ Thị Sáu",
            sex=Sex.FEMALE,
            birth_date=date(1950, 3, 8),
            cccd_number=CCCD,
        )
        build_run(
            date(2026, 11, 1),
            unit=find_unit("46", on=TODAY),
            actor=actor,
            today=TODAY,
            law=load_law(),
        )
        db.session.commit()


def figures(url: str, keyring: Path) -> Figures:
    with registry_app(url, keyring):
        return read_figures(db.session.connection())


def cli(url: str, keyring: Path, *args: str):
    with registry_app(url, keyring) as app:
        return app.test_cli_runner().invoke(args=["backup", *args])


def without_restore_event(restored: Figures) -> Figures:
    counts = {**restored.counts, "audit_events": restored.counts["audit_events"] - 1}
    return Figures(counts, restored.payment_total, None, restored.revision)


def check_restored(url: str, keyring: Path, manifest: dict) -> None:
    """The chain holds, ends with the restore's event right after the backup's, and the
    known CCCD is found through its blind index and decrypts."""
    with registry_app(url, keyring):
        checked, broken = verify_chain()
        assert broken is None and checked == manifest["figures"]["counts"]["audit_events"] + 1
        last_two = db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)
        ).all()
        assert [e.action for e in last_two] == [
            AuditAction.BACKUP_RESTORE,
            AuditAction.BACKUP_CREATE,
        ]
        assert last_two[1].hash == manifest["figures"]["audit_last_hash"]
        person = find_by_cccd(CCCD, actor=Actor.system("tests"), cipher=keys.cipher)
        assert person is not None and person.full_name == "Hồ Thị Sáu"
        system = Actor.system("tests")
        assert read_cccd(person, actor=system, cipher=keys.cipher, purpose="export") == CCCD
        db.session.rollback()


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A filled SQLite registry and its backup (made once: the tests only read them)."""
    root = tmp_path_factory.mktemp("backup")
    keyring = root / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    url = f"sqlite:///{root / 'registry.db'}"
    fill(url, keyring)
    out = root / "saved" / "registry-2026-11-29.db"
    out.parent.mkdir()
    result = cli(url, keyring, "create", str(out))
    assert result.exit_code == 0, result.output
    other = root / "other.db"
    fill(f"sqlite:///{other}", keyring)
    sqlite3.connect(other).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    return {
        "root": root,
        "keyring": keyring,
        "url": url,
        "out": out,
        "output": result.output,
        "other": other,
    }


def test_a_backup_is_one_complete_private_file_with_a_manifest_and_a_word_on_the_keyring(
    backed_up,
):
    out, keyring = backed_up["out"], backed_up["keyring"]
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name, f"{out.name}.json"]
    assert out.stat().st_mode & 0o077 == 0
    manifest = json.loads((out.parent / f"{out.name}.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] and manifest["size"] == out.stat().st_size
    source = figures(backed_up["url"], keyring)
    assert manifest["figures"]["counts"] == source.counts
    assert manifest["figures"]["payment_total"] == source.payment_total > 0
    assert manifest["figures"]["audit_last_hash"] == source.audit_last_hash
    with registry_app(backed_up["url"], keyring):
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action is AuditAction.BACKUP_CREATE
        assert last.details["people_count"] == source.counts["people"]
    assert "must be backed up separately" in backed_up["output"]
    assert str(keyring) in backed_up["output"]


def test_a_sqlite_backup_restored_into_a_new_database_holds_the_same_rows_sums_and_chain(
    backed_up, tmp_path: Path
):
    url, keyring = f"sqlite:///{tmp_path / 'restored.db'}", backed_up["keyring"]
    result = cli(url, keyring, "restore", str(backed_up["out"]))
    assert result.exit_code == 0, result.output
    assert "match its manifest" in result.output
    manifest = json.loads(Path(f"{backed_up['out']}.json").read_text(encoding="utf-8"))
    restored = figures(url, keyring)
    source = figures(backed_up["url"], keyring)
    assert without_restore_event(restored) == Figures(
        source.counts, source.payment_total, None, source.revision
    )
    check_restored(url, keyring, manifest)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_backup_never_replaces_an_existing_file(backed_up):
    result = cli(backed_up["url"], backed_up["keyring"], "create", str(backed_up["out"]))
    assert result.exit_code == 1 and "already exists" in result.output


def _target(tmp_path: Path, backed_up) -> tuple[str, Figures]:
    """A registry that already holds other data (a copy of one filled once)."""
    target = tmp_path / "other.db"
    shutil.copyfile(backed_up["other"], target)
    url = f"sqlite:///{target}"
    return url, figures(url, backed_up["keyring"])


def test_restore_refuses_without_yes_a_database_that_holds_data(backed_up, tmp_path: Path):
    url, before = _target(tmp_path, backed_up)
    result = cli(url, backed_up["keyring"], "restore", str(backed_up["out"]))
    assert result.exit_code == 1
    assert "already holds data" in result.output and "--yes" in result.output
    assert figures(url, backed_up["keyring"]) == before

    result = cli(url, backed_up["keyring"], "restore", str(backed_up["out"]), "--yes")
    assert result.exit_code == 0, result.output
    manifest = json.loads(Path(f"{backed_up['out']}.json").read_text(encoding="utf-8"))
    check_restored(url, backed_up["keyring"], manifest)


def _damaged_copy(backed_up, tmp_path: Path, how: str) -> Path:
    copy = tmp_path / "copy.db"
    data = backed_up["out"].read_bytes()
    manifest = json.loads(Path(f"{backed_up['out']}.json").read_text(encoding="utf-8"))
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "a flipped byte":
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    elif how == "a manifest that does not match":
        manifest["figures"]["counts"]["people"] += 1
    copy.write_bytes(data)
    if how != "no manifest":
        Path(f"{copy}.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "damaged or incomplete"),
        ("a flipped byte", "damaged or incomplete"),
        ("no manifest", "is missing"),
        ("a manifest that does not match", "does not match its manifest; nothing was changed"),
    ],
)
def test_a_damaged_backup_is_refused_and_the_database_is_untouched(
    backed_up, tmp_path: Path, how: str, message: str
):
    url, before = _target(tmp_path, backed_up)
    damaged = _damaged_copy(backed_up, tmp_path, how)
    result = cli(url, backed_up["keyring"], "restore", str(damaged), "--yes")
    assert result.exit_code == 1
    assert message in result.output
    assert figures(url, backed_up["keyring"]) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- PostgreSQL: pg_dump and pg_restore ----------------------------------------------------


@contextmanager
def _databases(server: str, count: int) -> Iterator[list[str]]:
    """``count`` new databases on the server, their URLs carrying a password (ignored by a
    trust server) that no output may show."""
    names = [f"registry_backup_{secrets.token_hex(4)}" for _ in range(count)]
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(
                text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
            )
    try:
        yield [
            make_url(server)
            .set(database=name, password=PASSWORD)
            .render_as_string(hide_password=False)
            for name in names
        ]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


PASSWORD = "mat-khau-bi-mat-42"


@pytest.mark.postgres
def test_a_postgresql_backup_restored_into_a_new_database_holds_the_same_rows_and_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    server = _postgres_server()
    if server is None:
        reason = "REGISTRY_TEST_POSTGRES_URL is not set"
        if UNDER_CI:
            pytest.fail(f"{reason}: PostgreSQL is required under CI", pytrace=False)
        pytest.skip(f"{reason}: PostgreSQL backup test SKIPPED")
    keyring = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    command_lines: list[list[str]] = []
    run_tool = pgtools.run_tool
    monkeypatch.setattr(
        pgtools, "run_tool", lambda args, *rest: command_lines.append(args) or run_tool(args, *rest)
    )
    with _databases(server, 2) as (source_url, target_url):
        fill(source_url, keyring)
        out = tmp_path / "registry.dump"
        created = cli(source_url, keyring, "create", str(out))
        assert created.exit_code == 0, created.output
        assert PASSWORD not in created.output and "***" in created.output
        manifest = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
        assert manifest["database"] == "postgresql"

        # Something to replace: the target already holds a registry of its own.
        with registry_app(target_url, keyring):
            upgrade()
            load_units(
                HUE.read_text(encoding="utf-8"), source="46-hue.csv", actor=Actor.system("t")
            )
            db.session.commit()
        refused = cli(target_url, keyring, "restore", str(out))
        assert refused.exit_code == 1 and "already holds data" in refused.output

        damaged = tmp_path / "damaged.dump"
        damaged.write_bytes(out.read_bytes()[:-100])
        Path(f"{damaged}.json").write_text(json.dumps(manifest), encoding="utf-8")
        before = figures(target_url, keyring)
        result = cli(target_url, keyring, "restore", str(damaged), "--yes")
        assert result.exit_code == 1 and "damaged or incomplete" in result.output
        assert figures(target_url, keyring) == before

        restored = cli(target_url, keyring, "restore", str(out), "--yes")
        assert restored.exit_code == 0, restored.output
        assert PASSWORD not in restored.output
        source = figures(source_url, keyring)
        assert without_restore_event(figures(target_url, keyring)) == Figures(
            source.counts, source.payment_total, None, source.revision
        )
        check_restored(target_url, keyring, manifest)
    assert {Path(args[0]).name for args in command_lines} == {"pg_dump", "pg_restore"}
    assert not [args for args in command_lines if PASSWORD in " ".join(args)]


def test_the_sqlite_file_of_a_backup_opens_without_the_registry(backed_up):
    """A backup is a plain SQLite database (no -wal needed): sqlite3 alone can read it."""
    connection = sqlite3.connect(f"file:{backed_up['out']}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("SELECT count(*) FROM people").fetchone()[0] > 0
    finally:
        connection.close()
    assert not os.path.exists(f"{backed_up['out']}-wal")


def test_the_postgresql_tools_get_the_password_from_the_environment_never_the_command_line():
    url = make_url(f"postgresql+psycopg://registry:{PASSWORD}@db.example:5433/registry")
    uri, env = pgtools.libpq_target(url)
    assert uri == "postgresql://registry@db.example:5433/registry"
    assert env["PGPASSWORD"] == PASSWORD
    assert PASSWORD not in pgtools.masked(url)


def test_a_missing_pg_dump_is_named_with_where_it_was_looked_for(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pgtools, "VERSIONED_BINDIRS", str(tmp_path / "postgresql" / "*" / "bin"))
    with pytest.raises(BackupError) as error:
        pgtools.find_program("pg_dump", 15)
    assert "pg_dump for PostgreSQL 15 or newer was not found" in error.value.render()
