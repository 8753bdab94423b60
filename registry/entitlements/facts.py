"""The adapter: the engine's Facts for one month, read from the registry (one person or many).

Which records count for a month is decided here, once, for the person page and for the
whole-scope run alike:

- a circumstance counts when it started on or before the month's last day and had not
  ended before its first day (``counts_in_month``);
- a merit record likewise, from its recognition date;
- the household's poverty status is the review whose period touches the month and that
  started last (``status_in_force``); without one the household counts as "none";
- the area comes from that review; without one, a commune whose name starts with "Xã" is
  rural and a ward (phường) or town (thị trấn) urban (``area_of_commune``).
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from registry.eligibility.facts import (
    Area,
    Disability,
    Facts,
    HouseholdFacts,
    MeritFact,
    PersonFacts,
    Poverty,
)
from registry.eligibility.months import assumed_birth_date, month_start
from registry.extensions import db
from registry.households.models import HouseholdPovertyStatus
from registry.people.models import Circumstance, CircumstanceKind, MeritRecord, Person
from registry.units.models import AdminUnit

#: People per batch in the bulk readers: each batch costs at most four queries.
BATCH_SIZE = 2000

#: Kinds the rules read; a pregnancy is recorded, but no rule of the engine uses it.
KINDS_READ = tuple(k for k in CircumstanceKind if k is not CircumstanceKind.PREGNANCY)

#: Disability levels by rank; "mild" (nhẹ) gives no allowance, so it counts as none.
DISABILITY_RANK = {"severe": 1, "especially_severe": 2}
_DISABILITY_BY_RANK = (Disability.NONE, Disability.SEVERE, Disability.ESPECIALLY_SEVERE)


def month_span(month: date) -> tuple[date, date]:
    """The first and last day of the month ``month`` falls in."""
    first = month_start(month)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def counts_in_month(started_on: date, ended_on: date | None, month: date) -> bool:
    """Whether a dated record counts for ``month``: in force on at least one day of it."""
    first, last = month_span(month)
    return started_on <= last and (ended_on is None or ended_on >= first)


def status_in_force(statuses: Iterable[Any], month: date) -> Any | None:
    """The poverty review in force in ``month``: among those whose period touches the
    month, the one that started last (a later review replaces an earlier one).
    """
    candidates = [s for s in statuses if counts_in_month(s.valid_from, s.valid_to, month)]
    return max(candidates, key=lambda s: (s.valid_from, s.review_year), default=None)


def area_of_commune(commune_name: str) -> Area:
    """The area of a household with no poverty review: a "Xã" is rural, the others urban."""
    return Area.RURAL if commune_name.strip().startswith("Xã") else Area.URBAN


def _value(member: Any) -> Any:
    return getattr(member, "value", member)


class CircumstanceFacts(NamedTuple):
    """What a person's circumstances in force in a month tell the rules (hashable, so that
    the bulk path can group people by it); the names are ``PersonFacts`` fields."""

    disability: Disability = Disability.NONE
    has_pension: bool = False
    hiv: bool = False
    studying: bool = False
    without_support: bool = False
    single_parent_children: int = 0
    no_supporter: bool = False
    taken_in_by_carer: bool = False


#: A person with no circumstance in force.
NO_CIRCUMSTANCES = CircumstanceFacts()


def reduce_circumstances(records: Iterable[Any]) -> CircumstanceFacts:
    """The facts given by circumstance records that all count for the month (objects or
    rows with ``kind``, ``disability_level`` and ``children_count``), in any order.

    Two disability assessments in one month (a reassessment): the month counts at the
    higher level. Two single-parent records: the larger number of children.
    """
    kinds: set[str] = set()
    disability_rank = 0
    children = 0
    for record in records:
        kind = _value(record.kind)
        kinds.add(kind)
        if kind == CircumstanceKind.DISABILITY:
            disability_rank = max(
                disability_rank, DISABILITY_RANK.get(_value(record.disability_level), 0)
            )
        elif kind == CircumstanceKind.SINGLE_PARENT:
            children = max(children, record.children_count or 0)
    if not kinds:
        return NO_CIRCUMSTANCES
    return CircumstanceFacts(
        disability=_DISABILITY_BY_RANK[disability_rank],
        has_pension=CircumstanceKind.PENSION in kinds,
        hiv=CircumstanceKind.HIV in kinds,
        studying=CircumstanceKind.STUDYING in kinds,
        without_support=CircumstanceKind.WITHOUT_SUPPORT in kinds,
        single_parent_children=children,
        no_supporter=CircumstanceKind.NO_SUPPORTER in kinds,
        taken_in_by_carer=CircumstanceKind.TAKEN_IN_BY_CARER in kinds,
    )


def merit_fact(record: Any) -> MeritFact:
    """One merit record (object or row with ``category``, ``martyrs``, ``injury_rate``)."""
    return MeritFact(
        category=_value(record.category), martyrs=record.martyrs, injury_rate=record.injury_rate
    )


def build_person_facts(
    person: Person, circumstances: Iterable[Any], merits: Iterable[Any], month: date
) -> PersonFacts:
    """The person's facts for ``month`` from their records (ORM objects or rows with the
    same attribute names); records that do not count for the month are skipped here, and
    the others reduced by ``reduce_circumstances``.
    """
    circumstance_facts = reduce_circumstances(
        r for r in circumstances if counts_in_month(r.started_on, r.ended_on, month)
    )
    merit = tuple(
        merit_fact(record)
        for record in merits
        if counts_in_month(record.recognised_on, record.ended_on, month)
    )
    return PersonFacts(
        birth_date=person.birth_date or assumed_birth_date(person.birth_year),
        sex=_value(person.sex),
        death_date=person.death_on,
        merit=merit,
        **circumstance_facts._asdict(),
    )


def household_facts(status: Any | None, area_without_review: Area) -> HouseholdFacts:
    """The household's facts from the poverty review in force (or none: then no poverty
    status, and the area its commune's name gives)."""
    if status is None:
        return HouseholdFacts(poverty=Poverty.NONE, area=area_without_review)
    return HouseholdFacts(
        poverty=Poverty(_value(status.status)),
        area=Area(_value(status.area)),
        especially_difficult_area=bool(status.is_especially_difficult_area),
    )


def build_household_facts(
    statuses: Iterable[Any], commune_name: str, month: date
) -> HouseholdFacts:
    """The household's facts for ``month`` from its poverty reviews (any, in any order)."""
    return household_facts(status_in_force(statuses, month), area_of_commune(commune_name))


def facts_for(person: Person, month: date) -> Facts:
    """The facts the engine reads about ``person`` in ``month`` (any day of it).

    Reads the person's circumstances, merit records and household reviews through their
    relationships: a few queries, right for one person. For many, use ``facts_for_many``.
    """
    month = month_start(month)
    household = person.household
    return Facts(
        person=build_person_facts(person, person.circumstances, person.merit_records, month),
        household=build_household_facts(
            household.poverty_statuses if household is not None else (),
            person.commune.name,
            month,
        ),
    )


def facts_for_many(
    people: Select[tuple[Person]] | Iterable[uuid.UUID | str], month: date
) -> Iterator[tuple[Person, Facts]]:
    """``(person, facts)`` for every person a query selects (or for these ids), in batches
    of ``BATCH_SIZE``: per batch one query for the people, one for their circumstances, one
    for their merit records and one for their households' reviews, never one per person.

    A query is read in order of person id (its own ORDER BY is replaced); ids are answered
    in the order given, unknown ids skipped.
    """
    month = month_start(month)
    batches = _pages(people, BATCH_SIZE) if isinstance(people, Select) else _id_batches(people)
    for batch in batches:
        facts = _facts_for_batch(batch, [p.commune.name for p in batch], month)
        yield from zip(batch, facts, strict=True)


def facts_by_person_id(
    people: Select[tuple[Person]], month: date
) -> Iterator[tuple[uuid.UUID, Facts]]:
    """``(person id, facts)`` for every person the query selects: the same facts and the
    same queries as ``facts_for_many``, but the people are read as the few columns the
    rules need rather than as Person objects, about three times faster for a whole scope.
    """
    month = month_start(month)
    commune = aliased(AdminUnit)
    columns = people.with_only_columns(
        Person.id,
        Person.birth_date,
        Person.birth_year,
        Person.sex,
        Person.death_on,
        Person.household_id,
        commune.name.label("commune_name"),
    ).join_from(Person, commune, commune.id == Person.commune_id)
    for batch in _pages(columns, BATCH_SIZE, rows=True):
        facts = _facts_for_batch(batch, [row.commune_name for row in batch], month)
        yield from zip([row.id for row in batch], facts, strict=True)


def _pages(stmt: Select, size: int, *, rows: bool = False) -> Iterator[list[Any]]:
    """The statement's results in pages of ``size``, by person id (keyset pagination, so
    each page costs the same however far into the scope it lies).
    """
    stmt = stmt.order_by(None).order_by(Person.id).limit(size)
    after: uuid.UUID | None = None
    while True:
        page = stmt if after is None else stmt.where(Person.id > after)
        batch = list(db.session.execute(page)) if rows else list(db.session.scalars(page).unique())
        if batch:
            yield batch
        if len(batch) < size:
            return
        after = batch[-1].id


def _id_batches(ids: Iterable[uuid.UUID | str]) -> Iterator[list[Person]]:
    remaining = iter(ids)
    while chunk := [
        i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in islice(remaining, BATCH_SIZE)
    ]:
        found = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(chunk)))}
        batch = [found[i] for i in dict.fromkeys(chunk) if i in found]
        if batch:
            yield batch


def _facts_for_batch(batch: list[Any], commune_names: list[str], month: date) -> list[Facts]:
    """Facts for a batch of people (Person objects or rows with the same column names), with
    their records read in one query per kind of record.
    """
    first, last = month_span(month)
    ids = [p.id for p in batch]
    circumstances: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in db.session.execute(
        select(
            Circumstance.person_id,
            Circumstance.kind,
            Circumstance.disability_level,
            Circumstance.children_count,
            Circumstance.started_on,
            Circumstance.ended_on,
        ).where(
            Circumstance.person_id.in_(ids),
            Circumstance.kind.in_(KINDS_READ),
            Circumstance.started_on <= last,
            or_(Circumstance.ended_on.is_(None), Circumstance.ended_on >= first),
        )
    ):
        circumstances[row.person_id].append(row)
    merits: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in db.session.execute(
        select(
            MeritRecord.person_id,
            MeritRecord.category,
            MeritRecord.martyrs,
            MeritRecord.injury_rate,
            MeritRecord.recognised_on,
            MeritRecord.ended_on,
        )
        .where(
            MeritRecord.person_id.in_(ids),
            MeritRecord.recognised_on <= last,
            or_(MeritRecord.ended_on.is_(None), MeritRecord.ended_on >= first),
        )
        .order_by(MeritRecord.id)
    ):
        merits[row.person_id].append(row)
    statuses: dict[uuid.UUID, list[Any]] = defaultdict(list)
    households = {p.household_id for p in batch if p.household_id is not None}
    if households:
        for row in db.session.execute(
            select(
                HouseholdPovertyStatus.household_id,
                HouseholdPovertyStatus.review_year,
                HouseholdPovertyStatus.status,
                HouseholdPovertyStatus.area,
                HouseholdPovertyStatus.is_especially_difficult_area,
                HouseholdPovertyStatus.valid_from,
                HouseholdPovertyStatus.valid_to,
            ).where(
                HouseholdPovertyStatus.household_id.in_(households),
                HouseholdPovertyStatus.valid_from <= last,
                or_(
                    HouseholdPovertyStatus.valid_to.is_(None),
                    HouseholdPovertyStatus.valid_to >= first,
                ),
            )
        ):
            statuses[row.household_id].append(row)
    return [
        Facts(
            person=build_person_facts(
                person, circumstances.get(person.id, ()), merits.get(person.id, ()), month
            ),
            household=build_household_facts(
                statuses.get(person.household_id, ()) if person.household_id else (),
                commune_name,
                month,
            ),
        )
        for person, commune_name in zip(batch, commune_names, strict=True)
    ]
