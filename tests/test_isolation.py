"""The test fixtures themselves: what one test commits is gone for the next."""

from sqlalchemy import func, select

from registry.extensions import db
from registry.households.models import Household
from tests import factories
from tests.conftest import WARD_A


def test_a_committed_household(session, actor, today):
    factories.household(WARD_A, actor=actor("commune_a"), today=today, code="LEAK-CHECK")
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Household.code == "LEAK-CHECK")) == 1


def test_is_rolled_back_before_the_next_test(session):
    assert db.session.scalar(select(func.count()).where(Household.code == "LEAK-CHECK")) == 0
