"""Building and locking the monthly payment run: once per month, arrears, never twice."""

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.decisions.services import propose_decision
from registry.eligibility.engine import load_law
from registry.errors import ConflictError, NotFoundError, PermissionDeniedError
from registry.extensions import db
from registry.payments.models import LineKind, LineStatus, PaymentLine, RunStatus
from registry.payments.services import build_run, lock_run
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, DisabilityLevel
from tests import factories
from tests.conftest import WARD_A, WARD_B
from tests.payments.conftest import sign

LAW = load_law()
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def lines(run):
    return sorted(
        (
            (line.month_paid_for, line.kind, line.amount)
            for line in db.session.scalars(select(PaymentLine).where(PaymentLine.run_id == run.id))
        ),
        key=lambda t: (t[0], t[1].value),
    )


def test_an_approved_decision_gets_one_line_at_the_laws_amount(actor, today, decided):
    run = build_run(NOV, unit=factories.unit("46"), actor=actor("accountant"), today=today, law=LAW)
    assert lines(run) == [(NOV, LineKind.REGULAR, 810_000)]


def test_building_twice_changes_nothing(actor, today, decided):
    accountant = actor("accountant")
    run = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    again = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    assert again.id == run.id and lines(again) == [(NOV, LineKind.REGULAR, 810_000)]


def test_a_ward_run_and_a_province_run_never_pay_the_same_month_twice(actor, today, decided):
    accountant = actor("accountant")
    build_run(NOV, unit=factories.unit(WARD_A), actor=accountant, today=today, law=LAW)
    province = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    assert lines(province) == []
    assert db.session.scalar(select(func.count()).select_from(PaymentLine)) == 1


def test_a_decision_with_an_earlier_start_gets_arrears_for_each_month_owed(actor, today):
    officer = actor("commune_a")
    person = factories.person(
        actor=officer, today=today, commune_code=WARD_A, birth_date=date(1985, 1, 1)
    )
    add_circumstance(
        person,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2026, 8, 14),
        actor=officer,
        today=today,
    )
    sign(
        propose_decision(
            person, group_code="sa.5.6", month=NOV, actor=officer, today=today, law=LAW
        ),
        actor,
        today,
    )
    run = build_run(NOV, unit=factories.unit("46"), actor=actor("accountant"), today=today, law=LAW)
    assert lines(run) == [
        (date(2026, 8, 1), LineKind.ARREARS, 810_000),
        (date(2026, 9, 1), LineKind.ARREARS, 810_000),
        (date(2026, 10, 1), LineKind.ARREARS, 810_000),
        (NOV, LineKind.REGULAR, 810_000),
    ]


def test_a_rate_raised_back_dated_is_paid_as_a_correction(actor, today, decided, monkeypatch):
    accountant = actor("accountant")
    november = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    lock_run(november, actor=accountant)
    # A later law raises November's standard level (as the 2026 decrees did from July).
    raised = LAW.parameters.parameter("sa.standard_level")
    from dataclasses import replace

    from registry.eligibility.engine import Law
    from registry.eligibility.parameters import Parameters

    values = (*raised.values, replace(raised.values[-1], starts=NOV, value=600_000))
    parameters = Parameters(
        {
            **{n: LAW.parameters.parameter(n) for n in LAW.parameters.names()},
            "sa.standard_level": replace(raised, values=values),
        }
    )
    december = build_run(
        DEC, unit=factories.unit("46"), actor=accountant, today=today, law=Law(parameters)
    )
    assert lines(december) == [(NOV, LineKind.CORRECTION, 90_000), (DEC, LineKind.REGULAR, 900_000)]


def test_a_locked_run_is_frozen_and_cannot_be_rebuilt(actor, today, decided):
    accountant = actor("accountant")
    run = lock_run(
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
        actor=accountant,
    )
    assert (run.status, run.line_count, run.total) == (RunStatus.LOCKED, 1, 810_000)
    with pytest.raises(ConflictError):
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    with pytest.raises(ConflictError):
        lock_run(run, actor=accountant)


def test_a_failed_payment_is_carried_into_the_next_run(actor, today, decided):
    accountant = actor("accountant")
    november = lock_run(
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
        actor=accountant,
    )
    line = db.session.scalar(select(PaymentLine).where(PaymentLine.run_id == november.id))
    line.status, line.failure_reason = LineStatus.FAILED, "Tài khoản không tồn tại"
    december = build_run(DEC, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    assert lines(december) == [(NOV, LineKind.REGULAR, 810_000), (DEC, LineKind.REGULAR, 810_000)]
    # The failed line stays in the locked November run; December pays it again, once.
    assert lines(november) == [(NOV, LineKind.REGULAR, 810_000)]
    assert db.session.scalar(select(func.count()).select_from(PaymentLine)) == 3


def test_only_accountants_build_and_only_inside_their_area(actor, today, decided):
    with pytest.raises(PermissionDeniedError):
        build_run(NOV, unit=factories.unit("46"), actor=actor("commune_a"), today=today, law=LAW)
    from registry.auth.permissions import Role

    ward_accountant = factories.user(
        "ke_toan_b", role=Role.ACCOUNTANT, unit_code=WARD_B, password="mat-khau-thu-nghiem-1"
    ).as_actor()
    with pytest.raises(NotFoundError):
        build_run(NOV, unit=factories.unit(WARD_A), actor=ward_accountant, today=today, law=LAW)


def test_a_beneficiarys_death_brings_one_funeral_support_on_the_next_list(actor, today, decided):
    from registry.decisions.services import end_decision
    from registry.people.services import record_death

    accountant, labour = actor("accountant"), actor("labour")
    lock_run(
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
        actor=accountant,
    )
    record_death(decided.person, died_on=date(2026, 11, 25), actor=actor("commune_a"), today=today)
    end_decision(decided, last_month=NOV, reason="Qua đời ngày 25/11/2026", actor=labour)
    december = build_run(DEC, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    # Decree 20/2021 art. 11(2): 20 × the standard level of the month of death (540,000).
    assert lines(december) == [(NOV, LineKind.FUNERAL, 10_800_000)]
    again = build_run(DEC, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    assert lines(again) == [(NOV, LineKind.FUNERAL, 10_800_000)]
