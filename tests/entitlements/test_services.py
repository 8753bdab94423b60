"""One person's month explained, and a whole scope's month evaluated, inside the actor's scope."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest

from registry.eligibility.engine import load_law
from registry.entitlements.services import evaluate_scope, explain_person, local_policy_paths
from registry.errors import NotFoundError
from registry.households.models import Area, Household, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    Person,
    Sex,
)
from registry.people.services import record_death
from registry.units.services import find_unit
from tests import factories
from tests.conftest import WARD_A, WARD_B

AUGUST = date(2024, 8, 1)


@pytest.fixture()
def law():
    return load_law()


def poor_household(officer, today, ward: str = WARD_A) -> Household:
    """A household of the ward, poor in 2024, 2025 and 2026 (reviews of 2023 to 2025)."""
    household = factories.household(ward, actor=officer, today=today)
    for year in (2023, 2024, 2025):
        set_poverty_status(
            household,
            review_year=year,
            status=PovertyStatus.POOR,
            area=Area.URBAN,
            actor=officer,
            today=today,
        )
    return household


def elder_without_supporter(officer, today, household, **details) -> Person:
    """A woman born 15/03/1942 with no one obliged to support her: art. 5(5)(a) when poor."""
    details = {"full_name": "Trần Thị Lành", "birth_date": date(1942, 3, 15), **details}
    elder = factories.person(
        actor=officer, today=today, household=household, sex=Sex.FEMALE, **details
    )
    add_circumstance(
        elder,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=date(2020, 1, 1),
        actor=officer,
        today=today,
    )
    return elder


@dataclass
class Ward:
    alive: list[Person]
    dead_before: Person
    born_after: Person
    other_ward: Person


@pytest.fixture()
def wards(actor, today) -> Ward:
    """Ward A: people paid under several programmes, an ordinary man, one dead before August
    2024, one dead during it, one born after it. Ward B: one more elder.
    """
    officer = actor("commune_a")
    household = poor_household(officer, today)
    elder = elder_without_supporter(officer, today, household)
    disabled = factories.person(
        actor=officer,
        today=today,
        household=household,
        full_name="Lê Văn Bình",
        birth_date=date(1980, 2, 1),
    )
    add_circumstance(
        disabled,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.ESPECIALLY_SEVERE,
        started_on=date(2019, 5, 1),
        actor=officer,
        today=today,
    )
    invalid = factories.person(
        actor=officer,
        today=today,
        commune_code=WARD_A,
        full_name="Phan Văn Lực",
        birth_date=date(1950, 4, 30),
    )
    add_merit_record(
        invalid,
        category=MeritCategory.WAR_INVALID,
        injury_rate=61,
        recognised_on=date(1985, 7, 27),
        actor=officer,
        today=today,
    )
    ordinary = factories.person(
        actor=officer, today=today, commune_code=WARD_A, full_name="Võ Văn Thường"
    )
    very_old = factories.person(
        actor=officer,
        today=today,
        commune_code=WARD_A,
        full_name="Hồ Văn Thọ",
        birth_date=None,
        birth_year=1935,
    )
    died_in_month = elder_without_supporter(
        officer, today, household, full_name="Ngô Thị Mai", birth_date=date(1940, 1, 2)
    )
    record_death(died_in_month, died_on=date(2024, 8, 20), actor=officer, today=today)
    dead_before = elder_without_supporter(
        officer, today, household, full_name="Đặng Thị Cúc", birth_date=date(1939, 6, 6)
    )
    record_death(dead_before, died_on=date(2024, 7, 31), actor=officer, today=today)
    born_after = factories.person(
        actor=officer,
        today=today,
        household=household,
        full_name="Lê Bảo An",
        birth_date=date(2024, 9, 1),
    )
    other_officer = actor("commune_b")
    other_ward = elder_without_supporter(
        other_officer, today, poor_household(other_officer, today, WARD_B), full_name="Bà Tư"
    )
    return Ward(
        [elder, disabled, invalid, ordinary, very_old, died_in_month],
        dead_before,
        born_after,
        other_ward,
    )


def test_explain_person_reads_the_facts_and_evaluates_the_month(actor, today, wards, law):
    elder = wards.alive[0]
    person, facts, result = explain_person(elder.id, AUGUST, actor=actor("commune_a"), law=law)
    assert person is elder
    assert facts.person.no_supporter and facts.household.poverty == "poor"
    assert result.amounts["social_assistance"] == 1_000_000
    assert "sa.5.5a" in result.groups_paid()


def test_explain_person_outside_the_scope_is_not_found(actor, wards, law):
    with pytest.raises(NotFoundError):
        explain_person(wards.other_ward.id, AUGUST, actor=actor("commune_a"), law=law)


def test_roles_without_sensitive_access_get_no_hiv_based_amount_or_group(actor, today, wards, law):
    officer = actor("commune_a")
    person = factories.person(
        actor=officer,
        today=today,
        household=wards.alive[0].household,
        full_name="Mai Văn Hùng",
        birth_date=date(1984, 1, 1),
    )
    add_circumstance(
        person, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    _, facts, result = explain_person(person.id, AUGUST, actor=officer, law=law)
    assert facts.person.hiv and result.amounts["social_assistance"] > 0
    assert "sa.5.8" in result.groups_paid()
    _, facts, result = explain_person(person.id, AUGUST, actor=actor("auditor"), law=law)
    assert not facts.person.hiv and result.amounts["social_assistance"] == 0
    assert not {"sa.5.3", "sa.5.8"} & {c.group for c in result.considerations}


def test_a_commune_officer_evaluates_only_the_living_of_their_ward(actor, wards, law):
    summary = evaluate_scope(AUGUST, actor=actor("commune_a"), law=law)
    assert summary.people_evaluated == len(wards.alive)
    # Everyone but the ordinary man gets something: the allowance, or the merit allowance.
    assert summary.people_entitled == len(wards.alive) - 1
    assert summary.programmes["social_assistance"].groups["sa.5.5a"].people == 2


def test_the_totals_are_the_sum_of_the_individual_results(actor, wards, law):
    officer = actor("commune_a")
    summary = evaluate_scope(AUGUST, actor=officer, law=law)
    programmes: Counter[str] = Counter()
    groups: Counter[tuple[str, str]] = Counter()
    for person in wards.alive:
        _, _, result = explain_person(person.id, AUGUST, actor=officer, law=law)
        programmes.update(result.amounts)
        for item in result.considerations:
            if item.paid:
                groups[item.programme, item.group] += item.amount
    assert {p: t.amount for p, t in summary.programmes.items()} == {
        p: programmes[p] for p in summary.programmes
    }
    assert {
        (p, g): group.amount
        for p, total in summary.programmes.items()
        for g, group in total.groups.items()
    } == dict(groups)
    assert summary.total == sum(programmes.values()) > 0
    assert summary.programmes["merit"].amount > 0


def test_a_unit_narrows_the_scope_and_must_lie_inside_it(actor, today, wards, law):
    ward_b = find_unit(WARD_B, on=today)
    summary = evaluate_scope(AUGUST, actor=actor("labour"), law=law, unit=ward_b)
    assert (summary.people_evaluated, summary.people_entitled) == (1, 1)
    assert summary.programmes["social_assistance"].amount == 1_000_000
    whole = evaluate_scope(AUGUST, actor=actor("labour"), law=law)
    assert whole.people_evaluated == len(wards.alive) + 1
    with pytest.raises(NotFoundError):
        evaluate_scope(AUGUST, actor=actor("commune_a"), law=law, unit=ward_b)


@pytest.mark.parametrize(
    ("setting", "paths"),
    [
        (None, ()),
        ("", ()),
        ((), ()),
        (["a.yaml", " b.yaml "], ("a.yaml", "b.yaml")),
        (f"a.yaml{os.pathsep}{os.pathsep}b.yaml", ("a.yaml", "b.yaml")),
    ],
)
def test_local_policy_files_are_read_from_a_list_or_a_path_string(setting, paths):
    assert local_policy_paths(setting) == paths
