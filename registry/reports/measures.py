"""Who each indicator counts, as SQL conditions written once for the count and the list behind it.

``indicators.py`` counts ``SELECT count(*) FROM <subject> WHERE <conditions>`` and
``drilldown.py`` lists ``SELECT <subject> WHERE <the same conditions>``: the number on the
dashboard and the people behind it can never disagree. Every condition is a WHERE clause on
the subject table (people or households) with EXISTS or scalar subqueries, never a join, so
each subject is counted once.

The months and ages are read as the law engine reads them (eligibility/months.py,
shared/domain/rule-cases.md): an age is reached in the birthday month; a dated record
counts for a month when it is in force on at least one day of it; the household's poverty
status is the review in force that month (entitlements/facts.py ``status_in_force``); a
decision pays for a month as payments/services.py ``payable_months`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from registry.decisions.models import BenefitDecision, DecisionStatus, Programme
from registry.eligibility.months import month_start, shift_month
from registry.entitlements.facts import month_span
from registry.entitlements.services import alive_in
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.i18n import N_
from registry.payments.models import PaymentLine, PaymentRun, RunStatus
from registry.people.models import (
    Circumstance,
    CircumstanceKind,
    MeritRecord,
    PaymentAccount,
    PaymentChannel,
    Person,
)
from registry.units.models import AdminUnit
from registry.units.scope import units_under

Part = Literal["numerator", "denominator"]
PARTS: tuple[Part, ...] = ("numerator", "denominator")
Subject = Literal["person", "household"]

#: Statuses of a signed decision: it pays for its months (payments/bulk.py decisions_in_run).
SIGNED = (DecisionStatus.APPROVED, DecisionStatus.SUSPENDED, DecisionStatus.ENDED)
#: A payment run that is no longer a draft: its lines are what was (to be) paid.
ISSUED = (RunStatus.LOCKED, RunStatus.EXPORTED, RunStatus.RECONCILED)
#: Channels that are not cash (Decree 20/2021/NĐ-CP art. 34(3); Directive 21/CT-TTg).
CASHLESS = (PaymentChannel.BANK, PaymentChannel.EWALLET)
POOR_OR_NEAR_POOR = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


@dataclass(frozen=True)
class Frame:
    """Where and when an indicator is measured: the unit's subtree and a month."""

    unit_ids: tuple[int, ...]  # the unit and every unit below it
    month: date  # first day of the month

    @property
    def last_day(self) -> date:
        return month_span(self.month)[1]


def subtree_ids(session: Session, unit: AdminUnit) -> tuple[int, ...]:
    """``unit`` and every unit below it (a commune: itself; a district or province: all
    their communes), read once as a list: the recursive CTE of units/scope.py would be
    repeated, under one name, in every subquery of a statement."""
    return tuple(session.scalars(units_under(unit.id)))


def frame_for(session: Session, *, unit: AdminUnit, month: date) -> Frame:
    """The frame of ``unit``'s subtree in the month ``month`` falls in."""
    return Frame(subtree_ids(session, unit), month_start(month))


# --- dates and ages ------------------------------------------------------------------------


def born_before(day: date) -> ColumnElement[bool]:
    """Born before ``day``. Someone recorded with the birth year only counts as born on
    1 January of it (eligibility/months.py ``assumed_birth_date``)."""
    year_only = day.year - 1 if (day.month, day.day) == (1, 1) else day.year
    return or_(
        Person.birth_date < day,
        and_(Person.birth_date.is_(None), Person.birth_year <= year_only),
    )


def born_on_or_after(day: date) -> ColumnElement[bool]:
    """Born on ``day`` or later (birth year only: on 1 January of it)."""
    year_only = day.year if (day.month, day.day) == (1, 1) else day.year + 1
    return or_(
        Person.birth_date >= day,
        and_(Person.birth_date.is_(None), Person.birth_year >= year_only),
    )


def aged_at_least(years: int, month: date) -> ColumnElement[bool]:
    """Has reached ``years`` of age in ``month``: an age is reached in the birthday month
    (months.py ``age_in_month``), so the whole birthday month counts."""
    # Born in the month ``years`` back or earlier: before the 1st of the month after it.
    return born_before(shift_month(month, 1 - 12 * years))


def months_old_under(months: int, month: date) -> ColumnElement[bool]:
    """Fewer than ``months`` whole months old in ``month``, counted as months.py
    ``months_old`` counts them: the month of the 36th month birthday is already month 36."""
    return born_on_or_after(shift_month(month, 1 - months))


def living_person(frame: Frame) -> ColumnElement[bool]:
    """A person of the frame's communes, born by the end of the month and not dead before it
    began (the month of death counts, as it is paid), not a duplicate merged away."""
    return and_(
        Person.commune_id.in_(frame.unit_ids),
        Person.merged_into_id.is_(None),
        alive_in(frame.month),
    )


# --- records in force in the month ---------------------------------------------------------


def poverty_in_month(household_id: Any, month: date):
    """A correlated scalar subquery: the household's poverty status in ``month`` — among the
    reviews whose period touches the month, the one that started last (the SQL of
    entitlements/facts.py ``status_in_force``); NULL without one."""
    first, last = month_span(month)
    review = HouseholdPovertyStatus
    return (
        select(review.status)
        .where(
            review.household_id == household_id,
            review.valid_from <= last,
            or_(review.valid_to.is_(None), review.valid_to >= first),
        )
        .order_by(review.valid_from.desc(), review.review_year.desc())
        .limit(1)
        .scalar_subquery()
    )


def poor_or_near_poor(household_id: Any, month: date) -> ColumnElement[bool]:
    return poverty_in_month(household_id, month).in_(POOR_OR_NEAR_POOR)


def decision_in_force(month: date) -> ColumnElement[bool]:
    """A signed decision that pays for ``month``: the SQL of payments/services.py
    ``payable_months`` for that one month — from its start month, up to its end month, and
    not from the month a suspension starts. Proposed, appraised and rejected ones never pay.
    """
    decision = BenefitDecision
    return and_(
        decision.status.in_(SIGNED),
        decision.start_month <= month,
        or_(decision.end_month.is_(None), decision.end_month >= month),
        ~and_(
            decision.status == DecisionStatus.SUSPENDED,
            decision.suspended_from.is_not(None),
            decision.suspended_from <= month,
        ),
    )


def has_decision(person_id: Any, month: date, programmes: Sequence[Programme]):
    """The person holds a decision in force in ``month`` under one of ``programmes``."""
    return exists().where(
        BenefitDecision.person_id == person_id,
        BenefitDecision.programme.in_(programmes),
        decision_in_force(month),
    )


def has_pension(frame: Frame):
    """A pension or monthly social-insurance benefit recorded for at least one day of the
    month (entitlements/facts.py ``counts_in_month``)."""
    return exists().where(
        Circumstance.person_id == Person.id,
        Circumstance.kind == CircumstanceKind.PENSION,
        Circumstance.started_on <= frame.last_day,
        or_(Circumstance.ended_on.is_(None), Circumstance.ended_on >= frame.month),
    )


def merit_holder(frame: Frame):
    """A living member of the household (not a merged duplicate) with a merit record in
    force in the month: recognised by its last day, not ended before its first."""
    holder = (
        select(Person.id)
        .where(
            Person.household_id == Household.id,
            Person.merged_into_id.is_(None),
            alive_in(frame.month),
            exists().where(
                MeritRecord.person_id == Person.id,
                MeritRecord.recognised_on <= frame.last_day,
                or_(MeritRecord.ended_on.is_(None), MeritRecord.ended_on >= frame.month),
            ),
        )
        .correlate(Household)
    )
    return holder.exists()


def member_with_merit_decision(frame: Frame):
    """A member of the household (not a merged duplicate) holds a merit decision in force."""
    member = (
        select(Person.id)
        .where(
            Person.household_id == Household.id,
            Person.merged_into_id.is_(None),
            has_decision(Person.id, frame.month, (Programme.MERIT,)),
        )
        .correlate(Household)
    )
    return member.exists()


def paid_in_month(frame: Frame):
    """The person has a line in a run of the month that is no longer a draft, paid in one
    of the frame's communes (the line's commune: where the person was paid)."""
    return exists().where(
        PaymentLine.person_id == Person.id,
        PaymentLine.commune_id.in_(frame.unit_ids),
        PaymentRun.id == PaymentLine.run_id,
        PaymentRun.month == frame.month,
        PaymentRun.status.in_(ISSUED),
    )


def cashless_account():
    """The person's active payment account is a bank account or an e-wallet: how the export
    routes their lines (payments/queries.py ``_by_channel``; no account: post office cash)."""
    return exists().where(
        PaymentAccount.person_id == Person.id,
        PaymentAccount.is_active,
        PaymentAccount.channel.in_(CASHLESS),
    )


# --- the indicators ------------------------------------------------------------------------

Condition = Callable[[Frame], ColumnElement[bool]]


@dataclass(frozen=True)
class Measure:
    """One indicator's texts (msgids) and who its denominator and numerator count."""

    code: str
    subject: Subject
    title: str
    definition: str
    numerator_label: str
    denominator_label: str
    legal_basis: str
    #: Who the denominator counts.
    population: Condition
    #: What the numerator adds: a subset of the population, always.
    counted: Condition
    target: str | None = None
    lower_is_better: bool = False

    @property
    def entity(self) -> type[Person] | type[Household]:
        return Person if self.subject == "person" else Household

    def conditions(self, frame: Frame, part: Part) -> list[ColumnElement[bool]]:
        """The WHERE clauses on ``entity`` of the numerator or the denominator."""
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, not {part!r}")
        conditions = [self.population(frame)]
        if part == "numerator":
            conditions.append(self.counted(frame))
        return conditions


def _children_u36_poor(frame: Frame) -> ColumnElement[bool]:
    return and_(
        living_person(frame),
        months_old_under(36, frame.month),
        poor_or_near_poor(Person.household_id, frame.month),
    )


def _elderly_without_pension(frame: Frame) -> ColumnElement[bool]:
    return and_(
        living_person(frame),
        ~has_pension(frame),
        or_(
            aged_at_least(75, frame.month),
            and_(
                aged_at_least(70, frame.month),
                poor_or_near_poor(Person.household_id, frame.month),
            ),
        ),
    )


def _merit_family(frame: Frame) -> ColumnElement[bool]:
    return and_(Household.commune_id.in_(frame.unit_ids), merit_holder(frame))


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            code="children_u36_poor",
            subject="person",
            title=N_(
                "Children under 36 months in poor and near-poor households receiving assistance"
            ),
            definition=N_(
                "Children under 36 months old in the month (the month they reach 36 months no "
                "longer counts), alive and living in a household that is poor or near-poor in "
                "that month. Assisted: a signed decision of the monthly social allowance (a "
                "national group or a local policy) pays for that month."
            ),
            numerator_label=N_("Children receiving social assistance"),
            denominator_label=N_("Children under 36 months in poor and near-poor households"),
            legal_basis=N_(
                "Resolution 42-NQ/TW; Decree 20/2021/NĐ-CP art. 5(7); local policies under "
                "art. 4(3)"
            ),
            target=N_("All by 2030"),
            population=_children_u36_poor,
            counted=lambda f: has_decision(Person.id, f.month, (Programme.SOCIAL_ASSISTANCE,)),
        ),
        Measure(
            code="elderly_without_pension",
            subject="person",
            title=N_(
                "Elderly people without a pension receiving the social pension or a social "
                "allowance"
            ),
            definition=N_(
                "People aged 75 or over, and people aged 70 to 74 in a poor or near-poor "
                "household, alive in the month and with no pension or monthly social-insurance "
                "benefit recorded for it; an age is reached in the birthday month. Receiving: a "
                "signed decision of the social pension or of the monthly social allowance pays "
                "for that month."
            ),
            numerator_label=N_("Receiving the social pension or a social allowance"),
            denominator_label=N_(
                "Aged 75 or over, or 70 to 74 in poor and near-poor households, without a pension"
            ),
            legal_basis=N_(
                "Resolution 42-NQ/TW; Law on Social Insurance 2024; Decree 176/2025/NĐ-CP; "
                "Decree 20/2021/NĐ-CP art. 5(5)"
            ),
            target=N_("All by 2030"),
            population=_elderly_without_pension,
            counted=lambda f: has_decision(
                Person.id, f.month, (Programme.SOCIAL_PENSION, Programme.SOCIAL_ASSISTANCE)
            ),
        ),
        Measure(
            code="merit_families_allowance",
            subject="household",
            title=N_("Merit families receiving their preferential allowance"),
            definition=N_(
                "Households with at least one living member holding a merit record in force in "
                "the month. Receiving: a member holds a signed decision of the preferential "
                "allowance for people with meritorious service that pays for that month."
            ),
            numerator_label=N_("Merit families receiving the allowance"),
            denominator_label=N_("Merit families"),
            legal_basis=N_("Resolution 42-NQ/TW; Ordinance 02/2020/UBTVQH14; Decree 75/2021/NĐ-CP"),
            target=N_("All by 2030"),
            population=_merit_family,
            counted=member_with_merit_decision,
        ),
        Measure(
            code="merit_families_poor",
            subject="household",
            title=N_("Merit families in poor or near-poor households"),
            definition=N_(
                "Merit families (households with at least one living member holding a merit "
                "record in force in the month) that are poor or near-poor in that month, by the "
                "poverty review in force then."
            ),
            numerator_label=N_("Merit families in poor or near-poor households"),
            denominator_label=N_("Merit families"),
            legal_basis=N_("Resolution 42-NQ/TW; Decree 07/2021/NĐ-CP"),
            target=N_("None by 2030"),
            lower_is_better=True,
            population=_merit_family,
            counted=lambda f: poor_or_near_poor(Household.id, f.month),
        ),
        Measure(
            code="cashless_share",
            subject="person",
            title=N_("Beneficiaries paid without cash"),
            definition=N_(
                "People with a line in the month's payment lists for the area (locked, exported "
                "or reconciled lists: a draft is not a payment). Paid without cash: their active "
                "payment account is a bank account or an e-wallet, as the export routes it; "
                "without an account they are paid in cash at the post office."
            ),
            numerator_label=N_("Paid by bank transfer or e-wallet"),
            denominator_label=N_("People paid in the month"),
            legal_basis=N_("Decree 20/2021/NĐ-CP art. 34(3); Directive 21/CT-TTg"),
            population=paid_in_month,
            counted=lambda f: cashless_account(),
        ),
    )
}
