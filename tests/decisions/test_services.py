"""Benefit decisions: proposal from the law, appraisal, approval, suspension, end, scope."""

from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.decisions.models import DecisionStatus
from registry.decisions.services import (
    appraise_decision,
    approve_decision,
    end_decision,
    get_decision,
    propose_decision,
    resume_decision,
    suspend_decision,
    worklist,
)
from registry.eligibility.engine import load_law
from registry.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from registry.extensions import db
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, DisabilityLevel
from tests import factories
from tests.conftest import WARD_A

LAW = load_law()
NOV = date(2026, 11, 1)


@pytest.fixture()
def elder(actor, today):
    """A poor woman aged 76 with no one to support her: group 5(5)(a), 1.5 × 540,000."""
    return factories.poor_elder(actor=actor("commune_a"), today=today, commune_code=WARD_A)


def approved(decision, actor, today, signed=date(2026, 11, 20)):
    appraise_decision(decision, eligible=True, note="", actor=actor("labour"))
    return approve_decision(
        decision,
        number="125/QĐ-UBND",
        decided_on=signed,
        signer="Chủ tịch UBND phường",
        actor=actor("labour"),
        today=today,
    )


def test_a_commune_officer_proposes_what_the_law_gives(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    assert (decision.status, decision.proposed_amount) == (DecisionStatus.PROPOSED, 810_000)
    assert "Decree 20/2021/NĐ-CP art. 6(1)(đ)" in decision.reference
    assert worklist(actor=actor("labour"), status=DecisionStatus.PROPOSED) == [decision]


def test_a_group_the_law_does_not_give_cannot_be_proposed(actor, today, elder):
    with pytest.raises(ValidationError) as caught:
        propose_decision(
            elder, group_code="sa.5.6", month=NOV, actor=actor("commune_a"), today=today, law=LAW
        )
    assert caught.value.problems[0].params["group"] == "sa.5.6"


def test_only_one_open_decision_per_group(actor, today, elder):
    propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    with pytest.raises(ConflictError):
        propose_decision(
            elder, group_code="sa.5.5a", month=NOV, actor=actor("labour"), today=today, law=LAW
        )


def test_approval_records_the_decision_and_starts_in_the_signing_month(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    approved(decision, actor, today)
    assert decision.status is DecisionStatus.APPROVED and decision.start_month == NOV
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(decision.id))
    ).all()
    assert actions == [
        AuditAction.DECISION_PROPOSE,
        AuditAction.DECISION_APPRAISE,
        AuditAction.DECISION_APPROVE,
    ]


def test_a_disability_benefit_starts_in_the_certificate_month(actor, today):
    officer = actor("commune_a")
    person = factories.person(
        actor=officer, today=today, commune_code=WARD_A, birth_date=date(1985, 1, 1)
    )
    add_circumstance(
        person,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2026, 8, 14),
        reference="31/GXN",
        actor=officer,
        today=today,
    )
    decision = propose_decision(
        person, group_code="sa.5.6", month=NOV, actor=officer, today=today, law=LAW
    )
    approved(decision, actor, today)
    assert decision.start_month == date(2026, 8, 1)  # August to October become arrears


def test_commune_officers_cannot_appraise_or_approve(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    with pytest.raises(PermissionDeniedError):
        appraise_decision(decision, eligible=True, note="", actor=actor("commune_a"))
    with pytest.raises(PermissionDeniedError):
        propose_decision(
            elder, group_code="sa.5.5c", month=NOV, actor=actor("accountant"), today=today, law=LAW
        )


def test_steps_must_come_in_order_and_refusals_need_a_reason(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    with pytest.raises(ConflictError):
        approve_decision(
            decision, number="1", decided_on=today, signer="X", actor=actor("labour"), today=today
        )
    with pytest.raises(ValidationError):
        appraise_decision(decision, eligible=False, note="  ", actor=actor("labour"))
    appraise_decision(
        decision, eligible=False, note="Có con đang phụng dưỡng", actor=actor("labour")
    )
    assert decision.status is DecisionStatus.REJECTED
    # a rejected decision no longer blocks a new proposal
    assert (
        propose_decision(
            elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
        ).status
        is DecisionStatus.PROPOSED
    )


def test_approval_needs_number_signer_and_a_past_date(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    appraise_decision(decision, eligible=True, note="", actor=actor("labour"))
    with pytest.raises(ValidationError) as caught:
        approve_decision(
            decision,
            number=" ",
            decided_on=date(2026, 12, 5),
            signer="",
            actor=actor("labour"),
            today=today,
        )
    assert {p.field for p in caught.value.problems} == {"number", "signer", "decided_on"}


def test_suspend_resume_and_end(actor, today, elder):
    decision = approved(
        propose_decision(
            elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
        ),
        actor,
        today,
    )
    labour = actor("labour")
    with pytest.raises(ValidationError):
        suspend_decision(decision, from_month=date(2026, 10, 1), reason="x", actor=labour)
    suspend_decision(
        decision, from_month=date(2026, 11, 1), reason="Không nhận 3 tháng liên tiếp", actor=labour
    )
    assert decision.status is DecisionStatus.SUSPENDED
    with pytest.raises(ValidationError):
        resume_decision(decision, from_month=date(2026, 12, 1), reason="", actor=labour)
    resume_decision(decision, from_month=date(2026, 12, 1), reason="Đã nhận lại", actor=labour)
    end_decision(decision, last_month=date(2026, 12, 1), reason="Qua đời", actor=labour)
    assert (decision.status, decision.end_month) == (DecisionStatus.ENDED, date(2026, 12, 1))
    with pytest.raises(ConflictError):
        suspend_decision(decision, from_month=date(2027, 1, 1), reason="x", actor=labour)


def test_another_communes_decision_is_not_found(actor, today, elder):
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=actor("commune_a"), today=today, law=LAW
    )
    with pytest.raises(NotFoundError):
        get_decision(decision.id, actor=actor("commune_b"))
    assert get_decision(decision.id, actor=actor("auditor")) is decision
