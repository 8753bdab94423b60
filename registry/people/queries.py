"""Reading people inside the actor's scope: by id, by name words, by CCCD."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import NotFoundError
from registry.extensions import db
from registry.identity.cccd import normalise_cccd, validate_cccd
from registry.identity.crypto import FieldCipher
from registry.people.models import Person
from registry.people.names import query_words
from registry.units.scope import in_scope, units_under


def scoped_people(actor: Actor) -> Select[tuple[Person]]:
    """People in the actor's communes; the base of every people query."""
    actor.require(Permission.PERSON_READ)
    return select(Person).where(in_scope(Person.commune_id, actor))


def get_person(person_id: uuid.UUID | str, *, actor: Actor) -> Person:
    """The person with this id if the actor covers their commune; NotFoundError otherwise."""
    try:
        key = person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id))
    except ValueError:
        raise NotFoundError() from None
    person = db.session.scalar(scoped_people(actor).where(Person.id == key))
    if person is None:
        raise NotFoundError()
    return person


@dataclass(frozen=True)
class PeoplePage:
    people: list[Person]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def name_matches(query: str) -> list:
    """Conditions on Person: every query word starts a word of the name, accents optional
    ('nguyen van duc', 'Đức Nguyễn' and 'van du' all match 'Nguyễn Văn Đức')."""
    return [Person.name_key.like(f"% {word}%") for word in query_words(query)]


def search_people(
    *,
    actor: Actor,
    query: str = "",
    commune_id: int | None = None,
    alive_only: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> PeoplePage:
    """People whose name has words starting with every query word, accents optional.

    'nguyen van duc', 'Đức Nguyễn' and 'van du' all find 'Nguyễn Văn Đức'. Sorted by
    given name, then full name, as offices sort their lists.
    """
    # A record merged into another is history only: its person is found as the kept record.
    actor.require(Permission.PERSON_READ)
    stmt = select(Person).where(Person.merged_into_id.is_(None), *name_matches(query))
    if actor.unit_id is not None:
        # The scope as a list of ids, not the recursive CTE of in_scope: the planners
        # (SQLite's and PostgreSQL's) then read a commune officer's people through the
        # commune index instead of scanning the province's names.
        area = list(db.session.scalars(units_under(actor.unit_id)))
        stmt = stmt.where(Person.commune_id.in_(area))
    if commune_id is not None:
        stmt = stmt.where(Person.commune_id == commune_id)
    if alive_only:
        stmt = stmt.where(Person.death_on.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Person.given_name_key, Person.name_key, Person.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return PeoplePage(list(rows), total, max(page, 1), per_page)


def looks_like_cccd(query: str) -> bool:
    """Whether a search box entry is an ID number rather than a name."""
    digits = normalise_cccd(query)
    return digits.isdigit() and len(digits) in (11, 12)


def find_by_cccd(raw: str, *, actor: Actor, cipher: FieldCipher) -> Person | None:
    """Exact lookup through the blind index; audited whether or not someone is found.

    A person outside the actor's scope is reported as not found.
    """
    actor.require(Permission.PERSON_READ)
    number = validate_cccd(raw)
    index = cipher.blind_index("cccd", number)
    person = db.session.scalar(scoped_people(actor).where(Person.cccd_index == index))
    record_event(
        AuditAction.CCCD_LOOKUP,
        actor=actor,
        subject=person,
        subject_type="people",
        unit_id=person.commune_id if person else actor.unit_id,
        details={"found": person is not None},
    )
    return person
