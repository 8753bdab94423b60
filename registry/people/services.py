"""Use cases for people: register, birth, death, move, departure, personal details."""

from __future__ import annotations

import uuid
from datetime import date

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import ConflictError, Problem, ValidationError
from registry.extensions import db
from registry.households.models import Household
from registry.households.services import check_commune, set_head
from registry.i18n import N_
from registry.identity.crypto import FieldCipher
from registry.people.identity import cccd_context, set_cccd, set_cmnd
from registry.people.models import Person, Relation, Sex
from registry.people.names import clean_name, fold, given_name_key, name_key
from registry.units.models import AdminUnit, UnitLevel


def person_field_problems(
    full_name: str, birth_date: date | None, birth_year: int | None, today: date
) -> tuple[str, int | None, list[Problem]]:
    """Check a person's name and birth; return the cleaned name, the birth year and every
    problem found (shared by the services and the bulk import).
    """
    problems = []
    name = clean_name(full_name or "")
    if not name:
        problems.append(Problem("full_name", N_("Enter the full name.")))
    elif len(name) > 200:
        problems.append(Problem("full_name", N_("The full name may have at most 200 characters.")))
    elif len(folded := fold(name)) > 218 or len(folded.rsplit(" ", 1)[-1]) > 60:
        # Letters that spell out long without accents (anyascii) would overflow the search keys.
        problems.append(
            Problem(
                "full_name",
                N_("The full name is too long once written without accents."),
            )
        )
    if birth_date is not None:
        if birth_date > today:
            problems.append(
                Problem(
                    "birth_date",
                    N_("The date of birth %(day)s is in the future."),
                    {"day": birth_date.strftime("%d/%m/%Y")},
                )
            )
        if birth_year is not None and birth_year != birth_date.year:
            problems.append(
                Problem("birth_year", N_("The birth year does not match the date of birth."))
            )
        birth_year = birth_date.year
    if birth_year is None:
        problems.append(
            Problem("birth_date", N_("Enter the date of birth, or at least the year of birth."))
        )
    elif not 1880 <= birth_year <= today.year:
        problems.append(
            Problem(
                "birth_year",
                N_("The year of birth %(year)d is not plausible."),
                {"year": birth_year},
            )
        )
    return name, birth_year, problems


def _check_person_fields(
    full_name: str, birth_date: date | None, birth_year: int | None, today: date
) -> tuple[str, int]:
    name, year, problems = person_field_problems(full_name, birth_date, birth_year, today)
    if problems:
        raise ValidationError(problems)
    assert year is not None
    return name, year


def register_person(
    *,
    full_name: str,
    sex: Sex,
    birth_date: date | None = None,
    birth_year: int | None = None,
    commune: AdminUnit | None = None,
    household: Household | None = None,
    relation: Relation | None = None,
    cccd: str | None = None,
    cccd_override_reason: str | None = None,
    cmnd: str | None = None,
    actor: Actor,
    today: date,
    cipher: FieldCipher,
) -> Person:
    """Register a person in a household (or, without one, directly in a commune).

    The CCCD is validated against sex and birth year and stored encrypted with its blind
    index; a number already registered is refused (ConflictError). Registering someone as
    ``Relation.HEAD`` of a household without a living head makes them its head.
    """
    actor.require(Permission.PERSON_WRITE)
    name, year = _check_person_fields(full_name, birth_date, birth_year, today)
    if household is not None:
        commune = household.commune
        relation = relation or Relation.OTHER
        if (
            relation is Relation.HEAD
            and household.head is not None
            and household.head.death_on is None
        ):
            raise ConflictError(
                N_("Household %(code)s already has a head; change the head on the household page."),
                code=household.code,
            )
    elif commune is None:
        raise ValidationError([Problem("commune", N_("Choose the commune or the household."))])
    else:
        relation = None
    check_commune(commune, actor=actor, today=today)
    person = Person(
        id=uuid.uuid4(),
        full_name=name,
        name_key=name_key(name),
        given_name_key=given_name_key(name),
        birth_date=birth_date,
        birth_year=year,
        sex=sex,
        commune=commune,
        household_id=household.id if household else None,
        relation=relation,
    )
    set_cccd(person, cccd, cipher=cipher, override_reason=cccd_override_reason)
    set_cmnd(person, cmnd, cipher=cipher)
    db.session.add(person)
    db.session.flush()
    record_event(
        AuditAction.PERSON_CREATE,
        actor=actor,
        subject=person,
        unit_id=commune.id,
        details={
            "household": household.code if household else None,
            "relation": relation.value if relation else None,
            "has_cccd": person.cccd_index is not None,
            "cccd_override": person.cccd_override_reason is not None,
        },
    )
    if household is not None and relation is Relation.HEAD:
        set_head(household, person, actor=actor)
    return person


def record_birth(
    household: Household,
    *,
    full_name: str,
    sex: Sex,
    birth_date: date,
    relation: Relation = Relation.CHILD,
    cccd: str | None = None,
    actor: Actor,
    today: date,
    cipher: FieldCipher,
) -> Person:
    """Record a baby born into a household (khai sinh); the ID number is optional."""
    person = register_person(
        full_name=full_name,
        sex=sex,
        birth_date=birth_date,
        household=household,
        relation=relation,
        cccd=cccd,
        actor=actor,
        today=today,
        cipher=cipher,
    )
    record_event(
        AuditAction.BIRTH_RECORD,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={"household": household.code, "birth_date": birth_date.isoformat()},
    )
    return person


def record_death(
    person: Person, *, died_on: date, reference: str | None = None, actor: Actor, today: date
) -> Person:
    """Record a death (báo tử). The month of death is still paid; payments stop the month
    after (Decree 20/2021/NĐ-CP art. 8(2)). A dead head stays on record until a new head is set.
    """
    actor.require(Permission.PERSON_WRITE)
    problems = []
    if person.death_on is not None:
        problems.append(
            Problem(
                "died_on",
                N_("This death was already recorded on %(day)s."),
                {"day": person.death_on.strftime("%d/%m/%Y")},
            )
        )
    if died_on > today:
        problems.append(Problem("died_on", N_("The date of death is in the future.")))
    born = person.birth_date or date(person.birth_year, 1, 1)
    if died_on < born:
        problems.append(Problem("died_on", N_("The date of death is before the birth.")))
    if problems:
        raise ValidationError(problems)
    person.death_on = died_on
    db.session.flush()
    record_event(
        AuditAction.DEATH_RECORD,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={
            "died_on": died_on.isoformat(),
            "reference": (reference or "").strip() or None,
            "was_head": bool(person.household and person.household.head_id == person.id),
        },
    )
    return person


def update_person(
    person: Person,
    *,
    full_name: str,
    sex: Sex,
    birth_date: date | None,
    birth_year: int | None,
    cccd: str | None = None,
    cccd_override_reason: str | None = None,
    cmnd: str | None = None,
    change_cccd: bool = False,
    actor: Actor,
    today: date,
    cipher: FieldCipher,
) -> Person:
    """Correct a person's details. The CCCD is replaced only when ``change_cccd`` is set,
    since the form never shows the stored number; it is re-checked against the new sex/year.
    """
    actor.require(Permission.PERSON_WRITE)
    name, year = _check_person_fields(full_name, birth_date, birth_year, today)
    changed = [
        f
        for f, old, new in (
            ("full_name", person.full_name, name),
            ("sex", person.sex, sex),
            ("birth_date", person.birth_date, birth_date),
            ("birth_year", person.birth_year, year),
        )
        if old != new
    ]
    person.full_name, person.name_key, person.given_name_key = (
        name,
        name_key(name),
        given_name_key(name),
    )
    person.sex, person.birth_date, person.birth_year = sex, birth_date, year
    if change_cccd:
        set_cccd(person, cccd, cipher=cipher, override_reason=cccd_override_reason)
        set_cmnd(person, cmnd, cipher=cipher)
        changed.append("identity_numbers")
    elif person.cccd_ciphertext is not None and ({"sex", "birth_year"} & set(changed)):
        # The stored number must still agree with the corrected sex and birth year.
        set_cccd(
            person,
            cipher.decrypt(person.cccd_ciphertext, cccd_context(person)),
            cipher=cipher,
            override_reason=cccd_override_reason or person.cccd_override_reason,
        )
    db.session.flush()
    if changed:
        record_event(
            AuditAction.PERSON_UPDATE,
            actor=actor,
            subject=person,
            unit_id=person.commune_id,
            details={"fields": changed},
        )
    return person


def move_person(
    person: Person, *, to_household: Household, relation: Relation, actor: Actor, today: date
) -> Person:
    """Move a person into another household in the actor's area (same or another commune).

    If they headed the old household, it is left without a head until one is set.
    """
    actor.require(Permission.PERSON_WRITE)
    if person.death_on is not None:
        raise ValidationError([Problem("household", N_("A deceased person cannot be moved."))])
    if person.household_id == to_household.id:
        raise ValidationError(
            [Problem("household", N_("The person is already in this household."))]
        )
    if (
        relation is Relation.HEAD
        and to_household.head is not None
        and to_household.head.death_on is None
    ):
        raise ConflictError(N_("Household %(code)s already has a head."), code=to_household.code)
    check_commune(to_household.commune, actor=actor, today=today)
    old = person.household
    if old is not None and old.head_id == person.id:
        old.head = None
    person.household = to_household
    person.commune = to_household.commune
    person.relation = relation
    db.session.flush()
    record_event(
        AuditAction.PERSON_MOVE,
        actor=actor,
        subject=person,
        unit_id=to_household.commune_id,
        details={
            "from_household": old.code if old else None,
            "to_household": to_household.code,
            "from_commune": old.commune.code if old else None,
            "to_commune": to_household.commune.code,
            "on": today.isoformat(),
        },
    )
    if relation is Relation.HEAD:
        set_head(to_household, person, actor=actor)
    return person


def record_departure(person: Person, *, to_commune: AdminUnit, actor: Actor, today: date) -> Person:
    """Record that a person moved to a commune outside the actor's area (chuyển đi).

    The person leaves their household and is handed to the new commune, waiting there to
    be placed in a household; the old commune stops seeing them (Decree 20/2021 art. 8(4):
    the old unit stops, the new unit pays from the month after).
    """
    actor.require(Permission.PERSON_WRITE)
    if person.death_on is not None:
        raise ValidationError([Problem("commune", N_("A deceased person cannot be moved."))])
    if to_commune.id == person.commune_id:
        raise ValidationError([Problem("commune", N_("The person already lives in this commune."))])
    if to_commune.level is not UnitLevel.COMMUNE or not to_commune.is_valid_on(today):
        raise ValidationError(
            [
                Problem(
                    "commune",
                    N_("%(name)s is not a commune or ward in force today."),
                    {"name": to_commune.name},
                )
            ]
        )
    old = person.household
    from_commune = person.commune
    if old is not None and old.head_id == person.id:
        old.head = None
    person.household = None
    person.relation = None
    person.commune = to_commune
    db.session.flush()
    details = {
        "from_household": old.code if old else None,
        "from_commune": from_commune.code,
        "to_commune": to_commune.code,
        "on": today.isoformat(),
    }
    # One event in each commune's trail, so both offices can see the hand-over.
    record_event(
        AuditAction.PERSON_DEPART,
        actor=actor,
        subject=person,
        unit_id=from_commune.id,
        details=details,
    )
    record_event(
        AuditAction.PERSON_DEPART,
        actor=actor,
        subject=person,
        unit_id=to_commune.id,
        details=details,
    )
    return person
