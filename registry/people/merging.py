"""Merging two records of the same person (gộp hồ sơ trùng): the checks, the moves, the mark.

The kept record receives everything the duplicate held (circumstances, merit records,
payment accounts, benefit decisions, payment lines, household membership and identity
numbers it lacks). The duplicate is never deleted: it is marked merged into the kept record,
keeps its own audit trail, and is hidden from searches and lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.decisions.models import OPEN_STATUSES, BenefitDecision
from registry.errors import NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.identity.cccd import CCCD_OVERRIDABLE_CODES, cccd_problems
from registry.identity.crypto import FieldCipher
from registry.payments.models import LineKind, PaymentLine
from registry.people.identity import cccd_context, cmnd_context
from registry.people.models import (
    Circumstance,
    CircumstanceKind,
    MeritRecord,
    PaymentAccount,
    Person,
    Relation,
)
from registry.units.scope import in_scope

#: Birth years two records of one person may differ by. Elderly people's years are often
#: estimated, and a lunar-calendar age (tuổi âm) slips the year by one; more is two people.
BIRTH_YEAR_TOLERANCE = 1
#: Circumstances a person holds one of at a time: two open ones cannot both be kept.
_SINGLE_KINDS = (
    CircumstanceKind.DISABILITY,
    CircumstanceKind.PENSION,
    CircumstanceKind.SINGLE_PARENT,
)


@dataclass(frozen=True)
class MergeOutcome:
    """What moved from the duplicate to the kept record."""

    circumstances: int
    merit_records: int
    accounts: int
    accounts_deactivated: int
    decisions: int
    payment_lines: int
    cccd_moved: bool
    cmnd_moved: bool
    household_moved: bool

    def details(self) -> dict[str, object]:
        return {
            "circumstances": self.circumstances,
            "merit_records": self.merit_records,
            "payment_accounts": self.accounts,
            "accounts_deactivated": self.accounts_deactivated,
            "decisions": self.decisions,
            "payment_lines": self.payment_lines,
            "cccd_moved": self.cccd_moved,
            "household_moved": self.household_moved,
        }


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _problem(message: str, **params: object) -> Problem:
    return Problem("duplicate", message, dict(params), code="merge")


def merge_problems(
    keep: Person, duplicate: Person, *, cipher: FieldCipher, today: date
) -> list[Problem]:
    """Why these two records cannot be merged now (empty when they can), so the comparison
    page can say it before the officer confirms. Reads only.
    """
    if keep.id == duplicate.id:
        return [_problem(N_("A record cannot be merged with itself."))]
    problems = []
    for person in (keep, duplicate):
        if person.merged_into_id is not None:
            problems.append(
                _problem(
                    N_("The record of %(name)s was already merged into another record."),
                    name=person.full_name,
                )
            )
    if problems:
        return problems
    if keep.sex is not duplicate.sex:
        problems.append(
            _problem(N_("The two records have different sexes: correct the wrong one first."))
        )
    if abs(keep.birth_year - duplicate.birth_year) > BIRTH_YEAR_TOLERANCE:
        problems.append(
            _problem(
                N_(
                    "The years of birth differ by more than %(years)d (%(keep)d and"
                    " %(duplicate)d): these look like two people. Correct the wrong year first."
                ),
                years=BIRTH_YEAR_TOLERANCE,
                keep=keep.birth_year,
                duplicate=duplicate.birth_year,
            )
        )
    if keep.cccd_index is not None and duplicate.cccd_index is not None:
        problems.append(
            _problem(N_("The two records have different CCCD numbers: they are two people."))
        )
    elif duplicate.cccd_ciphertext is not None and not problems:
        problems += _cccd_fits(keep, duplicate, cipher)
    problems += _death_problems(keep, duplicate)
    problems += _overlaps(keep, duplicate)
    problems += _household_problems(keep, duplicate)
    return problems


def _cccd_fits(keep: Person, duplicate: Person, cipher: FieldCipher) -> list[Problem]:
    """The duplicate's CCCD must agree with the kept record's sex and year, as set_cccd asks."""
    assert duplicate.cccd_ciphertext is not None
    number = cipher.decrypt(duplicate.cccd_ciphertext, cccd_context(duplicate))
    found = cccd_problems(number, sex=keep.sex.value, birth_year=keep.birth_year)
    reason = duplicate.cccd_override_reason
    if any(not (reason and p.code in CCCD_OVERRIDABLE_CODES) for p in found):
        return [
            _problem(
                N_(
                    "The CCCD of the duplicate record does not match the kept record's sex or"
                    " year of birth: correct the kept record first."
                )
            )
        ]
    return []


def _later_facts(person: Person, died_on: date) -> list[str]:
    """Why the record cannot be one with a person who died on ``died_on`` (message ids)."""
    month = died_on.replace(day=1)
    found = []
    if _count(Circumstance, Circumstance.person_id == person.id, Circumstance.started_on > died_on):
        found.append(
            N_(
                "%(dead)s's death on %(day)s is recorded, but"
                " the other record has a circumstance starting after it: correct it first."
            )
        )
    if _count(MeritRecord, MeritRecord.person_id == person.id, MeritRecord.recognised_on > died_on):
        found.append(
            N_(
                "%(dead)s's death on %(day)s is recorded, but"
                " the other record has a merit record recognised after it: correct it first."
            )
        )
    if _count(
        BenefitDecision,
        BenefitDecision.person_id == person.id,
        BenefitDecision.start_month > month,
    ):
        found.append(
            N_(
                "%(dead)s's death on %(day)s is recorded, but"
                " the other record has a benefit decision starting after that month: end it first."
            )
        )
    # The month of death is still paid (Decree 20/2021/NĐ-CP art. 8(2)); funeral support after.
    if _count(
        PaymentLine,
        PaymentLine.person_id == person.id,
        PaymentLine.month_paid_for > month,
        PaymentLine.kind != LineKind.FUNERAL,
    ):
        found.append(
            N_(
                "%(dead)s's death on %(day)s is recorded, but"
                " the other record was paid for months after it: settle those payments first."
            )
        )
    return found


def _death_problems(keep: Person, duplicate: Person) -> list[Problem]:
    if keep.death_on and duplicate.death_on and keep.death_on != duplicate.death_on:
        return [
            _problem(
                N_(
                    "The two records give different dates of death (%(keep)s and"
                    " %(duplicate)s): correct the wrong one first."
                ),
                keep=keep.death_on.strftime("%d/%m/%Y"),
                duplicate=duplicate.death_on.strftime("%d/%m/%Y"),
            )
        ]
    for dead, other in ((keep, duplicate), (duplicate, keep)):
        if dead.death_on is None or other.death_on is not None:
            continue
        return [
            _problem(message, dead=dead.full_name, day=dead.death_on.strftime("%d/%m/%Y"))
            for message in _later_facts(other, dead.death_on)
        ]
    return []


def _overlaps(keep: Person, duplicate: Person) -> list[Problem]:
    """Open facts both records hold that cannot both survive on one person."""
    problems = []
    open_decisions: dict[tuple[str, str], list[BenefitDecision]] = {}
    for decision in db.session.scalars(
        select(BenefitDecision).where(
            BenefitDecision.person_id.in_((keep.id, duplicate.id)),
            BenefitDecision.status.in_(OPEN_STATUSES),
        )
    ):
        key = (decision.programme.value, decision.group_code)
        open_decisions.setdefault(key, []).append(decision)
    for (_, group), both in sorted(open_decisions.items()):
        if len(both) > 1:
            # The partial unique index allows one open decision per person and group.
            problems.append(
                _problem(
                    N_(
                        "Both records have an open benefit decision for group %(group)s"
                        " (%(first)s and %(second)s): end or reject one of them first."
                    ),
                    group=group,
                    first=_decision_name(both[0]),
                    second=_decision_name(both[1]),
                )
            )
    kinds = db.session.execute(
        select(Circumstance.kind, func.count(func.distinct(Circumstance.person_id)))
        .where(
            Circumstance.person_id.in_((keep.id, duplicate.id)),
            Circumstance.ended_on.is_(None),
            Circumstance.kind.in_(_SINGLE_KINDS),
        )
        .group_by(Circumstance.kind)
    ).all()
    for kind, holders in kinds:
        if holders > 1:
            problems.append(
                _problem(
                    N_(
                        "Both records have an open circumstance of the kind “%(kind)s”: end"
                        " the wrong one first."
                    ),
                    kind=kind.value,
                )
            )
    categories = db.session.execute(
        select(MeritRecord.category, func.count(func.distinct(MeritRecord.person_id)))
        .where(MeritRecord.person_id.in_((keep.id, duplicate.id)), MeritRecord.ended_on.is_(None))
        .group_by(MeritRecord.category)
    ).all()
    for category, holders in categories:
        if holders > 1:
            problems.append(
                _problem(
                    N_(
                        "Both records have an open merit record of the category “%(category)s”:"
                        " end the wrong one first."
                    ),
                    category=category.value,
                )
            )
    return problems


def _decision_name(decision: BenefitDecision) -> str:
    number = decision.decision_number or decision.status.value
    return f"{number}, {decision.start_month.strftime('%m/%Y')}"


def _household_problems(keep: Person, duplicate: Person) -> list[Problem]:
    household = duplicate.household
    if (
        household is None
        or keep.household_id in (None, household.id)
        or household.head_id != duplicate.id
    ):
        return []
    others = _count(
        Person,
        Person.household_id == household.id,
        Person.id != duplicate.id,
        Person.death_on.is_(None),
    )
    if not others:
        return []
    return [
        _problem(
            N_(
                "The duplicate record is head of household %(code)s, and the kept record"
                " lives in another household: set another head of %(code)s first."
            ),
            code=household.code,
        )
    ]


def merge_people(
    keep: Person, duplicate: Person, *, actor: Actor, today: date, cipher: FieldCipher
) -> MergeOutcome:
    """Merge ``duplicate`` into ``keep``: two records of one person become one.

    Refused (ValidationError, nothing changed) when merge_problems finds a reason: different
    sexes or CCCDs, years of birth more than BIRTH_YEAR_TOLERANCE apart, a death on one
    record with later facts on the other, two open decisions of one group (the partial unique
    index allows one), two open circumstances of a kind held once, or a duplicate heading a
    household the kept record does not live in. Otherwise everything moves to ``keep``: the
    kept record's active payment account stays active (the duplicate's is deactivated), the
    duplicate's household membership is taken over only when ``keep`` has none, its CCCD or
    CMND only when ``keep`` has none (re-encrypted, bound to the kept row), its death date
    when ``keep`` has none. The duplicate is marked merged, not deleted; both trails get a
    PEOPLE_MERGE event. Flushes; the caller commits once. Raises NotFoundError when either
    record is outside the actor's area.
    """
    actor.require(Permission.PERSON_WRITE)
    in_area = db.session.scalar(
        select(func.count()).where(
            Person.id.in_((keep.id, duplicate.id)), in_scope(Person.commune_id, actor)
        )
    )
    if in_area != len({keep.id, duplicate.id}):
        raise NotFoundError()
    problems = merge_problems(keep, duplicate, cipher=cipher, today=today)
    if problems:
        raise ValidationError(problems)
    household_moved = _merge_household(keep, duplicate)
    cccd_moved, cmnd_moved = _move_identity(keep, duplicate, cipher)
    if keep.death_on is None and duplicate.death_on is not None:
        keep.death_on = duplicate.death_on
    duplicate.merged_into_id = keep.id
    duplicate.merged_at = utcnow()
    db.session.flush()
    outcome = _move_facts(keep, duplicate, cccd_moved, cmnd_moved, household_moved)
    details = outcome.details()
    record_event(
        AuditAction.PEOPLE_MERGE,
        actor=actor,
        subject=keep,
        unit_id=keep.commune_id,
        details={"merged_from": str(duplicate.id), **details},
    )
    record_event(
        AuditAction.PEOPLE_MERGE,
        actor=actor,
        subject=duplicate,
        unit_id=duplicate.commune_id,
        details={"merged_into": str(keep.id), **details},
    )
    return outcome


def _merge_household(keep: Person, duplicate: Person) -> bool:
    """Settle household membership; True when ``keep`` took over the duplicate's place."""
    household = duplicate.household
    if household is None:
        return False
    was_head = household.head_id == duplicate.id
    relation = duplicate.relation or Relation.OTHER
    duplicate.household = None
    duplicate.relation = None
    if keep.household_id is None:
        keep.household = household
        keep.commune = household.commune
        keep.relation = relation
        if was_head:
            household.head = keep
        return True
    if keep.household_id == household.id and was_head:
        # One person, one household: the kept record is now its head.
        keep.relation = Relation.HEAD
        household.head = keep
    elif was_head:
        household.head = None  # checked: no other living member is left without a head
    return False


def _move_identity(keep: Person, duplicate: Person, cipher: FieldCipher) -> tuple[bool, bool]:
    """Move the duplicate's CCCD/CMND to the kept record when it has none, re-encrypted with
    the kept row as associated data (a ciphertext copied as it is would not decrypt there).
    """
    cccd_moved = cmnd_moved = False
    if keep.cccd_ciphertext is None and duplicate.cccd_ciphertext is not None:
        number = cipher.decrypt(duplicate.cccd_ciphertext, cccd_context(duplicate))
        index, reason = duplicate.cccd_index, duplicate.cccd_override_reason
        duplicate.cccd_ciphertext = duplicate.cccd_index = None
        duplicate.cccd_override_reason = None
        db.session.flush()  # the blind index is unique: free it before the kept row takes it
        keep.cccd_index = index
        keep.cccd_ciphertext = cipher.encrypt(number, cccd_context(keep))
        keep.cccd_override_reason = (
            reason
            if cccd_problems(number, sex=keep.sex.value, birth_year=keep.birth_year)
            else None
        )
        cccd_moved = True
    if keep.cmnd_ciphertext is None and duplicate.cmnd_ciphertext is not None:
        number = cipher.decrypt(duplicate.cmnd_ciphertext, cmnd_context(duplicate))
        keep.cmnd_index = duplicate.cmnd_index
        keep.cmnd_ciphertext = cipher.encrypt(number, cmnd_context(keep))
        duplicate.cmnd_ciphertext = duplicate.cmnd_index = None
        cmnd_moved = True
    return cccd_moved, cmnd_moved


def _move_facts(
    keep: Person, duplicate: Person, cccd_moved: bool, cmnd_moved: bool, household_moved: bool
) -> MergeOutcome:
    """Point the duplicate's rows at the kept record, set-based; one active account stays."""
    kept_active = _count(
        PaymentAccount, PaymentAccount.person_id == keep.id, PaymentAccount.is_active
    )
    deactivated = 0
    if kept_active:
        deactivated = db.session.execute(
            update(PaymentAccount)
            .where(PaymentAccount.person_id == duplicate.id, PaymentAccount.is_active)
            .values(is_active=False)
            .execution_options(synchronize_session=False)
        ).rowcount
    moved = {}
    for model in (Circumstance, MeritRecord, PaymentAccount, BenefitDecision, PaymentLine):
        moved[model] = db.session.execute(
            update(model)
            .where(model.person_id == duplicate.id)
            .values(person_id=keep.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    # The bulk updates bypassed the session: loaded collections must be read again.
    db.session.expire_all()
    return MergeOutcome(
        circumstances=moved[Circumstance],
        merit_records=moved[MeritRecord],
        accounts=moved[PaymentAccount],
        accounts_deactivated=deactivated,
        decisions=moved[BenefitDecision],
        payment_lines=moved[PaymentLine],
        cccd_moved=cccd_moved,
        cmnd_moved=cmnd_moved,
        household_moved=household_moved,
    )


def likely_duplicates(person: Person, *, actor: Actor, limit: int = 20) -> list[Person]:
    """Records that may be the same person, as the import flags suspected duplicates: the same
    name without accents in the same commune, years of birth within BIRTH_YEAR_TOLERANCE.
    """
    actor.require(Permission.PERSON_READ)
    return list(
        db.session.scalars(
            select(Person)
            .where(
                in_scope(Person.commune_id, actor),
                Person.commune_id == person.commune_id,
                Person.name_key == person.name_key,
                Person.id != person.id,
                Person.merged_into_id.is_(None),
                Person.birth_year.between(
                    person.birth_year - BIRTH_YEAR_TOLERANCE,
                    person.birth_year + BIRTH_YEAR_TOLERANCE,
                ),
            )
            .order_by(Person.created_at, Person.id)
            .limit(limit)
        )
    )


def merged_records(person: Person) -> list[Person]:
    """The records merged into this one, oldest merge first (their history stays with them)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.merged_into_id == person.id)
            .order_by(Person.merged_at, Person.id)
        )
    )
