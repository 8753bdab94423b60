"""Test data built through the real services, so every object is valid and audited."""

from __future__ import annotations

import random
from datetime import date

from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.auth.services import create_user
from registry.extensions import keys
from registry.households.models import Household
from registry.households.services import register_household
from registry.people.models import Person, Relation, Sex
from registry.people.services import register_person
from registry.units.models import AdminUnit
from registry.units.services import find_unit

_rng = random.Random(20261129)
_used: set[str] = set()


def cccd(sex: Sex | str, birth_year: int, province: str = "046") -> str:
    """A structurally valid, never-repeated CCCD for this sex and birth year."""
    century = (birth_year // 100) - 19
    digit = century * 2 + (1 if Sex(sex) is Sex.FEMALE else 0)
    while True:
        number = f"{province}{digit}{birth_year % 100:02d}{_rng.randrange(10**6):06d}"
        if number not in _used:
            _used.add(number)
            return number


def unit(code: str, on: date = date(2026, 11, 29)) -> AdminUnit:
    return find_unit(code, on=on)


def user(username: str, *, role: Role, unit_code: str, password: str) -> User:
    return create_user(
        username=username,
        full_name=username.title(),
        role=role,
        unit=unit(unit_code),
        password=password,
        actor=Actor.system("tests"),
    )


def household(
    commune_code: str, *, actor: Actor, today: date, code: str | None = None, address: str = "Tổ 1"
) -> Household:
    return register_household(
        code=code, commune=unit(commune_code, today), address=address, actor=actor, today=today
    )


def person(
    *,
    actor: Actor,
    today: date,
    household: Household | None = None,
    commune_code: str | None = None,
    full_name: str = "Nguyễn Văn Đức",
    sex: Sex = Sex.MALE,
    birth_date: date | None = date(1990, 5, 17),
    birth_year: int | None = None,
    relation: Relation | None = None,
    with_cccd: bool = True,
    cccd_number: str | None = None,
) -> Person:
    year = birth_date.year if birth_date else birth_year
    assert year is not None
    number = cccd_number or (cccd(sex, year) if with_cccd else None)
    return register_person(
        full_name=full_name,
        sex=sex,
        birth_date=birth_date,
        birth_year=birth_year,
        household=household,
        commune=unit(commune_code, today) if commune_code else None,
        relation=relation
        or (Relation.HEAD if household is not None and household.head is None else None),
        cccd=number,
        actor=actor,
        today=today,
        cipher=keys.cipher,
    )


def poor_elder(
    *,
    actor: Actor,
    today: date,
    commune_code: str,
    full_name: str = "Lê Thị Cúc",
    birth_date: date = date(1950, 4, 2),
) -> Person:
    """A woman in a poor household with no one to support her: group 5(5)(a) of Decree 20/2021."""
    from registry.households.models import Area, PovertyStatus
    from registry.households.services import set_poverty_status
    from registry.people.circumstances import add_circumstance
    from registry.people.models import CircumstanceKind

    home = household(commune_code, actor=actor, today=today)
    set_poverty_status(
        home, review_year=2025, status=PovertyStatus.POOR, area=Area.URBAN, actor=actor, today=today
    )
    elder = person(
        actor=actor,
        today=today,
        household=home,
        sex=Sex.FEMALE,
        full_name=full_name,
        birth_date=birth_date,
    )
    add_circumstance(
        elder,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=date(2020, 1, 1),
        actor=actor,
        today=today,
    )
    return elder
