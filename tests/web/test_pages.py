"""Every page for every role: who gets 200, who 403 (role), who 404 (another commune)."""

from __future__ import annotations

import pytest

ROLES = ("admin", "labour", "commune_a", "commune_b", "accountant", "auditor", "leader")

#: (path template, kind): "read" pages any reader sees, "write" forms needing a write
#: permission, "audit" the audit trail; "*_a" pages are about records in ward A.
PAGES = [
    ("/", "read"),
    ("/households/", "read"),
    ("/households/?q=duc&poverty=near_poor&page=1", "read"),
    ("/households/new", "write"),
    ("/households/{h}", "read_a"),
    ("/households/{h}/members/new", "write_a"),
    ("/households/{h}/births/new", "write_a"),
    ("/households/{h}/edit", "write_a"),
    ("/households/{h}/poverty/new", "write_a"),
    ("/people/", "read"),
    ("/people/?q=nguyen", "read"),
    ("/people/{p}", "read_a"),
    ("/people/{p}/edit", "write_a"),
    ("/people/{p}/death", "write_a"),
    ("/people/{p}/move", "write_a"),
    ("/people/{p}/depart", "write_a"),
    ("/people/{p}/disability", "write_a"),
    ("/people/{p}/pension", "write_a"),
    ("/people/{p}/circumstances/new", "write_a"),
    ("/people/{p}/merit/new", "write_a"),
    ("/audit/", "audit"),
    ("/audit/?action=people:person:create&since=01/11/2026&until=30/11/2026", "audit"),
]

WRITERS = {"admin", "labour", "commune_a", "commune_b"}


def expected_status(role: str, kind: str) -> int:
    if kind == "audit":
        return 200 if role in {"admin", "auditor", "leader"} else 403
    if kind.startswith("write") and role not in WRITERS:
        return 403
    if kind.endswith("_a") and role == "commune_b":
        return 404
    return 200


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(client, login, world, role):
    login(role)
    wrong = {}
    for template, kind in PAGES:
        path = template.format(h=world.household_id, p=world.wife_id)
        status = client.get(path).status_code
        if status != expected_status(role, kind):
            wrong[path] = (status, expected_status(role, kind))
    assert wrong == {}


def test_the_matrix_itself_has_each_outcome():
    outcomes = {expected_status(r, k) for r in ROLES for _, k in PAGES}
    assert outcomes == {200, 403, 404}


@pytest.mark.parametrize("template", [t for t, _ in PAGES])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, template):
    path = template.format(h=world.household_id, p=world.wife_id)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_page_is_public(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="password"' in response.get_data(as_text=True)


CHANGE_LINKS = {
    "person": (
        "/edit",
        "/death",
        "/move",
        "/depart",
        "/disability",
        "/pension",
        "/circumstances/new",
        "/merit/new",
        "/reveal",
        '/end"',
    ),
    "household": ("/members/new", "/births/new", "/edit", "/poverty/new", '/head"'),
}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("commune_a", True),
        ("labour", True),
        ("accountant", False),
        ("auditor", False),
        ("leader", False),
    ],
)
def test_change_buttons_are_shown_only_to_roles_that_may_change(client, login, world, role, shown):
    login(role)
    pages = {
        "person": client.get(f"/people/{world.wife_id}").get_data(as_text=True),
        "household": client.get(f"/households/{world.household_id}").get_data(as_text=True),
    }
    for name, links in CHANGE_LINKS.items():
        assert {link: link in pages[name] for link in links} == dict.fromkeys(links, shown)


def test_the_header_names_the_officer_role_and_area(client, login):
    login("accountant")
    header = client.get("/").get_data(as_text=True).split("</header>")[0]
    assert "Kế toán" in header and "Thành phố Huế" in header
    assert "Nhật ký thao tác" not in header
    client.post("/logout")
    login("auditor")
    assert "Nhật ký thao tác" in client.get("/").get_data(as_text=True).split("</header>")[0]


@pytest.mark.parametrize(
    ("role", "status"),
    [("accountant", 403), ("auditor", 403), ("leader", 403), ("commune_b", 404)],
)
def test_post_only_actions_refuse_roles_and_other_communes(client, login, world, role, status):
    login(role)
    for path, data in [
        (f"/people/{world.wife_id}/reveal", {}),
        (
            f"/people/{world.wife_id}/circumstances/{world.circumstance_id}/end",
            {"ended_on": "01/11/2026"},
        ),
        (f"/households/{world.household_id}/head", {"person_id": world.wife_id}),
    ]:
        assert client.post(path, data=data).status_code == status, path


def test_unknown_or_malformed_ids_answer_404(client, login, world):
    login("admin")
    assert client.get("/people/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/people/not-a-uuid").status_code == 404
    assert client.get("/households/00000000-0000-0000-0000-000000000000").status_code == 404
    assert (
        client.post(
            f"/people/{world.wife_id}/circumstances/999999/end", data={"ended_on": "01/11/2026"}
        ).status_code
        == 404
    )


def test_hiv_record_is_hidden_from_roles_without_sensitive_access(client, login, world):
    login("auditor")
    assert "HIV" not in client.get(f"/people/{world.head_id}").get_data(as_text=True)
    client.post("/logout")
    login("commune_a")
    assert "HIV" in client.get(f"/people/{world.head_id}").get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_the_limit(app, client, login) -> None:
    login("accountant")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    try:
        response = client.post(
            "/payments/build",
            data=b"x" * (3 * 1024 * 1024),
            content_type="application/octet-stream",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "2 MB" in response.get_data(as_text=True)


def test_a_page_refused_by_a_busy_sqlite_database_says_so(client, login, monkeypatch):
    """SQLite writes one change at a time: a page whose write is refused ("database is
    locked") gets a 503 that says to try again, not a server error."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import registry.households.views as views

    def locked(actor):
        raise OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))

    login("labour")
    monkeypatch.setattr(views, "communes_covered", locked)
    response = client.get("/households/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "bận" in response.get_data(as_text=True)
