"""Fixtures for payments: an approved decision to pay."""

from datetime import date

import pytest

from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from tests import factories
from tests.conftest import WARD_A

LAW = load_law()
NOV = date(2026, 11, 1)


@pytest.fixture()
def decided(actor, today):
    """An approved 5(5)(a) decision signed in November 2026 for a poor woman born 1950."""
    officer = actor("commune_a")
    person = factories.poor_elder(actor=officer, today=today, commune_code=WARD_A)
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
