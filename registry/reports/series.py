"""The aggregated series that charts, tables, XLSX and PDF all show, so they agree to the đồng."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registry.eligibility.results import PROGRAMMES
from registry.reports.model import MonthlyPaid, PovertyRow
from registry.reports.numbers import percent


def months(start: date, end: date) -> list[date]:
    """First days of every month from ``start``'s to ``end``'s, both included."""
    first, last = start.replace(day=1), end.replace(day=1)
    result = []
    while first <= last:
        result.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return result


def programmes(payments: Iterable[MonthlyPaid]) -> list[str]:
    """The programmes present, in the order officers read them (unknown codes last, sorted)."""
    present = {row.programme for row in payments}
    return [p for p in PROGRAMMES if p in present] + sorted(present - set(PROGRAMMES))


@dataclass(frozen=True)
class PaidTotal:
    """Money paid in some slice of the period; ``by_programme`` holds every programme present."""

    by_programme: dict[str, int]
    amount: int
    cashless_amount: int
    paid_amount: int
    #: Distinct people summed over programmes and communes: someone paid under two
    #: programmes counts twice. For a commune or the period: in the period's last month.
    beneficiaries: int

    @property
    def cashless_share(self) -> Decimal | None:
        """Cashless đồng over all đồng, in % with one decimal; None when nothing was paid."""
        return percent(self.cashless_amount, self.amount)


@dataclass(frozen=True)
class MonthTotal(PaidTotal):
    month: date


@dataclass(frozen=True)
class CommuneTotal(PaidTotal):
    commune_code: str
    commune_name: str


def _sum(rows: list[MonthlyPaid], codes: list[str], counted_month: date | None) -> dict:
    by_programme = dict.fromkeys(codes, 0)
    for row in rows:
        by_programme[row.programme] += row.amount
    return {
        "by_programme": by_programme,
        "amount": sum(row.amount for row in rows),
        "cashless_amount": sum(row.cashless_amount for row in rows),
        "paid_amount": sum(row.paid_amount for row in rows),
        "beneficiaries": sum(
            row.beneficiaries for row in rows if counted_month in (None, row.month)
        ),
    }


def _within(payments: Iterable[MonthlyPaid], start: date, end: date) -> list[MonthlyPaid]:
    first, last = start.replace(day=1), end.replace(day=1)
    return [row for row in payments if first <= row.month.replace(day=1) <= last]


def monthly_totals(payments: Iterable[MonthlyPaid], start: date, end: date) -> list[MonthTotal]:
    """One total per month of the period, months without payments included as zeros."""
    rows = _within(payments, start, end)
    codes = programmes(rows)
    by_month: dict[date, list[MonthlyPaid]] = {}
    for row in rows:
        by_month.setdefault(row.month.replace(day=1), []).append(row)
    return [
        MonthTotal(month=month, **_sum(by_month.get(month, []), codes, None))
        for month in months(start, end)
    ]


def commune_totals(payments: Iterable[MonthlyPaid], start: date, end: date) -> list[CommuneTotal]:
    """One total per commune over the period, by commune code (the official list's order)."""
    rows = _within(payments, start, end)
    codes = programmes(rows)
    last = end.replace(day=1)
    by_commune: dict[str, list[MonthlyPaid]] = {}
    for row in rows:
        by_commune.setdefault(row.commune_code, []).append(row)
    return [
        CommuneTotal(
            commune_code=code,
            commune_name=by_commune[code][0].commune_name,
            **_sum(by_commune[code], codes, last),
        )
        for code in sorted(by_commune)
    ]


def period_total(payments: Iterable[MonthlyPaid], start: date, end: date) -> PaidTotal:
    """The whole period's total (the tables' last row)."""
    rows = _within(payments, start, end)
    return PaidTotal(**_sum(rows, programmes(rows), end.replace(day=1)))


def review_years(rows: Iterable[PovertyRow]) -> list[int]:
    return sorted({row.review_year for row in rows})


def poverty_of_year(rows: Iterable[PovertyRow], year: int) -> list[PovertyRow]:
    """One review year's rows, by commune code."""
    return sorted((r for r in rows if r.review_year == year), key=lambda r: r.commune_code)


@dataclass(frozen=True)
class PovertyTotal:
    """A review year's households over all communes; a year-before figure is None when any
    commune lacks it, as a partial sum would fake a change."""

    review_year: int
    poor: int
    near_poor: int
    poor_before: int | None
    near_poor_before: int | None

    @property
    def poor_change(self) -> int | None:
        return None if self.poor_before is None else self.poor - self.poor_before

    @property
    def near_poor_change(self) -> int | None:
        return None if self.near_poor_before is None else self.near_poor - self.near_poor_before


def poverty_total(rows: Iterable[PovertyRow], year: int) -> PovertyTotal:
    chosen = poverty_of_year(rows, year)

    def before(values: list[int | None]) -> int | None:
        return None if not values or None in values else sum(v for v in values if v is not None)

    return PovertyTotal(
        review_year=year,
        poor=sum(r.poor for r in chosen),
        near_poor=sum(r.near_poor for r in chosen),
        poor_before=before([r.poor_before for r in chosen]),
        near_poor_before=before([r.near_poor_before for r in chosen]),
    )
