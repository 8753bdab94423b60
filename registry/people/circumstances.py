"""Use cases for dated circumstances and merit records of a person."""

from __future__ import annotations

from datetime import date, timedelta

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.people.models import (
    RATED_CATEGORIES,
    SENSITIVE_KINDS,
    Circumstance,
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    MeritRecord,
    Person,
)

#: Kinds of which a person can hold only one at a time: a new one closes the old one.
_SINGLE = frozenset(
    {CircumstanceKind.DISABILITY, CircumstanceKind.PENSION, CircumstanceKind.SINGLE_PARENT}
)


def _audit_kind(kind: CircumstanceKind) -> str:
    # HIV status must not reach the audit trail's readers (Decree 20/2021 art. 8(1)(b)).
    return "sensitive" if kind in SENSITIVE_KINDS else kind.value


def circumstance_problems(
    kind: CircumstanceKind,
    *,
    started_on: date,
    ended_on: date | None = None,
    disability_level: DisabilityLevel | None = None,
    children_count: int | None = None,
    death_on: date | None = None,
    today: date,
) -> list[Problem]:
    """Check a circumstance before it is recorded (shared by add_circumstance and the import)."""
    problems = []
    if started_on > today:
        problems.append(Problem("started_on", N_("The start date is in the future.")))
    if ended_on is not None and ended_on < started_on:
        problems.append(Problem("ended_on", N_("The end date is before the start date.")))
    if (kind is CircumstanceKind.DISABILITY) != (disability_level is not None):
        problems.append(
            Problem(
                "disability_level",
                N_("A disability needs its level, and only a disability has one."),
            )
        )
    if kind is CircumstanceKind.SINGLE_PARENT and (children_count is None or children_count < 1):
        problems.append(
            Problem("children_count", N_("Enter how many children the parent raises alone."))
        )
    if death_on is not None and started_on > death_on:
        problems.append(Problem("started_on", N_("The person died before this date.")))
    return problems


def add_circumstance(
    person: Person,
    *,
    kind: CircumstanceKind,
    started_on: date,
    ended_on: date | None = None,
    disability_level: DisabilityLevel | None = None,
    children_count: int | None = None,
    reference: str | None = None,
    note: str | None = None,
    actor: Actor,
    today: date,
) -> Circumstance:
    """Record a dated circumstance the law engine reads (Decree 20/2021/NĐ-CP art. 5).

    A disability needs its level and starts on the certificate date (payment starts that
    month, art. 8(1)); a single parent needs the number of children. A new disability
    assessment, pension or single-parent record closes the open one of the same kind the
    day before it starts.
    """
    actor.require(Permission.PERSON_WRITE)
    if kind in SENSITIVE_KINDS:
        actor.require(Permission.SENSITIVE_READ)
    problems = circumstance_problems(
        kind,
        started_on=started_on,
        ended_on=ended_on,
        disability_level=disability_level,
        children_count=children_count,
        death_on=person.death_on,
        today=today,
    )
    if kind is not CircumstanceKind.SINGLE_PARENT:
        children_count = None
    if problems:
        raise ValidationError(problems)
    if kind in _SINGLE:
        for old in person.circumstances:
            if old.kind is kind and old.ended_on is None and old.started_on < started_on:
                old.ended_on = started_on - timedelta(days=1)
    record = Circumstance(
        person=person,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        disability_level=disability_level,
        children_count=children_count,
        reference=(reference or "").strip() or None,
        note=(note or "").strip() or None,
    )
    db.session.add(record)
    db.session.flush()
    details = {
        "kind": _audit_kind(kind),
        "started_on": started_on.isoformat(),
        "circumstance": record.id,
    }
    if disability_level is not None:
        details["disability_level"] = disability_level.value
    record_event(
        AuditAction.CIRCUMSTANCE_ADD,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details=details,
    )
    return record


def end_circumstance(
    person: Person, circumstance_id: int, *, ended_on: date, actor: Actor, today: date
) -> Circumstance:
    """Close a circumstance (e.g. a pregnancy ended, a student left school)."""
    actor.require(Permission.PERSON_WRITE)
    record = next((c for c in person.circumstances if c.id == circumstance_id), None)
    if record is None or (
        record.kind in SENSITIVE_KINDS and not actor.can(Permission.SENSITIVE_READ)
    ):
        raise NotFoundError()
    if ended_on < record.started_on:
        raise ValidationError([Problem("ended_on", N_("The end date is before the start date."))])
    if ended_on > today:
        raise ValidationError([Problem("ended_on", N_("The end date is in the future."))])
    record.ended_on = ended_on
    db.session.flush()
    record_event(
        AuditAction.CIRCUMSTANCE_END,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={
            "kind": _audit_kind(record.kind),
            "ended_on": ended_on.isoformat(),
            "circumstance": record.id,
        },
    )
    return record


def visible_circumstances(person: Person, *, actor: Actor) -> list[Circumstance]:
    """The person's circumstances the actor may see (HIV hidden without SENSITIVE_READ)."""
    sensitive_ok = actor.can(Permission.SENSITIVE_READ)
    return [c for c in person.circumstances if sensitive_ok or c.kind not in SENSITIVE_KINDS]


def merit_problems(
    category: MeritCategory,
    *,
    recognised_on: date,
    injury_rate: int | None,
    martyrs: int | None,
    today: date,
) -> tuple[int | None, int | None, list[Problem]]:
    """Check a merit record; return the injury rate and number of martyrs the category
    keeps (None where it has none) and the problems (shared by add_merit_record and the import).
    """
    problems = []
    if category in RATED_CATEGORIES:
        if injury_rate is None or not 1 <= injury_rate <= 100:
            problems.append(
                Problem("injury_rate", N_("Enter the bodily-injury rate, from 1 to 100 percent."))
            )
    else:
        injury_rate = None
    if category is MeritCategory.MARTYR_RELATIVE:
        if martyrs is None or martyrs < 1:
            problems.append(Problem("martyrs", N_("Enter the number of martyrs (at least 1).")))
    else:
        martyrs = None
    if recognised_on > today:
        problems.append(Problem("recognised_on", N_("The recognition date is in the future.")))
    return injury_rate, martyrs, problems


def add_merit_record(
    person: Person,
    *,
    category: MeritCategory,
    recognised_on: date,
    injury_rate: int | None = None,
    martyrs: int | None = None,
    certificate_number: str | None = None,
    actor: Actor,
    today: date,
) -> MeritRecord:
    """Record a merit recognition (Ordinance 02/2020/UBTVQH14 art. 3).

    Invalids, sick soldiers and Agent Orange fighters need the bodily-injury rate (the
    amount depends on it, Decree 75/2021 Appendices II–III); a martyr's relative needs
    the number of martyrs.
    """
    actor.require(Permission.PERSON_WRITE)
    injury_rate, martyrs, problems = merit_problems(
        category, recognised_on=recognised_on, injury_rate=injury_rate, martyrs=martyrs, today=today
    )
    if problems:
        raise ValidationError(problems)
    record = MeritRecord(
        person=person,
        category=category,
        recognised_on=recognised_on,
        injury_rate=injury_rate,
        martyrs=martyrs,
        certificate_number=(certificate_number or "").strip() or None,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        AuditAction.MERIT_ADD,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={
            "category": category.value,
            "injury_rate": injury_rate,
            "martyrs": martyrs,
            "merit_record": record.id,
        },
    )
    return record
