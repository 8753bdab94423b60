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
from registry.people.models import NameWord, Person
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


#: Past this many distinct names the query words are so common (one family name, one letter)
#: that the names cannot narrow the people: the search filters the list as it walks it.
NAMES_AT_MOST = 1000
#: A search counts its matches up to this many; past it the page says "more than" and the
#: list is walked in its sort order rather than sorted whole (officers narrow, not page on).
COUNT_AT_MOST = 2000
#: Each query word's names are counted up to this many to choose the rarest word.
_WORD_COUNT_AT_MOST = 20_000


@dataclass(frozen=True)
class PeoplePage:
    people: list[Person]
    #: The number of matches, or COUNT_AT_MOST + 1 when ``more`` is set.
    total: int
    page: int
    per_page: int
    #: More than COUNT_AT_MOST matches: ``total`` is a lower bound.
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _words_from(word: str) -> list:
    """Conditions on NameWord: words starting with ``word`` (a range: folded words are
    ``[a-z0-9]``, so the next string after the prefix is its last letter plus one)."""
    return [NameWord.word >= word, NameWord.word < word[:-1] + chr(ord(word[-1]) + 1)]


def matching_names(words: list[str]) -> list[str] | None:
    """The distinct name keys in use in which every word starts a word; None when there are
    more than NAMES_AT_MOST (the words are too common for the names to narrow anything).

    Reads the name-word index from the rarest query word (each counted up to a cap), and
    checks the others on the name key itself.
    """
    counts = {
        word: db.session.scalar(
            select(func.count()).select_from(
                select(NameWord.word)
                .where(*_words_from(word))
                .limit(_WORD_COUNT_AT_MOST)
                .subquery()
            )
        )
        for word in dict.fromkeys(words)
    }
    rarest = min(counts, key=counts.__getitem__)
    names = db.session.scalars(
        select(NameWord.name_key)
        .where(*_words_from(rarest), *(NameWord.name_key.like(f"% {w}%") for w in words))
        .distinct()
        .limit(NAMES_AT_MOST + 1)
    ).all()
    return None if len(names) > NAMES_AT_MOST else list(names)


def _name_conditions(words: list[str], names: list[str] | None) -> list:
    if not words:
        return []
    if names is None:
        return [Person.name_key.like(f"% {word}%") for word in words]
    # The given name is the key's last word: with it, the list-order index seeks each name
    # and yields the people already sorted.
    givens = sorted({name.split()[-1] for name in names if name.strip()})
    return [Person.given_name_key.in_(givens), Person.name_key.in_(names)]


def name_matches(query: str) -> list:
    """Conditions on Person: every query word starts a word of the name, accents optional
    ('nguyen van duc', 'Đức Nguyễn' and 'van du' all match 'Nguyễn Văn Đức').

    As the names found through the name-word index when they are few enough (the people then
    come through an index on the name), else as LIKE on the name key.
    """
    words = query_words(query)
    return _name_conditions(words, matching_names(words) if words else None)


def _capped_count(stmt: Select) -> int:
    """Matches of ``stmt``, counted up to COUNT_AT_MOST + 1."""
    first = stmt.order_by(None).with_only_columns(Person.id).limit(COUNT_AT_MOST + 1)
    return db.session.scalar(select(func.count()).select_from(first.subquery())) or 0


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
    given name, then full name, as offices sort their lists. Counts up to COUNT_AT_MOST
    matches (``more`` past it), so that a search stays quick in a province of a million.
    """
    # A record merged into another is history only: its person is found as the kept record.
    actor.require(Permission.PERSON_READ)
    words = query_words(query)
    area: list[int] | None = None
    if actor.unit_id is not None:
        # The scope as a list of ids, not the recursive CTE of in_scope: the planners
        # (SQLite's and PostgreSQL's) then read a commune officer's people through the
        # commune index instead of scanning the province's names.
        area = list(db.session.scalars(units_under(actor.unit_id)))
    # A few communes: their people through the commune index, the words checked on each name.
    # A wider area: the names found through the name-word index, each sought in the list
    # order; or, for words too common to narrow the names, the list walked in its order.
    wide = commune_id is None and (area is None or len(area) > 5)
    names = matching_names(words) if wide and words else None
    if names == []:
        return PeoplePage([], 0, max(page, 1), per_page)
    stmt = select(Person).where(Person.merged_into_id.is_(None), *_name_conditions(words, names))
    # SQLite's planner has no statistics unless ANALYZE ran: it takes a long list of communes
    # for the selective condition, and a commune's plain index over the one that holds the
    # names. PostgreSQL's has statistics and needs no hint.
    index = "ix_people_search_sort" if wide else "ix_people_commune_sort"
    stmt = stmt.with_hint(Person, f"INDEXED BY {index}", "sqlite")
    if area is not None:
        stmt = stmt.where(Person.commune_id.in_(area))
    if commune_id is not None:
        stmt = stmt.where(Person.commune_id == commune_id)
    if alive_only:
        stmt = stmt.where(Person.death_on.is_(None))
    total = _capped_count(stmt)
    ordered = stmt.order_by(Person.given_name_key, Person.name_key, Person.id)
    rows = db.session.scalars(ordered.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return PeoplePage(list(rows), total, max(page, 1), per_page, more=total > COUNT_AT_MOST)


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
