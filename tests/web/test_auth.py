"""Log-in, lockout, log-out, CSRF and the language switch."""

from __future__ import annotations

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.auth.models import User
from registry.extensions import db
from registry.households.models import Household
from tests.conftest import PASSWORD


def audit_count(action: AuditAction, username: str | None = None) -> int:
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if username:
        stmt = stmt.where(AuditEvent.actor_name == username)
    return len(db.session.scalars(stmt).all())


def test_a_successful_login_redirects_home_and_is_audited(client):
    response = client.post("/login", data={"username": "commune_a", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert audit_count(AuditAction.LOGIN, "commune_a") == 1
    page = client.get("/").get_data(as_text=True)
    assert "Xin chào, Commune_A" in page and "Phường Thuận Hóa" in page


def test_a_wrong_password_gives_the_generic_message_with_401(client):
    response = client.post("/login", data={"username": "commune_a", "password": "sai-mat-khau"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401
    assert unknown.get_data(as_text=True).count("Sai tên đăng nhập") == 1


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    for _ in range(5):
        assert (
            client.post("/login", data={"username": "labour", "password": "wrong"}).status_code
            == 401
        )
    assert (
        client.post("/login", data={"username": "labour", "password": PASSWORD}).status_code == 401
    )
    assert db.session.scalar(select(User).where(User.username == "labour")).locked_until is not None
    assert audit_count(AuditAction.LOGIN_FAILED, "labour") == 6
    assert audit_count(AuditAction.ACCOUNT_LOCKED, "labour") == 1
    assert audit_count(AuditAction.LOGIN, "labour") == 0


def test_next_is_followed_only_to_a_path_on_this_site(client):
    inside = client.post(
        "/login?next=/people/%3Fq%3Dhoa", data={"username": "admin", "password": PASSWORD}
    )
    assert inside.headers["Location"] == "/people/?q=hoa"
    client.post("/logout")
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = client.post(
            "/login", data={"username": "admin", "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_the_login_form_carries_next_from_the_redirect(client):
    redirect = client.get("/households/")
    assert redirect.headers["Location"] == "/login?next=%2Fhouseholds%2F"
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/households/"' in page


def test_logout_is_a_post_and_is_audited(client, login):
    login("accountant")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert audit_count(AuditAction.LOGOUT, "accountant") == 1
    assert client.get("/").status_code == 302


def test_pages_are_vietnamese_by_default_and_english_on_request(client, login):
    login("commune_a")
    page = client.get("/households/").get_data(as_text=True)
    assert "Hộ gia đình" in page and 'lang="vi"' in page and "Tìm người" in page
    response = client.post("/locale", data={"locale": "en", "next": "/households/"})
    assert response.headers["Location"] == "/households/"
    english = client.get("/households/").get_data(as_text=True)
    assert "Households" in english and "Find a person" in english and "Hộ gia đình" not in english
    client.post("/locale", data={"locale": "vi"})
    assert "Hộ gia đình" in client.get("/households/").get_data(as_text=True)


def test_the_login_page_can_switch_language_before_logging_in(client):
    client.post("/locale", data={"locale": "en", "next": "/login"})
    assert "Password" in client.get("/login").get_data(as_text=True)
    client.post("/locale", data={"locale": "xx"})  # ignored
    assert "Password" in client.get("/login").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused_and_with_it_works(app, client, login, rows):
    login("commune_a")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form = {
            "commune_id": "",
            "address": "Tổ 1",
            "full_name": "Võ Văn Ba",
            "sex": "male",
            "birth_year": "1970",
        }
        page = client.get("/households/new").get_data(as_text=True)
        form["commune_id"] = page.split('<option value="', 2)[2].split('"')[0]
        before = rows(Household)
        refused = client.post("/households/new", data=form)
        assert refused.status_code == 302 and rows(Household) == before
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        accepted = client.post("/households/new", data={**form, "csrf_token": token})
        assert accepted.status_code == 302 and rows(Household) == before + 1
        assert client.post("/logout").status_code == 302
        assert client.get("/").status_code == 200  # still logged in: the log-out had no token
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_an_expired_form_never_sends_the_officer_to_another_site(app, client, login):
    login("commune_a")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/logout", headers={"Referer": "https://evil.example/phish"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
