"""Reconciling a run with the bank's results: paid, failed and carried, or nothing at all."""

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.decisions.services import propose_decision
from registry.eligibility.engine import load_law
from registry.errors import ConflictError, PermissionDeniedError, ValidationError
from registry.extensions import db
from registry.payments.models import LineKind, LineStatus, PaymentLine, RunStatus
from registry.payments.reconciliation import ReconcileReport, reconcile_run
from registry.payments.results import ResultRow
from registry.payments.services import build_run, lock_run, run_totals
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, DisabilityLevel
from tests import factories
from tests.conftest import WARD_A
from tests.payments.conftest import NOV, sign

LAW = load_law()
DEC = date(2026, 12, 1)


@pytest.fixture()
def second(actor, today):
    """A severely disabled adult whose certificate dates from November 2026."""
    officer = actor("commune_a")
    person = factories.person(
        actor=officer, today=today, commune_code=WARD_A, birth_date=date(1985, 1, 1)
    )
    add_circumstance(
        person,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2026, 11, 3),
        actor=officer,
        today=today,
    )
    return sign(
        propose_decision(
            person, group_code="sa.5.6", month=NOV, actor=officer, today=today, law=LAW
        ),
        actor,
        today,
    )


@pytest.fixture()
def run(actor, today, decided, second):
    accountant = actor("accountant")
    built = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    return lock_run(built, actor=accountant)


def run_lines(run):
    """The run's two lines: the `decided` person's first, then the second person's."""
    lines = db.session.scalars(select(PaymentLine).where(PaymentLine.run_id == run.id)).all()
    return sorted(lines, key=lambda line: line.group_code != "sa.5.5a")


def states(run):
    return [(line.status, line.failure_reason) for line in run_lines(run)]


def row(line_no, line, paid=True, amount=None, reason=None):
    return ResultRow(line_no, line.id.hex, paid, line.amount if amount is None else amount, reason)


def test_results_mark_lines_paid_and_failed_and_the_run_reconciled(actor, run):
    first, other = run_lines(run)
    report = reconcile_run(
        run,
        [row(2, first), row(3, other, paid=False, reason="Tài khoản đã đóng")],
        source="/tmp/ket-qua.csv",
        actor=actor("accountant"),
    )
    assert report == ReconcileReport(paid=1, failed=1, remaining=0)
    assert states(run) == [
        (LineStatus.PAID, None),
        (LineStatus.FAILED, "Tài khoản đã đóng"),
    ]
    assert run.status is RunStatus.RECONCILED
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.RUN_RECONCILE)
    )
    assert event.details == {"source": "ket-qua.csv", "paid": 1, "failed": 1, "remaining": 0}


def test_a_partial_file_leaves_the_run_open_and_a_failure_gets_a_default_reason(actor, run):
    _, other = run_lines(run)
    report = reconcile_run(
        run, [row(2, other, paid=False)], source="kq.csv", actor=actor("accountant")
    )
    assert report == ReconcileReport(paid=0, failed=1, remaining=1)
    assert states(run) == [(LineStatus.PENDING, None), (LineStatus.FAILED, "Không thành công")]
    assert run.status is RunStatus.LOCKED


def test_a_failed_line_is_carried_into_next_months_run(actor, today, run):
    accountant = actor("accountant")
    first, other = run_lines(run)
    reconcile_run(
        run, [row(2, first), row(3, other, paid=False)], source="kq.csv", actor=accountant
    )
    december = build_run(DEC, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    carried = db.session.scalars(
        select(PaymentLine).where(
            PaymentLine.run_id == december.id, PaymentLine.month_paid_for == NOV
        )
    ).all()
    assert [(line.carried_from_id, line.status, line.kind, line.amount) for line in carried] == [
        (other.id, LineStatus.PENDING, LineKind.REGULAR, other.amount)
    ]
    # The locked November run keeps its lines, count and sum: the failed line stays there.
    db.session.refresh(other)
    assert first.run_id == run.id and first.status is LineStatus.PAID
    assert other.run_id == run.id and other.status is LineStatus.FAILED
    assert run_totals(run) == (run.line_count, run.total)


def test_a_carried_line_is_carried_once_and_a_draft_rebuild_keeps_it(actor, today, run):
    accountant = actor("accountant")
    _, other = run_lines(run)
    reconcile_run(run, [row(3, other, paid=False)], source="kq.csv", actor=accountant)
    ward = factories.unit("46")
    december = build_run(DEC, unit=ward, actor=accountant, today=today, law=LAW)
    once = run_totals(december)
    build_run(DEC, unit=ward, actor=accountant, today=today, law=LAW)
    assert run_totals(december) == once
    copies = db.session.scalars(
        select(PaymentLine).where(PaymentLine.carried_from_id == other.id)
    ).all()
    assert [c.run_id for c in copies] == [december.id]


def test_a_carried_line_failing_again_is_carried_again(actor, today, run):
    accountant = actor("accountant")
    _, other = run_lines(run)
    reconcile_run(run, [row(3, other, paid=False)], source="kq.csv", actor=accountant)
    ward = factories.unit("46")
    december = build_run(DEC, unit=ward, actor=accountant, today=today, law=LAW)
    lock_run(december, actor=accountant)
    copy = db.session.scalar(select(PaymentLine).where(PaymentLine.carried_from_id == other.id))
    reconcile_run(
        december,
        [ResultRow(2, copy.id.hex, False, copy.amount, "Sai số tài khoản")],
        source="kq12.csv",
        actor=accountant,
    )
    january = build_run(date(2027, 1, 1), unit=ward, actor=accountant, today=today, law=LAW)
    again = db.session.scalar(select(PaymentLine).where(PaymentLine.carried_from_id == copy.id))
    assert (again.run_id, again.month_paid_for, again.status) == (
        january.id,
        NOV,
        LineStatus.PENDING,
    )
    # November is owed once: one live line for it across the three runs.
    live = db.session.scalars(
        select(PaymentLine).where(
            PaymentLine.decision_id == other.decision_id,
            PaymentLine.month_paid_for == NOV,
            PaymentLine.status != LineStatus.FAILED,
        )
    ).all()
    assert [line.id for line in live] == [again.id]


def test_an_id_with_dashes_is_accepted(actor, run):
    first, _ = run_lines(run)
    rows = [ResultRow(2, str(first.id), True, None, None)]
    assert reconcile_run(run, rows, source="kq.csv", actor=actor("accountant")).paid == 1


def test_every_problem_is_reported_and_nothing_is_applied(actor, run):
    first, other = run_lines(run)
    rows = [
        row(2, first),
        ResultRow(3, "f" * 32, True, None, None),
        ResultRow(4, "not-an-id", True, None, None),
        row(5, other, amount=other.amount + 1),
        row(6, first, paid=False),
    ]
    with pytest.raises(ValidationError) as caught:
        reconcile_run(run, rows, source="kq.csv", actor=actor("accountant"))
    assert [p.render() for p in caught.value.problems] == [
        f"kq.csv, line 3: {'f' * 32} is not a payment of this list.",
        "kq.csv, line 4: not-an-id is not a payment of this list.",
        f"kq.csv, line 5: amount 810.001 differs from the 810.000 of payment {other.id.hex}.",
        f"kq.csv, line 6: payment {first.id.hex} is already on line 2.",
    ]
    assert states(run) == [(LineStatus.PENDING, None), (LineStatus.PENDING, None)]
    assert run.status is RunStatus.LOCKED


def test_a_second_import_for_the_same_line_is_refused(actor, run):
    accountant = actor("accountant")
    first, other = run_lines(run)
    reconcile_run(run, [row(2, first, paid=False)], source="a.csv", actor=accountant)
    with pytest.raises(ValidationError) as caught:
        reconcile_run(run, [row(2, other), row(3, first)], source="b.csv", actor=accountant)
    assert [p.render() for p in caught.value.problems] == [
        f"b.csv, line 3: payment {first.id.hex} is already recorded as failed."
    ]
    assert states(run) == [(LineStatus.FAILED, "Không thành công"), (LineStatus.PENDING, None)]


def test_a_draft_run_is_refused_and_so_is_a_commune_officer(actor, today, decided):
    accountant = actor("accountant")
    draft = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    (line,) = run_lines(draft)
    with pytest.raises(ConflictError):
        reconcile_run(draft, [row(2, line)], source="kq.csv", actor=accountant)
    lock_run(draft, actor=accountant)
    with pytest.raises(PermissionDeniedError):
        reconcile_run(draft, [row(2, line)], source="kq.csv", actor=actor("commune_a"))
    assert line.status is LineStatus.PENDING


def test_the_command_prints_the_counts(app, tmp_path, run):
    first, other = run_lines(run)
    book = openpyxl.Workbook()
    for values in (
        ["KẾT QUẢ CHI TRẢ"],
        ["Mã giao dịch", "Số tiền", "Trạng thái", "Lý do"],
        [first.id.hex, first.amount, "Thành công", None],
        [other.id.hex, other.amount, "Thất bại", "Sai số tài khoản"],
    ):
        book.active.append(values)
    book.save(tmp_path / "ket-qua.xlsx")
    result = app.test_cli_runner().invoke(
        args=["payments", "reconcile", str(run.id), str(tmp_path / "ket-qua.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert "1 paid, 1 failed, 0 without result (reconciled)" in result.output
    assert states(run) == [(LineStatus.PAID, None), (LineStatus.FAILED, "Sai số tài khoản")]


def test_the_command_applies_nothing_from_a_bad_file(app, tmp_path, run):
    first, _ = run_lines(run)
    db.session.commit()  # as a shell would find it; the command's rollback must not undo this
    bad = tmp_path / "kq.csv"
    bad.write_text(
        f"EndToEndId;Status;Amount\n{first.id.hex};ACSC;810000\n{'e' * 32};ACSC;1\n",
        encoding="utf-8-sig",
    )
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", str(run.id), str(bad)])
    assert result.exit_code == 1
    assert f"kq.csv, dòng 3: {'e' * 32} không phải là khoản chi" in result.output
    assert states(run) == [(LineStatus.PENDING, None), (LineStatus.PENDING, None)]
