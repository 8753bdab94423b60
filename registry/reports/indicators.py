"""The dashboard and the annual report: indicators, poverty by commune, payments by month.

Resolution 42-NQ/TW on social policy sets the 2030 targets; the office reports on its plan
every year (communes before 25 November, the office before 15 December). Everything here
reads only, set-based: one aggregate query per number or table, never a loop over people.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.eligibility.months import month_start, shift_month
from registry.errors import NotFoundError, Problem, ValidationError
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.i18n import N_
from registry.payments.models import LineStatus, PaymentLine, PaymentRun
from registry.people.models import PaymentAccount
from registry.reports.measures import (
    CASHLESS,
    ISSUED,
    MEASURES,
    Frame,
    Measure,
    Part,
    frame_for,
    subtree_ids,
)
from registry.reports.model import Indicator, MonthlyPaid, PovertyRow, Report
from registry.units.models import AdminUnit
from registry.units.scope import in_scope

#: The texts the whole report rests on (msgids), listed under its figures.
LEGAL_BASIS = (
    N_("Resolution 42-NQ/TW on social policy: the targets for 2030"),
    N_("Decree 20/2021/NĐ-CP on social assistance, as amended"),
    N_("Law on Social Insurance 2024 and Decree 176/2025/NĐ-CP: the social pension"),
    N_("Ordinance 02/2020/UBTVQH14 on preferential treatment for people with meritorious service"),
    N_("Decree 07/2021/NĐ-CP: the multidimensional poverty standard"),
    N_("Directive 21/CT-TTg: cashless payment of social benefits"),
)


def unit_for_report(
    session: Session,
    *,
    actor: Actor,
    today: date,
    code: str | None = None,
    month: date | None = None,
) -> AdminUnit:
    """The unit a report is asked for: the one with ``code`` in force today (else in force
    in ``month``, for a unit since merged away), or without a code the actor's own unit (an
    operator's: the single top unit). Raises PermissionDeniedError without the right to read
    reports, NotFoundError for an unknown code or a unit outside the actor's scope (a commune
    officer sees only their commune's figures), ValidationError when no unit can be chosen.
    """
    actor.require(Permission.REPORT_READ)
    if code is None or not code.strip():
        unit = _default_unit(session, actor, today)
    else:
        unit = _unit_by_code(session, code.strip(), today) or (
            _unit_by_code(session, code.strip(), month) if month else None
        )
        if unit is None:
            raise NotFoundError(
                N_("No administrative unit with code %(code)s on %(day)s."),
                code=code.strip(),
                day=today.strftime("%d/%m/%Y"),
            )
    inside = session.scalar(
        select(func.count()).where(AdminUnit.id == unit.id, in_scope(AdminUnit.id, actor))
    )
    if not inside:
        raise NotFoundError()
    return unit


def _valid_on(day: date):
    return and_(
        AdminUnit.valid_from <= day, or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= day)
    )


def _unit_by_code(session: Session, code: str, day: date) -> AdminUnit | None:
    return session.scalars(
        select(AdminUnit)
        .where(AdminUnit.code == code, _valid_on(day))
        .order_by(AdminUnit.valid_from.desc())
    ).first()


def _default_unit(session: Session, actor: Actor, today: date) -> AdminUnit:
    if actor.unit_id is not None:
        unit = session.get(AdminUnit, actor.unit_id)
        if unit is None:  # pragma: no cover - a user's unit always exists (foreign key)
            raise NotFoundError()
        return unit
    tops = list(
        session.scalars(select(AdminUnit).where(AdminUnit.parent_id.is_(None), _valid_on(today)))
    )
    if len(tops) != 1:
        raise ValidationError(
            [Problem("unit", N_("Name the unit to report on (its official code)."))]
        )
    return tops[0]


# --- indicators ----------------------------------------------------------------------------


def count_of(session: Session, measure: Measure, frame: Frame, part: Part) -> int:
    """How many subjects the numerator or denominator of ``measure`` counts: the same
    conditions drilldown.people_behind lists."""
    return int(
        session.scalar(
            select(func.count()).select_from(measure.entity).where(*measure.conditions(frame, part))
        )
        or 0
    )


def indicators_for(session: Session, *, unit: AdminUnit, month: date) -> list[Indicator]:
    """Every indicator of ``unit`` (and the units below it) in the month ``month`` falls
    in, in the dashboard's order; see measures.MEASURES for what each one counts."""
    frame = frame_for(session, unit=unit, month=month)
    return [
        Indicator(
            code=m.code,
            title=m.title,
            definition=m.definition,
            numerator_label=m.numerator_label,
            denominator_label=m.denominator_label,
            numerator=count_of(session, m, frame, "numerator"),
            denominator=count_of(session, m, frame, "denominator"),
            month=frame.month,
            legal_basis=m.legal_basis,
            target=m.target,
            lower_is_better=m.lower_is_better,
        )
        for m in MEASURES.values()
    ]


# --- poverty by commune and review year ----------------------------------------------------


def poverty_rows(
    session: Session, *, unit: AdminUnit, years: set[int] | None = None, up_to: int
) -> list[PovertyRow]:
    """Poor and near-poor households per commune and review year (rà soát hộ nghèo, hộ cận
    nghèo, Decision 24/2021/QĐ-TTg), each with the year before's counts (None where that
    commune recorded no review that year). A household has at most one result per review
    year (a unique constraint); a commune appears for a year only if it recorded a review.

    ``years``: the review years wanted (default: every year recorded up to ``up_to``).
    Communes are grouped by official code, so a unit row re-dated by the 2025 reform keeps
    one line (named as its newest row).
    """
    unit_ids = subtree_ids(session, unit)
    review = HouseholdPovertyStatus
    wanted_low = min(years) if years else None
    query = (
        select(
            AdminUnit.code,
            review.review_year,
            func.sum(case((review.status == PovertyStatus.POOR, 1), else_=0)),
            func.sum(case((review.status == PovertyStatus.NEAR_POOR, 1), else_=0)),
        )
        .join(Household, Household.id == review.household_id)
        .join(AdminUnit, AdminUnit.id == Household.commune_id)
        .where(Household.commune_id.in_(unit_ids), review.review_year <= up_to)
        .group_by(AdminUnit.code, review.review_year)
    )
    if wanted_low is not None:
        query = query.where(review.review_year >= wanted_low - 1)
    counts: dict[tuple[str, int], tuple[int, int]] = {
        (code, year): (int(poor or 0), int(near or 0))
        for code, year, poor, near in session.execute(query)
    }
    names = _commune_names(session, unit_ids, {code for code, _ in counts})
    rows = []
    for (code, year), (poor, near) in counts.items():
        if years is not None and year not in years:
            continue
        before = counts.get((code, year - 1))
        rows.append(
            PovertyRow(
                commune_code=code,
                commune_name=names[code],
                review_year=year,
                poor=poor,
                near_poor=near,
                poor_before=before[0] if before else None,
                near_poor_before=before[1] if before else None,
            )
        )
    return sorted(rows, key=lambda r: (r.review_year, r.commune_name, r.commune_code))


def _commune_names(session: Session, unit_ids: tuple[int, ...], codes: set[str]) -> dict[str, str]:
    """The name of each code's newest unit row in scope."""
    names: dict[str, str] = {}
    for code, name in session.execute(
        select(AdminUnit.code, AdminUnit.name)
        .where(AdminUnit.id.in_(unit_ids), AdminUnit.code.in_(sorted(codes)))
        .order_by(AdminUnit.valid_from)
    ):
        names[code] = name
    return names


# --- money paid per month ------------------------------------------------------------------


def monthly_paid(
    session: Session, *, unit: AdminUnit, first: date, last: date
) -> list[MonthlyPaid]:
    """Payment lines of the runs of ``first``..``last`` (by the run's month) paid in the
    unit's communes, per month, programme and commune: distinct people, the amount of every
    line, the part paid without cash (the person's active account is a bank account or an
    e-wallet, as the export routes it) and the part reconciliation confirmed paid.

    Only locked, exported or reconciled runs count: a draft is not a payment.
    """
    unit_ids = subtree_ids(session, unit)
    account = PaymentAccount
    rows = session.execute(
        select(
            PaymentRun.month,
            PaymentLine.programme,
            AdminUnit.code,
            func.count(func.distinct(PaymentLine.person_id)),
            func.sum(PaymentLine.amount),
            func.sum(case((account.channel.in_(CASHLESS), PaymentLine.amount), else_=0)),
            func.sum(case((PaymentLine.status == LineStatus.PAID, PaymentLine.amount), else_=0)),
        )
        .select_from(PaymentLine)
        .join(PaymentRun, PaymentRun.id == PaymentLine.run_id)
        .join(AdminUnit, AdminUnit.id == PaymentLine.commune_id)
        # At most one active account per person (a partial unique index): no line twice.
        .outerjoin(account, and_(account.person_id == PaymentLine.person_id, account.is_active))
        .where(
            PaymentLine.commune_id.in_(unit_ids),
            PaymentRun.status.in_(ISSUED),
            PaymentRun.month >= month_start(first),
            PaymentRun.month <= month_start(last),
        )
        .group_by(PaymentRun.month, PaymentLine.programme, AdminUnit.code)
    ).all()
    names = _commune_names(session, unit_ids, {row[2] for row in rows})
    paid = [
        MonthlyPaid(
            month=month,
            programme=str(getattr(programme, "value", programme)),
            commune_code=code,
            commune_name=names[code],
            beneficiaries=int(people),
            amount=int(amount or 0),
            cashless_amount=int(cashless or 0),
            paid_amount=int(confirmed or 0),
        )
        for month, programme, code, people, amount, cashless, confirmed in rows
    ]
    return sorted(paid, key=lambda p: (p.month, p.programme, p.commune_name, p.commune_code))


# --- the two reports -----------------------------------------------------------------------


def build_report(
    session: Session,
    *,
    unit: AdminUnit,
    month: date,
    today: date,
    office_name: str,
    months_back: int = 12,
) -> Report:
    """The dashboard of ``unit`` for ``month``: the indicators of that month, poor and
    near-poor households per commune for every review year recorded up to the month's year
    (with the year before's), and the money paid in the ``months_back`` months ending with
    ``month``. Reads only. The caller has checked the unit (``unit_for_report``).
    """
    month = month_start(month)
    first = shift_month(month, 1 - max(months_back, 1))
    return Report(
        unit_code=unit.code,
        unit_name=unit.name,
        office_name=office_name,
        month=month,
        period_start=first,
        period_end=month,
        generated_on=today,
        indicators=indicators_for(session, unit=unit, month=month),
        poverty=poverty_rows(session, unit=unit, up_to=month.year),
        payments=monthly_paid(session, unit=unit, first=first, last=month),
        legal_basis=list(LEGAL_BASIS),
    )


def annual_month(year: int, today: date) -> date:
    """The month the annual report's indicators refer to: December of a past year; for the
    current year the last month that has fully passed (the report is made in November and
    December, before the year ends), and January when none has yet.
    Raises ValidationError for a year still to come.
    """
    if year < today.year:
        return date(year, 12, 1)
    if year == today.year:
        return max(date(year, 1, 1), shift_month(month_start(today), -1))
    raise ValidationError(
        [Problem("year", N_("The year %(year)d has not begun yet."), {"year": year})]
    )


def build_annual_report(
    session: Session, *, unit: AdminUnit, year: int, today: date, office_name: str
) -> Report:
    """The yearly report on the plan implementing Resolution 42-NQ/TW (communes report
    before 25 November, the office before 15 December): the indicators at ``annual_month``,
    the poverty review of ``year`` against the year before, and the money paid in the runs
    of January to December of ``year``. Raises ValidationError for a future year.
    """
    month = annual_month(year, today)
    first, last = date(year, 1, 1), date(year, 12, 1)
    return Report(
        unit_code=unit.code,
        unit_name=unit.name,
        office_name=office_name,
        month=month,
        period_start=first,
        period_end=last,
        generated_on=today,
        indicators=indicators_for(session, unit=unit, month=month),
        poverty=poverty_rows(session, unit=unit, years={year}, up_to=year),
        payments=monthly_paid(session, unit=unit, first=first, last=last),
        legal_basis=list(LEGAL_BASIS),
        annual_year=year,
    )


def indicator_codes() -> list[str]:
    """The codes of the indicators, in the dashboard's order (stable: used in URLs)."""
    return list(MEASURES)
