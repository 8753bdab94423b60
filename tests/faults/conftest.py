"""Fault tests: the real ``flask`` commands in subprocesses, paused at a named point
(registry/faults.py) and killed there with SIGKILL, on a fresh copy of a seeded registry.

The database is the run's: PostgreSQL when REGISTRY_TEST_DATABASE_URL names one (each test
gets its own database, created from a seeded template on that server), else SQLite files.
The seeded registry (migrations, Huế units, demo households with decisions and accounts) is
built once per session through the CLI and copied for each test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.audit.services import verify_chain
from registry.extensions import db

ROOT = Path(__file__).absolute().parents[2]
#: Demo households in the seeded registry: about 170 people, 40 decisions, 35 accounts.
HOUSEHOLDS = 50
#: A command that neither pauses nor ends within this many seconds fails the test.
TIMEOUT = 180


def _server() -> str | None:
    url = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


class CommandError(AssertionError):
    """A command of the test failed, or never reached its pause point."""


@dataclass
class Running:
    """A command running in the background, maybe stopped at a pause point."""

    process: subprocess.Popen
    point: str | None
    fault_dir: Path
    log: Path

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no commit; as a power cut is for the process."""
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def resume(self) -> subprocess.CompletedProcess:
        (self.fault_dir / f"{self.point}.resume").touch()
        return self.finish()

    def finish(self) -> subprocess.CompletedProcess:
        self.process.wait(timeout=TIMEOUT)
        out = self.log.with_suffix(".out").read_text(encoding="utf-8")
        err = self.log.with_suffix(".err").read_text(encoding="utf-8")
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)


@dataclass
class Registry:
    """One registry (database + keyring) the tests drive through the real CLI."""

    url: str
    keyring: Path
    workdir: Path
    #: Every background command, so none outlives its test (see ``stop_all``).
    processes: list[subprocess.Popen] = field(default_factory=list)

    def env(self, pause: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "FLASK_"))}
        env.update(
            FLASK_APP="registry",
            FLASK_SKIP_DOTENV="1",
            PYTHONPATH=str(ROOT),
            REGISTRY_ENV="testing",
            REGISTRY_DATABASE_URL=self.url,
            REGISTRY_KEYRING=str(self.keyring),
            REGISTRY_SECRET_KEY="fault-tests",
            # English messages whatever the catalogue holds, so the tests can read them.
            REGISTRY_DEFAULT_LOCALE="en",
            REGISTRY_FAULT_DIR=str(self.workdir),
        )
        if pause:
            env["REGISTRY_FAULT_PAUSE"] = pause
        return env

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        """Run ``flask ARGS`` to its end; with ``ok``, fail the test unless it exits 0."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if ok and result.returncode != 0:
            raise CommandError(
                f"flask {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def spawn(self, *args: str, pause: str | None = None) -> Running:
        """Start ``flask ARGS`` in the background (pausing at ``pause`` if given)."""
        log = self.workdir / f"{pause or 'run'}.{secrets.token_hex(3)}.log"
        with (
            open(log.with_suffix(".out"), "w") as out,
            open(log.with_suffix(".err"), "w") as err,
        ):
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", *args],
                cwd=self.workdir,
                env=self.env(pause),
                stdout=out,
                stderr=err,
                text=True,
            )
        self.processes.append(process)
        return Running(process, pause, self.workdir, log)

    def stop_all(self) -> None:
        """Kill what a failed test left running (a command still waiting at its pause)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    def start(self, *args: str, pause: str) -> Running:
        """Start ``flask ARGS`` and return once it waits at the pause point ``pause``."""
        running = self.spawn(*args, pause=pause)
        marker = self.workdir / f"{pause}.paused"
        deadline = time.monotonic() + TIMEOUT
        while not marker.exists():
            if running.process.poll() is not None:
                done = running.finish()
                raise CommandError(
                    f"flask {' '.join(args)} ended (exit {done.returncode}) before reaching "
                    f"{pause}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
                )
            if time.monotonic() > deadline:
                running.process.kill()
                raise CommandError(f"flask {' '.join(args)} never reached {pause}")
            time.sleep(0.02)
        assert int(marker.read_text()) == running.process.pid
        marker.unlink()
        return running

    @contextmanager
    def app(self) -> Iterator[Flask]:
        """An app of the test process on this registry, to look at what the commands left."""
        app = create_app(
            {
                "REGISTRY_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": self.url,
                "REGISTRY_KEYRING": str(self.keyring),
                "REGISTRY_KEYRING_DATA": None,
                "SECRET_KEY": "fault-tests",
                "BABEL_DEFAULT_LOCALE": "en",
            }
        )
        with app.app_context():
            try:
                yield app
            finally:
                db.session.rollback()
                db.session.remove()
                db.engine.dispose()

    def integrity(self) -> None:
        """The database file is sound (SQLite) and the audit chain unbroken."""
        if self.url.startswith("sqlite"):
            connection = sqlite3.connect(make_url(self.url).database)
            try:
                assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            finally:
                connection.close()
        with self.app():
            checked, broken = verify_chain()
        assert broken is None and checked > 0


def _seed(registry: Registry) -> None:
    registry.run("db", "upgrade")
    registry.run("units", "load", "46-hue.csv")
    registry.run("demo", "seed", "--households", str(HOUSEHOLDS))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """The seeded registry every test copies (never changed by a test)."""
    from registry.identity.keyring import Keyring, write_keyring_file

    root = tmp_path_factory.mktemp("faults-seed")
    keyring = root / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    server = _server()
    if server is None:
        registry = Registry(f"sqlite:///{root / 'seed.db'}", keyring, root)
        _seed(registry)
        # Everything into the main file, so copying that file copies the registry.
        connection = sqlite3.connect(root / "seed.db")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        yield registry
        return
    name = f"registry_faults_seed_{secrets.token_hex(4)}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        registry = Registry(url, keyring, root)
        _seed(registry)
        yield registry
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _copy(seeded: Registry, directory: Path) -> Iterator[Registry]:
    keyring = directory / "keyring.json"
    shutil.copy2(seeded.keyring, keyring)
    server = _server()
    if server is None:
        shutil.copyfile(make_url(seeded.url).database, directory / "registry.db")
        copy = Registry(f"sqlite:///{directory / 'registry.db'}", keyring, directory)
        try:
            yield copy
        finally:
            copy.stop_all()
        return
    name = f"registry_faults_{secrets.token_hex(4)}"
    template = make_url(seeded.url).database
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    copy = Registry(url, keyring, directory)
    try:
        yield copy
    finally:
        copy.stop_all()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def registry(seeded: Registry, tmp_path: Path) -> Iterator[Registry]:
    """A fresh copy of the seeded registry (database and keyring) for one test."""
    with _copy(seeded, tmp_path) as copy:
        yield copy


@pytest.fixture()
def clean_registry(seeded: Registry, tmp_path_factory: pytest.TempPathFactory):
    """Another fresh copy, where a command runs undisturbed for comparison."""
    with _copy(seeded, tmp_path_factory.mktemp("clean")) as copy:
        yield copy
