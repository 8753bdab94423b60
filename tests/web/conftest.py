"""Fixtures for the web tests: the office clock frozen at TODAY, and records in ward A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask import g, request_started
from sqlalchemy import func, select

from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.models import CircumstanceKind, MeritCategory, Relation, Sex
from tests import factories
from tests.conftest import TODAY, WARD_A


@pytest.fixture(autouse=True)
def office_clock(monkeypatch: pytest.MonkeyPatch) -> date:
    """The views read today's date through registry.web.setup; pin it to the tests' day."""
    monkeypatch.setattr("registry.web.setup.office_today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """Give each test request an empty ``g``, as a served request has.

    The ``session`` fixture keeps an app context open for the whole test, and Flask reuses
    it for every request, so ``g`` (where Flask-Babel caches the locale and Flask-Login the
    user) would otherwise leak from one request into the next.
    """

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@dataclass
class World:
    household_id: str
    head_id: str
    wife_id: str
    wife_cccd: str
    circumstance_id: int
    hiv_id: int


@pytest.fixture()
def world(session, actor, today) -> World:
    """A household in ward A (Thuận Hóa): a head, his wife with a CCCD, a circumstance, a
    hidden HIV record, a merit record and a poverty status; committed like a real request.
    """
    officer = actor("commune_a")
    household = factories.household(
        WARD_A, actor=officer, today=today, address="Tổ 3, Kiệt 12 Phan Bội Châu"
    )
    head = factories.person(
        actor=officer,
        today=today,
        household=household,
        full_name="Nguyễn Văn Đức",
        birth_date=date(1975, 3, 2),
    )
    wife_cccd = factories.cccd(Sex.FEMALE, 1980)
    wife = factories.person(
        actor=officer,
        today=today,
        household=household,
        full_name="Trần Thị Hoa",
        sex=Sex.FEMALE,
        birth_date=date(1980, 8, 9),
        relation=Relation.WIFE,
        cccd_number=wife_cccd,
    )
    studying = add_circumstance(
        wife,
        kind=CircumstanceKind.STUDYING,
        started_on=date(2025, 9, 5),
        actor=officer,
        today=today,
    )
    hiv = add_circumstance(
        head, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    add_merit_record(
        head,
        category=MeritCategory.WAR_INVALID,
        injury_rate=41,
        recognised_on=date(1998, 7, 27),
        certificate_number="TB-1234",
        actor=officer,
        today=today,
    )
    set_poverty_status(
        household,
        review_year=2025,
        status=PovertyStatus.NEAR_POOR,
        area=Area.URBAN,
        income_per_head=1_500_000,
        deprivations=["health_insurance"],
        actor=officer,
        today=today,
    )
    db.session.commit()
    return World(str(household.id), str(head.id), str(wife.id), wife_cccd, studying.id, hiv.id)


@pytest.fixture()
def rows(session):
    """``rows(Model)`` → how many rows the table holds now."""

    def _rows(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return _rows
