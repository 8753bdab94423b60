"""Building and locking the monthly payment run (danh sách chi trả tháng MM/YYYY)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, literal, select
from sqlalchemy.exc import IntegrityError, OperationalError

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.decisions.models import BenefitDecision, DecisionStatus
from registry.eligibility.engine import Law, evaluate_many
from registry.eligibility.months import month_start, shift_month
from registry.entitlements.facts import facts_for_many
from registry.errors import ConflictError, NotFoundError
from registry.extensions import db
from registry.faults import checkpoint
from registry.i18n import N_
from registry.payments import bulk
from registry.payments.models import LineKind, LineStatus, PaymentLine, PaymentRun, RunStatus
from registry.units.models import AdminUnit
from registry.units.scope import in_scope, units_under

#: How far back arrears are looked for (months before the run's month).
ARREARS_MONTHS = 36


@dataclass(frozen=True)
class Owed:
    decision: BenefitDecision
    month: date
    amount: int
    kind: LineKind


def _months(first: date, last: date) -> list[date]:
    months = []
    while first <= last:
        months.append(first)
        first = shift_month(first, 1)
    return months


def payable_months(decision: BenefitDecision, month: date) -> list[date]:
    """The months a decision may pay for, up to ``month``: from its start month, not after
    its last month, not while suspended, and at most ARREARS_MONTHS back."""
    oldest = shift_month(month, -ARREARS_MONTHS)
    last = month if decision.end_month is None else min(month, decision.end_month)
    if decision.status is DecisionStatus.SUSPENDED and decision.suspended_from is not None:
        last = min(last, shift_month(decision.suspended_from, -1))
    first = max(decision.start_month, oldest)
    return _months(first, last) if first <= last else []


def law_amounts(decisions: list[BenefitDecision], windows: dict, law: Law) -> dict[tuple, int]:
    """What the law gives each decision's group in each month of its window:
    (decision id, month) → VND. The group must be paid after precedence (highest only,
    social pension vs allowance). People are read in bulk, month by month.
    """
    needed: dict[date, list[BenefitDecision]] = defaultdict(list)
    for decision in decisions:
        for month in windows[decision.id]:
            needed[month].append(decision)
    amounts: dict[tuple, int] = {}
    for month, items in sorted(needed.items()):
        by_person: dict = defaultdict(list)
        for decision in items:
            by_person[decision.person_id].append(decision)
        facts = ((person.id, f) for person, f in facts_for_many(list(by_person), month))
        for person_id, result in evaluate_many(facts, month, law=law):
            paid = {c.group: c.amount for c in result.considerations if c.paid}
            for decision in by_person[person_id]:
                amounts[(decision.id, month)] = paid.get(decision.group_code, 0)
    return amounts


def owed_lines(decisions: list[BenefitDecision], month: date, law: Law) -> list[Owed]:
    """Every line owed in ``month``'s run: the month itself, and earlier months never paid
    (arrears) or paid at a lower rate than the law now gives for them (correction).

    The per-person reading, decision by decision: ``build_run`` uses the set-based
    ``bulk.owed_pages``, which tests/payments/test_bulk.py holds to give the same lines."""
    windows = {d.id: payable_months(d, month) for d in decisions}
    expected = law_amounts(decisions, windows, law)
    already: dict[tuple, int] = defaultdict(int)
    kinds: dict[tuple, set] = defaultdict(set)
    ids = [d.id for d in decisions]
    for chunk in (ids[i : i + 1000] for i in range(0, len(ids), 1000)):
        rows = db.session.execute(
            select(
                PaymentLine.decision_id,
                PaymentLine.month_paid_for,
                PaymentLine.kind,
                PaymentLine.amount,
                PaymentLine.status,
            ).where(PaymentLine.decision_id.in_(chunk))
        )
        for decision_id, paid_for, kind, amount, status in rows:
            kinds[(decision_id, paid_for)].add(LineKind(kind))
            if status != LineStatus.FAILED:
                already[(decision_id, paid_for)] += amount
    owed = []
    for decision in decisions:
        for paid_for in windows[decision.id]:
            key = (decision.id, paid_for)
            missing = expected.get(key, 0) - already[key]
            if missing <= 0:
                continue
            if paid_for == month:
                kind = LineKind.REGULAR
            else:
                kind = LineKind.CORRECTION if already[key] else LineKind.ARREARS
            if kind in kinds[key]:
                continue  # that line exists (failed lines are carried, not re-created)
            owed.append(Owed(decision, paid_for, missing, kind))
    return owed


def funeral_lines(decisions: list[BenefitDecision], month: date, law: Law) -> list[Owed]:
    """The one-off funeral support for beneficiaries of the monthly social allowance who died
    on or before ``month``: 20 × the standard level in force in the month of death, once per
    person (Decree 20/2021/NĐ-CP art. 11(2)); it goes on the next list after the death."""
    from registry.decisions.models import Programme

    owed: dict = {}
    for decision in decisions:
        person = decision.person
        if decision.programme is not Programme.SOCIAL_ASSISTANCE or person.death_on is None:
            continue
        died = month_start(person.death_on)
        if died > month or died < decision.start_month or person.id in owed:
            continue
        month_law = law.month(died)
        level, multiple = month_law.get("sa.standard_level"), month_law.get("sa.funeral_multiple")
        if level is not None and multiple is not None:
            owed[person.id] = Owed(
                decision, died, int(level.amount * multiple.amount), LineKind.FUNERAL
            )
    if not owed:
        return []
    paid = set(
        db.session.scalars(
            select(PaymentLine.person_id).where(
                PaymentLine.kind == LineKind.FUNERAL, PaymentLine.person_id.in_(list(owed))
            )
        )
    )
    return [o for person_id, o in owed.items() if person_id not in paid]


def get_run(run_id, *, actor: Actor) -> PaymentRun:
    actor.require(Permission.PAYMENT_READ)
    run = db.session.scalar(
        select(PaymentRun).where(PaymentRun.id == run_id, in_scope(PaymentRun.unit_id, actor))
    )
    if run is None:
        raise NotFoundError()
    return run


def build_run(month: date, *, unit: AdminUnit, actor: Actor, today: date, law: Law) -> PaymentRun:
    """Create, or refresh while still a draft, the run of ``month`` for ``unit``'s subtree.

    One regular line per approved decision in force that month at the law's amount, arrears
    and corrections for earlier months, and failed lines of earlier runs carried into this one.
    A locked run is never rebuilt. The unique (decision, month, kind) makes double payment
    impossible even if two builds race.
    """
    actor.require(Permission.PAYMENT_BUILD)
    month = month_start(month)
    if not db.session.scalar(
        select(func.count()).where(AdminUnit.id == unit.id, in_scope(AdminUnit.id, actor))
    ):
        raise NotFoundError()
    run = db.session.scalar(
        select(PaymentRun).where(PaymentRun.month == month, PaymentRun.unit_id == unit.id)
    )
    if run is not None and run.status is not RunStatus.DRAFT:
        raise ConflictError(
            N_("The payment list of %(month)s is locked: it cannot be rebuilt."),
            month=month.strftime("%m/%Y"),
        )
    try:
        if run is None:
            run = PaymentRun(month=month, unit_id=unit.id, status=RunStatus.DRAFT)
            db.session.add(run)
            _flush_or_conflict(month)
        else:
            # A draft is rebuilt from scratch; its carried lines are carried again below.
            db.session.execute(delete(PaymentLine).where(PaymentLine.run_id == run.id))
            run.built_at = utcnow()
    except OperationalError as error:
        # SQLite has one writer at a time: while another build (or any long change) holds
        # the database, this one's first write is refused ("database is locked").
        if "locked" not in str(error.orig).lower():
            raise
        raise ConflictError(
            N_(
                "Another change is being saved (perhaps a build of the same list): nothing "
                "was saved, build again in a moment."
            )
        ) from None
    area = units_under(unit.id)
    carried = _carry_failed_lines(run, area, month)
    # Set-based: pages of people read as columns, the engine once per distinct facts, and
    # each page's lines inserted before the next is read (see registry/payments/bulk.py).
    with bulk.roomy_cache():
        for rows in bulk.owed_pages(area, month, law, run.id):
            try:
                bulk.insert_lines(rows)
            except IntegrityError:
                raise _concurrent_build(month) from None
            checkpoint("build-insert")
    db.session.flush()
    count, total = run_totals(run)
    record_event(
        AuditAction.RUN_BUILD,
        actor=actor,
        subject=run,
        unit_id=unit.id,
        details={
            "month": month.isoformat(),
            "lines": count,
            "total": total,
            "carried": carried,
        },
    )
    return run


def _carry_failed_lines(run: PaymentRun, area, month: date) -> int:
    """Pay again, in ``run``, every failed line of an earlier run in ``area`` not carried yet:
    a new pending line with the same decision, month, kind and amount, pointing back at it.
    The failed line stays as it was in its (locked) run. Set-based: one INSERT … SELECT."""
    original = PaymentLine.__table__.alias("original")
    later = PaymentLine.__table__.alias("later")
    earlier_run = PaymentRun.__table__.alias("earlier_run")
    uncarried = (
        select(
            original.c.id,
            original.c.decision_id,
            original.c.person_id,
            original.c.commune_id,
            original.c.programme,
            original.c.group_code,
            original.c.month_paid_for,
            original.c.kind,
            original.c.amount,
        )
        .join(earlier_run, earlier_run.c.id == original.c.run_id)
        .where(
            # Inlined, so the planner can match the partial index ix_payment_lines_failed.
            original.c.status == literal(LineStatus.FAILED.value, literal_execute=True),
            original.c.commune_id.in_(area),
            earlier_run.c.month < month,
            ~select(later.c.id).where(later.c.carried_from_id == original.c.id).exists(),
        )
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "run_id": run.id,
            "carried_from_id": row.id,
            "decision_id": row.decision_id,
            "person_id": row.person_id,
            "commune_id": row.commune_id,
            "programme": row.programme,
            "group_code": row.group_code,
            "month_paid_for": row.month_paid_for,
            "kind": row.kind,
            "amount": row.amount,
            "status": LineStatus.PENDING.value,
        }
        for row in db.session.execute(uncarried)
    ]
    if rows:
        try:
            db.session.execute(PaymentLine.__table__.insert(), rows)
        except IntegrityError:
            raise _concurrent_build(month) from None
    return len(rows)


def _concurrent_build(month: date) -> ConflictError:
    return ConflictError(
        N_(
            "Another build of the payment list of %(month)s ran at the same time: "
            "nothing was saved, build it again."
        ),
        month=month.strftime("%m/%Y"),
    )


def _flush_or_conflict(month: date) -> None:
    """Flush; a unique violation means another build of the same list ran at the same time."""
    try:
        db.session.flush()
    except IntegrityError:
        raise _concurrent_build(month) from None


def run_totals(run: PaymentRun) -> tuple[int, int]:
    """The run's line count and sum, as they stand."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(PaymentLine.amount), 0)).where(
            PaymentLine.run_id == run.id
        )
    ).one()
    return int(count), int(total)


def lock_run(run: PaymentRun, *, actor: Actor) -> PaymentRun:
    """Freeze the run (chốt danh sách): its lines, count and sum can no longer change."""
    actor.require(Permission.PAYMENT_LOCK)
    if run.status is not RunStatus.DRAFT:
        raise ConflictError(N_("This payment list is already locked."))
    run.line_count, run.total = run_totals(run)
    run.status, run.locked_at, run.locked_by_id = RunStatus.LOCKED, utcnow(), actor.user_id
    db.session.flush()
    record_event(
        AuditAction.RUN_LOCK,
        actor=actor,
        subject=run,
        unit_id=run.unit_id,
        details={"lines": run.line_count, "total": run.total},
    )
    return run
