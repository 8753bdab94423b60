"""The texts every report writer prints: title, heading lines, series and column names (msgids)."""

from __future__ import annotations

import re

from flask_babel import gettext

from registry.entitlements.services import PROGRAMME_LABELS
from registry.i18n import N_
from registry.reports.model import Report
from registry.web.formatting import format_date, format_month

NO_DATA = N_("No data")
LEGAL_BASIS = N_("Legal basis")
INDICATORS = N_("Indicators")
INDICATOR_SHARES = N_("Share of each indicator")
POVERTY = N_("Poor and near-poor households")
PAYMENTS = N_("Payments")
POVERTY_SHEET = N_("Poverty")

# Series and columns.
INDICATOR = N_("Indicator")
DEFINITION = N_("Definition")
NUMERATOR = N_("Numerator")
DENOMINATOR = N_("Denominator")
SHARE = N_("Share")
TARGET = N_("Target")
MONTH = N_("Month")
REVIEW_YEAR = N_("Review year")
COMMUNE = N_("Commune")
COMMUNE_CODE = N_("Commune code")
POOR = N_("Poor households")
NEAR_POOR = N_("Near-poor households")
POOR_BEFORE = N_("Poor households, year before")
NEAR_POOR_BEFORE = N_("Near-poor households, year before")
CHANGE = N_("Change")
TOTAL_PAID = N_("Total paid")
CASHLESS_AMOUNT = N_("Paid cashless")
CASHLESS_SHARE = N_("Cashless share")
CONFIRMED = N_("Confirmed paid")
BENEFICIARIES = N_("Beneficiaries")
BENEFICIARIES_LAST = N_("Beneficiaries in the last month")
GRAND_TOTAL = N_("Grand total")
YEAR_BEFORE = N_("Year before")

#: "UBND TỈNH … / SỞ …": the office header is two or more lines, as on official letterheads.
_OFFICE_SPLIT = re.compile(r"\s*\n\s*|\s+/\s+")


def programme_label(code: str) -> str:
    message = PROGRAMME_LABELS.get(code)
    return gettext(message) if message else code


def office_lines(report: Report) -> list[str]:
    return [line for line in _OFFICE_SPLIT.split(report.office_name.strip()) if line]


def report_title(report: Report) -> str:
    if report.annual_year is not None:
        return gettext(
            "Report on social assistance and poverty reduction, year %(year)d",
            year=report.annual_year,
        )
    return gettext(
        "Report on social assistance and poverty reduction, %(month)s",
        month=format_month(report.month),
    )


def period_text(report: Report) -> str:
    """The money series' months: '01/2026 – 12/2026', or one month alone."""
    start, end = format_month(report.period_start), format_month(report.period_end)
    return start if start == end else f"{start} – {end}"


def heading_lines(report: Report) -> list[str]:
    """Unit, period, the indicators' month and the generation date, one line each."""
    return [
        gettext("Unit: %(name)s (%(code)s)", name=report.unit_name, code=report.unit_code),
        gettext("Period: %(period)s", period=period_text(report)),
        gettext("Indicators of %(month)s", month=format_month(report.month)),
        generated_text(report),
    ]


def generated_text(report: Report) -> str:
    return gettext("Generated on %(date)s", date=format_date(report.generated_on))


def legal_basis_lines(report: Report) -> list[str]:
    return [gettext(line) for line in report.legal_basis]
