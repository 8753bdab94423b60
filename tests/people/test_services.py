"""Use cases for people: registration, identity numbers, births, deaths, moves, scope."""

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from registry.extensions import db
from registry.people.identity import cccd_context, read_cccd
from registry.people.models import Person, Relation, Sex
from registry.people.queries import find_by_cccd, get_person, search_people
from registry.people.services import (
    move_person,
    record_birth,
    record_death,
    record_departure,
    register_person,
    update_person,
)
from tests import factories
from tests.conftest import WARD_A, WARD_B


def events(action: AuditAction, subject_id=None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == str(subject_id))
    return list(db.session.scalars(stmt))


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


@pytest.fixture()
def home(officer, today):
    return factories.household(WARD_A, actor=officer, today=today)


def test_registered_cccd_is_stored_encrypted_with_a_blind_index(officer, today, cipher, home):
    number = factories.cccd(Sex.FEMALE, 1990)
    person = factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Lê Thị Hoa",
        sex=Sex.FEMALE,
        birth_date=date(1990, 3, 1),
        cccd_number=number,
    )
    assert number.encode() not in person.cccd_ciphertext
    assert person.cccd_index == cipher.blind_index("cccd", number)
    assert cipher.decrypt(person.cccd_ciphertext, cccd_context(person)) == number
    [event] = events(AuditAction.PERSON_CREATE, person.id)
    assert number not in str(event.details)
    assert home.head_id == person.id


def test_cccd_contradicting_the_sex_is_refused_with_the_reason(officer, today, cipher, home):
    with pytest.raises(ValidationError) as caught:
        register_person(
            full_name="Trần Văn Nam",
            sex=Sex.MALE,
            birth_date=date(1990, 1, 1),
            household=home,
            cccd=factories.cccd(Sex.FEMALE, 1990),
            actor=officer,
            today=today,
            cipher=cipher,
        )
    assert [p.code for p in caught.value.problems] == ["cccd_sex"]
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_mismatch_is_accepted_with_a_written_override_reason(officer, today, cipher, home):
    person = register_person(
        full_name="Trần Văn Nam",
        sex=Sex.MALE,
        birth_date=date(1990, 1, 1),
        household=home,
        cccd=factories.cccd(Sex.MALE, 1991),
        cccd_override_reason="Thẻ cấp sai năm sinh, đã đối chiếu CSDL dân cư",
        actor=officer,
        today=today,
        cipher=cipher,
    )
    assert person.cccd_override_reason.startswith("Thẻ cấp sai")
    assert events(AuditAction.PERSON_CREATE, person.id)[0].details["cccd_override"] is True


def test_a_cccd_of_the_wrong_length_cannot_be_overridden(officer, today, cipher, home):
    with pytest.raises(ValidationError) as caught:
        register_person(
            full_name="Trần Văn Nam",
            sex=Sex.MALE,
            birth_date=date(1990, 1, 1),
            household=home,
            cccd="04609001234",
            cccd_override_reason="any",
            actor=officer,
            today=today,
            cipher=cipher,
        )
    assert caught.value.problems[0].code == "cccd_length"


def test_the_same_cccd_cannot_be_registered_twice(officer, actor, today, cipher, home):
    number = factories.cccd(Sex.MALE, 1980)
    factories.person(
        actor=officer, today=today, household=home, birth_date=date(1980, 2, 2), cccd_number=number
    )
    other_ward = factories.household(WARD_B, actor=actor("commune_b"), today=today)
    with pytest.raises(ConflictError):
        factories.person(
            actor=actor("commune_b"),
            today=today,
            household=other_ward,
            birth_date=date(1980, 2, 2),
            cccd_number=number,
        )


def test_elderly_person_may_be_registered_with_the_birth_year_only(officer, today, home):
    person = factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Phạm Thị Lài",
        sex=Sex.FEMALE,
        birth_date=None,
        birth_year=1938,
    )
    assert person.birth_date is None and person.birth_year == 1938


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "field"),
    [
        (date(2027, 1, 1), None, "birth_date"),
        (None, None, "birth_date"),
        (None, 1850, "birth_year"),
        (date(1990, 1, 1), 1991, "birth_year"),
    ],
)
def test_impossible_birth_information_is_refused(
    officer, today, cipher, home, birth_date, birth_year, field
):
    with pytest.raises(ValidationError) as caught:
        register_person(
            full_name="A",
            sex=Sex.MALE,
            birth_date=birth_date,
            birth_year=birth_year,
            household=home,
            actor=officer,
            today=today,
            cipher=cipher,
        )
    assert field in [p.field for p in caught.value.problems]


def test_a_second_living_head_is_refused(officer, today, cipher, home):
    factories.person(actor=officer, today=today, household=home)
    with pytest.raises(ConflictError):
        register_person(
            full_name="B",
            sex=Sex.MALE,
            birth_year=1970,
            household=home,
            relation=Relation.HEAD,
            actor=officer,
            today=today,
            cipher=cipher,
        )


def test_accountant_cannot_register_people(actor, today, cipher):
    with pytest.raises(PermissionDeniedError):
        register_person(
            full_name="A",
            sex=Sex.MALE,
            birth_year=1970,
            commune=factories.unit(WARD_A),
            actor=actor("accountant"),
            today=today,
            cipher=cipher,
        )


def test_commune_officer_cannot_register_into_another_commune(actor, today, cipher):
    with pytest.raises(NotFoundError):
        register_person(
            full_name="A",
            sex=Sex.MALE,
            birth_year=1970,
            commune=factories.unit(WARD_B),
            actor=actor("commune_a"),
            today=today,
            cipher=cipher,
        )


def test_birth_adds_a_child_to_the_household(officer, today, cipher, home):
    factories.person(actor=officer, today=today, household=home)
    baby = record_birth(
        home,
        full_name="Nguyễn Minh An",
        sex=Sex.FEMALE,
        birth_date=date(2026, 10, 2),
        actor=officer,
        today=today,
        cipher=cipher,
    )
    assert (
        baby.relation is Relation.CHILD and baby.household_id == home.id and baby.cccd_index is None
    )
    assert events(AuditAction.BIRTH_RECORD, baby.id)


def test_death_is_recorded_once_and_never_in_the_future(officer, today, home):
    person = factories.person(actor=officer, today=today, household=home)
    record_death(person, died_on=date(2026, 11, 3), reference="12/TB", actor=officer, today=today)
    assert person.death_on == date(2026, 11, 3)
    assert events(AuditAction.DEATH_RECORD, person.id)[0].details["was_head"] is True
    with pytest.raises(ValidationError):
        record_death(person, died_on=date(2026, 11, 4), actor=officer, today=today)
    other = factories.person(
        actor=officer, today=today, household=home, full_name="C", birth_date=date(2000, 1, 1)
    )
    with pytest.raises(ValidationError):
        record_death(other, died_on=date(2026, 12, 1), actor=officer, today=today)
    with pytest.raises(ValidationError):
        record_death(other, died_on=date(1999, 1, 1), actor=officer, today=today)


def test_correcting_the_sex_rechecks_the_stored_cccd(officer, today, cipher, home):
    person = factories.person(actor=officer, today=today, household=home)
    with pytest.raises(ValidationError):
        update_person(
            person,
            full_name=person.full_name,
            sex=Sex.FEMALE,
            birth_date=person.birth_date,
            birth_year=None,
            actor=officer,
            today=today,
            cipher=cipher,
        )


def test_renaming_updates_the_search_key(officer, today, cipher, home):
    person = factories.person(actor=officer, today=today, household=home)
    update_person(
        person,
        full_name="Nguyễn Văn Đạt",
        sex=person.sex,
        birth_date=person.birth_date,
        birth_year=None,
        actor=officer,
        today=today,
        cipher=cipher,
    )
    assert search_people(actor=officer, query="dat").total == 1
    assert events(AuditAction.PERSON_UPDATE, person.id)[0].details == {"fields": ["full_name"]}


def test_move_within_the_commune_keeps_the_commune(officer, today, home):
    person = factories.person(actor=officer, today=today, household=home)
    other = factories.household(WARD_A, actor=officer, today=today)
    move_person(person, to_household=other, relation=Relation.HEAD, actor=officer, today=today)
    assert person.household_id == other.id and other.head_id == person.id and home.head_id is None


def test_labour_officer_moves_a_person_to_another_commune(actor, today, officer, home):
    person = factories.person(actor=officer, today=today, household=home)
    labour = actor("labour")
    target = factories.household(WARD_B, actor=labour, today=today)
    move_person(person, to_household=target, relation=Relation.OTHER, actor=labour, today=today)
    assert person.commune.code == WARD_B
    with pytest.raises(NotFoundError):
        get_person(person.id, actor=officer)


def test_departure_hands_the_person_to_the_new_commune(actor, today, officer, home):
    person = factories.person(actor=officer, today=today, household=home)
    record_departure(person, to_commune=factories.unit(WARD_B), actor=officer, today=today)
    assert person.household_id is None and person.relation is None and home.head_id is None
    with pytest.raises(NotFoundError):
        get_person(person.id, actor=officer)
    assert get_person(person.id, actor=actor("commune_b")).commune.code == WARD_B
    assert {e.unit_id for e in events(AuditAction.PERSON_DEPART, person.id)} == {
        factories.unit(WARD_A).id,
        factories.unit(WARD_B).id,
    }


def test_another_communes_person_is_not_found_by_id_name_or_cccd(
    actor, today, cipher, officer, home
):
    number = factories.cccd(Sex.MALE, 1990)
    person = factories.person(actor=officer, today=today, household=home, cccd_number=number)
    outsider = actor("commune_b")
    with pytest.raises(NotFoundError):
        get_person(person.id, actor=outsider)
    assert search_people(actor=outsider, query="nguyen van duc").total == 0
    assert find_by_cccd(number, actor=outsider, cipher=cipher) is None
    assert find_by_cccd(number, actor=officer, cipher=cipher).id == person.id


@pytest.mark.parametrize(
    "query", ["nguyen van duc", "Nguyễn Văn Đức", "NGUYEN  VAN DUC", "duc nguyen", "van du"]
)
def test_name_search_ignores_accents_case_and_word_order(officer, today, home, query):
    factories.person(actor=officer, today=today, household=home)
    factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Nguyễn Văn Dũng",
        birth_date=date(1991, 1, 1),
    )
    found = [p.full_name for p in search_people(actor=officer, query=query).people]
    assert "Nguyễn Văn Đức" in found
    if query != "van du":
        assert "Nguyễn Văn Dũng" not in found


def test_search_sorts_by_given_name_then_full_name(officer, today, home):
    for i, name in enumerate(["Trần Thị Bình", "Lê Văn An", "Nguyễn Thị Bình", "Phạm Văn Cường"]):
        factories.person(
            actor=officer,
            today=today,
            household=home,
            full_name=name,
            birth_date=date(1980 + i, 1, 1),
        )
    names = [p.full_name for p in search_people(actor=officer).people]
    assert names == ["Lê Văn An", "Nguyễn Thị Bình", "Trần Thị Bình", "Phạm Văn Cường"]


def test_cccd_lookup_and_display_are_audited_without_the_number(officer, today, cipher, home):
    number = factories.cccd(Sex.MALE, 1990)
    person = factories.person(actor=officer, today=today, household=home, cccd_number=number)
    find_by_cccd(number, actor=officer, cipher=cipher)
    assert (
        read_cccd(person, actor=officer, cipher=cipher, purpose="display_masked")
        == "********" + number[-4:]
    )
    for action in (AuditAction.CCCD_LOOKUP, AuditAction.CCCD_DECRYPT):
        [event] = events(action, person.id)
        assert number not in str(event.details) and number[-4:] not in str(event.details)


def test_only_allowed_roles_see_the_full_cccd(actor, today, cipher, officer, home):
    person = factories.person(actor=officer, today=today, household=home)
    assert len(read_cccd(person, actor=officer, cipher=cipher, purpose="display_full")) == 12
    with pytest.raises(PermissionDeniedError):
        read_cccd(person, actor=actor("auditor"), cipher=cipher, purpose="display_full")
    assert read_cccd(
        person, actor=actor("auditor"), cipher=cipher, purpose="display_masked"
    ).startswith("****")
