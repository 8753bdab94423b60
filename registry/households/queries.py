"""Read queries for the officer's screens: commune choices, counts, people awaiting a household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.extensions import db
from registry.households.models import Household
from registry.people.models import Person
from registry.units.models import AdminUnit, UnitLevel
from registry.units.scope import communes_in_scope, in_scope


def _valid_on(day: date):
    return (AdminUnit.valid_from <= day) & or_(
        AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= day
    )


def commune_choices(actor: Actor, today: date) -> list[AdminUnit]:
    """Communes/wards in the actor's scope and in force today (where households are registered)."""
    return list(db.session.scalars(communes_in_scope(actor).where(_valid_on(today))))


def communes_covered(actor: Actor) -> list[AdminUnit]:
    """Every commune/ward in the actor's scope, including those merged away (for filters)."""
    return list(db.session.scalars(communes_in_scope(actor)))


def communes_on(day: date) -> list[AdminUnit]:
    """Every commune/ward in force on ``day``, whoever covers it (destinations of a departure)."""
    return list(
        db.session.scalars(
            select(AdminUnit)
            .where(AdminUnit.level == UnitLevel.COMMUNE, _valid_on(day))
            .order_by(AdminUnit.name, AdminUnit.code)
        )
    )


@dataclass(frozen=True)
class CommuneSummary:
    commune: AdminUnit
    households: int
    people: int


def commune_summaries(actor: Actor, today: date) -> list[CommuneSummary]:
    """The actor's communes with their household count and living people count.

    Communes no longer in force are listed only while records still point at them.
    """
    actor.require(Permission.HOUSEHOLD_READ)
    households: dict[int, int] = dict(
        db.session.execute(
            select(Household.commune_id, func.count())
            .where(in_scope(Household.commune_id, actor))
            .group_by(Household.commune_id)
        ).all()
    )
    people: dict[int, int] = dict(
        db.session.execute(
            select(Person.commune_id, func.count())
            .where(
                in_scope(Person.commune_id, actor),
                Person.death_on.is_(None),
                Person.merged_into_id.is_(None),
            )
            .group_by(Person.commune_id)
        ).all()
    )
    return [
        CommuneSummary(unit, households.get(unit.id, 0), people.get(unit.id, 0))
        for unit in db.session.scalars(communes_in_scope(actor))
        if unit.is_valid_on(today) or households.get(unit.id) or people.get(unit.id)
    ]


def people_awaiting_household(actor: Actor, *, limit: int = 200) -> list[Person]:
    """Living people handed to the actor's communes, not yet in a household (chờ nhập hộ)."""
    actor.require(Permission.PERSON_READ)
    return list(
        db.session.scalars(
            select(Person)
            .where(
                in_scope(Person.commune_id, actor),
                Person.household_id.is_(None),
                Person.death_on.is_(None),
                Person.merged_into_id.is_(None),
            )
            .order_by(Person.given_name_key, Person.name_key, Person.id)
            .limit(limit)
        )
    )
