"""Each form posts its change with an audit event; a rejected form changes nothing and says why."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.people.models import (
    Circumstance,
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    MeritRecord,
    Person,
    Relation,
    Sex,
)
from tests import factories
from tests.conftest import WARD_A, WARD_B


def events(action: AuditAction, subject_id: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(stmt))


def ward_a_id() -> int:
    return factories.unit(WARD_A).id


def head_form(**overrides) -> dict:
    form = {
        "commune_id": str(ward_a_id()),
        "code": "",
        "address": "Tổ 5, Phường Thuận Hóa",
        "full_name": "Lê Văn Bình",
        "sex": "male",
        "birth_date": "12/04/1968",
        "birth_year": "",
        "cccd": factories.cccd(Sex.MALE, 1968),
        "cmnd": "",
        "cccd_override_reason": "",
    }
    form.update(overrides)
    return form


# --- households ------------------------------------------------------------------------


def test_registering_a_household_creates_it_with_its_head_in_one_go(client, login, rows):
    login("commune_a")
    before = rows(AuditEvent)
    response = client.post("/households/new", data=head_form(cmnd="123456789"))
    assert response.status_code == 302
    household = db.session.scalars(select(Household).order_by(Household.created_at.desc())).first()
    assert response.headers["Location"] == f"/households/{household.id}"
    assert household.code.startswith(f"{WARD_A}-")
    assert household.head.full_name == "Lê Văn Bình"
    assert household.head.relation is Relation.HEAD
    assert household.head.cmnd_ciphertext is not None
    assert events(AuditAction.HOUSEHOLD_CREATE, str(household.id))
    assert events(AuditAction.PERSON_CREATE, str(household.head.id))
    assert rows(AuditEvent) > before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã đăng ký hộ" in page and "Lê Văn Bình" in page


def test_a_head_with_only_a_birth_year_is_accepted(client, login):
    login("commune_a")
    form = head_form(
        birth_date="", birth_year="1941", cccd="", full_name="Hoàng Thị Gái", sex="female"
    )
    assert client.post("/households/new", data=form).status_code == 302
    person = db.session.scalar(select(Person).where(Person.full_name == "Hoàng Thị Gái"))
    assert person.birth_date is None and person.birth_year == 1941


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"cccd": factories.cccd(Sex.FEMALE, 1968)},
            "cccd",
            "dành cho nữ, nhưng người này được ghi là nam",
        ),
        ({"birth_date": "31/02/2020"}, "birth_date", "Ngày không hợp lệ"),
        ({"full_name": ""}, "full_name", "Nhập họ và tên"),
        ({"address": "   "}, "address", "Nhập địa chỉ của hộ"),
        ({"sex": ""}, "sex", "Mục này bắt buộc phải nhập"),
        ({"commune_id": str(999999)}, "commune_id", "Hãy chọn một trong các lựa chọn"),
    ],
)
def test_a_rejected_household_form_names_the_problem_and_writes_nothing(
    client, login, rows, overrides, field, message
):
    login("commune_a")
    before = (rows(Household), rows(Person), rows(AuditEvent))
    response = client.post("/households/new", data=head_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'id="e-{field}"' in page or f'href="#f-{field}"' in page
    assert 'value="Tổ 5, Phường Thuận Hóa"' in page or field == "address"  # what was typed stays
    assert (rows(Household), rows(Person), rows(AuditEvent)) == before


def test_a_head_rejected_after_the_household_was_flushed_leaves_no_household(client, login, rows):
    """The household is written first; the head's bad CCCD must roll it back too."""
    login("commune_a")
    before = rows(Household)
    response = client.post(
        "/households/new", data=head_form(cccd="046068000001", birth_date="01/01/1970")
    )
    assert response.status_code == 422
    assert "(68) phải là 70" in response.get_data(as_text=True)
    assert rows(Household) == before


def test_a_duplicate_household_code_is_a_form_level_conflict(client, login, world, rows):
    login("commune_a")
    code = db.session.get(Household, uuid.UUID(world.household_id)).code
    before = rows(Household)
    response = client.post("/households/new", data=head_form(code=code))
    assert response.status_code == 409
    assert f"Mã hộ {code} đã được sử dụng" in response.get_data(as_text=True)
    assert rows(Household) == before


def test_adding_a_member_with_a_matching_cccd(client, login, world):
    login("commune_a")
    number = factories.cccd(Sex.FEMALE, 2001)
    response = client.post(
        f"/households/{world.household_id}/members/new",
        data={
            "full_name": "Nguyễn Thị Mai",
            "sex": "female",
            "birth_date": "2001-03-15",
            "relation": "child",
            "cccd": number,
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.full_name == "Nguyễn Thị Mai"))
    assert str(person.household_id) == world.household_id and person.relation is Relation.CHILD
    assert events(AuditAction.PERSON_CREATE, str(person.id))


def test_a_cccd_mismatch_is_accepted_only_with_a_reason(client, login, world, rows):
    login("commune_a")
    number = factories.cccd(Sex.MALE, 1950)  # recorded as a woman below
    form = {
        "full_name": "Phan Thị Lụa",
        "sex": "female",
        "birth_year": "1950",
        "relation": "mother",
        "cccd": number,
    }
    before = rows(Person)
    refused = client.post(f"/households/{world.household_id}/members/new", data=form)
    assert refused.status_code == 422 and rows(Person) == before
    assert "dành cho nam, nhưng người này được ghi là nữ" in refused.get_data(as_text=True)
    accepted = client.post(
        f"/households/{world.household_id}/members/new",
        data={**form, "cccd_override_reason": "Đã đối chiếu bản gốc CCCD"},
    )
    assert accepted.status_code == 302
    person = db.session.scalar(select(Person).where(Person.full_name == "Phan Thị Lụa"))
    assert person.cccd_override_reason == "Đã đối chiếu bản gốc CCCD"


def test_a_second_head_is_refused(client, login, world):
    login("commune_a")
    response = client.post(
        f"/households/{world.household_id}/members/new",
        data={"full_name": "Ai Đó", "sex": "male", "birth_year": "1990", "relation": "head"},
    )
    assert response.status_code == 409
    assert "đã có chủ hộ" in response.get_data(as_text=True)


def test_recording_a_birth(client, login, world, today):
    login("commune_a")
    response = client.post(
        f"/households/{world.household_id}/births/new",
        data={
            "full_name": "Nguyễn Minh An",
            "sex": "male",
            "birth_date": "01/11/2026",
            "relation": "grandchild",
        },
    )
    assert response.status_code == 302
    baby = db.session.scalar(select(Person).where(Person.full_name == "Nguyễn Minh An"))
    assert baby.birth_date == date(2026, 11, 1) and baby.relation is Relation.GRANDCHILD
    assert events(AuditAction.BIRTH_RECORD, str(baby.id))


def test_a_birth_in_the_future_is_refused(client, login, world, rows):
    login("commune_a")
    before = rows(Person)
    response = client.post(
        f"/households/{world.household_id}/births/new",
        data={"full_name": "Bé Tương Lai", "sex": "female", "birth_date": "01/01/2027"},
    )
    assert response.status_code == 422 and rows(Person) == before
    assert "ở tương lai" in response.get_data(as_text=True)


def test_changing_the_address(client, login, world):
    login("commune_a")
    response = client.post(
        f"/households/{world.household_id}/edit", data={"address": "Tổ 9, Kiệt 4"}
    )
    assert response.status_code == 302
    household = db.session.get(Household, uuid.UUID(world.household_id))
    assert household.address == "Tổ 9, Kiệt 4"
    assert events(AuditAction.HOUSEHOLD_UPDATE, world.household_id)


def test_changing_the_head(client, login, world):
    login("commune_a")
    response = client.post(
        f"/households/{world.household_id}/head", data={"person_id": world.wife_id}
    )
    assert response.status_code == 302
    household = db.session.get(Household, uuid.UUID(world.household_id))
    assert str(household.head_id) == world.wife_id
    assert events(AuditAction.HOUSEHOLD_SET_HEAD, world.household_id)


def test_a_head_from_another_household_is_refused_on_the_household_page(
    client, login, world, actor, today
):
    login("commune_a")
    other = factories.household(WARD_A, actor=actor("commune_a"), today=today)
    stranger = factories.person(
        actor=actor("commune_a"), today=today, household=other, full_name="Người Lạ"
    )
    db.session.commit()
    response = client.post(
        f"/households/{world.household_id}/head", data={"person_id": str(stranger.id)}
    )
    assert response.status_code == 422
    assert "Chủ hộ phải là thành viên của hộ" in response.get_data(as_text=True)


def test_setting_the_poverty_status_with_grouped_income_and_indicators(client, login, world):
    login("commune_a")
    response = client.post(
        f"/households/{world.household_id}/poverty/new",
        data={
            "review_year": "2026",
            "status": "poor",
            "area": "urban",
            "is_especially_difficult_area": "y",
            "income_per_head": "1.500.000",
            "deprivations": ["employment", "water"],
            "decision_number": "123/QĐ-UBND",
            "decision_on": "15/12/2026",
        },
    )
    assert response.status_code == 302
    status = db.session.scalar(
        select(HouseholdPovertyStatus).where(HouseholdPovertyStatus.review_year == 2026)
    )
    assert status.status is PovertyStatus.POOR and status.income_per_head == 1_500_000
    assert status.deprivations == ["employment", "water"] and status.is_especially_difficult_area
    assert status.valid_from == date(2027, 1, 1)
    assert events(AuditAction.POVERTY_SET, world.household_id)


def test_an_unreadable_income_is_refused(client, login, world, rows):
    login("commune_a")
    before = rows(HouseholdPovertyStatus)
    response = client.post(
        f"/households/{world.household_id}/poverty/new",
        data={
            "review_year": "2026",
            "status": "poor",
            "area": "urban",
            "income_per_head": "một triệu",
        },
    )
    assert response.status_code == 422 and rows(HouseholdPovertyStatus) == before
    assert "Nhập một số nguyên" in response.get_data(as_text=True)


# --- people ----------------------------------------------------------------------------


def test_correcting_details_keeps_the_cccd_unless_asked(client, login, world):
    login("commune_a")
    wife = db.session.get(Person, uuid.UUID(world.wife_id))
    stored = wife.cccd_ciphertext
    response = client.post(
        f"/people/{world.wife_id}/edit",
        data={
            "full_name": "Trần Thị Hoa Mai",
            "sex": "female",
            "birth_date": "09/08/1980",
            "cccd": "000000000000",
        },
    )
    assert response.status_code == 302
    db.session.refresh(wife)
    assert wife.full_name == "Trần Thị Hoa Mai" and wife.cccd_ciphertext == stored
    assert events(AuditAction.PERSON_UPDATE, world.wife_id)


def test_replacing_the_cccd_when_the_box_is_ticked(client, login, world, cipher):
    login("commune_a")
    number = factories.cccd(Sex.FEMALE, 1980)
    response = client.post(
        f"/people/{world.wife_id}/edit",
        data={
            "full_name": "Trần Thị Hoa",
            "sex": "female",
            "birth_date": "09/08/1980",
            "change_cccd": "y",
            "cccd": number,
        },
    )
    assert response.status_code == 302
    wife = db.session.get(Person, uuid.UUID(world.wife_id))
    assert wife.cccd_index == cipher.blind_index("cccd", number)


def test_recording_a_death(client, login, world):
    login("commune_a")
    response = client.post(
        f"/people/{world.wife_id}/death", data={"died_on": "20/11/2026", "reference": "TK-55"}
    )
    assert response.status_code == 302
    wife = db.session.get(Person, uuid.UUID(world.wife_id))
    assert wife.death_on == date(2026, 11, 20)
    assert events(AuditAction.DEATH_RECORD, world.wife_id)
    assert "Đã mất ngày 20/11/2026" in client.get(f"/people/{world.wife_id}").get_data(as_text=True)


def test_a_death_with_an_impossible_date_is_refused(client, login, world):
    login("commune_a")
    response = client.post(f"/people/{world.wife_id}/death", data={"died_on": "31/02/2020"})
    assert response.status_code == 422
    assert "Ngày không hợp lệ" in response.get_data(as_text=True)
    assert db.session.get(Person, uuid.UUID(world.wife_id)).death_on is None


def test_moving_to_a_household_typed_by_code(client, login, world, actor, today):
    login("commune_a")
    other = factories.household(WARD_A, actor=actor("commune_a"), today=today, code="TH-MOVE-1")
    factories.person(
        actor=actor("commune_a"), today=today, household=other, full_name="Đoàn Văn Tư"
    )
    db.session.commit()
    response = client.post(
        f"/people/{world.wife_id}/move", data={"household_code": "TH-MOVE-1", "relation": "wife"}
    )
    assert response.status_code == 302
    wife = db.session.get(Person, uuid.UUID(world.wife_id))
    assert wife.household_id == other.id
    assert events(AuditAction.PERSON_MOVE, world.wife_id)


def test_moving_to_an_unknown_or_foreign_household_code_is_a_form_error(
    client, login, world, actor, today
):
    factories.household(WARD_B, actor=actor("commune_b"), today=today, code="PX-FOREIGN")
    db.session.commit()
    login("commune_a")
    for code in ("KHONG-CO", "PX-FOREIGN"):
        response = client.post(
            f"/people/{world.wife_id}/move", data={"household_code": code, "relation": "wife"}
        )
        assert response.status_code == 422
        assert f"Không có hộ mã {code} trong địa bàn của bạn" in response.get_data(as_text=True)


def test_departure_to_another_commune_hands_the_person_over(client, login, world):
    login("commune_a")
    response = client.post(f"/people/{world.wife_id}/depart", data={"commune_code": WARD_B})
    assert response.status_code == 302
    assert client.get(f"/people/{world.wife_id}").status_code == 404  # no longer in ward A
    assert len(events(AuditAction.PERSON_DEPART, world.wife_id)) == 2
    client.post("/logout")
    login("commune_b")
    home = client.get("/").get_data(as_text=True)
    assert "Chờ nhập hộ" in home and "Trần Thị Hoa" in home
    assert client.get(f"/people/{world.wife_id}/move").status_code == 200
    person_page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert "Chờ nhập hộ" in person_page and "Phường Phú Xuân" in person_page


def test_departure_needs_a_real_commune(client, login, world):
    login("commune_a")
    assert client.post(f"/people/{world.wife_id}/depart", data={}).status_code == 422
    response = client.post(f"/people/{world.wife_id}/depart", data={"commune_code": "99999"})
    assert response.status_code == 422
    assert "Không có đơn vị hành chính mã 99999" in response.get_data(as_text=True)


def test_adding_a_disability_assessment(client, login, world):
    login("commune_a")
    response = client.post(
        f"/people/{world.wife_id}/disability",
        data={"disability_level": "severe", "started_on": "10/10/2026", "reference": "GXN-77"},
    )
    assert response.status_code == 302
    record = db.session.scalar(
        select(Circumstance).where(Circumstance.kind == CircumstanceKind.DISABILITY)
    )
    assert record.disability_level is DisabilityLevel.SEVERE and record.reference == "GXN-77"
    assert events(AuditAction.CIRCUMSTANCE_ADD, world.wife_id)


def test_adding_a_pension(client, login, world):
    login("commune_a")
    assert (
        client.post(
            f"/people/{world.head_id}/pension", data={"started_on": "01/01/2025"}
        ).status_code
        == 302
    )
    assert db.session.scalar(
        select(Circumstance).where(Circumstance.kind == CircumstanceKind.PENSION)
    )


def test_adding_a_single_parent_circumstance_needs_the_children(client, login, world, rows):
    login("commune_a")
    url = f"/people/{world.wife_id}/circumstances/new"
    before = rows(Circumstance)
    refused = client.post(url, data={"kind": "single_parent", "started_on": "01/01/2026"})
    assert refused.status_code == 422 and rows(Circumstance) == before
    assert "Nhập số con" in refused.get_data(as_text=True)
    assert (
        client.post(
            url, data={"kind": "single_parent", "started_on": "01/01/2026", "children_count": "2"}
        ).status_code
        == 302
    )
    assert rows(Circumstance) == before + 1


def test_hiv_is_offered_only_to_roles_with_sensitive_access(client, login, world):
    login("commune_a")
    assert 'value="hiv"' in client.get(f"/people/{world.wife_id}/circumstances/new").get_data(
        as_text=True
    )
    assert 'value="disability"' not in client.get(
        f"/people/{world.wife_id}/circumstances/new"
    ).get_data(as_text=True)


def test_ending_a_circumstance(client, login, world):
    login("commune_a")
    url = f"/people/{world.wife_id}/circumstances/{world.circumstance_id}/end"
    refused = client.post(url, data={"ended_on": "01/01/2020"})
    assert refused.status_code == 422
    assert "Ngày kết thúc trước ngày bắt đầu" in refused.get_data(as_text=True)
    assert client.post(url, data={"ended_on": "28/11/2026"}).status_code == 302
    assert db.session.get(Circumstance, world.circumstance_id).ended_on == date(2026, 11, 28)
    assert events(AuditAction.CIRCUMSTANCE_END, world.wife_id)


def test_adding_a_merit_record_needs_the_injury_rate_for_invalids(client, login, world, rows):
    login("commune_a")
    url = f"/people/{world.head_id}/merit/new"
    before = rows(MeritRecord)
    refused = client.post(
        url, data={"category": "war_invalid_class_b", "recognised_on": "02/09/1980"}
    )
    assert refused.status_code == 422 and rows(MeritRecord) == before
    assert "tỷ lệ tổn thương cơ thể" in refused.get_data(as_text=True)
    assert (
        client.post(
            url,
            data={
                "category": "martyr_relative",
                "recognised_on": "27/07/1990",
                "martyrs": "2",
                "certificate_number": "LS-9",
            },
        ).status_code
        == 302
    )
    record = db.session.scalar(
        select(MeritRecord).where(MeritRecord.category == MeritCategory.MARTYR_RELATIVE)
    )
    assert record.martyrs == 2
    assert events(AuditAction.MERIT_ADD, world.head_id)


# --- cross-commune refusal by URL ------------------------------------------------------


def test_commune_b_cannot_read_or_change_ward_a_by_typed_urls(client, login, world, rows):
    login("commune_b")
    before = (
        rows(Household),
        rows(Person),
        rows(Circumstance),
        rows(MeritRecord),
        rows(AuditEvent),
        rows(HouseholdPovertyStatus),
    )
    h, p = world.household_id, world.wife_id
    posts = {
        f"/households/{h}/members/new": {
            "full_name": "X",
            "sex": "male",
            "birth_year": "1990",
            "relation": "child",
        },
        f"/households/{h}/births/new": {
            "full_name": "X",
            "sex": "male",
            "birth_date": "01/11/2026",
        },
        f"/households/{h}/edit": {"address": "Hijacked"},
        f"/households/{h}/head": {"person_id": p},
        f"/households/{h}/poverty/new": {"review_year": "2026", "status": "poor", "area": "urban"},
        f"/people/{p}/edit": {"full_name": "Hijacked", "sex": "female", "birth_year": "1980"},
        f"/people/{p}/death": {"died_on": "01/11/2026"},
        f"/people/{p}/move": {"household_code": "X", "relation": "child"},
        f"/people/{p}/depart": {"commune_code": WARD_B},
        f"/people/{p}/disability": {"disability_level": "severe", "started_on": "01/11/2026"},
        f"/people/{p}/pension": {"started_on": "01/11/2026"},
        f"/people/{p}/circumstances/new": {"kind": "studying", "started_on": "01/11/2026"},
        f"/people/{p}/circumstances/{world.circumstance_id}/end": {"ended_on": "01/11/2026"},
        f"/people/{p}/merit/new": {"category": "heroic_mother", "recognised_on": "01/11/2000"},
        f"/people/{p}/reveal": {},
    }
    for url, data in posts.items():
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, data=data).status_code == 404, url
    after = (
        rows(Household),
        rows(Person),
        rows(Circumstance),
        rows(MeritRecord),
        rows(AuditEvent),
        rows(HouseholdPovertyStatus),
    )
    assert after == before
    assert db.session.get(Person, uuid.UUID(p)).full_name == "Trần Thị Hoa"
