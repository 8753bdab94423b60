"""The adapter reads a month's facts from the registry: which records count, and in bulk."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from registry.eligibility.facts import Area, Disability, MeritFact, Poverty
from registry.entitlements import facts as adapter
from registry.entitlements.facts import facts_by_person_id, facts_for, facts_for_many
from registry.extensions import db
from registry.households.models import Area as HouseholdArea
from registry.households.models import PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.models import CircumstanceKind, DisabilityLevel, MeritCategory, Person, Sex
from registry.people.queries import scoped_people
from registry.people.services import record_death
from tests import factories
from tests.conftest import WARD_A

AUGUST = date(2024, 8, 1)
RURAL_COMMUNE = "19945"  # Xã Phú Vinh (from 1/7/2025)


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


@pytest.fixture()
def household(officer, today):
    return factories.household(WARD_A, actor=officer, today=today)


@pytest.fixture()
def person(officer, today, household):
    return factories.person(
        actor=officer, today=today, household=household, birth_date=date(1950, 6, 10)
    )


@contextmanager
def counted_statements():
    """Count the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize(
    ("started_on", "ended_on", "counts"),
    [
        (date(2024, 8, 31), None, True),  # starts on the month's last day
        (date(2024, 9, 1), None, False),  # starts the day after the month
        (date(2020, 1, 1), date(2024, 8, 1), True),  # ends on the month's first day
        (date(2020, 1, 1), date(2024, 7, 31), False),  # ended the day before the month
        (date(2024, 8, 10), date(2024, 8, 20), True),  # inside the month
        (date(2024, 7, 1), date(2024, 9, 30), True),  # around the month
    ],
)
def test_a_circumstance_counts_for_a_month_it_touches_at_either_edge(
    officer, today, person, started_on, ended_on, counts
):
    add_circumstance(
        person,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=started_on,
        ended_on=ended_on,
        actor=officer,
        today=today,
    )
    assert facts_for(person, AUGUST).person.no_supporter is counts


def test_each_circumstance_kind_reaches_its_fact(officer, today, person):
    start = date(2024, 1, 1)
    for kind in (
        CircumstanceKind.PENSION,
        CircumstanceKind.HIV,
        CircumstanceKind.STUDYING,
        CircumstanceKind.WITHOUT_SUPPORT,
        CircumstanceKind.NO_SUPPORTER,
        CircumstanceKind.TAKEN_IN_BY_CARER,
        CircumstanceKind.PREGNANCY,
    ):
        add_circumstance(person, kind=kind, started_on=start, actor=officer, today=today)
    add_circumstance(
        person,
        kind=CircumstanceKind.SINGLE_PARENT,
        children_count=3,
        started_on=start,
        actor=officer,
        today=today,
    )
    facts = facts_for(person, AUGUST).person
    assert (facts.has_pension, facts.hiv, facts.studying, facts.without_support) == (
        True,
        True,
        True,
        True,
    )
    assert (facts.no_supporter, facts.taken_in_by_carer, facts.single_parent_children) == (
        True,
        True,
        3,
    )
    assert facts_for(person, date(2023, 12, 1)).person.single_parent_children == 0


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (DisabilityLevel.MILD, Disability.NONE),
        (DisabilityLevel.SEVERE, Disability.SEVERE),
        (DisabilityLevel.ESPECIALLY_SEVERE, Disability.ESPECIALLY_SEVERE),
    ],
)
def test_a_mild_disability_counts_as_none(officer, today, person, level, expected):
    add_circumstance(
        person,
        kind=CircumstanceKind.DISABILITY,
        disability_level=level,
        started_on=date(2023, 3, 1),
        actor=officer,
        today=today,
    )
    assert facts_for(person, AUGUST).person.disability is expected


def test_a_reassessment_inside_the_month_counts_at_the_higher_level(officer, today, person):
    for level, started_on in (
        (DisabilityLevel.ESPECIALLY_SEVERE, date(2023, 3, 1)),
        (DisabilityLevel.SEVERE, date(2024, 8, 15)),  # closes the first on 14/08/2024
    ):
        add_circumstance(
            person,
            kind=CircumstanceKind.DISABILITY,
            disability_level=level,
            started_on=started_on,
            actor=officer,
            today=today,
        )
    assert facts_for(person, AUGUST).person.disability is Disability.ESPECIALLY_SEVERE
    assert facts_for(person, date(2024, 9, 1)).person.disability is Disability.SEVERE


def test_the_poverty_status_is_the_review_in_force_that_month(officer, today, household, person):
    def review(year, status, **dates):
        set_poverty_status(
            household,
            review_year=year,
            status=status,
            area=HouseholdArea.RURAL,
            is_especially_difficult_area=year == 2023,
            actor=officer,
            today=today,
            **dates,
        )

    review(2023, PovertyStatus.POOR)  # the whole of 2024
    review(2024, PovertyStatus.NEAR_POOR)  # the whole of 2025
    review(2025, PovertyStatus.AVERAGE, valid_from=date(2025, 6, 15))  # rolling review
    by_month = {m: facts_for(person, m).household for m in (AUGUST, date(2024, 12, 1))}
    assert {h.poverty for h in by_month.values()} == {Poverty.POOR}
    assert all(h.area is Area.RURAL and h.especially_difficult_area for h in by_month.values())
    january = facts_for(person, date(2025, 1, 1)).household
    assert (january.poverty, january.especially_difficult_area) == (Poverty.NEAR_POOR, False)
    # June 2025 is touched by both the 2024 review and the rolling one: the later start wins.
    assert facts_for(person, date(2025, 6, 1)).household.poverty is Poverty.AVERAGE
    assert facts_for(person, date(2023, 12, 1)).household.poverty is Poverty.NONE


def test_without_a_review_the_area_follows_the_commune_name(officer, actor, today, person):
    ward = facts_for(person, AUGUST).household  # Phường Thuận Hóa
    assert (ward.poverty, ward.area, ward.especially_difficult_area) == (
        Poverty.NONE,
        Area.URBAN,
        False,
    )
    villager = factories.person(
        actor=actor("labour"), today=today, commune_code=RURAL_COMMUNE, full_name="Lê Văn Tám"
    )
    assert villager.household is None
    assert facts_for(villager, AUGUST).household.area is Area.RURAL


def test_merit_records_count_from_recognition_until_their_end(officer, today, person):
    def merit(category, recognised_on, ended_on=None, **details):
        record = add_merit_record(
            person,
            category=category,
            recognised_on=recognised_on,
            actor=officer,
            today=today,
            **details,
        )
        record.ended_on = ended_on
        db.session.flush()

    merit(MeritCategory.WAR_INVALID, date(2024, 8, 31), injury_rate=61)
    merit(MeritCategory.MARTYR_RELATIVE, date(1990, 7, 27), martyrs=2)
    merit(MeritCategory.HEROIC_MOTHER, date(2024, 9, 1))
    merit(MeritCategory.AGENT_ORANGE, date(2000, 1, 1), date(2024, 7, 31), injury_rate=45)
    merit(MeritCategory.SICK_SOLDIER, date(2000, 1, 1), date(2024, 8, 1), injury_rate=55)
    assert sorted(facts_for(person, AUGUST).person.merit, key=lambda m: m.category) == [
        MeritFact("martyr_relative", martyrs=2),
        MeritFact("sick_soldier", injury_rate=55),
        MeritFact("war_invalid", injury_rate=61),
    ]


def test_a_person_with_only_a_birth_year_is_born_on_1_january(officer, today, household):
    elder = factories.person(
        actor=officer,
        today=today,
        household=household,
        full_name="Hồ Thị Lành",
        sex=Sex.FEMALE,
        birth_date=None,
        birth_year=1938,
    )
    facts = facts_for(elder, AUGUST).person
    assert (facts.birth_date, facts.sex) == (date(1938, 1, 1), "female")


def test_the_death_date_reaches_the_facts(officer, today, person):
    record_death(person, died_on=date(2024, 8, 20), actor=officer, today=today)
    assert facts_for(person, AUGUST).person.death_date == date(2024, 8, 20)


def mixed_people(officer, actor, today, household) -> list[Person]:
    """People of every shape: with and without records, household, review or birth date."""
    set_poverty_status(
        household,
        review_year=2023,
        status=PovertyStatus.POOR,
        area=HouseholdArea.URBAN,
        actor=officer,
        today=today,
    )
    other = factories.household(WARD_A, actor=officer, today=today)
    people = []
    for index in range(7):
        people.append(
            factories.person(
                actor=officer,
                today=today,
                household=(household, other, None)[index % 3],
                commune_code=WARD_A if index % 3 == 2 else None,
                full_name=f"Nguyễn Văn Số {index}",
                birth_date=None if index % 2 else date(1930 + 10 * index, 5, 1),
                birth_year=1940 + index if index % 2 else None,
            )
        )
    first, second, third = people[:3]
    add_circumstance(
        first,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2022, 1, 1),
        actor=officer,
        today=today,
    )
    add_circumstance(
        first,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=date(2024, 8, 31),
        actor=officer,
        today=today,
    )
    add_circumstance(
        second,
        kind=CircumstanceKind.SINGLE_PARENT,
        children_count=2,
        started_on=date(2021, 1, 1),
        ended_on=date(2024, 7, 31),
        actor=officer,
        today=today,
    )
    add_circumstance(
        third,
        kind=CircumstanceKind.PENSION,
        started_on=date(2010, 1, 1),
        actor=officer,
        today=today,
    )
    add_merit_record(
        first,
        category=MeritCategory.WAR_INVALID,
        injury_rate=81,
        recognised_on=date(1980, 1, 1),
        actor=officer,
        today=today,
    )
    add_merit_record(
        third,
        category=MeritCategory.MARTYR_RELATIVE,
        martyrs=1,
        recognised_on=date(1975, 1, 1),
        actor=officer,
        today=today,
    )
    record_death(people[4], died_on=date(2024, 8, 2), actor=officer, today=today)
    villager = factories.person(
        actor=actor("labour"), today=today, commune_code=RURAL_COMMUNE, full_name="Lê Văn Tám"
    )
    db.session.flush()
    return [*people, villager]


def test_the_bulk_adapter_gives_the_same_facts_as_the_single_one(
    officer, actor, today, household, monkeypatch
):
    people = mixed_people(officer, actor, today, household)
    monkeypatch.setattr(adapter, "BATCH_SIZE", 3)  # several batches, the last one short
    single = {p.id: facts_for(p, AUGUST) for p in people}
    query = scoped_people(actor("labour")).where(Person.id.in_(single))
    assert dict((p.id, f) for p, f in facts_for_many(query, AUGUST)) == single
    assert dict(facts_by_person_id(query, AUGUST)) == single
    assert any(f.person.merit for f in single.values())
    assert {f.household.poverty for f in single.values()} == {Poverty.POOR, Poverty.NONE}
    assert {f.household.area for f in single.values()} == {Area.URBAN, Area.RURAL}


def test_the_bulk_adapter_takes_ids_and_answers_in_their_order(officer, actor, today, household):
    people = mixed_people(officer, actor, today, household)
    ids = [p.id for p in reversed(people)]
    answered = list(
        facts_for_many([*map(str, ids), "00000000-0000-0000-0000-000000000000"], AUGUST)
    )
    assert [p.id for p, _ in answered] == ids
    assert all(f == facts_for(p, AUGUST) for p, f in answered)


@pytest.mark.parametrize("reader", [facts_for_many, facts_by_person_id])
def test_the_bulk_adapter_costs_a_few_queries_per_batch_whatever_the_batch_size(
    officer, actor, today, household, monkeypatch, reader
):
    people = mixed_people(officer, actor, today, household)
    query = scoped_people(actor("labour")).where(Person.id.in_([p.id for p in people]))
    db.session.expire_all()
    with counted_statements() as everything_at_once:
        assert len(list(reader(query, AUGUST))) == len(people)
    monkeypatch.setattr(adapter, "BATCH_SIZE", 2)
    db.session.expire_all()
    with counted_statements() as in_pairs:
        assert len(list(reader(query, AUGUST))) == len(people)
    assert len(everything_at_once) <= 4
    batches = -(-len(people) // 2)
    assert len(in_pairs) <= 4 * batches + 1  # +1: an empty page closes a run of full batches
