"""The person page shows the CCCD masked and audited; reveal is audited and role-bound; search."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from tests import factories
from tests.conftest import WARD_A


def decryptions(person_id: str, purpose: str) -> int:
    rows = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.CCCD_DECRYPT, AuditEvent.subject_id == person_id
        )
    )
    return sum(1 for e in rows if e.details.get("purpose") == purpose)


@pytest.mark.parametrize(
    "role", ["admin", "labour", "commune_a", "accountant", "auditor", "leader"]
)
def test_the_person_page_shows_the_cccd_masked_and_audits_the_read(client, login, world, role):
    login(role)
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert world.wife_cccd not in page
    assert "********" + world.wife_cccd[-4:] in page
    assert decryptions(world.wife_id, "display_masked") == 1


@pytest.mark.parametrize("role", ["admin", "labour", "commune_a"])
def test_reveal_shows_the_full_number_once_to_allowed_roles_and_is_audited(
    client, login, world, role
):
    login(role)
    revealed = client.post(f"/people/{world.wife_id}/reveal")
    assert revealed.status_code == 200
    assert world.wife_cccd in revealed.get_data(as_text=True)
    assert decryptions(world.wife_id, "display_full") == 1
    again = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert world.wife_cccd not in again  # not kept in the session or a flash message


@pytest.mark.parametrize("role", ["accountant", "auditor", "leader"])
def test_reveal_is_refused_to_read_only_roles(client, login, world, role):
    login(role)
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert "/reveal" not in page
    response = client.post(f"/people/{world.wife_id}/reveal")
    assert response.status_code == 403
    assert world.wife_cccd not in response.get_data(as_text=True)
    assert decryptions(world.wife_id, "display_full") == 0


def test_lists_never_decrypt(client, login, world):
    login("commune_a")
    before = db.session.query(AuditEvent).count()
    client.get("/people/?q=hoa")
    client.get("/households/")
    client.get(f"/households/{world.household_id}")
    assert db.session.query(AuditEvent).count() == before


def test_search_finds_a_name_typed_without_accents(client, login, world):
    login("commune_a")
    page = client.get("/people/?q=nguyen van duc").get_data(as_text=True)
    assert "Nguyễn Văn Đức" in page and "Trần Thị Hoa" not in page
    assert f'/people/{world.head_id}"' in page
    assert "Tìm thấy 1 người" in page


def test_a_search_with_more_matches_than_counted_says_so(
    client, login, world, monkeypatch, actor, today
):
    from registry.households.models import Household
    from registry.people import queries

    factories.person(
        actor=actor("commune_a"),
        today=today,
        household=db.session.get(Household, uuid.UUID(str(world.household_id))),
        full_name="Nguyễn Thị Ngọc",
        birth_date=date(2001, 5, 6),
    )
    db.session.commit()
    monkeypatch.setattr(queries, "COUNT_AT_MOST", 1)
    login("labour")
    page = client.get("/people/?q=nguyen").get_data(as_text=True)
    assert "Hơn 1 người khớp: gõ thêm tên để thu hẹp kết quả." in page


def test_search_in_another_commune_finds_nothing(client, login, world):
    login("commune_b")
    assert "Tìm thấy 0 người" in client.get("/people/?q=nguyen van duc").get_data(as_text=True)


def test_a_cccd_in_the_search_box_goes_straight_to_the_person_and_is_audited(client, login, world):
    login("commune_a")
    typed = f"{world.wife_cccd[:3]} {world.wife_cccd[3:6]} {world.wife_cccd[6:]}"
    response = client.get("/people/", query_string={"q": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/people/{world.wife_id}"
    lookups = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.CCCD_LOOKUP)
    ).all()
    assert [e.details["found"] for e in lookups] == [True]


def test_an_unknown_or_foreign_cccd_is_reported_not_found(client, login, world):
    login("commune_b")
    response = client.get("/people/", query_string={"q": world.wife_cccd})
    assert response.status_code == 200
    assert "Không có người nào mang số CCCD này" in response.get_data(as_text=True)


def test_a_malformed_cccd_in_the_search_box_is_explained(client, login, world):
    login("commune_a")
    response = client.get("/people/", query_string={"q": "999190012345"})
    assert response.status_code == 422
    assert "không phải là mã tỉnh hợp lệ" in response.get_data(as_text=True)


def test_an_empty_search_shows_only_the_form(client, login, world):
    login("commune_a")
    page = client.get("/people/").get_data(as_text=True)
    assert 'name="q"' in page and "Tìm thấy" not in page


def test_people_are_paginated_by_fifty(client, login, actor, today):
    officer = actor("commune_a")
    household = factories.household(WARD_A, actor=officer, today=today)
    for n in range(51):
        factories.person(
            actor=officer,
            today=today,
            household=household,
            full_name=f"Phạm Văn Số{n:02d}",
            with_cccd=False,
        )
    db.session.commit()
    login("commune_a")
    first = client.get("/people/?q=pham").get_data(as_text=True)
    assert (
        "Tìm thấy 51 người" in first and "Trang 1/2" in first and first.count("Phạm Văn Số") == 50
    )
    second = client.get("/people/?q=pham&page=2").get_data(as_text=True)
    assert second.count("Phạm Văn Số") == 1


def test_the_household_list_searches_and_filters(client, login, world):
    login("commune_a")
    assert "Tìm thấy 1 hộ" in client.get("/households/?q=hoa").get_data(as_text=True)
    assert "Tìm thấy 1 hộ" in client.get("/households/?poverty=near_poor").get_data(as_text=True)
    assert "Tìm thấy 0 hộ" in client.get("/households/?poverty=poor").get_data(as_text=True)
    assert client.get("/households/?commune=abc&poverty=nonsense&page=-3").status_code == 200
