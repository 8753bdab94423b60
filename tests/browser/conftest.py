"""Browser tests: Debian's Chromium driven by pytest-playwright, against a live server.

Every test in this folder is marked ``browser``. Without a Chromium binary they are skipped
with a visible reason; under CI=true they fail instead. The binary is ``$REGISTRY_CHROMIUM``,
else ``/usr/bin/chromium``, else ``chromium`` on PATH (Playwright's own browser downloads are
not used).

``live_url`` serves a separate app object (its own SQLite file, keyring and users, real
CSRF) from a background thread. Browser tests must not use the ``session`` fixture of
tests/conftest.py: it swaps the module-global ``db.session``, which the server thread would
then share.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from registry import create_app
from registry.auth.actors import Actor
from registry.extensions import db
from registry.identity.keyring import Keyring, write_keyring_file
from registry.units.cli import BUNDLED
from tests import factories
from tests.conftest import PASSWORD, UNDER_CI, USERS

HERE = Path(__file__).resolve().parent
SKIP_REASON = (
    "Chromium not found: browser tests SKIPPED — install Debian's chromium "
    "(apt-get install chromium) or set REGISTRY_CHROMIUM"
)


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None when there is none."""
    named = os.environ.get("REGISTRY_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by marker (-m "not browser")
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    found = chromium_path()
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if found is None and not UNDER_CI:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session", autouse=True)
def _chromium_required() -> None:
    """Under CI a missing browser fails every browser test (outside CI they were skipped)."""
    if chromium_path() is None:
        where = os.environ.get("REGISTRY_CHROMIUM") or "/usr/bin/chromium or chromium on PATH"
        pytest.fail(
            f"Chromium not found ({where}) under CI: browser tests cannot run", pytrace=False
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options (--headed, --slowmo…) plus Debian's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_app(live_url: str) -> Flask:
    """The app object ``live_url`` serves, for seeding records in ``with live_app.app_context()``
    (commit, then ``db.session.remove()``; the server thread has its own sessions)."""
    return _LIVE_APPS[live_url]


_LIVE_APPS: dict[str, Flask] = {}


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of the real app on a fresh, migrated SQLite database with
    the Huế units and the users of tests/conftest.py (USERS, PASSWORD); CSRF is on.
    """
    from flask_migrate import upgrade

    from registry.units.services import load_units

    root = tmp_path_factory.mktemp("live")
    keyring_path = root / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring_path))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'live.db'}",
            "REGISTRY_KEYRING": str(keyring_path),
            "REGISTRY_KEYRING_DATA": None,
            "SECRET_KEY": secrets.token_hex(32),
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "REGISTRY_PASSWORD_HASH": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
            "REGISTRY_EXPORT_DIR": str(root / "exports"),
            "REGISTRY_PAYER_NAME": "PHONG LAO DONG THUONG BINH VA XA HOI",
            "REGISTRY_PAYER_ACCOUNT": "1234567890123",
            "REGISTRY_PAYER_BIN": "970436",
        }
    )
    with app.app_context():
        upgrade()
        load_units(
            (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"),
            source="46-hue.csv",
            actor=Actor.system("tests"),
        )
        for username, (role, unit_code) in USERS.items():
            factories.user(username, role=role, unit_code=unit_code, password=PASSWORD)
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    _LIVE_APPS[url] = app
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_url: str) -> str:
    """Lets browser tests write ``page.goto("/login")``."""
    return live_url
