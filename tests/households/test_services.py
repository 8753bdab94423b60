"""Use cases for households: registration, head, address, poverty status, listing."""

from datetime import date

import pytest

from registry.errors import ConflictError, NotFoundError, ValidationError
from registry.households.models import Area, PovertyStatus
from registry.households.services import (
    get_household,
    list_households,
    register_household,
    set_head,
    set_poverty_status,
    update_household,
)
from registry.people.models import Relation, Sex
from tests import factories
from tests.conftest import WARD_A, WARD_B


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


def test_household_gets_a_code_from_its_commune_when_none_is_given(officer, today):
    first = factories.household(WARD_A, actor=officer, today=today)
    second = factories.household(WARD_A, actor=officer, today=today)
    assert (first.code, second.code) == (f"{WARD_A}-00001", f"{WARD_A}-00002")


def test_household_codes_are_unique(officer, today):
    factories.household(WARD_A, actor=officer, today=today, code="HUE-1")
    with pytest.raises(ConflictError):
        factories.household(WARD_A, actor=officer, today=today, code="HUE-1")


def test_household_needs_an_address(officer, today):
    with pytest.raises(ValidationError):
        register_household(
            code=None, commune=factories.unit(WARD_A), address="  ", actor=officer, today=today
        )


def test_only_communes_in_force_can_hold_new_households(actor, today):
    with pytest.raises(ValidationError):
        register_household(
            code=None, commune=factories.unit("46"), address="x", actor=actor("labour"), today=today
        )
    old_ward = factories.unit("19786", on=date(2024, 1, 1))  # Phú Hội, merged on 1/7/2025
    with pytest.raises(ValidationError):
        register_household(
            code=None, commune=old_ward, address="x", actor=actor("labour"), today=today
        )


def test_another_communes_household_is_not_found(actor, officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    with pytest.raises(NotFoundError):
        get_household(home.id, actor=actor("commune_b"))
    with pytest.raises(NotFoundError):
        get_household("not-a-uuid", actor=officer)
    assert get_household(home.id, actor=actor("auditor")) is home


def test_setting_a_new_head(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    head = factories.person(actor=officer, today=today, household=home)
    wife = factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Lê Thị Hà",
        sex=Sex.FEMALE,
        birth_date=date(1992, 2, 2),
        relation=Relation.WIFE,
    )
    set_head(home, wife, actor=officer)
    assert (
        home.head_id == wife.id
        and wife.relation is Relation.HEAD
        and head.relation is Relation.OTHER
    )
    stranger = factories.person(
        actor=officer, today=today, commune_code=WARD_A, full_name="X", birth_date=date(1990, 1, 1)
    )
    with pytest.raises(ValidationError):
        set_head(home, stranger, actor=officer)


def test_address_change_is_audited_with_old_and_new(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today, address="Tổ 1")
    update_household(home, address="Tổ 9, đường Lê Lợi", actor=officer)
    assert home.address == "Tổ 9, đường Lê Lợi"


def test_poverty_review_applies_to_the_following_year_by_default(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    status = set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.POOR,
        area=Area.URBAN,
        income_per_head=1_200_000,
        deprivations=["water", "housing_area", "telecom"],
        decision_number="123/QĐ-UBND",
        decision_on=date(2025, 12, 20),
        actor=officer,
        today=today,
    )
    assert (status.valid_from, status.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert home.poverty_on(date(2026, 6, 1)) is status
    assert home.poverty_on(date(2025, 6, 1)) is None


def test_a_review_year_is_corrected_not_duplicated(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    first = set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.POOR,
        area=Area.URBAN,
        actor=officer,
        today=today,
    )
    again = set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.NEAR_POOR,
        area=Area.URBAN,
        actor=officer,
        today=today,
    )
    assert first is again and again.status is PovertyStatus.NEAR_POOR


def test_unknown_deprivation_indicators_are_refused(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    with pytest.raises(ValidationError) as caught:
        set_poverty_status(
            home,
            review_year=2025,
            status=PovertyStatus.POOR,
            area=Area.RURAL,
            deprivations=["water", "internet"],
            actor=officer,
            today=today,
        )
    assert caught.value.problems[0].params == {"codes": "internet"}


def test_listing_filters_by_poverty_and_finds_members_by_unaccented_name(actor, officer, today):
    poor = factories.household(WARD_A, actor=officer, today=today)
    factories.person(actor=officer, today=today, household=poor, full_name="Hoàng Văn Đức")
    set_poverty_status(
        poor,
        review_year=2025,
        status=PovertyStatus.POOR,
        area=Area.URBAN,
        actor=officer,
        today=today,
    )
    factories.household(WARD_A, actor=officer, today=today)
    factories.household(WARD_B, actor=actor("commune_b"), today=today)
    rows, total = list_households(actor=officer, today=today)
    assert total == 2
    rows, total = list_households(actor=officer, today=today, poverty=PovertyStatus.POOR)
    assert [(r.household.id, r.members, r.poverty) for r in rows] == [
        (poor.id, 1, PovertyStatus.POOR)
    ]
    rows, _ = list_households(actor=officer, today=today, query="hoang duc")
    assert [r.household.id for r in rows] == [poor.id]
    assert list_households(actor=actor("labour"), today=today)[1] == 3


@pytest.mark.parametrize("query", ["boi chau", "Bội Châu", "kiet 12", "phan boi"])
def test_addresses_are_found_with_or_without_accents(officer, today, query):
    home = factories.household(
        WARD_A, actor=officer, today=today, address="Tổ 3, Kiệt 12 Phan Bội Châu"
    )
    rows, _ = list_households(actor=officer, today=today, query=query)
    assert [r.household.id for r in rows] == [home.id]
