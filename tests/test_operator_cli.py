"""The operator commands on a real file database, as the office runs them: register, find,
rotate keys, verify the audit trail (the acceptance scenario of the registry).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
from registry.identity.keyring import Keyring, load_keyring, write_keyring_file
from registry.units.cli import BUNDLED

NUMBER = "046190012345"  # a woman born in 1990, province 046 (Thừa Thiên Huế)


@pytest.fixture()
def office(tmp_path: Path):
    """A fresh SQLite file database and keyring, migrated and with the Huế units loaded."""
    keyring = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "x",
            "REGISTRY_KEYRING": str(keyring),
            "REGISTRY_KEYRING_DATA": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'office.db'}",
            "REGISTRY_PASSWORD_HASH": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["units", "load", str(BUNDLED / "46-hue.csv")])
    assert result.exit_code == 0, result.output
    yield app, runner, tmp_path
    with app.app_context():
        db.engine.dispose()


def register(
    runner, *, sex: str, birth_date: str, number: str = NUMBER, household: str | None = "HUE-0001"
):
    args = [
        "people",
        "register",
        "--commune",
        "19789",
        "--name",
        "Nguyễn Thị Hoa",
        "--birth-date",
        birth_date,
        "--sex",
        sex,
        "--cccd",
        number,
    ]
    return runner.invoke(args=args + (["--household", household] if household else []))


def database_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("office.db*"))


def test_registered_woman_is_found_and_her_number_is_nowhere_in_the_file(office):
    app, runner, folder = office
    result = register(runner, sex="female", birth_date="1990-04-02")
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()  # checkpoint nothing away: read the file and its WAL as they are
    assert NUMBER.encode() not in database_bytes(folder)
    assert NUMBER.encode("utf-16-le") not in database_bytes(folder)
    found = runner.invoke(args=["people", "find", "--cccd", NUMBER])
    assert found.exit_code == 0, found.output
    assert (
        "********2345" in found.output
        and "Nguyễn Thị Hoa" in found.output
        and NUMBER not in found.output
    )


@pytest.mark.parametrize(("sex", "birth_date"), [("male", "1990-04-02"), ("female", "2001-04-02")])
def test_the_same_number_is_refused_for_a_man_or_a_woman_born_in_2001(office, sex, birth_date):
    _, runner, _ = office
    result = register(runner, sex=sex, birth_date=birth_date)
    assert result.exit_code != 0
    assert "CCCD" in result.output  # the reason names the number's digits that disagree


def test_find_exits_1_when_nobody_has_the_number(office):
    _, runner, _ = office
    result = runner.invoke(args=["people", "find", "--cccd", NUMBER])
    assert result.exit_code == 1


def test_malformed_number_is_refused_by_find(office):
    _, runner, _ = office
    result = runner.invoke(args=["people", "find", "--cccd", "12345"])
    assert result.exit_code != 0 and "12" in result.output


def test_rotation_keeps_everyone_findable(office):
    _, runner, folder = office
    assert register(runner, sex="female", birth_date="1990-04-02").exit_code == 0
    assert (
        register(
            runner, sex="male", birth_date="1984-01-01", number="087084000999", household="HUE-0001"
        ).exit_code
        == 0
    )
    before = load_keyring(path=str(folder / "keyring.json"), data=None)
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    after = load_keyring(path=str(folder / "keyring.json"), data=None)
    assert after.primary_key_id == before.primary_key_id + 1
    status = runner.invoke(args=["keys", "status"])
    assert f"people.cccd: key {after.primary_key_id}: 2" in status.output
    assert "rows not yet under the primary key: 0" in status.output
    for number in (NUMBER, "087084000999"):
        found = runner.invoke(args=["people", "find", "--cccd", number])
        assert found.exit_code == 0 and number[-4:] in found.output


def test_resume_finishes_an_interrupted_rotation(office):
    _, runner, folder = office
    assert register(runner, sex="female", birth_date="1990-04-02").exit_code == 0
    # Simulate a crash after the new key was written but before any row was re-encrypted.
    path = str(folder / "keyring.json")
    write_keyring_file(load_keyring(path=path, data=None).with_new_primary(), path)
    status = runner.invoke(args=["keys", "status"])
    assert "rows not yet under the primary key: 1" in status.output
    assert runner.invoke(args=["keys", "rotate", "--resume"]).exit_code == 0
    assert "rows not yet under the primary key: 0" in runner.invoke(args=["keys", "status"]).output


def test_audit_verify_passes_then_fails_after_a_middle_row_is_deleted(office):
    app, runner, folder = office
    assert register(runner, sex="female", birth_date="1990-04-02").exit_code == 0
    assert runner.invoke(args=["people", "find", "--cccd", NUMBER]).exit_code == 0
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        db.engine.dispose()
    with sqlite3.connect(folder / "office.db") as conn:
        count = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        middle = conn.execute(
            "SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET ?", (count // 2,)
        ).fetchone()[0]
        conn.execute("DELETE FROM audit_events WHERE id = ?", (middle,))
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"event id {middle + 1}" in broken.output


def test_users_create_asks_for_the_password_and_scopes_the_user(office):
    _, runner, _ = office
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "canbo.a",
            "--role",
            "commune_officer",
            "--unit",
            "19789",
        ],
        input="mot-mat-khau-dai\nmot-mat-khau-dai\n",
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=["users", "create", "--username", "canbo.a", "--role", "auditor", "--unit", "46"],
        input="mot-mat-khau-dai\nmot-mat-khau-dai\n",
    )
    assert again.exit_code != 0
    weak = runner.invoke(
        args=["users", "create", "--username", "canbo.b", "--role", "auditor", "--unit", "46"],
        input="short\nshort\n",
    )
    assert weak.exit_code != 0
    unknown_unit = runner.invoke(
        args=["users", "create", "--username", "canbo.c", "--role", "auditor", "--unit", "99999"],
        input="mot-mat-khau-dai\nmot-mat-khau-dai\n",
    )
    assert unknown_unit.exit_code != 0 and "99999" in unknown_unit.output


def test_units_load_refuses_a_broken_file_and_names_the_line(office, tmp_path):
    _, runner, _ = office
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,level,parent_code,valid_from,valid_to\n46,Huế,province,,2025-01-01,\n"
        "19999,Phường X,commune,46,01/07/2025,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["units", "load", str(bad)])
    assert result.exit_code != 0 and "3" in result.output


def test_keys_init_writes_a_private_keyring_and_never_overwrites(office, tmp_path):
    _, runner, _ = office
    target = tmp_path / "prod" / "keyring.json"
    first = runner.invoke(args=["keys", "init", "--path", str(target)])
    assert first.exit_code == 0, first.output
    assert target.stat().st_mode & 0o077 == 0
    content = target.read_bytes()
    again = runner.invoke(args=["keys", "init", "--path", str(target)])
    assert again.exit_code != 0 and target.read_bytes() == content


def test_a_fresh_database_says_to_load_units_first(tmp_path):
    keyring = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "x",
            "REGISTRY_KEYRING": str(keyring),
            "REGISTRY_KEYRING_DATA": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}",
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = register(runner, sex="female", birth_date="1990-04-02")
    assert result.exit_code != 0 and "units load" in result.output
    loaded = runner.invoke(args=["units", "load", "46-hue.csv"])  # a shipped file, by name
    assert loaded.exit_code == 0, loaded.output
    assert register(runner, sex="female", birth_date="1990-04-02").exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_without_its_keyring_file_the_app_still_starts_so_keys_init_can_create_it(tmp_path):
    target = tmp_path / "keys" / "keyring.json"
    app = create_app(
        {
            "REGISTRY_ENV": "production",
            "SECRET_KEY": "x" * 64,
            "REGISTRY_KEYRING": str(target),
            "REGISTRY_KEYRING_DATA": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
        }
    )
    from registry.extensions import keys
    from registry.identity.keyring import KeyringError

    with app.app_context():
        with pytest.raises(KeyringError, match="keys init"):
            keys.require()
        upgrade()
    result = app.test_cli_runner().invoke(args=["keys", "init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        keys.require()
        assert keys.cipher is not None
        db.engine.dispose()
