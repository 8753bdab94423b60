"""A reconciliation killed mid-way changes no line (all or nothing), and running it again
applies the whole result file.

The pause point ``reconcile-update`` stops ``flask payments reconcile`` once every line's
new status is written (flushed) and before the commit.
"""

from __future__ import annotations

import csv
import json

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.payments.models import PaymentLine, PaymentRun
from tests.faults.conftest import Registry


def _statuses(registry: Registry) -> tuple[str, dict[str, tuple[str, str | None]], int]:
    """(run status, line id → (status, failure reason), reconcile events)."""
    with registry.app():
        run = db.session.scalars(select(PaymentRun)).one()
        lines = {
            str(line.id): (str(line.status), line.failure_reason)
            for line in db.session.scalars(select(PaymentLine))
        }
        events = len(
            db.session.scalars(
                select(AuditEvent.id).where(AuditEvent.action == AuditAction.RUN_RECONCILE)
            ).all()
        )
        return str(run.status), lines, events


def test_a_killed_reconciliation_changes_no_line_and_the_rerun_applies_every_result(
    registry: Registry,
):
    run_id = json.loads(registry.run("payments", "build", "--month", "2026-11", "--json").stdout)[
        "id"
    ]
    registry.run("payments", "lock", run_id)
    with registry.app():
        lines = db.session.execute(select(PaymentLine.id, PaymentLine.amount)).all()
    assert len(lines) > 20
    results = registry.workdir / "ket-qua.csv"
    expected = {}
    with open(results, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["end_to_end_id", "status", "amount", "reason"])
        for number, (line_id, amount) in enumerate(sorted(lines)):
            paid = number % 5 != 0
            reason = None if paid else "Sai số tài khoản"
            writer.writerow([line_id, "paid" if paid else "failed", amount, reason or ""])
            expected[str(line_id)] = ("paid" if paid else "failed", reason)
    before = _statuses(registry)
    assert before[0] == "locked" and {s for s, _ in before[1].values()} == {"pending"}

    registry.start("payments", "reconcile", run_id, str(results), pause="reconcile-update").kill()
    assert _statuses(registry) == before
    registry.integrity()

    done = registry.run("payments", "reconcile", run_id, str(results))
    assert "reconciled" in done.stdout
    assert _statuses(registry) == ("reconciled", expected, 1)
    registry.integrity()
