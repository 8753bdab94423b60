"""Dated circumstances, merit records and payment accounts of a person."""

from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.errors import PermissionDeniedError, ValidationError
from registry.extensions import db
from registry.people.accounts import read_account_masked, set_payment_account
from registry.people.circumstances import (
    add_circumstance,
    add_merit_record,
    end_circumstance,
    visible_circumstances,
)
from registry.people.models import CircumstanceKind as Kind
from registry.people.models import DisabilityLevel, MeritCategory, PaymentAccount, PaymentChannel
from tests import factories
from tests.conftest import WARD_A


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


@pytest.fixture()
def person(officer, today):
    home = factories.household(WARD_A, actor=officer, today=today)
    return factories.person(actor=officer, today=today, household=home)


def test_disability_needs_its_level(officer, today, person):
    with pytest.raises(ValidationError) as caught:
        add_circumstance(
            person, kind=Kind.DISABILITY, started_on=date(2025, 3, 1), actor=officer, today=today
        )
    assert caught.value.problems[0].field == "disability_level"


def test_a_new_disability_assessment_closes_the_previous_one(officer, today, person):
    first = add_circumstance(
        person,
        kind=Kind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2024, 5, 10),
        reference="15/GXN",
        actor=officer,
        today=today,
    )
    second = add_circumstance(
        person,
        kind=Kind.DISABILITY,
        disability_level=DisabilityLevel.ESPECIALLY_SEVERE,
        started_on=date(2026, 2, 1),
        actor=officer,
        today=today,
    )
    assert first.ended_on == date(2026, 1, 31) and second.ended_on is None


def test_single_parent_needs_the_number_of_children(officer, today, person):
    with pytest.raises(ValidationError):
        add_circumstance(
            person, kind=Kind.SINGLE_PARENT, started_on=date(2025, 1, 1), actor=officer, today=today
        )
    record = add_circumstance(
        person,
        kind=Kind.SINGLE_PARENT,
        children_count=2,
        started_on=date(2025, 1, 1),
        actor=officer,
        today=today,
    )
    assert record.children_count == 2


def test_future_and_inverted_periods_are_refused(officer, today, person):
    with pytest.raises(ValidationError):
        add_circumstance(
            person, kind=Kind.PENSION, started_on=date(2027, 1, 1), actor=officer, today=today
        )
    with pytest.raises(ValidationError):
        add_circumstance(
            person,
            kind=Kind.STUDYING,
            started_on=date(2025, 9, 1),
            ended_on=date(2025, 8, 1),
            actor=officer,
            today=today,
        )


def test_hiv_is_hidden_from_auditors_and_from_the_audit_details(actor, officer, today, person):
    record = add_circumstance(
        person, kind=Kind.HIV, started_on=date(2024, 1, 1), actor=officer, today=today
    )
    assert record in visible_circumstances(person, actor=officer)
    assert record not in visible_circumstances(person, actor=actor("auditor"))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.CIRCUMSTANCE_ADD)
    ).one()
    assert event.details["kind"] == "sensitive"


def test_ending_a_circumstance(officer, today, person):
    record = add_circumstance(
        person, kind=Kind.PREGNANCY, started_on=date(2026, 5, 1), actor=officer, today=today
    )
    end_circumstance(person, record.id, ended_on=date(2026, 11, 2), actor=officer, today=today)
    assert record.ended_on == date(2026, 11, 2)
    with pytest.raises(ValidationError):
        end_circumstance(person, record.id, ended_on=date(2026, 4, 1), actor=officer, today=today)


@pytest.mark.parametrize(
    ("category", "kwargs", "field"),
    [
        (MeritCategory.WAR_INVALID, {}, "injury_rate"),
        (MeritCategory.WAR_INVALID, {"injury_rate": 120}, "injury_rate"),
        (MeritCategory.MARTYR_RELATIVE, {}, "martyrs"),
        (MeritCategory.AGENT_ORANGE, {}, "injury_rate"),
    ],
)
def test_merit_records_need_what_their_amount_depends_on(
    officer, today, person, category, kwargs, field
):
    with pytest.raises(ValidationError) as caught:
        add_merit_record(
            person,
            category=category,
            recognised_on=date(2020, 1, 1),
            actor=officer,
            today=today,
            **kwargs,
        )
    assert caught.value.problems[0].field == field


def test_merit_records_accumulate(officer, today, person):
    add_merit_record(
        person,
        category=MeritCategory.WAR_INVALID,
        injury_rate=81,
        certificate_number="TB-123",
        recognised_on=date(1985, 4, 30),
        actor=officer,
        today=today,
    )
    add_merit_record(
        person,
        category=MeritCategory.MARTYR_RELATIVE,
        martyrs=2,
        injury_rate=50,
        recognised_on=date(1979, 1, 1),
        actor=officer,
        today=today,
    )
    db.session.refresh(person)
    rates = {r.category: (r.injury_rate, r.martyrs) for r in person.merit_records}
    assert rates == {
        MeritCategory.WAR_INVALID: (81, None),
        MeritCategory.MARTYR_RELATIVE: (None, 2),
    }


def test_bank_account_is_encrypted_and_only_one_stays_active(officer, today, cipher, person):
    first = set_payment_account(
        person,
        channel=PaymentChannel.BANK,
        bank_bin="970436",
        account_number="0071 0006 12345",
        actor=officer,
        cipher=cipher,
    )
    assert b"007100061234" not in first.account_ciphertext
    second = set_payment_account(
        person, channel=PaymentChannel.POST_OFFICE, actor=officer, cipher=cipher
    )
    assert (first.is_active, second.is_active) == (False, True)
    assert read_account_masked(person, first, actor=officer, cipher=cipher) == "*" * 9 + "2345"
    active = db.session.scalars(select(PaymentAccount).where(PaymentAccount.is_active)).all()
    assert active == [second]


def test_unknown_bank_code_is_refused_with_the_code(officer, cipher, person):
    with pytest.raises(ValidationError) as caught:
        set_payment_account(
            person,
            channel=PaymentChannel.BANK,
            bank_bin="999999",
            account_number="12345678",
            actor=officer,
            cipher=cipher,
        )
    assert caught.value.problems[0].params == {"bin": "999999"}


def test_auditor_cannot_change_circumstances(actor, today, person):
    with pytest.raises(PermissionDeniedError):
        add_circumstance(
            person,
            kind=Kind.PENSION,
            started_on=date(2020, 1, 1),
            actor=actor("auditor"),
            today=today,
        )
