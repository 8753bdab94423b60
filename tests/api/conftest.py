"""Fixtures for the API tests: the office clock pinned, a fresh ``g`` per request, tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import g, request_started

from registry.auth.models import User
from registry.auth.tokens import create_token
from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from registry.extensions import db
from registry.payments.services import build_run
from tests import factories
from tests.conftest import TODAY, WARD_A

LAW = load_law()
NOV = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def office_clock(monkeypatch: pytest.MonkeyPatch) -> date:
    """The views read today's date through registry.web.setup; pin it to the tests' day."""
    monkeypatch.setattr("registry.web.setup.office_today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """An empty ``g`` per request, as a served request has (the session fixture keeps one
    app context open for the whole test, and Flask would reuse its ``g``)."""

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture()
def token(session, today) -> Callable[[str], str]:
    """``token("commune_a")`` → a new API token of that user (committed)."""

    def _token(username: str) -> str:
        user = db.session.query(User).filter_by(username=username).one()
        _, raw = create_token(
            user, name=f"tests {username}", expires_on=None, actor=user.as_actor(), today=today
        )
        db.session.commit()
        return raw

    return _token


@pytest.fixture()
def bearer(token) -> Callable[[str], dict[str, str]]:
    """``bearer("auditor")`` → the Authorization header of a new token of that user."""
    return lambda username: {"Authorization": f"Bearer {token(username)}"}


@pytest.fixture()
def paid_run(session, actor, today):
    """An approved decision for a poor elder of ward A, and November 2026's run for Huế."""
    officer = actor("commune_a")
    person = factories.poor_elder(actor=officer, today=today, commune_code=WARD_A)
    decision = propose_decision(
        person, group_code="sa.5.5a", month=NOV, actor=officer, today=today, law=LAW
    )
    appraise_decision(decision, eligible=True, note="", actor=actor("labour"))
    approve_decision(
        decision,
        number="12/QĐ",
        decided_on=date(2026, 11, 20),
        signer="Chủ tịch",
        actor=actor("labour"),
        today=today,
    )
    run = build_run(NOV, unit=factories.unit("46"), actor=actor("accountant"), today=today, law=LAW)
    db.session.commit()
    return run
