"""The figures of a dashboard or an annual report, as plain values the writers draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Indicator:
    """One measured indicator: numerator over denominator in one month.

    Texts are msgids (marked with ``N_``); whoever draws them translates them.
    """

    code: str  # stable, used in URLs and JSON: "children_u36_assisted"
    title: str  # msgid
    definition: str  # msgid: what is counted, in one or two sentences
    numerator_label: str  # msgid
    denominator_label: str  # msgid
    numerator: int
    denominator: int
    month: date  # first day of the month the figures refer to
    legal_basis: str  # msgid: "Resolution 42-NQ/TW; Decree 20/2021/NĐ-CP art. 5(1)"
    target: str | None = None  # msgid: "All by 2030", "None by 2030"
    #: True where fewer is better (merit families in poor households): charts colour it so.
    lower_is_better: bool = False

    @property
    def share(self) -> Decimal | None:
        """Numerator / denominator as a percentage with one decimal; None when nothing to count."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True)
class PovertyRow:
    """Poor and near-poor households of one commune in one review year, with last year's."""

    commune_code: str
    commune_name: str
    review_year: int
    poor: int
    near_poor: int
    poor_before: int | None  # the year before; None when that review was never recorded
    near_poor_before: int | None

    @property
    def poor_change(self) -> int | None:
        return None if self.poor_before is None else self.poor - self.poor_before

    @property
    def near_poor_change(self) -> int | None:
        return None if self.near_poor_before is None else self.near_poor - self.near_poor_before


@dataclass(frozen=True)
class MonthlyPaid:
    """Payment lines of one month, programme and commune (by the month they were paid in)."""

    month: date  # the run's month
    programme: str  # Programme value of the line's decision (funeral lines count under theirs)
    commune_code: str
    commune_name: str
    beneficiaries: int  # distinct people with a line
    amount: int  # đồng, every line of the run (regular, arrears, corrections, funeral)
    cashless_amount: int  # đồng paid by bank transfer or e-wallet
    paid_amount: int  # đồng confirmed paid by reconciliation


@dataclass(frozen=True)
class Report:
    """Everything a dashboard page, its XLSX/PDF and the annual report show."""

    unit_code: str
    unit_name: str
    office_name: str  # the header: "UBND TỈNH … / SỞ …" as configured
    month: date  # the month the indicators refer to
    period_start: date  # first month of the money series (12 months back, or January)
    period_end: date  # last month of the money series
    generated_on: date
    indicators: list[Indicator] = field(default_factory=list)
    poverty: list[PovertyRow] = field(default_factory=list)
    payments: list[MonthlyPaid] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)  # msgids
    annual_year: int | None = None  # set for the annual report
