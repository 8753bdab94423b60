"""Cookies, idle timeout, log-in throttling per account and per address, security headers."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import argon2
import pytest
from flask import Flask, request
from flask_babel import gettext
from sqlalchemy import select

from registry import create_app
from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth import passwords
from registry.auth.models import User
from registry.auth.services import AddressThrottledError, AuthenticationError
from registry.auth.tokens import create_token
from registry.config import load_config
from registry.extensions import db
from registry.web import sessions
from tests.conftest import PASSWORD, TODAY
from tests.security.matrix import CHEAP_HASH

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def form_error(response) -> str:
    match = re.search(r'data-testid="form-error">([^<]*)<', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:500]
    return match.group(1)


def translated(app: Flask, message: str, **params) -> str:
    """``message`` as a Vietnamese page shows it (the catalog's text, or the msgid until
    the translation is merged)."""
    with app.test_request_context():
        return gettext(message, **params)


# --- cookies ------------------------------------------------------------------------------


def test_session_cookies_are_secure_unless_switched_off_for_local_http(tmp_path, monkeypatch):
    monkeypatch.delenv("REGISTRY_SESSION_COOKIE_SECURE", raising=False)
    for env, secure in (("production", True), ("development", True), ("testing", False)):
        monkeypatch.setenv("REGISTRY_ENV", env)
        monkeypatch.setenv("REGISTRY_SECRET_KEY", "s" * 64)
        monkeypatch.setenv("REGISTRY_KEYRING", str(tmp_path / "k.json"))
        config = load_config(str(tmp_path))
        assert config["SESSION_COOKIE_SECURE"] is secure, env
        assert config["REMEMBER_COOKIE_SECURE"] is secure, env
        assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("REGISTRY_ENV", "development")
    monkeypatch.setenv("REGISTRY_SESSION_COOKIE_SECURE", "0")  # scripts/run, on plain http
    assert load_config(str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_the_login_response_sets_a_secure_httponly_samesite_cookie(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("registry_")]
    assert cookies, response.headers
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= flags, cookie
        assert "SameSite=Lax" in cookie


# --- idle timeout and session length ------------------------------------------------------


def test_the_idle_timeout_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_ENV", "testing")
    monkeypatch.delenv("REGISTRY_IDLE_MINUTES", raising=False)
    assert load_config(str(tmp_path))["REGISTRY_IDLE_TIMEOUT"].total_seconds() == 30 * 60
    monkeypatch.setenv("REGISTRY_IDLE_MINUTES", "5")
    assert load_config(str(tmp_path))["REGISTRY_IDLE_TIMEOUT"].total_seconds() == 5 * 60


def age(client, **seconds_ago: int) -> None:
    """Move the session's recorded times into the past."""
    with client.session_transaction() as kept:
        for key, ago in seconds_ago.items():
            kept[key] = int(time.time()) - ago


def test_a_session_idle_for_longer_than_the_limit_is_logged_out_with_a_message(app, client, login):
    login("commune_a")
    age(client, seen_at=29 * 60)
    assert client.get("/households/").status_code == 200  # within the limit: still in
    age(client, seen_at=31 * 60)
    response = client.get("/households/?q=hoa")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/households/?q%3Dhoa"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert translated(app, sessions.IDLE, minutes=30) in page
    assert client.get("/").status_code == 302  # the session is gone, not only this page
    reasons = [
        e.details.get("reason")
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGOUT)
        )
    ]
    assert reasons == ["idle"]


def test_each_request_restarts_the_idle_count(client, login):
    login("commune_a")
    age(client, seen_at=20 * 60)
    assert client.get("/").status_code == 200
    with client.session_transaction() as kept:
        assert time.time() - kept["seen_at"] < 60


def test_a_session_ends_hours_after_log_in_even_when_in_use(app, client, login):
    login("accountant")
    age(client, login_at=8 * 3600 + 60, seen_at=10)
    response = client.get("/payments/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert translated(app, sessions.TOO_LONG, hours=8) in page


# --- log-in throttling --------------------------------------------------------------------


def test_a_locked_account_and_an_unknown_one_get_the_same_answer(app, client):
    for _ in range(5):
        client.post("/login", data={"username": "leader", "password": "sai-mat-khau"})
    locked = client.post("/login", data={"username": "leader", "password": PASSWORD})
    for _ in range(6):
        unknown = client.post("/login", data={"username": "khong-co-ai", "password": PASSWORD})
    assert locked.status_code == unknown.status_code == 401
    assert form_error(locked) == form_error(unknown)
    assert form_error(locked) == translated(app, AuthenticationError.message)
    user = db.session.scalar(select(User).where(User.username == "leader"))
    assert user.locked_until is not None


def test_a_locked_account_logs_in_again_once_the_lockout_has_passed(client):
    for _ in range(5):
        client.post("/login", data={"username": "auditor", "password": "sai-mat-khau"})
    assert (
        client.post("/login", data={"username": "auditor", "password": PASSWORD}).status_code == 401
    )
    user = db.session.scalar(select(User).where(User.username == "auditor"))
    user.locked_until = user.locked_until.replace(year=2000)
    db.session.commit()
    assert (
        client.post("/login", data={"username": "auditor", "password": PASSWORD}).status_code == 302
    )


def test_every_refused_log_in_costs_one_hash_check_of_the_configured_cost(
    app, session, client, monkeypatch
):
    """Unknown, locked, disabled or wrong: each refusal checks one argon2 hash of the
    configured cost (argon2 reads the cost from the hash), so timing tells them apart no
    better than the message does."""
    checked: list[argon2.Parameters] = []
    # The hasher is process-wide and the last create_app configured it (another module's
    # app may use other costs): this test's app's cost, for this test only.
    real = argon2.PasswordHasher(**app.config["REGISTRY_PASSWORD_HASH"])

    class Recording:
        def __getattr__(self, name: str):
            return getattr(real, name)

        def verify(self, hashed: str, password: str) -> bool:
            checked.append(argon2.extract_parameters(hashed))
            return real.verify(hashed, password)

    monkeypatch.setattr(passwords, "_hasher", Recording())
    monkeypatch.setattr(passwords, "_decoy", None)
    leader = db.session.scalar(select(User).where(User.username == "leader"))
    leader.locked_until = datetime.now(UTC) + timedelta(minutes=5)
    db.session.scalar(select(User).where(User.username == "auditor")).is_active = False
    db.session.commit()
    cost = app.config["REGISTRY_PASSWORD_HASH"]
    for username, password in (
        ("khong-co-ai", PASSWORD),
        ("leader", PASSWORD),
        ("auditor", PASSWORD),
        ("labour", "sai-mat-khau"),
    ):
        checked.clear()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 401, username
        assert [(p.time_cost, p.memory_cost, p.parallelism) for p in checked] == [
            (cost["time_cost"], cost["memory_cost"], cost["parallelism"])
        ], username


def attempt(client, address: str, username: str, password: str):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_many_failures_from_one_address_refuse_it_whatever_the_account(app, client):
    limit = app.config["REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    guesser, office = "203.0.113.9", "198.51.100.4"
    for n in range(limit):
        # A different account each time: no account ever reaches its own limit.
        assert attempt(client, guesser, f"nguoi-{n}", "doan-mo").status_code == 401
    refused = attempt(client, guesser, "accountant", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 15 * 60
    assert form_error(refused) == translated(app, AddressThrottledError.message, minutes=15)
    # The account itself is not locked, and other addresses are not concerned.
    assert attempt(client, office, "accountant", PASSWORD).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "accountant"))
    assert user.locked_until is None and user.failed_logins == 0


def test_failures_from_other_addresses_do_not_count(app, client):
    limit = app.config["REGISTRY_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        attempt(client, f"192.0.2.{n}", f"nguoi-{n}", "doan-mo")
    assert attempt(client, "192.0.2.250", "labour", PASSWORD).status_code == 302


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(tmp_path):
    proxied = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "REGISTRY_KEYRING": str(tmp_path / "k.json"),
            "REGISTRY_PROXY_COUNT": 1,
            "REGISTRY_PASSWORD_HASH": CHEAP_HASH,
        }
    )
    proxied.add_url_rule("/whoami", "whoami", lambda: request.remote_addr or "")
    answer = proxied.test_client().get(
        "/whoami",
        headers={"X-Forwarded-For": "203.0.113.50"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert answer.get_data(as_text=True) == "203.0.113.50"


# --- security headers ---------------------------------------------------------------------


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    policy = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    # HSTS only where the request came over HTTPS (scripts/run serves plain http locally).
    assert "Strict-Transport-Security" not in headers


def test_https_answers_ask_the_browser_to_stay_on_https(client):
    response = client.get("/login", base_url="https://registry.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_pages_error_pages_and_api_answers_carry_the_security_headers(
    app, session, client, login, monkeypatch, today
):
    assert_security_headers(client.get("/login"))
    login("commune_a")
    home = client.get("/")
    assert_security_headers(home)
    assert home.headers["Cache-Control"] == "no-store"
    missing = client.get(f"/people/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert_security_headers(missing)
    assert_security_headers(client.get("/no-such-page"))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(
        "registry.web.home.commune_summaries", lambda *a: (_ for _ in ()).throw(RuntimeError())
    )
    broken = client.get("/")
    assert broken.status_code == 500
    assert_security_headers(broken)
    assert translated(app, "An unexpected error occurred; it has been logged.") in (
        broken.get_data(as_text=True)
    )
    refused = client.get("/api/v1/people")
    assert refused.status_code == 401
    assert_security_headers(refused)
    user = db.session.scalar(select(User).where(User.username == "commune_a"))
    _, raw = create_token(user, name="t", expires_on=None, actor=user.as_actor(), today=TODAY)
    db.session.commit()
    answer = client.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    assert_security_headers(answer)
    assert answer.headers["Cache-Control"] == "no-store"


# --- templates: nothing the CSP would block or that runs inline ----------------------------

INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
}


def test_no_template_has_inline_script_handlers_or_styles():
    """The CSP forbids them (script-src and style-src 'self'): they would silently not run."""
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE.items()
        for m in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<a href="#" onclick="go()">',
        '<div style="color:red">',
        '<a href="javascript:void(0)">',
    ],
)
def test_the_template_scan_finds_what_it_looks_for(snippet):
    assert any(p.search(snippet) for p in INLINE.values())
