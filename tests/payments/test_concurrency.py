"""Two builds of the same month at once on PostgreSQL leave no duplicate payment."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from registry.auth.actors import Actor
from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from registry.errors import ConflictError
from registry.extensions import db
from registry.payments.models import PaymentLine, PaymentRun
from registry.payments.services import build_run
from registry.units.cli import BUNDLED
from registry.units.services import find_unit, load_units
from tests import factories
from tests.conftest import UNDER_CI, WARD_A
from tests.test_migrations import _fresh_postgres_database, _own_app, _postgres_server

TODAY, NOV = date(2026, 11, 29), date(2026, 11, 1)


def _beneficiaries(count: int) -> None:
    system, law = Actor.system("tests"), load_law()
    load_units(
        (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"), source="46-hue.csv", actor=system
    )
    for number in range(count):
        person = factories.poor_elder(
            actor=system, today=TODAY, commune_code=WARD_A, full_name=f"Người {number}"
        )
        decision = propose_decision(
            person, group_code="sa.5.5a", month=NOV, actor=system, today=TODAY, law=law
        )
        appraise_decision(decision, eligible=True, note="", actor=system)
        approve_decision(
            decision,
            number=f"{number}/QĐ",
            decided_on=date(2026, 11, 2),
            signer="Chủ tịch",
            actor=system,
            today=TODAY,
        )
    db.session.commit()


@pytest.mark.postgres
def test_two_builds_at_once_never_pay_twice(tmp_path: Path) -> None:
    server = _postgres_server()
    if server is None:
        if UNDER_CI:
            pytest.fail(
                "REGISTRY_TEST_POSTGRES_URL is not set: PostgreSQL is required under CI",
                pytrace=False,
            )
        pytest.skip("REGISTRY_TEST_POSTGRES_URL is not set: concurrent-build test SKIPPED")
    with _fresh_postgres_database(server) as url, _own_app(url, tmp_path) as app:
        upgrade()
        _beneficiaries(20)
        start, outcomes = threading.Barrier(2), []

        def build() -> None:
            with app.app_context():
                start.wait()
                try:
                    build_run(
                        NOV,
                        unit=find_unit("46", on=TODAY),
                        actor=Actor.system("tests"),
                        today=TODAY,
                        law=load_law(),
                    )
                    db.session.commit()
                    outcomes.append("built")
                except ConflictError:
                    db.session.rollback()
                    outcomes.append("conflict")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=build) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert "built" in outcomes and len(outcomes) == 2
        assert db.session.scalar(select(func.count()).select_from(PaymentRun)) == 1
        lines = db.session.execute(
            select(PaymentLine.decision_id, func.count()).group_by(PaymentLine.decision_id)
        ).all()
        assert len(lines) == 20 and {n for _, n in lines} == {1}
        db.session.remove()
