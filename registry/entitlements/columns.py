"""The scope's month read as columns: everyone alive, counted by what the law engine can tell apart.

``evaluate_scope`` needs, for each person alive in the scope, only what the engine reads: the
birth (through ``birth_key``, eligibility/signatures.py), sex, the circumstances and merit
records in force, and the household's poverty review in force (or the commune's area). Most
people have none of those records, so the month is read as four set-based queries whose
groups nest, the database doing the grouping (plain rows, no ORM objects, a few thousand
rows back however large the province, so memory does not grow with it):

- everyone, counted by (birth month, sex, rural commune);
- the people of households with a review in force, counted also by the review (the review
  in force chosen in SQL as ``status_in_force`` chooses it);
- the people with circumstances in force, counted also by what ``reduce_circumstances``
  reads of them (kinds held, highest disability rank, most children) and by the review;
- the people with merit records in force, one row per record, in person order.

Each person takes their signature at the innermost group they belong to and is taken off
every group around it. Signatures are made by the adapter's own functions (facts.py:
``reduce_circumstances``, ``merit_fact``, ``household_facts``), so both paths read the
records the same way; tests/entitlements/test_columns.py holds the two paths equal.

The engine then runs once per distinct signature (``Signatures.facts``), and its result
counts as many times as people hold that signature.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, String, and_, case, cast, extract, func, or_, select

from registry.eligibility.engine import Law
from registry.eligibility.facts import Area, Facts, HouseholdFacts, MeritFact, PersonFacts
from registry.eligibility.months import month_start
from registry.eligibility.signatures import birth_key, exact_months_up_to, first_day, month_number
from registry.entitlements.facts import (
    DISABILITY_RANK,
    KINDS_READ,
    NO_CIRCUMSTANCES,
    CircumstanceFacts,
    area_of_commune,
    household_facts,
    merit_fact,
    month_span,
    reduce_circumstances,
)
from registry.extensions import db
from registry.households.models import HouseholdPovertyStatus
from registry.people.models import Circumstance, CircumstanceKind, MeritRecord, Person

#: What the engine can tell apart about a person in the month: birth key, sex, circumstances
#: in force, merit records in force (in record order), household facts.
Signature = tuple[Any, str, CircumstanceFacts, tuple[MeritFact, ...], HouseholdFacts]

#: The circumstance kinds the rules read, each as one bit of a person's ``kinds`` in SQL.
_KIND_BITS = {kind.value: 1 << number for number, kind in enumerate(KINDS_READ)}


def alive_in(month: date):
    """People born by the end of ``month`` and not dead before it began (the month of
    death is still paid in full).
    """
    first, last = month_span(month)
    return and_(
        or_(Person.death_on.is_(None), Person.death_on >= first),
        or_(
            Person.birth_date <= last,
            and_(Person.birth_date.is_(None), Person.birth_year <= first.year),
        ),
    )


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def not_merged():
    """Not a duplicate merged into another record (gộp hồ sơ trùng): it stays as history
    only, its records moved to the kept one.

    On SQLite written as a CASE so that it does not read a whole province through the index
    on ``merged_into_id`` (every row matches IS NULL), one table lookup per person. Not on
    PostgreSQL: the CASE hides the condition from its estimates (1,094 people expected of
    a million), and it then joins a million rows as if they were a thousand.
    """
    if not _on_sqlite():
        return Person.merged_into_id.is_(None)
    return case((Person.merged_into_id.is_(None), 1), else_=0) == 1


@dataclass
class Signatures:
    """People counted by signature for one month, with one birth per signature to evaluate."""

    month: date
    counts: Counter = field(default_factory=Counter)
    #: A birth month number (``year * 12 + month``) of someone with the signature.
    births: dict[Signature, int] = field(default_factory=dict)

    @property
    def people(self) -> int:
        return sum(self.counts.values())

    def add(self, signature: Signature, born: int, count: int = 1) -> None:
        self.counts[signature] += count
        self.births.setdefault(signature, born)

    def facts(self, signature: Signature) -> Facts:
        """Facts of someone with this signature: equal signatures give equal results (the
        birth is one of theirs; nobody counted here died before the month, and the engine
        reads a death only to tell whether the person was alive in it)."""
        _, sex, circumstances, merit, household = signature
        person = PersonFacts(
            birth_date=first_day(self.births[signature]),
            sex=sex,
            merit=merit,
            **circumstances._asdict(),
        )
        return Facts(person=person, household=household)


#: Up to this many communes, people are found through the index on their commune; beyond,
#: by reading the table once (a province through the index is a random read per person).
#: SQLite only: PostgreSQL's planner chooses from its statistics, which the tricks that
#: steer SQLite (``commune_id + 0``, ``_unindexed``) would blind.
FEW_COMMUNES = 8


def _steered(communes: int) -> bool:
    return communes > FEW_COMMUNES and _on_sqlite()


def scope_filter(commune_ids: list[int], month: date) -> list[Any]:
    """The WHERE clauses of the people counted: alive in ``month``, in these communes, not
    merged away. The scope comes as the communes' ids, read once by the caller: SQLite would
    run a recursive scope CTE again inside every query."""
    commune = Person.commune_id + 0 if _steered(len(commune_ids)) else Person.commune_id
    return [commune.in_(commune_ids), alive_in(month), not_merged()]


def _unindexed(column: Any) -> Any:
    """The column's value as an expression no index can serve (same type, same order)."""
    return func.coalesce(column, column)


def _born() -> Any:
    """The birth as a month number in SQL; with the year only, January (assumed_birth_date)."""
    return func.coalesce(
        cast(extract("year", Person.birth_date), Integer) * 12
        + cast(extract("month", Person.birth_date), Integer),
        Person.birth_year * 12 + 1,
    )


def _in_force(first: date, last: date) -> Any:
    """The poverty reviews touching the month, numbered per household from the one that
    started last: number 1 is the review in force (``status_in_force``'s reading, in SQL)."""
    status = HouseholdPovertyStatus
    return (
        select(
            status.household_id,
            status.status,
            status.area,
            status.is_especially_difficult_area.label("especially_difficult"),
            func.row_number()
            .over(
                partition_by=status.household_id,
                order_by=(status.valid_from.desc(), status.review_year.desc()),
            )
            .label("number"),
        )
        .where(status.valid_from <= last, or_(status.valid_to.is_(None), status.valid_to >= first))
        .subquery("in_force")
    )


def _circumstances(first: date, last: date, *only: Any) -> Any:
    """Per person, what ``reduce_circumstances`` reads of the records in force in the month:
    the kinds held (one bit each), the highest disability rank, the most children (of the
    people ``only`` keeps, when given)."""
    kind, level = Circumstance.kind, Circumstance.disability_level
    rank = case(*[(level == name, value) for name, value in DISABILITY_RANK.items()], else_=0)
    children = func.coalesce(Circumstance.children_count, 0)
    return (
        select(
            Circumstance.person_id,
            func.sum(
                case(*[(kind == name, bit) for name, bit in _KIND_BITS.items()], else_=0).distinct()
            ).label("kinds"),
            func.max(case((kind == CircumstanceKind.DISABILITY, rank), else_=0)).label("rank"),
            func.max(case((kind == CircumstanceKind.SINGLE_PARENT, children), else_=0)).label(
                "children"
            ),
        )
        .where(
            *only,
            kind.in_(KINDS_READ),
            Circumstance.started_on <= last,
            or_(Circumstance.ended_on.is_(None), Circumstance.ended_on >= first),
        )
        .group_by(Circumstance.person_id)
        .subquery("held")
    )


def signature_queries(
    communes: Iterable[tuple[int, str]], month: date
) -> tuple[Select, Select, Select, Select]:
    """The statements the month is read with, ``communes`` being the (id, name) of the
    communes in scope: people counted by (birth month, sex, rural); those with a poverty
    review in force, also by the review; those with circumstances in force, also by what
    they give (and the review); and the people with merit records in force, one row per
    record, with the rest of their facts, by person."""
    communes = list(communes)
    first, last = month_span(month)
    where = scope_filter([c for c, _ in communes], month)
    # Over many communes, each sparse table drives its join (a few rows in a hundred, read
    # in full) and its rows are sorted afterwards: an index that gives the order, or one on
    # the sparse side, would have SQLite walk every person in scope for them.
    drive = _unindexed if _steered(len(communes)) else (lambda column: column)
    rural = [c for c, name in communes if area_of_commune(name) is Area.RURAL]
    born, is_rural = _born().label("born"), Person.commune_id.in_(rural).label("rural")
    person = (born, Person.sex, is_rural)
    in_force, held = _in_force(first, last), _circumstances(first, last)
    review = (in_force.c.status, in_force.c.area, in_force.c.especially_difficult)
    # The review of a person's household: found by household for people already read; for
    # the poverty groups, the reviews drive (read in full) and find their people.
    own_review = and_(Person.household_id == in_force.c.household_id, in_force.c.number == 1)
    reviewed = and_(Person.household_id == drive(in_force.c.household_id), in_force.c.number == 1)
    plain = select(*person, func.count()).where(*where).group_by(*person)
    poverty = (
        select(*person, *review, func.count())
        .select_from(in_force)
        .join(Person, reviewed)
        .where(*where)
        .group_by(*person, *review)
    )
    circumstances = (held.c.kinds, held.c.rank, held.c.children)
    with_circumstances = (
        select(*person, *circumstances, *review, func.count())
        .select_from(held)
        .join(Person, Person.id == held.c.person_id)
        .outerjoin(in_force, own_review)
        .where(*where)
        .group_by(*person, *circumstances, *review)
    )
    in_month = and_(
        MeritRecord.recognised_on <= last,
        or_(MeritRecord.ended_on.is_(None), MeritRecord.ended_on >= first),
    )
    # The merit holders' circumstances only: a few in a hundred of those in force.
    holders = _circumstances(
        first, last, Circumstance.person_id.in_(select(MeritRecord.person_id).where(in_month))
    )
    merits = (
        select(
            cast(Person.id, String).label("person_id"),
            *person,
            holders.c.kinds,
            holders.c.rank,
            holders.c.children,
            *review,
            MeritRecord.category,
            MeritRecord.martyrs,
            MeritRecord.injury_rate,
        )
        .select_from(MeritRecord)
        .join(Person, Person.id == MeritRecord.person_id)
        .outerjoin(holders, holders.c.person_id == Person.id)
        .outerjoin(in_force, own_review)
        .where(*where, in_month)
        .order_by(drive(Person.id), MeritRecord.id)
    )
    return plain, poverty, with_circumstances, merits


def count_signatures(communes: Iterable[tuple[int, str]], month: date, law: Law) -> Signatures:
    """Everyone alive in ``month`` in these communes ((id, name) pairs), counted by
    signature: four set-based queries, three of them grouped by the database, no ORM
    objects; memory bounded by the number of distinct groups and the merit records in force
    (one row each: about 10,000 in a province of a million).

    The groups nest: everyone (plain), those with a review in force, those with
    circumstances, the merit holders one by one. Each person is given their signature at the
    innermost group they belong to, and taken off every group around it.
    """
    month = month_start(month)
    number = month_number(month)
    exact_up_to = exact_months_up_to(law)
    births: dict[int, Any] = {}
    held: dict[tuple, CircumstanceFacts] = {}

    def birth(born: int) -> Any:
        found = births.get(born)
        if found is None:
            found = births[born] = birth_key(born, number, exact_up_to)
        return found

    def circumstances(kinds: int, rank: int, children: int) -> CircumstanceFacts:
        found = held.get((kinds, rank, children))
        if found is None:
            found = held[(kinds, rank, children)] = reduce_circumstances(
                _Held(name, _LEVEL_BY_RANK[rank], children)
                for name, bit in _KIND_BITS.items()
                if kinds & bit
            )
        return found

    def household(review: tuple, rural: bool) -> HouseholdFacts:
        if review[0] is None:
            return household_facts(None, Area.RURAL if rural else Area.URBAN)
        return household_facts(_Review(*review), Area.RURAL)

    connection = db.session.connection()
    plain_query, poverty_query, circumstances_query, merits_query = signature_queries(
        communes, month
    )
    plain: Counter = Counter()
    for born, sex, rural, people in connection.execute(plain_query):
        plain[(born, _value(sex), bool(rural))] += people
    poverty: Counter = Counter()
    for born, sex, rural, *review, people in connection.execute(poverty_query):
        poverty[(born, _value(sex), bool(rural), *map(_value, review))] += people
    with_circumstances: Counter = Counter()
    for born, sex, rural, *rest, people in connection.execute(circumstances_query):
        with_circumstances[(born, _value(sex), bool(rural), *map(_value, rest))] += people
    signatures = Signatures(month)
    # Read whole (merit holders are a few in a hundred): streamed through a server-side
    # cursor, PostgreSQL plans for the first rows and picks a nested loop over the reviews
    # that took 45 s at a million people instead of 0.4 s.
    merit_rows = connection.execute(merits_query).all()
    for _, rows in groupby(merit_rows, key=itemgetter(0)):
        records = list(rows)
        _, born, sex, rural, kinds, rank, children, *review = records[0][:10]
        sex, rural, review = _value(sex), bool(rural), tuple(map(_value, review))
        merit = tuple(merit_fact(_Merit(*row[10:])) for row in records)
        facts = circumstances(kinds, rank, children) if kinds else NO_CIRCUMSTANCES
        signatures.add((birth(born), sex, facts, merit, household(review, rural)), born)
        if kinds:
            with_circumstances[(born, sex, rural, kinds, rank, children, *review)] -= 1
        if review[0] is not None:
            poverty[(born, sex, rural, *review)] -= 1
        plain[(born, sex, rural)] -= 1
    for (born, sex, rural, kinds, rank, children, *review), people in with_circumstances.items():
        if not people:  # all of them merit holders, counted above
            continue
        review = tuple(review)
        facts = circumstances(kinds, rank, children)
        signatures.add((birth(born), sex, facts, (), household(review, rural)), born, people)
        if review[0] is not None:
            poverty[(born, sex, rural, *review)] -= people
        plain[(born, sex, rural)] -= people
    for (born, sex, rural, *review), people in poverty.items():
        if not people:
            continue
        facts = household(tuple(review), rural)
        signatures.add((birth(born), sex, NO_CIRCUMSTANCES, (), facts), born, people)
        plain[(born, sex, rural)] -= people
    for (born, sex, rural), people in plain.items():
        if not people:
            continue
        facts = household((None,), rural)
        signatures.add((birth(born), sex, NO_CIRCUMSTANCES, (), facts), born, people)
    return signatures


#: The disability level of each rank, as ``reduce_circumstances`` reads it back.
_LEVEL_BY_RANK = {0: None, **{rank: level for level, rank in DISABILITY_RANK.items()}}


class _Held(NamedTuple):
    kind: str
    disability_level: str | None
    children_count: int


class _Review(NamedTuple):
    status: Any
    area: Any
    is_especially_difficult_area: bool


class _Merit(NamedTuple):
    category: Any
    martyrs: int | None
    injury_rate: int | None


def _value(member: Any) -> Any:
    return getattr(member, "value", member)
