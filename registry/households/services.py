"""Use cases for households: register, change address or head, set poverty status, list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import ConflictError, NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.households.indicators import indicator_codes
from registry.households.models import Area, Household, HouseholdPovertyStatus, PovertyStatus
from registry.i18n import N_
from registry.people.models import Person, Relation
from registry.people.names import fold, name_key
from registry.people.queries import name_matches
from registry.units.models import AdminUnit, UnitLevel
from registry.units.scope import in_scope


def scoped_households(actor: Actor) -> Select[tuple[Household]]:
    actor.require(Permission.HOUSEHOLD_READ)
    return select(Household).where(in_scope(Household.commune_id, actor))


def get_household(household_id: uuid.UUID | str, *, actor: Actor) -> Household:
    """The household if the actor covers its commune; NotFoundError otherwise."""
    try:
        key = household_id if isinstance(household_id, uuid.UUID) else uuid.UUID(str(household_id))
    except ValueError:
        raise NotFoundError() from None
    household = db.session.scalar(scoped_households(actor).where(Household.id == key))
    if household is None:
        raise NotFoundError()
    return household


def get_household_by_code(code: str, *, actor: Actor) -> Household:
    household = db.session.scalar(scoped_households(actor).where(Household.code == code.strip()))
    if household is None:
        raise NotFoundError(N_("No household with code %(code)s in your area."), code=code)
    return household


def check_commune(commune: AdminUnit, *, actor: Actor, today: date) -> None:
    """The commune must be a commune-level unit in force today and inside the actor's scope."""
    if commune.level is not UnitLevel.COMMUNE or not commune.is_valid_on(today):
        raise ValidationError(
            [
                Problem(
                    "commune",
                    N_("%(name)s is not a commune or ward in force today."),
                    {"name": commune.name},
                )
            ]
        )
    ok = db.session.scalar(
        select(func.count()).where(AdminUnit.id == commune.id, in_scope(AdminUnit.id, actor))
    )
    if not ok:
        raise NotFoundError()


def register_household(
    *, code: str | None, commune: AdminUnit, address: str, actor: Actor, today: date
) -> Household:
    """Register a household (hộ gia đình) in a commune. Without a code, one is assigned as
    ``<commune code>-<serial>``. Add its head with people.services.register_person.
    """
    actor.require(Permission.HOUSEHOLD_WRITE)
    check_commune(commune, actor=actor, today=today)
    code = (code or "").strip() or next_household_code(commune)
    address, problems = household_field_problems(code, address)
    if problems:
        raise ValidationError(problems)
    if db.session.scalar(select(Household.id).where(Household.code == code)):
        raise ConflictError(N_("The household code %(code)s is already used."), code=code)
    household = Household(
        id=uuid.uuid4(), code=code, commune=commune, address=address, address_key=name_key(address)
    )
    db.session.add(household)
    db.session.flush()
    record_event(
        AuditAction.HOUSEHOLD_CREATE,
        actor=actor,
        subject=household,
        unit_id=commune.id,
        details={"code": code, "commune": commune.code},
    )
    return household


def household_field_problems(code: str, address: str) -> tuple[str, list[Problem]]:
    """Check a household's code and address; return the cleaned address and the problems
    (shared by register_household and the bulk import).
    """
    problems = []
    if len(code) > 40:
        problems.append(Problem("code", N_("The household code may have at most 40 characters.")))
    address = " ".join(address.split())
    if not address:
        problems.append(Problem("address", N_("Enter the household's address.")))
    elif len(address) > 300 or len(name_key(address)) > 320:
        problems.append(Problem("address", N_("The address may have at most 300 characters.")))
    return address, problems


def next_household_code(commune: AdminUnit) -> str:
    prefix = f"{commune.code}-"
    count = db.session.scalar(select(func.count()).where(Household.code.like(f"{prefix}%"))) or 0
    while True:
        count += 1
        code = f"{prefix}{count:05d}"
        if not db.session.scalar(select(Household.id).where(Household.code == code)):
            return code


def update_household(household: Household, *, address: str, actor: Actor) -> Household:
    """Change the household's address (thôn / tổ dân phố, số nhà)."""
    actor.require(Permission.HOUSEHOLD_WRITE)
    address = " ".join(address.split())
    if not address:
        raise ValidationError([Problem("address", N_("Enter the household's address."))])
    if address != household.address:
        old = household.address
        household.address = address
        household.address_key = name_key(address)
        record_event(
            AuditAction.HOUSEHOLD_UPDATE,
            actor=actor,
            subject=household,
            unit_id=household.commune_id,
            details={"address": [old, address]},
        )
    db.session.flush()
    return household


def set_head(household: Household, person: Person, *, actor: Actor) -> None:
    """Make a living member the head (chủ hộ); the former head becomes an 'other' member."""
    actor.require(Permission.HOUSEHOLD_WRITE)
    if person.household_id != household.id:
        raise ValidationError([Problem("head", N_("The head must be a member of the household."))])
    if person.death_on is not None:
        raise ValidationError(
            [Problem("head", N_("A deceased person cannot be head of household."))]
        )
    old = household.head
    if old is not None and old.id != person.id and old.relation is Relation.HEAD:
        old.relation = Relation.OTHER
    person.relation = Relation.HEAD
    household.head = person
    db.session.flush()
    record_event(
        AuditAction.HOUSEHOLD_SET_HEAD,
        actor=actor,
        subject=household,
        unit_id=household.commune_id,
        details={"head": str(person.id), "previous": str(old.id) if old else None},
    )


@dataclass(frozen=True)
class HouseholdRow:
    household: Household
    members: int
    poverty: PovertyStatus | None


def poverty_status_on(day: date):
    """A correlated subquery: the household's poverty status in force on ``day`` (the
    latest review valid that day), or NULL."""
    return (
        select(HouseholdPovertyStatus.status)
        .where(
            HouseholdPovertyStatus.household_id == Household.id,
            HouseholdPovertyStatus.valid_from <= day,
            or_(HouseholdPovertyStatus.valid_to.is_(None), HouseholdPovertyStatus.valid_to >= day),
        )
        .order_by(HouseholdPovertyStatus.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )


def list_households(
    *,
    actor: Actor,
    today: date,
    query: str = "",
    commune_id: int | None = None,
    poverty: PovertyStatus | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[HouseholdRow], int]:
    """Households in scope, searched by code, address or a member's name (accents optional),
    ordered by code, one page at a time.

    Built for a province of a million people: the actor's communes are read once and the
    households filtered by that list (the recursive scope clause, checked against every
    household, cost more than the count itself); the page is chosen on the households alone,
    so the member count and poverty status are worked out for its rows rather than for every
    household the OFFSET skips; the heads come in one query.
    """
    actor.require(Permission.HOUSEHOLD_READ)
    stmt = select(Household)
    if actor.unit_id is not None:
        scope = set(db.session.scalars(select(AdminUnit.id).where(in_scope(AdminUnit.id, actor))))
        if commune_id is not None and commune_id not in scope:
            return [], 0
        if commune_id is None:
            stmt = stmt.where(Household.commune_id.in_(sorted(scope)))
    if commune_id is not None:
        stmt = stmt.where(Household.commune_id == commune_id)
    for word in fold(query).split():
        # A member's name through the name-word index (people/queries.py), as people search.
        member = select(Person.household_id).where(
            *name_matches(word), Person.merged_into_id.is_(None)
        )
        stmt = stmt.where(
            or_(
                Household.code.ilike(f"%{word}%"),
                Household.address_key.like(f"% {word}%"),
                Household.id.in_(member),
            )
        )
    if poverty is not None:
        stmt = stmt.where(poverty_status_on(today) == poverty)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    chosen = (
        stmt.with_only_columns(Household.id)
        .order_by(Household.code)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
        .subquery()
    )
    members = (
        select(func.count())
        .where(Person.household_id == Household.id, Person.death_on.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Household, members, poverty_status_on(today))
        .join(chosen, chosen.c.id == Household.id)
        .options(selectinload(Household.head))
        .order_by(Household.code)
    ).all()
    return [HouseholdRow(h, n, PovertyStatus(s) if s else None) for h, n, s in rows], total


def poverty_problems(
    review_year: int,
    *,
    today: date,
    deprivations: list[str] | tuple[str, ...] = (),
    income_per_head: int | None = None,
) -> list[Problem]:
    """Check a poverty review result (shared by set_poverty_status and the bulk import)."""
    problems = []
    if not 2000 <= review_year <= today.year + 1:
        problems.append(
            Problem(
                "review_year",
                N_("The review year %(year)d is not plausible."),
                {"year": review_year},
            )
        )
    unknown = sorted(set(deprivations) - indicator_codes())
    if unknown:
        problems.append(
            Problem(
                "deprivations",
                N_("Unknown deprivation indicators: %(codes)s."),
                {"codes": ", ".join(unknown)},
            )
        )
    if income_per_head is not None and income_per_head < 0:
        problems.append(Problem("income_per_head", N_("Income per head cannot be negative.")))
    return problems


def poverty_period(
    review_year: int, valid_from: date | None = None, valid_to: date | None = None
) -> tuple[date, date | None]:
    """The period a review result applies to: by default the whole following year, as the
    yearly review (1/9–14/12, Decision 24/2021/QĐ-TTg) decides the list for the next year.
    """
    valid_from = valid_from or date(review_year + 1, 1, 1)
    valid_to = (
        valid_to
        if valid_to is not None or valid_from != date(review_year + 1, 1, 1)
        else date(review_year + 1, 12, 31)
    )
    return valid_from, valid_to


def set_poverty_status(
    household: Household,
    *,
    review_year: int,
    status: PovertyStatus,
    area: Area,
    is_especially_difficult_area: bool = False,
    income_per_head: int | None = None,
    deprivations: list[str] | tuple[str, ...] = (),
    decision_number: str | None = None,
    decision_on: date | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    actor: Actor,
    today: date,
) -> HouseholdPovertyStatus:
    """Record the result of a poverty review for ``review_year`` (create or correct it).

    By default the status applies to the whole following year, as the yearly review
    (1/9–14/12, Decision 24/2021/QĐ-TTg) decides the list used for the next year; a rolling
    review gives its own ``valid_from``. Deprivation codes must be known indicators.
    """
    actor.require(Permission.POVERTY_WRITE)
    problems = poverty_problems(
        review_year, today=today, deprivations=deprivations, income_per_head=income_per_head
    )
    valid_from, valid_to = poverty_period(review_year, valid_from, valid_to)
    if valid_to is not None and valid_to < valid_from:
        problems.append(Problem("valid_to", N_("The end date is before the start date.")))
    if problems:
        raise ValidationError(problems)
    record = db.session.scalar(
        select(HouseholdPovertyStatus).where(
            HouseholdPovertyStatus.household_id == household.id,
            HouseholdPovertyStatus.review_year == review_year,
        )
    )
    created = record is None
    if created:
        record = HouseholdPovertyStatus(household=household, review_year=review_year)
        db.session.add(record)
    record.status = status
    record.area = area
    record.is_especially_difficult_area = is_especially_difficult_area
    record.income_per_head = income_per_head
    record.deprivations = sorted(set(deprivations))
    record.decision_number = (decision_number or "").strip() or None
    record.decision_on = decision_on
    record.valid_from = valid_from
    record.valid_to = valid_to
    db.session.flush()
    record_event(
        AuditAction.POVERTY_SET,
        actor=actor,
        subject=household,
        unit_id=household.commune_id,
        details={
            "review_year": review_year,
            "status": status.value,
            "created": created,
            "valid_from": valid_from.isoformat(),
        },
    )
    return record
