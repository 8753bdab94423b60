"""Personal API tokens: created, used, revoked; stored hashed; a session cookie is not enough."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth.models import User
from registry.auth.tokens import TOKEN_PREFIX, ApiToken, create_token, revoke_token
from registry.errors import ValidationError
from registry.extensions import db


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_token_works_until_it_is_revoked_then_gets_401(client, session, today):
    user = db.session.query(User).filter_by(username="labour").one()
    token, raw = create_token(
        user, name="report script", expires_on=None, actor=user.as_actor(), today=today
    )
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}

    assert client.get("/api/v1/households", headers=headers).status_code == 200
    assert token.last_used_at is not None

    revoke_token(token, actor=user.as_actor(), now=datetime.now(UTC))
    db.session.commit()
    response = client.get("/api/v1/households", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    assert [e.details["token_name"] for e in _events(AuditAction.TOKEN_CREATE)] == ["report script"]
    assert len(_events(AuditAction.TOKEN_REVOKE)) == 1


def test_only_the_sha256_of_the_token_is_stored(session, today):
    user = db.session.query(User).filter_by(username="auditor").one()
    _, raw = create_token(user, name="x", expires_on=None, actor=user.as_actor(), today=today)
    db.session.commit()
    assert raw.startswith(TOKEN_PREFIX) and len(raw) > 40
    row = db.session.execute(select(ApiToken.__table__)).one()._asdict()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert not any(isinstance(v, str) and raw in v for v in row.values())
    assert row["hint"] == raw[:10]


def test_an_expired_token_gets_401(client, session, today):
    user = db.session.query(User).filter_by(username="labour").one()
    token, raw = create_token(
        user, name="short", expires_on=today, actor=user.as_actor(), today=today
    )
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/households", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_a_past_expiry_date_is_refused(session, today):
    user = db.session.query(User).filter_by(username="labour").one()
    with pytest.raises(ValidationError):
        create_token(
            user, name="x", expires_on=today - timedelta(days=1), actor=user.as_actor(), today=today
        )


def test_missing_or_malformed_authorization_gets_401(client, session):
    for headers in ({}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer rgt_nope"}):
        response = client.get("/api/v1/people", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["code"] == "unauthenticated"


def test_a_logged_in_session_cookie_alone_gets_401(client, login):
    login("admin")
    assert client.get("/").status_code == 200  # the cookie works for the web pages
    assert client.get("/api/v1/households").status_code == 401
    assert client.post("/api/v1/people/search-by-cccd", json={"cccd": "1"}).status_code == 401


def test_the_api_needs_no_csrf_token_even_when_csrf_is_on(app, client, bearer):
    headers = bearer("labour")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            "/api/v1/people/search-by-cccd", json={"cccd": "046090123456"}, headers=headers
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 404  # looked up, not refused as a forged form


def test_the_token_page_shows_a_new_token_once_and_revokes_it(client, login, session):
    login("commune_a")
    page = client.get("/account/tokens")
    assert page.status_code == 200
    created = client.post("/account/tokens", data={"name": "Báo cáo tháng", "expires_on": ""})
    html = created.get_data(as_text=True)
    assert created.status_code == 200
    token = db.session.scalars(select(ApiToken)).one()
    raw = html.split('data-testid="raw-token">')[1].split("<")[0]
    assert raw.startswith(TOKEN_PREFIX)
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert raw not in client.get("/account/tokens").get_data(as_text=True)

    revoked = client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert token.revoked_at is not None
    again = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert again.status_code == 200  # already revoked: told so, nothing changes
    assert len(_events(AuditAction.TOKEN_REVOKE)) == 1


def test_the_token_page_refuses_an_empty_name(client, login, session):
    login("commune_a")
    response = client.post("/account/tokens", data={"name": " "})
    assert response.status_code == 422
    assert db.session.scalars(select(ApiToken)).first() is None


def test_another_users_token_cannot_be_revoked_from_the_page(client, login, session, today):
    owner = db.session.query(User).filter_by(username="commune_b").one()
    token, _ = create_token(owner, name="b", expires_on=None, actor=owner.as_actor(), today=today)
    db.session.commit()
    login("commune_a")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None


def test_the_cli_creates_lists_and_revokes_a_token(app, session):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["users", "token", "create", "accountant", "--name", "bank", "--expires", "2030-01-31"]
    )
    assert created.exit_code == 0, created.output
    raw = created.output.strip().splitlines()[-1]
    token = db.session.scalars(select(ApiToken)).one()
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert token.expires_at is not None and token.expires_at.date() == date(2030, 1, 31)

    listed = runner.invoke(args=["users", "token", "list", "accountant"])
    assert token.hint in listed.output and raw not in listed.output

    revoked = runner.invoke(args=["users", "token", "revoke", "accountant", str(token.id)])
    assert revoked.exit_code == 0, revoked.output
    assert token.revoked_at is not None
    wrong = runner.invoke(args=["users", "token", "revoke", "auditor", str(token.id)])
    assert wrong.exit_code != 0
