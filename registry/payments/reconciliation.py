"""Reconciling a payment run with the bank's results (đối soát): lines marked paid or failed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import ConflictError, Problem, ValidationError
from registry.extensions import db
from registry.faults import checkpoint
from registry.i18n import N_
from registry.payments.models import LineStatus, PaymentLine, PaymentRun, RunStatus
from registry.payments.results import ResultRow

#: Stored on a failed line when the bank gives no reason.
DEFAULT_FAILURE_REASON = "Không thành công"
_REASON_LENGTH = 300
_CHUNK = 1000


@dataclass(frozen=True)
class ReconcileReport:
    """Lines marked paid and failed by this import, and lines of the run still without result."""

    paid: int
    failed: int
    remaining: int


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def reconcile_run(
    run: PaymentRun, rows: Sequence[ResultRow], *, source: str, actor: Actor
) -> ReconcileReport:
    """Apply the results read from the file ``source`` to ``run``'s lines.

    Every row is checked first: an id that is not a line of this run, an amount that differs
    from the line's, the same line twice in the file, or a line that already has a result
    (from an earlier import) is a problem; if there is any, ValidationError lists them all
    and nothing changes. Otherwise each line becomes paid, or failed with the bank's reason
    (a failed line is carried into the next month's run by ``build_run``), and the run is
    RECONCILED once every line has a result. Raises ConflictError unless the run is locked
    or exported.
    """
    actor.require(Permission.PAYMENT_LOCK)
    source = PurePath(source).name  # the audit keeps a file name, never a server path
    if run.status not in (RunStatus.LOCKED, RunStatus.EXPORTED):
        raise ConflictError(
            N_("Bank results can only be imported into a locked or exported payment list.")
        )
    ids: dict[str, uuid.UUID | None] = {}
    for row in rows:
        try:
            ids[row.end_to_end_id] = uuid.UUID(row.end_to_end_id)
        except ValueError:
            ids[row.end_to_end_id] = None
    lines = _lines(run, {i for i in ids.values() if i is not None})
    problems: list[Problem] = []
    first_seen: dict[uuid.UUID, int] = {}
    for row in rows:
        where = {"file": source, "line": row.line_no, "id": row.end_to_end_id}
        line = lines.get(ids[row.end_to_end_id])
        if line is None:
            problems.append(
                Problem(
                    "file",
                    N_("%(file)s, line %(line)s: %(id)s is not a payment of this list."),
                    where,
                )
            )
            continue
        if line.id in first_seen:
            problems.append(
                Problem(
                    "file",
                    N_("%(file)s, line %(line)s: payment %(id)s is already on line %(first)s."),
                    {**where, "first": first_seen[line.id]},
                )
            )
            continue
        first_seen[line.id] = row.line_no
        if row.amount is not None and row.amount != line.amount:
            problems.append(
                Problem(
                    "file",
                    N_(
                        "%(file)s, line %(line)s: amount %(amount)s differs from the "
                        "%(expected)s of payment %(id)s."
                    ),
                    {**where, "amount": _money(row.amount), "expected": _money(line.amount)},
                )
            )
        if line.status is LineStatus.PAID:
            problems.append(
                Problem(
                    "file",
                    N_("%(file)s, line %(line)s: payment %(id)s is already recorded as paid."),
                    where,
                )
            )
        elif line.status is LineStatus.FAILED:
            problems.append(
                Problem(
                    "file",
                    N_("%(file)s, line %(line)s: payment %(id)s is already recorded as failed."),
                    where,
                )
            )
    if problems:
        raise ValidationError(problems)
    paid = failed = 0
    for row in rows:
        line = lines[ids[row.end_to_end_id]]
        if row.paid:
            line.status, line.failure_reason = LineStatus.PAID, None
            paid += 1
        else:
            reason = (row.reason or "").strip() or DEFAULT_FAILURE_REASON
            line.status, line.failure_reason = LineStatus.FAILED, reason[:_REASON_LENGTH]
            failed += 1
    db.session.flush()
    checkpoint("reconcile-update")
    remaining = db.session.scalar(
        select(func.count()).where(
            PaymentLine.run_id == run.id, PaymentLine.status == LineStatus.PENDING
        )
    )
    if not remaining:
        run.status = RunStatus.RECONCILED
        db.session.flush()
    report = ReconcileReport(paid=paid, failed=failed, remaining=int(remaining or 0))
    record_event(
        AuditAction.RUN_RECONCILE,
        actor=actor,
        subject=run,
        unit_id=run.unit_id,
        details={
            "source": source,
            "paid": report.paid,
            "failed": report.failed,
            "remaining": report.remaining,
        },
    )
    return report


def _lines(run: PaymentRun, ids: set[uuid.UUID]) -> dict[uuid.UUID, PaymentLine]:
    """The run's lines among ``ids``, read in chunks so a large file stays within IN limits."""
    wanted = sorted(ids)
    found: dict[uuid.UUID, PaymentLine] = {}
    for start in range(0, len(wanted), _CHUNK):
        found.update(
            (line.id, line)
            for line in db.session.scalars(
                select(PaymentLine).where(
                    PaymentLine.run_id == run.id,
                    PaymentLine.id.in_(wanted[start : start + _CHUNK]),
                )
            )
        )
    return found
