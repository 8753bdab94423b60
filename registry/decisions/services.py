"""Use cases for benefit decisions: propose, appraise, approve, suspend, resume, end."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.decisions.labels import STATUS_LABELS
from registry.decisions.models import OPEN_STATUSES, BenefitDecision, DecisionStatus, Programme
from registry.decisions.rules import start_month
from registry.eligibility.engine import Law, evaluate
from registry.eligibility.months import assumed_birth_date, month_start
from registry.entitlements.facts import counts_in_month, facts_for
from registry.errors import ConflictError, NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_, Label
from registry.people.models import CircumstanceKind, Person
from registry.people.queries import name_matches
from registry.units.scope import in_scope


def scoped_decisions(actor: Actor) -> Select[tuple[BenefitDecision]]:
    actor.require(Permission.DECISION_READ)
    return select(BenefitDecision).where(in_scope(BenefitDecision.commune_id, actor))


def get_decision(decision_id: uuid.UUID | str, *, actor: Actor) -> BenefitDecision:
    """The decision if the actor covers its commune; NotFoundError otherwise."""
    try:
        key = decision_id if isinstance(decision_id, uuid.UUID) else uuid.UUID(str(decision_id))
    except ValueError:
        raise NotFoundError() from None
    decision = db.session.scalar(scoped_decisions(actor).where(BenefitDecision.id == key))
    if decision is None:
        raise NotFoundError()
    return decision


def worklist(*, actor: Actor, status: DecisionStatus) -> list[BenefitDecision]:
    """Decisions waiting at one step, oldest first (the officer's worklist)."""
    return list(
        db.session.scalars(
            scoped_decisions(actor)
            .where(BenefitDecision.status == status)
            .order_by(BenefitDecision.proposed_at)
        )
    )


def _audit(action: AuditAction, decision: BenefitDecision, actor: Actor, **details: object) -> None:
    record_event(
        action,
        actor=actor,
        subject=decision,
        unit_id=decision.commune_id,
        details={
            "person": str(decision.person_id),
            "group": decision.group_code,
            "status": decision.status.value,
            **details,
        },
    )


def _require_status(decision: BenefitDecision, *allowed: DecisionStatus) -> None:
    if decision.status not in allowed:
        raise ConflictError(
            N_("This step is not possible now: the decision is at “%(status)s”."),
            status=Label(STATUS_LABELS[decision.status]),
        )


def propose_decision(
    person: Person, *, group_code: str, month: date, actor: Actor, today: date, law: Law
) -> BenefitDecision:
    """Propose the benefit of one group the law gives the person in ``month`` (đề nghị).

    The engine must find the group met that month; the amount and reference it shows are
    recorded with the proposal. One open decision per person, programme and group.
    """
    actor.require(Permission.DECISION_PROPOSE)
    month = month_start(month)
    result = evaluate(facts_for(person, month), month, law=law)
    found = next((c for c in result.considerations if c.group == group_code and c.met), None)
    if found is None:
        raise ValidationError(
            [
                Problem(
                    "group",
                    N_("The law gives no benefit of group %(group)s to this person in %(month)s."),
                    {"group": group_code, "month": month.strftime("%m/%Y")},
                )
            ]
        )
    programme = Programme(found.programme)
    open_one = db.session.scalar(
        select(BenefitDecision.id).where(
            BenefitDecision.person_id == person.id,
            BenefitDecision.programme == programme,
            BenefitDecision.group_code == group_code,
            BenefitDecision.status.in_(OPEN_STATUSES),
        )
    )
    if open_one is not None:
        raise ConflictError(
            N_("This person already has an open decision for group %(group)s."), group=group_code
        )
    decision = BenefitDecision(
        id=uuid.uuid4(),
        person=person,
        commune_id=person.commune_id,
        programme=programme,
        group_code=group_code,
        status=DecisionStatus.PROPOSED,
        proposed_amount=found.amount,
        reference=found.reference[:500],
        start_month=month,
        proposed_by_id=actor.user_id,
    )
    db.session.add(decision)
    db.session.flush()
    _audit(
        AuditAction.DECISION_PROPOSE, decision, actor, amount=found.amount, month=month.isoformat()
    )
    return decision


def appraise_decision(
    decision: BenefitDecision, *, eligible: bool, note: str, actor: Actor
) -> BenefitDecision:
    """Record the labour office's appraisal (thẩm định): eligible, or rejected with the reason."""
    actor.require(Permission.DECISION_APPRAISE)
    _require_status(decision, DecisionStatus.PROPOSED)
    note = " ".join((note or "").split())
    if not eligible and not note:
        raise ValidationError([Problem("note", N_("Give the reason for the refusal."))])
    decision.status = DecisionStatus.APPRAISED if eligible else DecisionStatus.REJECTED
    decision.appraised_by_id, decision.appraised_at = actor.user_id, utcnow()
    decision.status_reason = note or None
    db.session.flush()
    _audit(
        AuditAction.DECISION_APPRAISE if eligible else AuditAction.DECISION_REJECT, decision, actor
    )
    return decision


def approve_decision(
    decision: BenefitDecision,
    *,
    number: str,
    decided_on: date,
    signer: str,
    actor: Actor,
    today: date,
) -> BenefitDecision:
    """Record the signed decision (số, ngày ký, người ký) and fix the start month by law:
    see registry.decisions.rules.start_month. Months before today become arrears."""
    actor.require(Permission.DECISION_APPROVE)
    _require_status(decision, DecisionStatus.APPRAISED)
    problems = []
    number, signer = " ".join((number or "").split()), " ".join((signer or "").split())
    if not number:
        problems.append(Problem("number", N_("Enter the decision number.")))
    if not signer:
        problems.append(Problem("signer", N_("Enter who signed the decision.")))
    if decided_on > today:
        problems.append(Problem("decided_on", N_("The signing date is in the future.")))
    if problems:
        raise ValidationError(problems)
    person = decision.person
    certificate = None
    if decision.group_code == "sa.5.6":
        certificates = [
            c.started_on
            for c in person.circumstances
            if c.kind == CircumstanceKind.DISABILITY
            and c.started_on <= decided_on
            and counts_in_month(c.started_on, c.ended_on, month_start(decided_on))
        ]
        certificate = max(certificates, default=None)
    decision.start_month = start_month(
        decision.group_code,
        signed_on=decided_on,
        birth_date=person.birth_date or assumed_birth_date(person.birth_year),
        disability_certified_on=certificate,
    )
    decision.status = DecisionStatus.APPROVED
    decision.decision_number, decision.decided_on, decision.signer = number, decided_on, signer
    decision.approved_by_id, decision.approved_at = actor.user_id, utcnow()
    db.session.flush()
    _audit(
        AuditAction.DECISION_APPROVE,
        decision,
        actor,
        number=number,
        start_month=decision.start_month.isoformat(),
    )
    return decision


def _check_month(decision: BenefitDecision, month: date, field: str) -> date:
    month = month_start(month)
    if month < decision.start_month:
        raise ValidationError(
            [
                Problem(
                    field,
                    N_("The month is before the benefit starts (%(start)s)."),
                    {"start": decision.start_month.strftime("%m/%Y")},
                )
            ]
        )
    return month


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError([Problem("reason", N_("Give the reason."))])
    return reason


def suspend_decision(
    decision: BenefitDecision, *, from_month: date, reason: str, actor: Actor
) -> BenefitDecision:
    """Pause payment from a month (tạm dừng), e.g. not collected for 3 months (Circular
    02/2021/TT-BLĐTBXH art. 2(3))."""
    actor.require(Permission.DECISION_APPROVE)
    _require_status(decision, DecisionStatus.APPROVED)
    decision.suspended_from = _check_month(decision, from_month, "from_month")
    decision.status, decision.status_reason = DecisionStatus.SUSPENDED, _reason(reason)
    db.session.flush()
    _audit(
        AuditAction.DECISION_SUSPEND,
        decision,
        actor,
        from_month=decision.suspended_from.isoformat(),
    )
    return decision


def resume_decision(
    decision: BenefitDecision, *, from_month: date, reason: str, actor: Actor
) -> BenefitDecision:
    """Resume payment from a month (tiếp tục hưởng)."""
    actor.require(Permission.DECISION_APPROVE)
    _require_status(decision, DecisionStatus.SUSPENDED)
    month = _check_month(decision, from_month, "from_month")
    if decision.suspended_from and month < decision.suspended_from:
        raise ValidationError(
            [Problem("from_month", N_("Payment cannot resume before it was suspended."))]
        )
    decision.status, decision.status_reason = DecisionStatus.APPROVED, _reason(reason)
    suspended = decision.suspended_from
    decision.suspended_from = None
    db.session.flush()
    _audit(
        AuditAction.DECISION_RESUME,
        decision,
        actor,
        from_month=month.isoformat(),
        suspended_from=suspended.isoformat() if suspended else None,
    )
    return decision


def end_decision(
    decision: BenefitDecision, *, last_month: date, reason: str, actor: Actor
) -> BenefitDecision:
    """End the benefit (thôi hưởng) after ``last_month``, the last month paid for: e.g. the
    month of death (Decree 20/2021 art. 8(2))."""
    actor.require(Permission.DECISION_APPROVE)
    _require_status(decision, DecisionStatus.APPROVED, DecisionStatus.SUSPENDED)
    decision.end_month = _check_month(decision, last_month, "last_month")
    decision.status, decision.status_reason = DecisionStatus.ENDED, _reason(reason)
    db.session.flush()
    _audit(AuditAction.DECISION_END, decision, actor, last_month=decision.end_month.isoformat())
    return decision


# --- reading decisions for the pages -----------------------------------------------------


@dataclass(frozen=True)
class DecisionsPage:
    decisions: list[BenefitDecision]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _visible(actor: Actor, hidden_groups: Collection[str]) -> Select[tuple[BenefitDecision]]:
    stmt = scoped_decisions(actor)
    if hidden_groups:
        stmt = stmt.where(BenefitDecision.group_code.not_in(sorted(hidden_groups)))
    return stmt


def search_decisions(
    *,
    actor: Actor,
    statuses: Collection[DecisionStatus] = (),
    group_code: str | None = None,
    commune_id: int | None = None,
    query: str = "",
    hidden_groups: Collection[str] = (),
    oldest_first: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> DecisionsPage:
    """Decisions in the actor's scope matching the filters, one page of them.

    ``query`` matches the person's name like the people search (accents optional);
    ``hidden_groups`` leaves out groups the actor may not know of (HIV status, Decree
    20/2021 art. 8(1)(b)). Worklists read oldest first, the full list newest first.
    """
    stmt = _visible(actor, hidden_groups)
    if statuses:
        stmt = stmt.where(BenefitDecision.status.in_(list(statuses)))
    if group_code:
        stmt = stmt.where(BenefitDecision.group_code == group_code)
    if commune_id is not None:
        stmt = stmt.where(BenefitDecision.commune_id == commune_id)
    if names := name_matches(query or ""):
        stmt = stmt.join(Person, Person.id == BenefitDecision.person_id).where(*names)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    order = BenefitDecision.proposed_at if oldest_first else BenefitDecision.proposed_at.desc()
    page = max(page, 1)
    rows = db.session.scalars(
        stmt.order_by(order, BenefitDecision.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return DecisionsPage(list(rows), total or 0, page, per_page)


def status_counts(
    *, actor: Actor, hidden_groups: Collection[str] = ()
) -> dict[DecisionStatus, int]:
    """How many decisions of the actor's scope are in each status (for the worklist tabs)."""
    visible = _visible(actor, hidden_groups).subquery()
    counts = dict.fromkeys(DecisionStatus, 0)
    for status, count in db.session.execute(
        select(visible.c.status, func.count()).group_by(visible.c.status)
    ):
        counts[DecisionStatus(status)] = count
    return counts


def decision_groups(*, actor: Actor, hidden_groups: Collection[str] = ()) -> list[str]:
    """The group codes that decisions of the actor's scope name (options of a filter)."""
    visible = _visible(actor, hidden_groups).subquery()
    return list(
        db.session.scalars(select(visible.c.group_code).distinct().order_by(visible.c.group_code))
    )


def person_decisions(
    person: Person, *, actor: Actor, hidden_groups: Collection[str] = ()
) -> list[BenefitDecision]:
    """The person's decisions the actor may read, newest first."""
    return list(
        db.session.scalars(
            _visible(actor, hidden_groups)
            .where(BenefitDecision.person_id == person.id)
            .order_by(BenefitDecision.proposed_at.desc())
        )
    )


def open_groups(person: Person) -> set[str]:
    """Group codes in which the person has an open decision, wherever it was proposed: the
    groups that cannot be proposed again now."""
    return set(
        db.session.scalars(
            select(BenefitDecision.group_code).where(
                BenefitDecision.person_id == person.id,
                BenefitDecision.status.in_(OPEN_STATUSES),
            )
        )
    )
