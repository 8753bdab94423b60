"""Merging duplicate person records: what moves, what refuses, the audit on both trails."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.decisions.models import BenefitDecision, DecisionStatus, Programme
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db, keys
from registry.households.services import list_households
from registry.payments.models import LineKind, PaymentLine, PaymentRun, RunStatus
from registry.people.accounts import set_payment_account
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.identity import cccd_context
from registry.people.merging import likely_duplicates, merge_people, merged_records
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    PaymentAccount,
    PaymentChannel,
    Person,
    Relation,
    Sex,
)
from registry.people.queries import search_people
from registry.people.services import record_death
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


def person(officer, **options) -> Person:
    options.setdefault("full_name", "Trần Văn Bình")
    options.setdefault("birth_date", date(1950, 3, 4))
    return factories.person(actor=officer, today=TODAY, **options)


def decision(
    who: Person, group: str = "sa.5.5a", status: DecisionStatus = DecisionStatus.APPROVED
) -> BenefitDecision:
    signed = status is not DecisionStatus.PROPOSED
    record = BenefitDecision(
        person_id=who.id,
        commune_id=who.commune_id,
        programme=Programme.SOCIAL_ASSISTANCE,
        group_code=group,
        status=status,
        proposed_amount=750_000,
        reference="Nghị định 20/2021/NĐ-CP, điều 5",
        start_month=date(2026, 1, 1),
        decision_number="7/QĐ-UBND" if signed else None,
        decided_on=date(2025, 12, 20) if signed else None,
        signer="Chủ tịch" if signed else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def payment_line(record: BenefitDecision, month: date = date(2026, 1, 1)) -> PaymentLine:
    run = PaymentRun(month=month, unit_id=record.commune_id, status=RunStatus.DRAFT)
    db.session.add(run)
    db.session.flush()
    line = PaymentLine(
        run_id=run.id,
        decision_id=record.id,
        person_id=record.person_id,
        commune_id=record.commune_id,
        programme=record.programme,
        group_code=record.group_code,
        month_paid_for=month,
        kind=LineKind.REGULAR,
        amount=750_000,
    )
    db.session.add(line)
    db.session.flush()
    return line


def merge(keep: Person, duplicate: Person, officer):
    return merge_people(keep, duplicate, actor=officer, today=TODAY, cipher=keys.cipher)


def test_the_kept_record_receives_every_fact_and_the_duplicate_is_marked_not_deleted(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    set_payment_account(keep, channel=PaymentChannel.POST_OFFICE, actor=officer, cipher=keys.cipher)
    home = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-1")
    number = factories.cccd(Sex.MALE, 1950)
    duplicate = person(officer, household=home, cccd_number=number, full_name="Tran Van Binh")
    add_circumstance(
        duplicate,
        kind=CircumstanceKind.DISABILITY,
        started_on=date(2024, 5, 1),
        disability_level=DisabilityLevel.SEVERE,
        actor=officer,
        today=TODAY,
    )
    add_merit_record(
        duplicate,
        category=MeritCategory.WAR_INVALID,
        recognised_on=date(1980, 1, 1),
        injury_rate=61,
        actor=officer,
        today=TODAY,
    )
    old_account = set_payment_account(
        duplicate,
        channel=PaymentChannel.BANK,
        bank_bin="970436",
        account_number="0071000123456",
        actor=officer,
        cipher=keys.cipher,
    )
    record = decision(duplicate)
    line = payment_line(record)

    outcome = merge(keep, duplicate, officer)
    db.session.flush()

    assert (outcome.circumstances, outcome.merit_records, outcome.decisions) == (1, 1, 1)
    assert (outcome.accounts, outcome.accounts_deactivated, outcome.payment_lines) == (1, 1, 1)
    assert outcome.cccd_moved and outcome.household_moved
    db.session.refresh(keep)
    db.session.refresh(duplicate)
    assert [c.kind for c in keep.circumstances] == [CircumstanceKind.DISABILITY]
    assert [m.category for m in keep.merit_records] == [MeritCategory.WAR_INVALID]
    assert db.session.get(BenefitDecision, record.id).person_id == keep.id
    assert db.session.get(PaymentLine, line.id).person_id == keep.id
    accounts = db.session.scalars(
        select(PaymentAccount).where(PaymentAccount.person_id == keep.id)
    ).all()
    assert {a.id: a.is_active for a in accounts}[old_account.id] is False
    assert [a.channel for a in accounts if a.is_active] == [PaymentChannel.POST_OFFICE]
    # The CCCD moved, bound to the kept row: it decrypts there and only there.
    assert keys.cipher.decrypt(keep.cccd_ciphertext, cccd_context(keep)) == number
    assert duplicate.cccd_ciphertext is None and duplicate.cccd_index is None
    assert (keep.household_id, keep.relation, home.head_id) == (home.id, Relation.HEAD, keep.id)
    assert duplicate.household_id is None
    assert duplicate.merged_into_id == keep.id and duplicate.merged_at is not None
    assert merged_records(keep) == [duplicate]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.PEOPLE_MERGE)
    ).all()
    assert {e.subject_id: e.details.get("merged_into") for e in events} == {
        str(keep.id): None,
        str(duplicate.id): str(keep.id),
    }
    assert verify_chain()[1] is None


def test_the_kept_active_account_stays_and_a_kept_household_is_not_changed(officer):
    home = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-2")
    keep = person(officer, household=home)
    other = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-3")
    factories.person(actor=officer, today=TODAY, household=other, full_name="Chủ Hộ Khác")
    duplicate = person(officer, household=other, relation=Relation.CHILD, with_cccd=False)
    set_payment_account(
        duplicate, channel=PaymentChannel.POST_OFFICE, actor=officer, cipher=keys.cipher
    )
    outcome = merge(keep, duplicate, officer)
    assert not outcome.household_moved and not outcome.cccd_moved
    assert keep.household_id == home.id and duplicate.household_id is None
    # The only active account was the duplicate's: it moves and stays active.
    assert outcome.accounts_deactivated == 0
    active = db.session.scalars(
        select(PaymentAccount).where(PaymentAccount.person_id == keep.id, PaymentAccount.is_active)
    ).all()
    assert len(active) == 1


def _refused(keep: Person, duplicate: Person, officer) -> str:
    before = db.session.scalars(select(AuditEvent.id)).all()
    with pytest.raises(ValidationError) as caught:
        merge(keep, duplicate, officer)
    # Nothing half-done: no mark, no event, nothing moved.
    assert duplicate.merged_into_id is None
    assert db.session.scalars(select(AuditEvent.id)).all() == before
    return " ".join(p.render() for p in caught.value.problems)


def test_two_records_with_different_cccds_are_two_people(officer):
    keep, duplicate = person(officer, commune_code=WARD_A), person(officer, commune_code=WARD_A)
    assert "different CCCD numbers" in _refused(keep, duplicate, officer)


@pytest.mark.parametrize(("year", "allowed"), [(1951, True), (1949, True), (1952, False)])
def test_years_of_birth_may_differ_by_one_year_only(officer, year, allowed):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(
        officer, commune_code=WARD_A, with_cccd=False, birth_date=None, birth_year=year
    )
    if allowed:
        merge(keep, duplicate, officer)
        assert duplicate.merged_into_id == keep.id
    else:
        assert "years of birth differ by more than 1" in _refused(keep, duplicate, officer)


def test_different_sexes_are_refused(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False, sex=Sex.FEMALE)
    assert "different sexes" in _refused(keep, duplicate, officer)


def test_a_death_with_later_facts_on_the_other_record_is_refused(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    record_death(duplicate, died_on=date(2025, 6, 10), actor=officer, today=TODAY)
    payment_line(decision(keep), month=date(2025, 8, 1))
    message = _refused(keep, duplicate, officer)
    assert "10/06/2025" in message and "paid for months after it" in message


def test_a_death_on_the_duplicate_passes_to_the_kept_record_when_nothing_is_later(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    record_death(duplicate, died_on=date(2026, 6, 10), actor=officer, today=TODAY)
    merge(keep, duplicate, officer)
    assert keep.death_on == date(2026, 6, 10)


def test_two_open_decisions_of_one_group_are_refused_naming_both(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    decision(keep)
    decision(duplicate, status=DecisionStatus.PROPOSED)
    message = _refused(keep, duplicate, officer)
    assert "sa.5.5a" in message and "7/QĐ-UBND, 01/2026" in message and "proposed" in message


def test_an_ended_decision_of_the_same_group_moves_without_trouble(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    decision(keep)
    decision(duplicate, status=DecisionStatus.ENDED)
    assert merge(keep, duplicate, officer).decisions == 1


def test_two_open_disabilities_are_refused(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    for who in (keep, duplicate):
        add_circumstance(
            who,
            kind=CircumstanceKind.DISABILITY,
            started_on=date(2024, 5, 1),
            disability_level=DisabilityLevel.MILD,
            actor=officer,
            today=TODAY,
        )
    assert "disability" in _refused(keep, duplicate, officer)


def test_a_duplicate_heading_another_household_with_members_is_refused(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    own = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-4")
    keep.household, keep.relation = own, Relation.HEAD
    own.head = keep
    home = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-5")
    duplicate = person(officer, household=home, with_cccd=False)
    factories.person(
        actor=officer, today=TODAY, household=home, relation=Relation.CHILD, full_name="Trần Con"
    )
    assert "GOP-5" in _refused(keep, duplicate, officer)


def test_a_record_is_merged_once_and_never_with_itself(officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    duplicate = person(officer, commune_code=WARD_A, with_cccd=False)
    assert "itself" in _refused(keep, keep, officer)
    merge(keep, duplicate, officer)
    third = person(officer, commune_code=WARD_A, with_cccd=False)
    with pytest.raises(ValidationError, match="merge"):
        merge(third, duplicate, officer)


def test_a_record_outside_the_officers_area_cannot_be_merged(actor, officer):
    keep = person(officer, commune_code=WARD_A, with_cccd=False)
    elsewhere = person(actor("commune_b"), commune_code=WARD_B, with_cccd=False)
    with pytest.raises(NotFoundError):
        merge(keep, elsewhere, officer)
    assert elsewhere.merged_into_id is None


def test_searches_lists_and_suspects_skip_a_merged_record(officer):
    home = factories.household(WARD_A, actor=officer, today=TODAY, code="GOP-6")
    keep = person(officer, commune_code=WARD_A, with_cccd=False, full_name="Hồ Thị Lý")
    duplicate = person(
        officer, household=home, with_cccd=False, full_name="Ho Thi Ly", sex=Sex.FEMALE
    )
    keep.sex = Sex.FEMALE
    assert likely_duplicates(keep, actor=officer) == [duplicate]
    assert len(search_people(actor=officer, query="ho thi ly").people) == 2
    merge(keep, duplicate, officer)
    db.session.flush()
    assert [p.id for p in search_people(actor=officer, query="ho thi ly").people] == [keep.id]
    assert likely_duplicates(keep, actor=officer) == []
    rows, _ = list_households(actor=officer, today=TODAY, query="ho thi ly")
    assert [r.household.code for r in rows] == ["GOP-6"]  # the kept record took the place
