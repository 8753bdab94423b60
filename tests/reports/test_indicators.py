"""The indicators, the poverty table and the money paid, against a registry built by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.auth.actors import Actor
from registry.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from registry.decisions.models import BenefitDecision, DecisionStatus, Programme
from registry.eligibility.months import age_in_month, assumed_birth_date, months_old
from registry.entitlements.facts import status_in_force
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.households.models import Household, HouseholdPovertyStatus
from registry.payments.services import payable_months
from registry.people.models import Person
from registry.reports.indicators import (
    annual_month,
    build_annual_report,
    build_report,
    indicators_for,
    unit_for_report,
)
from registry.reports.measures import (
    aged_at_least,
    decision_in_force,
    months_old_under,
    poverty_in_month,
)
from registry.reports.model import MonthlyPaid, PovertyRow
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B
from tests.reports.dataset import EXPECTED, OCT, build

OFFICE = "UBND THÀNH PHỐ HUẾ"
A_NAME, B_NAME = "Phường Thuận Hóa", "Phường Phú Xuân"


@pytest.fixture()
def data(actor):
    return build(actor)


def figures(unit_code: str, month: date = OCT) -> dict[str, tuple[int, int]]:
    indicators = indicators_for(db.session, unit=factories.unit(unit_code), month=month)
    return {i.code: (i.numerator, i.denominator) for i in indicators}


# --- each indicator, at the ward's and at the province's scope ------------------------------


@pytest.mark.parametrize("unit_code", [WARD_A, "46"])
def test_each_indicator_counts_exactly_the_hand_counted_cases(data, unit_code):
    assert figures(unit_code) == EXPECTED[unit_code]


def test_children_under_36_months_count_from_the_poverty_status_and_signed_decisions(data):
    # Ward A: 6 children under 36 months in poor or near-poor households in 10/2026 — born
    # 1/11/2023 (35 months) up to 31/10/2026 (born in the month), one who died on 15/10;
    # not the one reaching 36 months, not yet born, dead in August, not poor, poor only in
    # 2025, out of poverty from 15/10, or a merged duplicate. Assisted: a local-policy decision
    # and one ended with October as its last month; not one starting in November, suspended
    # from September, or only proposed.
    assert figures(WARD_A)["children_u36_poor"] == (2, 6)
    assert figures("46")["children_u36_poor"] == (3, 7)


def test_the_elderly_count_from_the_birthday_month_and_without_a_pension(data):
    # 75 in the month of the 75th birthday (and from January when only the year is known);
    # 70-74 only in a poor or near-poor household; a pension that ended in September no
    # longer excludes, one starting on 20/10 does. A suspended social pension or a merit
    # decision is not receiving.
    assert figures(WARD_A)["elderly_without_pension"] == (2, 6)
    november = figures(WARD_A, date(2026, 11, 1))["elderly_without_pension"]
    # November: the one born 2/11/1951 reaches 75, and the one born 1/11/1956 reaches 70
    # in a near-poor household; neither has a decision.
    assert november == (2, 8)


def test_merit_families_count_households_once_by_their_living_holders(data):
    # Four families in ward A: one with the allowance, a poor one without it, one recognised
    # on 15/10 (poor, allowance from November) and one with two holders (near-poor, with
    # the allowance); not the record ended in June, not the holder who died in 2025.
    assert figures(WARD_A)["merit_families_allowance"] == (2, 4)
    assert figures(WARD_A)["merit_families_poor"] == (3, 4)


def test_the_cashless_share_reads_the_active_account_of_people_in_issued_runs(data):
    # Ward A: five people in October's locked run (one with two lines); bank and e-wallet
    # count, an account moved from the bank to the post office does not, and a draft is not
    # a payment.
    indicators = {
        i.code: i for i in indicators_for(db.session, unit=factories.unit(WARD_A), month=OCT)
    }
    cashless = indicators["cashless_share"]
    assert (cashless.numerator, cashless.denominator) == (2, 5)
    assert str(cashless.share) == "40.0"


def test_indicators_carry_their_texts_month_and_direction(data):
    indicators = indicators_for(db.session, unit=factories.unit(WARD_A), month=date(2026, 10, 17))
    assert [i.code for i in indicators] == [
        "children_u36_poor",
        "elderly_without_pension",
        "merit_families_allowance",
        "merit_families_poor",
        "cashless_share",
    ]
    assert {i.month for i in indicators} == {OCT}
    assert [i.code for i in indicators if i.lower_is_better] == ["merit_families_poor"]
    assert all(i.title and i.definition and i.legal_basis for i in indicators)
    assert all(i.numerator_label and i.denominator_label for i in indicators)
    assert {i.code: i.target for i in indicators}["merit_families_poor"] == "None by 2030"


def test_a_month_with_nothing_to_count_has_no_share(data):
    indicators = indicators_for(db.session, unit=factories.unit(WARD_B), month=date(2026, 8, 1))
    cashless = next(i for i in indicators if i.code == "cashless_share")
    assert (cashless.numerator, cashless.denominator, cashless.share) == (0, 0, None)


# --- the readings are the engine's and the payment run's ------------------------------------


def test_the_age_conditions_read_ages_as_the_law_engine_does(data):
    people = list(db.session.scalars(select(Person)))
    for month in (date(2026, 10, 1), date(2026, 1, 1), date(2025, 12, 1)):
        for years in (70, 75):
            expected = {
                p.id
                for p in people
                if age_in_month(p.birth_date or assumed_birth_date(p.birth_year), month) >= years
            }
            found = set(db.session.scalars(select(Person.id).where(aged_at_least(years, month))))
            assert found == expected, (month, years)
        expected = {
            p.id
            for p in people
            if months_old(p.birth_date or assumed_birth_date(p.birth_year), month) < 36
        }
        found = set(db.session.scalars(select(Person.id).where(months_old_under(36, month))))
        assert found == expected, month


def test_the_poverty_status_of_a_month_is_the_adapters(data):
    households = list(db.session.scalars(select(Household)))
    reviews = list(db.session.scalars(select(HouseholdPovertyStatus)))
    for month in (date(2025, 12, 1), date(2026, 9, 1), OCT, date(2027, 1, 1)):
        for household in households:
            mine = [r for r in reviews if r.household_id == household.id]
            review = status_in_force(mine, month)
            found = db.session.scalar(select(poverty_in_month(household.id, month)))
            assert found == (review.status if review else None), (household.code, month)


@pytest.mark.parametrize(
    ("status", "end", "suspended_from"),
    [
        (DecisionStatus.APPROVED, None, None),
        (DecisionStatus.APPROVED, date(2026, 9, 1), None),
        (DecisionStatus.SUSPENDED, None, date(2026, 10, 1)),
        (DecisionStatus.SUSPENDED, None, date(2026, 11, 1)),
        (DecisionStatus.ENDED, date(2026, 10, 1), None),
        (DecisionStatus.PROPOSED, None, None),
        (DecisionStatus.APPRAISED, None, None),
        (DecisionStatus.REJECTED, None, None),
    ],
)
def test_a_decision_is_in_force_in_the_months_the_payment_run_pays_it_for(
    actor, today, status, end, suspended_from
):
    person = factories.person(
        actor=actor("commune_a"), today=today, commune_code=WARD_A, with_cccd=False
    )
    decision = BenefitDecision(
        person_id=person.id,
        commune_id=person.commune_id,
        programme=Programme.SOCIAL_ASSISTANCE,
        group_code="sa.5.6",
        status=status,
        proposed_amount=1,
        reference="-",
        start_month=date(2026, 8, 1),
        end_month=end,
        suspended_from=suspended_from,
        decision_number="1",
        decided_on=date(2026, 7, 1),
        signer="-",
    )
    db.session.add(decision)
    db.session.flush()
    paid = set(payable_months(decision, date(2026, 12, 1)))
    if status not in (DecisionStatus.APPROVED, DecisionStatus.SUSPENDED, DecisionStatus.ENDED):
        paid = set()  # a payment run reads signed decisions only
    for month in (date(2026, m, 1) for m in range(7, 13)):
        in_force = db.session.scalar(
            select(BenefitDecision.id).where(
                BenefitDecision.id == decision.id, decision_in_force(month)
            )
        )
        assert (in_force is not None) == (month in paid), month


# --- scope: a commune officer sees only their commune ---------------------------------------


def test_a_commune_officer_reports_on_their_commune_only(data, actor):
    officer = actor("commune_a")
    assert unit_for_report(db.session, actor=officer, today=TODAY).code == WARD_A
    assert unit_for_report(db.session, actor=officer, today=TODAY, code=WARD_A).code == WARD_A
    for other in ("46", WARD_B):
        with pytest.raises(NotFoundError):
            unit_for_report(db.session, actor=officer, today=TODAY, code=other)
    unit = unit_for_report(db.session, actor=officer, today=TODAY)
    report = build_report(db.session, unit=unit, month=OCT, today=TODAY, office_name=OFFICE)
    assert {i.code: (i.numerator, i.denominator) for i in report.indicators} == EXPECTED[WARD_A]
    assert {r.commune_code for r in report.poverty} == {WARD_A}
    assert {p.commune_code for p in report.payments} == {WARD_A}


def test_province_roles_and_the_operator_report_on_the_province_or_any_unit(data, actor):
    for username in ("leader", "labour", "accountant", "auditor", "admin"):
        unit = unit_for_report(db.session, actor=actor(username), today=TODAY)
        assert unit.code == "46"
        ward = unit_for_report(db.session, actor=actor(username), today=TODAY, code=WARD_B)
        assert ward.name == B_NAME
    assert unit_for_report(db.session, actor=Actor.system("t"), today=TODAY).code == "46"
    with pytest.raises(NotFoundError):
        unit_for_report(db.session, actor=Actor.system("t"), today=TODAY, code="99999")


def test_the_leader_reads_everything_and_changes_nothing():
    leader = ROLE_PERMISSIONS[Role.LEADER]
    assert leader == {
        Permission.PERSON_READ,
        Permission.HOUSEHOLD_READ,
        Permission.CCCD_VIEW_MASKED,
        Permission.DECISION_READ,
        Permission.PAYMENT_READ,
        Permission.REPORT_READ,
        Permission.AUDIT_READ,  # leaders and auditors read the audit trail (ARCHITECTURE.md)
    }
    readers = {
        role for role, granted in ROLE_PERMISSIONS.items() if Permission.REPORT_READ in granted
    }
    assert readers == set(Role)


# --- the dashboard's tables ------------------------------------------------------------------


def test_the_dashboard_holds_every_review_year_with_the_year_before(data):
    report = build_report(
        db.session, unit=factories.unit("46"), month=OCT, today=TODAY, office_name=OFFICE
    )
    assert report.poverty == [
        # commune, review year, poor, near-poor, and the year before's
        PovertyRow(WARD_A, A_NAME, 2024, 1, 1, None, None),
        PovertyRow(WARD_B, B_NAME, 2025, 1, 0, None, None),
        PovertyRow(WARD_A, A_NAME, 2025, 4, 2, 1, 1),
        PovertyRow(WARD_A, A_NAME, 2026, 0, 0, 4, 2),
    ]
    assert report.poverty[-1].poor_change == -4


def test_a_dashboard_of_an_earlier_month_stops_at_its_year(data):
    report = build_report(
        db.session, unit=factories.unit(WARD_A), month=date(2025, 6, 1), today=TODAY,
        office_name=OFFICE,
    )  # fmt: skip
    assert [(r.review_year, r.poor, r.near_poor) for r in report.poverty] == [
        (2024, 1, 1),
        (2025, 4, 2),
    ]


def test_the_dashboard_sums_twelve_months_of_issued_runs_by_programme_and_commune(data):
    report = build_report(
        db.session, unit=factories.unit("46"), month=OCT, today=TODAY, office_name=OFFICE
    )
    sa, merit = "social_assistance", "merit"
    assert (report.period_start, report.period_end) == (date(2025, 11, 1), OCT)
    assert report.payments == [
        MonthlyPaid(date(2026, 9, 1), sa, WARD_A, A_NAME, 1, 500_000, 500_000, 500_000),
        MonthlyPaid(OCT, merit, WARD_A, A_NAME, 1, 2_000_000, 0, 0),
        MonthlyPaid(OCT, sa, WARD_B, B_NAME, 1, 500_000, 500_000, 0),
        MonthlyPaid(OCT, sa, WARD_A, A_NAME, 4, 3_250_000, 2_000_000, 1_250_000),
    ]
    assert (report.unit_code, report.unit_name, report.office_name) == (
        "46",
        "Thành phố Huế",
        OFFICE,
    )
    assert (report.month, report.generated_on, report.annual_year) == (OCT, TODAY, None)
    assert report.legal_basis


def test_a_shorter_period_leaves_out_the_earlier_months(data):
    report = build_report(
        db.session, unit=factories.unit(WARD_A), month=OCT, today=TODAY, office_name=OFFICE,
        months_back=1,
    )  # fmt: skip
    assert report.period_start == OCT
    assert {p.month for p in report.payments} == {OCT}


# --- the annual report -----------------------------------------------------------------------


def test_the_annual_report_of_a_past_year_measures_december(data):
    report = build_annual_report(
        db.session, unit=factories.unit(WARD_A), year=2025, today=TODAY, office_name=OFFICE
    )
    assert (report.annual_year, report.month) == (2025, date(2025, 12, 1))
    assert (report.period_start, report.period_end) == (date(2025, 1, 1), date(2025, 12, 1))
    got = {i.code: (i.numerator, i.denominator) for i in report.indicators}
    # December 2025 reads the 2024 review: A-NGHEO-1 near-poor, A-NGHEO-2024 poor. Five
    # children (the one who is 36 months in October 2026 is 26 months here); assisted: the
    # decision suspended only from 09/2026 and the one in force since 01/2024.
    assert got["children_u36_poor"] == (2, 5)
    assert got["cashless_share"] == (0, 0)
    assert report.poverty == [
        PovertyRow(WARD_A, A_NAME, 2025, poor=4, near_poor=2, poor_before=1, near_poor_before=1)
    ]
    assert report.payments == [
        MonthlyPaid(date(2025, 10, 1), "social_assistance", WARD_A, A_NAME, 1, 360_000, 360_000,
                    360_000)
    ]  # fmt: skip


def test_the_annual_report_of_the_current_year_measures_the_last_month_passed(data):
    report = build_annual_report(
        db.session, unit=factories.unit(WARD_A), year=2026, today=TODAY, office_name=OFFICE
    )
    assert report.month == OCT  # today is 29/11/2026
    assert {i.code: (i.numerator, i.denominator) for i in report.indicators} == EXPECTED[WARD_A]
    assert [r.review_year for r in report.poverty] == [2026]
    assert {p.month for p in report.payments} == {date(2026, 9, 1), OCT}


def test_the_annual_report_month_rules():
    assert annual_month(2024, TODAY) == date(2024, 12, 1)
    assert annual_month(2026, date(2026, 12, 10)) == date(2026, 11, 1)
    assert annual_month(2026, date(2026, 1, 5)) == date(2026, 1, 1)
    with pytest.raises(ValidationError):
        annual_month(2027, TODAY)
