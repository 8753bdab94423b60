"""The API's resources: read inside the actor's area only, sensitive data hidden like the web."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.households.models import HouseholdPovertyStatus
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, Sex
from tests import factories
from tests.conftest import WARD_A, WARD_B


@pytest.fixture()
def family(session, actor, today):
    """A household of ward A with a head (with a CCCD), a study record and a hidden HIV record."""
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=today, address="Tổ 3 Phan Bội Châu")
    number = factories.cccd(Sex.MALE, 1975)
    head = factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Nguyễn Văn Đức",
        birth_date=date(1975, 3, 2),
        cccd_number=number,
    )
    add_circumstance(
        head,
        kind=CircumstanceKind.STUDYING,
        started_on=date(2025, 9, 5),
        actor=officer,
        today=today,
    )
    add_circumstance(
        head, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    db.session.commit()
    return home, head, number


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_another_communes_household_and_person_are_not_found(client, bearer, family):
    home, head, _ = family
    other = bearer("commune_b")
    for path in (
        f"/api/v1/households/{home.id}",
        f"/api/v1/people/{head.id}",
        f"/api/v1/people/{head.id}/circumstances",
        f"/api/v1/people/{head.id}/eligibility?month=2026-11",
    ):
        response = client.get(path, headers=other)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
    listed = client.get("/api/v1/households", headers=other).get_json()
    assert listed == {"items": [], "next": None}
    own = client.get(f"/api/v1/households/{home.id}", headers=bearer("commune_a"))
    assert own.status_code == 200
    body = own.get_json()
    assert body["code"] == home.code and body["commune"]["code"] == WARD_A
    assert [m["full_name"] for m in body["members"]] == ["Nguyễn Văn Đức"]


def test_households_filter_by_commune_and_poverty(client, bearer, session, actor, today):
    factories.poor_elder(actor=actor("commune_a"), today=today, commune_code=WARD_A)
    factories.household(WARD_B, actor=actor("commune_b"), today=today)
    db.session.commit()
    headers = bearer("labour")
    everyone = client.get("/api/v1/households", headers=headers).get_json()["items"]
    assert {h["commune"]["code"] for h in everyone} == {WARD_A, WARD_B}
    ward_b = client.get(f"/api/v1/households?commune={WARD_B}", headers=headers).get_json()
    assert [h["commune"]["code"] for h in ward_b["items"]] == [WARD_B]
    poor = client.get("/api/v1/households?poverty=poor", headers=headers).get_json()["items"]
    assert len(poor) == 1 and poor[0]["poverty_now"]["status"] == "poor"


def test_circumstances_hide_hiv_from_auditors_but_not_from_the_commune(client, bearer, family):
    _, head, _ = family
    path = f"/api/v1/people/{head.id}/circumstances"
    officer = client.get(path, headers=bearer("commune_a")).get_json()
    assert {c["kind"] for c in officer["items"]} == {"studying", "hiv"}
    assert officer["sensitive_left_out"] is False
    auditor = client.get(path, headers=bearer("auditor")).get_json()
    assert {c["kind"] for c in auditor["items"]} == {"studying"}
    assert auditor["sensitive_left_out"] is True


def test_person_shows_the_cccd_masked_and_audits_the_decryption(client, bearer, family):
    _, head, number = family
    body = client.get(f"/api/v1/people/{head.id}", headers=bearer("auditor")).get_json()
    assert body["cccd_masked"] == "********" + number[-4:]
    assert number not in str(body)
    assert [e.details["purpose"] for e in _events(AuditAction.CCCD_DECRYPT)] == ["display_masked"]


def test_search_by_cccd_finds_the_person_audits_it_and_never_logs_the_number(
    app, client, bearer, family, caplog
):
    _, head, number = family
    headers = bearer("commune_a")
    caplog.set_level(logging.DEBUG)
    found = client.post("/api/v1/people/search-by-cccd", json={"cccd": number}, headers=headers)
    assert found.status_code == 200 and found.get_json()["id"] == str(head.id)
    missing = factories.cccd(Sex.FEMALE, 1990)
    absent = client.post("/api/v1/people/search-by-cccd", json={"cccd": missing}, headers=headers)
    assert absent.status_code == 404
    other = client.post(
        "/api/v1/people/search-by-cccd", json={"cccd": number}, headers=bearer("commune_b")
    )
    assert other.status_code == 404  # another commune's person is not found
    wrong = "999" + number[3:]
    invalid = client.post("/api/v1/people/search-by-cccd", json={"cccd": wrong}, headers=headers)
    assert invalid.status_code == 422
    assert [e.details["found"] for e in _events(AuditAction.CCCD_LOOKUP)] == [True, False, False]
    for response in (found, absent, other, invalid):
        assert number not in response.get_data(as_text=True)
    assert wrong[:3] not in invalid.get_data(as_text=True)
    assert missing not in absent.get_data(as_text=True)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert number not in logged and missing not in logged and wrong not in logged


def test_search_by_cccd_is_a_post_only(client, bearer, family):
    _, _, number = family
    response = client.get(f"/api/v1/people/search-by-cccd?cccd={number}", headers=bearer("admin"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert response.mimetype == "application/problem+json"
    assert number not in response.get_data(as_text=True)


def test_people_search_by_name_without_accents(client, bearer, family):
    _, head, _ = family
    body = client.get("/api/v1/people?q=nguyen duc", headers=bearer("labour")).get_json()
    assert [p["id"] for p in body["items"]] == [str(head.id)]
    assert "cccd_masked" not in body["items"][0]
    assert client.get("/api/v1/people?q=hoa", headers=bearer("labour")).get_json()["items"] == []


def test_eligibility_explains_the_month_with_amounts_and_references(
    client, bearer, session, actor, today
):
    elder = factories.poor_elder(actor=actor("commune_a"), today=today, commune_code=WARD_A)
    db.session.commit()
    response = client.get(
        f"/api/v1/people/{elder.id}/eligibility?month=2026-11", headers=bearer("labour")
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["month"] == "2026-11" and body["total"] > 0
    paid = [c for c in body["considerations"] if c["paid"]]
    assert [c["group"] for c in paid] == ["sa.5.5a"]
    assert paid[0]["amount"] == body["amounts"]["social_assistance"]
    assert paid[0]["reference"] and paid[0]["label_vi"] and paid[0]["label_en"]
    assert all(r["message_vi"] and r["message_en"] for r in paid[0]["reasons"])
    bad = client.get(
        f"/api/v1/people/{elder.id}/eligibility?month=2026-13", headers=bearer("labour")
    )
    assert bad.status_code == 422


def test_decisions_and_payment_runs_are_read_with_their_lines(client, bearer, paid_run):
    decisions = client.get("/api/v1/decisions?status=approved", headers=bearer("labour")).get_json()
    assert [d["group_code"] for d in decisions["items"]] == ["sa.5.5a"]
    decision_id = decisions["items"][0]["id"]
    assert (
        client.get(f"/api/v1/decisions/{decision_id}", headers=bearer("labour")).status_code == 200
    )
    assert client.get("/api/v1/decisions?group=sa.5.1", headers=bearer("labour")).get_json() == {
        "items": [],
        "next": None,
    }
    assert (
        client.get(f"/api/v1/decisions/{decision_id}", headers=bearer("commune_b")).status_code
        == 404
    )

    accountant = bearer("accountant")
    runs = client.get("/api/v1/payment-runs?month=2026-11", headers=accountant).get_json()["items"]
    assert [r["id"] for r in runs] == [str(paid_run.id)]
    run = client.get(f"/api/v1/payment-runs/{paid_run.id}", headers=accountant).get_json()
    lines = client.get(f"/api/v1/payment-runs/{paid_run.id}/lines", headers=accountant).get_json()
    assert run["line_count"] == len(lines["items"]) >= 1
    assert run["total"] == sum(line["amount"] for line in lines["items"])
    assert lines["items"][0]["person_name"] == "Lê Thị Cúc"


def test_a_role_without_payment_rights_gets_403(client, bearer, paid_run):
    response = client.get("/api/v1/payment-runs", headers=bearer("commune_a"))
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_a_poverty_review_is_recorded_audited_and_committed(client, bearer, family):
    home, _, _ = family
    response = client.post(
        f"/api/v1/households/{home.id}/poverty-statuses",
        json={"review_year": 2025, "status": "near_poor", "area": "urban", "income_per_head": 0},
        headers=bearer("commune_a"),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["valid_from"] == "2026-01-01"
    assert db.session.scalars(select(HouseholdPovertyStatus)).one().review_year == 2025
    assert len(_events(AuditAction.POVERTY_SET)) == 1
    auditor = client.post(
        f"/api/v1/households/{home.id}/poverty-statuses",
        json={"review_year": 2025, "status": "poor", "area": "urban"},
        headers=bearer("auditor"),
    )
    assert auditor.status_code == 403
