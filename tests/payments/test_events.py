"""The decision worklist: a death, a lost condition, payments failing three months running."""

from datetime import date

from sqlalchemy import select

from registry.decisions.events import DEATH, NOT_COLLECTED, NOT_ELIGIBLE, decision_events
from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.payments.models import LineStatus, PaymentLine
from registry.payments.services import build_run, lock_run
from registry.people.services import record_death
from tests import factories
from tests.payments.conftest import LAW, NOV

DEC = date(2026, 12, 1)


def kinds(actor, month):
    return [
        (e.decision.group_code, e.kind)
        for e in decision_events(actor=actor("labour"), month=month, law=LAW)
    ]


def test_a_paid_beneficiary_raises_no_event(actor, decided):
    assert kinds(actor, NOV) == []


def test_a_death_asks_to_end_the_benefit(actor, today, decided):
    record_death(decided.person, died_on=date(2026, 11, 10), actor=actor("commune_a"), today=today)
    assert kinds(actor, NOV) == []  # the month of death is still paid
    [event] = decision_events(actor=actor("labour"), month=DEC, law=LAW)
    assert event.kind == DEATH and "10/11/2026" in event.message.render()


def test_a_household_leaving_poverty_asks_for_a_review(actor, today, decided):
    set_poverty_status(
        decided.person.household,
        review_year=2026,
        status=PovertyStatus.NONE,
        area=Area.URBAN,
        valid_from=date(2026, 11, 15),
        actor=actor("commune_a"),
        today=today,
    )
    [event] = decision_events(actor=actor("labour"), month=DEC, law=LAW)
    assert event.kind == NOT_ELIGIBLE and "sa.5.5a" in event.message.render()
    assert "poor" in event.message.render()


def test_three_failed_months_propose_a_pause(actor, today, decided):
    accountant = actor("accountant")
    for month in (date(2026, 9, 1), date(2026, 10, 1), NOV):
        decided.start_month = min(decided.start_month, month)
    for month in (date(2026, 9, 1), date(2026, 10, 1), NOV):
        run = lock_run(
            build_run(month, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
            actor=accountant,
        )
        for line in db.session.scalars(select(PaymentLine).where(PaymentLine.run_id == run.id)):
            line.status, line.failure_reason = LineStatus.FAILED, "Không đến nhận"
    assert (decided.group_code, NOT_COLLECTED) in kinds(actor, DEC)
    assert (decided.group_code, NOT_COLLECTED) not in kinds(actor, NOV)
