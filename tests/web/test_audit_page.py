"""The audit trail page: filters, scope, and labels in Vietnamese."""

from __future__ import annotations

from registry.extensions import db
from tests import factories
from tests.conftest import WARD_B


def test_the_audit_trail_lists_events_newest_first_with_vietnamese_labels(client, login, world):
    login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Nhật ký thao tác" in page
    assert page.index("Ghi kết quả rà soát hộ nghèo") < page.index("Đăng ký hộ gia đình")
    assert "people:person:create" not in page.split("<tbody>")[1]  # a label, not the code


def test_the_audit_trail_filters_by_action_actor_and_dates(client, login, world):
    login("admin")
    by_action = client.get("/audit/?action=households:household:create").get_data(as_text=True)
    assert (
        "Đăng ký hộ gia đình" in by_action
        and "Đăng ký nhân khẩu" not in by_action.split("<tbody>")[1]
    )
    # ">0 thao tác": "10 thao tác" must not pass for none. The until date is not today's: in
    # Vietnam (UTC+7) the events may already be dated tomorrow.
    assert ">0 thao tác" in client.get("/audit/?actor=nobody").get_data(as_text=True)
    assert ">0 thao tác" in client.get("/audit/?since=01/01/2027").get_data(as_text=True)
    assert ">0 thao tác" not in client.get("/audit/?actor=COMMUNE_A&until=31/12/2030").get_data(
        as_text=True
    )
    assert client.get("/audit/?since=31/02/2026").status_code == 422


def test_audit_scope_follows_the_readers_area(client, login, world, actor, today):
    factories.household(WARD_B, actor=actor("commune_b"), today=today, code="PX-AUDIT")
    db.session.commit()
    login("auditor")
    assert "PX-AUDIT" in client.get("/audit/?action=households:household:create").get_data(
        as_text=True
    )


def test_the_audit_trail_never_shows_an_identifier(client, login, world):
    login("commune_a")
    client.post(f"/people/{world.wife_id}/reveal")
    client.post("/logout")
    login("admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Xem số định danh" in page and "hiện đầy đủ số" in page
    assert world.wife_cccd not in page and "********" not in page
