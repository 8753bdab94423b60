"""Settings read from REGISTRY_* environment variables, with fail-fast checks for production."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from registry.errors import RegistryError

#: Every setting the registry reads, its default, and what it means (mirrored in .env.example).
ENV_SETTINGS: dict[str, tuple[str | None, str]] = {
    "REGISTRY_ENV": ("development", "development | production | testing"),
    "REGISTRY_SECRET_KEY": (None, "signs sessions and CSRF tokens; required in production"),
    "REGISTRY_DATABASE_URL": (
        "sqlite:///registry.db",
        "SQLAlchemy URL; relative SQLite paths live in instance/",
    ),
    "REGISTRY_KEYRING": (None, "path of the keyring JSON file (encryption and blind-index keys)"),
    "REGISTRY_KEYRING_DATA": (None, "the keyring JSON itself, instead of a file (secret stores)"),
    "REGISTRY_DEFAULT_LOCALE": (
        "vi",
        "interface language when the user has not chosen one: vi | en",
    ),
    "REGISTRY_SESSION_COOKIE_SECURE": (
        None,
        "send cookies over HTTPS only; default on (off in testing); 0 only for plain http on"
        " this machine (scripts/run)",
    ),
    "REGISTRY_LOGIN_MAX_FAILURES": ("5", "failed log-ins in a row before the account is locked"),
    "REGISTRY_LOGIN_LOCKOUT_MINUTES": (
        "15",
        "how long a locked account stays locked, and the window of the per-address limit",
    ),
    "REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS": (
        "20",
        "failed log-ins from one client address, whatever the accounts, before that address"
        " is refused for REGISTRY_LOGIN_LOCKOUT_MINUTES",
    ),
    "REGISTRY_PROXY_COUNT": (
        "0",
        "reverse proxies in front of the app that set X-Forwarded-For/-Proto (nginx: 1)",
    ),
    "REGISTRY_IDLE_MINUTES": ("30", "minutes without a request after which a session logs out"),
    "REGISTRY_SESSION_HOURS": ("8", "longest a session lasts after log-in, even when in use"),
    "REGISTRY_LOCAL_POLICIES": (None, "local-policy YAML files, separated by os.pathsep"),
    "REGISTRY_PAYER_NAME": (None, "name of the paying office written into payment files"),
    "REGISTRY_PAYER_ACCOUNT": (None, "the paying office's account number (debtor account)"),
    "REGISTRY_PAYER_BIN": (None, "NAPAS BIN of the paying office's bank"),
    "REGISTRY_OFFICE_NAME": (
        None,
        "the office's letterhead on reports, lines separated by ' / ' (e.g. 'UBND TỈNH … / SỞ …');"
        " default: the reported unit's name",
    ),
    "REGISTRY_EXPORT_DIR": (
        None,
        "directory where payment files exported from the web are kept; default instance/exports",
    ),
    "REGISTRY_MAX_UPLOAD_MB": ("64", "largest file accepted by an upload form, in megabytes"),
    "REGISTRY_IMPORT_DIR": (
        None,
        "directory where uploaded import files and their error workbooks wait; default"
        " instance/imports",
    ),
    "REGISTRY_JOBS_INLINE": (
        "0",
        "1: run long jobs inside the request that submits them (tests); 0: in a background thread",
    ),
}


class ConfigError(RegistryError):
    """The application cannot start with the settings it was given."""


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else ENV_SETTINGS[name][0]


def _flag(value: str | None) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply ``overrides`` (tests, scripts).

    In production a missing secret key or keyring stops start-up with a message naming the
    variable. In development both are generated into ``instance/`` on first start.
    """
    overrides = dict(overrides or {})
    env = overrides.pop("REGISTRY_ENV", None) or _env("REGISTRY_ENV")
    if env not in {"development", "production", "testing"}:
        raise ConfigError(
            "REGISTRY_ENV must be development, production or testing, not %(v)s", v=env
        )
    production = env == "production"
    secure = _env("REGISTRY_SESSION_COOKIE_SECURE")
    # Secure unless switched off on purpose: a development copy reached over a network must
    # not send sessions in clear either. The test client speaks plain http.
    cookie_secure = env != "testing" if secure is None else _flag(secure)
    config: dict[str, Any] = {
        "REGISTRY_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": _env("REGISTRY_SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _env("REGISTRY_DATABASE_URL"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REGISTRY_KEYRING": _env("REGISTRY_KEYRING"),
        "REGISTRY_KEYRING_DATA": _env("REGISTRY_KEYRING_DATA"),
        "REGISTRY_PAYER_NAME": _env("REGISTRY_PAYER_NAME"),
        "REGISTRY_PAYER_ACCOUNT": _env("REGISTRY_PAYER_ACCOUNT"),
        "REGISTRY_PAYER_BIN": _env("REGISTRY_PAYER_BIN"),
        "REGISTRY_OFFICE_NAME": _env("REGISTRY_OFFICE_NAME"),
        "REGISTRY_EXPORT_DIR": _env("REGISTRY_EXPORT_DIR") or str(Path(instance_path) / "exports"),
        "REGISTRY_IMPORT_DIR": _env("REGISTRY_IMPORT_DIR") or str(Path(instance_path) / "imports"),
        "REGISTRY_JOBS_INLINE": _flag(_env("REGISTRY_JOBS_INLINE")),
        "REGISTRY_LOCAL_POLICIES": tuple(
            p for p in (_env("REGISTRY_LOCAL_POLICIES") or "").split(os.pathsep) if p
        ),
        "BABEL_DEFAULT_LOCALE": _env("REGISTRY_DEFAULT_LOCALE"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "REGISTRY_LOGIN_MAX_FAILURES": int(_env("REGISTRY_LOGIN_MAX_FAILURES") or 5),
        "REGISTRY_LOGIN_LOCKOUT": timedelta(
            minutes=int(_env("REGISTRY_LOGIN_LOCKOUT_MINUTES") or 15)
        ),
        "REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS": int(
            _env("REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS") or 20
        ),
        "REGISTRY_PROXY_COUNT": int(_env("REGISTRY_PROXY_COUNT") or 0),
        "REGISTRY_IDLE_TIMEOUT": timedelta(minutes=int(_env("REGISTRY_IDLE_MINUTES") or 30)),
        # Also the signed cookie's maximum age; registry.web.sessions counts it from log-in.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(_env("REGISTRY_SESSION_HOURS") or 8)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": cookie_secure,
        "SESSION_COOKIE_NAME": "registry_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": cookie_secure,
        "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
        # Refused before the body is read (413), so a huge upload cannot fill memory or disk.
        "MAX_CONTENT_LENGTH": int(_env("REGISTRY_MAX_UPLOAD_MB") or 64) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, which already expires
        # argon2id parameters (RFC 9106 "second recommended" set); tests may lower them.
        "REGISTRY_PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    }
    config.update(overrides)
    if production:
        missing = [
            name for name, key in (("REGISTRY_SECRET_KEY", "SECRET_KEY"),) if not config[key]
        ]
        if not (config["REGISTRY_KEYRING"] or config["REGISTRY_KEYRING_DATA"]):
            missing.append("REGISTRY_KEYRING (or REGISTRY_KEYRING_DATA)")
        if missing:
            raise ConfigError(
                "Cannot start in production: missing setting %(names)s. See .env.example.",
                names=", ".join(missing),
            )
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if not production and not (config["REGISTRY_KEYRING"] or config["REGISTRY_KEYRING_DATA"]):
        config["REGISTRY_KEYRING"] = str(Path(instance_path) / "keyring.json")
    return config


def _instance_secret(instance_path: str) -> str:
    """Read, or create on first start, the development secret key kept in instance/."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
