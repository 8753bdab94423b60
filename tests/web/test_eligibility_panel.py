"""The person page's panel "Quyền lợi tháng MM/YYYY": amounts, groups and reasons per month."""

from __future__ import annotations

from datetime import date

import pytest

from registry.extensions import db
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind
from tests import factories
from tests.entitlements.test_services import elder_without_supporter, poor_household

READERS = ["admin", "labour", "commune_a", "accountant", "auditor", "leader"]


@pytest.fixture()
def elder(session, actor, today):
    """A poor woman born 15/03/1942 with no supporter, in ward A; committed like a request."""
    officer = actor("commune_a")
    person = elder_without_supporter(officer, today, poor_household(officer, today))
    db.session.commit()
    return person


def panel(client, person, query: str = "") -> str:
    response = client.get(f"/people/{person.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", READERS)
def test_every_role_that_reads_the_person_sees_the_panel_with_the_amount(
    client, login, elder, role
):
    login(role)
    page = panel(client, elder, "?month=2024-08")
    assert "Quyền lợi tháng 08/2024" in page
    assert 'name="month" value="2024-08"' in page
    assert "1.000.000 đ" in page  # art. 5(5)(a) at 80+: 2.0 × 500.000 đ
    assert "sa.5.5a" in page and "<details" in page
    assert "Hộ gia đình là hộ nghèo trong tháng này." in page  # a reason, in Vietnamese


def test_an_officer_of_another_ward_sees_neither_the_person_nor_the_panel(client, login, elder):
    login("commune_b")
    assert client.get(f"/people/{elder.id}?month=2024-08").status_code == 404


def test_without_a_month_the_panel_shows_the_current_month(client, login, elder):
    login("commune_a")
    page = panel(client, elder)
    assert "Quyền lợi tháng 11/2026" in page  # the tests' office day is 29/11/2026
    assert 'value="2026-11"' in page
    assert "1.080.000 đ" in page  # 2.0 × 540.000 đ from July 2026


def test_a_provisional_amount_carries_the_provisional_badge(client, login, elder):
    login("commune_a")
    assert "tạm tính" in panel(client, elder, "?month=2026-11")
    assert "tạm tính" not in panel(client, elder, "?month=2024-08")


@pytest.mark.parametrize("month", ["2024-13", "abc", "2024-8", "0000-01", "9999-12"])
def test_a_malformed_month_shows_a_message_and_the_current_month(client, login, elder, month):
    login("commune_a")
    page = panel(client, elder, f"?month={month}")
    assert "không phải là một tháng" in page
    assert "Quyền lợi tháng 11/2026" in page


def test_a_death_before_the_month_is_explained(client, login, elder, actor, today):
    from registry.people.services import record_death

    record_death(elder, died_on=date(2024, 6, 3), actor=actor("commune_a"), today=today)
    db.session.commit()
    login("commune_a")
    page = panel(client, elder, "?month=2024-08")
    assert "06/2024" in page and "1.000.000 đ" not in page


def test_roles_without_sensitive_access_see_no_hiv_amount(client, login, actor, today, elder):
    officer = actor("commune_a")
    person = factories.person(
        actor=officer,
        today=today,
        household=elder.household,
        full_name="Mai Văn Hùng",
        birth_date=date(1984, 1, 1),
    )
    add_circumstance(
        person, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    db.session.commit()
    login("commune_a")
    assert "750.000 đ" in panel(client, person, "?month=2024-08")  # art. 5(8): 1.5 × 500.000 đ
    client.post("/logout")
    login("auditor")
    page = panel(client, person, "?month=2024-08")
    assert "750.000 đ" not in page and "HIV" not in page
    assert "không được xem" in page  # the note that some circumstances are left out
