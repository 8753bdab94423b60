"""Fixtures for payments: an approved decision to pay."""

from datetime import date

import pytest

from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, Sex
from tests import factories
from tests.conftest import WARD_A

LAW = load_law()
NOV = date(2026, 11, 1)


@pytest.fixture()
def decided(actor, today):
    """An approved 5(5)(a) decision signed in November 2026 for a poor woman born 1950."""
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=today)
    set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.POOR,
        area=Area.URBAN,
        actor=officer,
        today=today,
    )
    person = factories.person(
        actor=officer,
        today=today,
        household=home,
        sex=Sex.FEMALE,
        full_name="Lê Thị Cúc",
        birth_date=date(1950, 4, 2),
    )
    add_circumstance(
        person,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=date(2020, 1, 1),
        actor=officer,
        today=today,
    )
    return sign(
        propose_decision(
            person, group_code="sa.5.5a", month=NOV, actor=officer, today=today, law=LAW
        ),
        actor,
        today,
    )


def sign(decision, actor, today, on=date(2026, 11, 20)):
    appraise_decision(decision, eligible=True, note="", actor=actor("labour"))
    return approve_decision(
        decision,
        number="12/QĐ",
        decided_on=on,
        signer="Chủ tịch",
        actor=actor("labour"),
        today=today,
    )
