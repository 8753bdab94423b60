"""The PDF's tables: each chart's numbers, from the same series, header row on every page."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from registry.reports import labels
from registry.reports.model import Indicator, MonthlyPaid, PovertyRow
from registry.reports.numbers import DASH, format_change, format_count, format_share
from registry.reports.series import (
    PaidTotal,
    commune_totals,
    monthly_totals,
    period_total,
    poverty_of_year,
    poverty_total,
    review_years,
)
from registry.web.formatting import format_money, format_month


@dataclass(frozen=True)
class TableStyles:
    base: ParagraphStyle
    small: ParagraphStyle
    number: ParagraphStyle
    head: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    centre: ParagraphStyle
    caption: ParagraphStyle
    font: str
    bold: str
    width: float


def _p(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(f"<b>{text}</b>" if bold else text, style)


def _table(rows: list[list], fractions: Sequence[float], styles: TableStyles, totals: int) -> Table:
    """A grid with its header row repeated on every page and ``totals`` shaded last rows."""
    widths = [styles.width * f / sum(fractions) for f in fractions]
    table = Table(rows, colWidths=widths, repeatRows=1)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), styles.font),  # else Helvetica is listed, though unused
        ("GRID", (0, 0), (-1, -1), 0.25, HexColor("#b9c0ca")),
        ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8f0f8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if totals:
        commands.append(("BACKGROUND", (0, -totals), (-1, -1), HexColor("#f4f6f8")))
    table.setStyle(TableStyle(commands))
    return table


def _head(messages: Sequence[str], styles: TableStyles) -> list[Paragraph]:
    return [_p(text, styles.head) for text in messages]


def _no_data(styles: TableStyles) -> Flowable:
    return _p(gettext(labels.NO_DATA), styles.small)


def indicator_table(indicators: Sequence[Indicator], styles: TableStyles) -> Flowable:
    if not indicators:
        return _no_data(styles)
    rows: list[list] = [
        _head(
            [gettext(m) for m in (labels.INDICATOR, labels.NUMERATOR, labels.DENOMINATOR)]
            + [gettext(labels.SHARE), gettext(labels.TARGET)],
            styles,
        )
    ]
    for item in indicators:
        basis = f"{format_month(item.month)} · {gettext(item.legal_basis)}"
        rows.append(
            [
                [
                    _p(gettext(item.title), styles.base, bold=True),
                    _p(gettext(item.definition), styles.small),
                    _p(basis, styles.small),
                ],
                [
                    _p(format_count(item.numerator), styles.number, bold=True),
                    _p(gettext(item.numerator_label), styles.small),
                ],
                [
                    _p(format_count(item.denominator), styles.number, bold=True),
                    _p(gettext(item.denominator_label), styles.small),
                ],
                _p(format_share(item.share), styles.number, bold=True),
                _p(gettext(item.target) if item.target else DASH, styles.base),
            ]
        )
    return _table(rows, (42, 17, 17, 9, 15), styles, 0)


def poverty_table(rows: Sequence[PovertyRow], styles: TableStyles) -> Flowable:
    """Every review year's communes, each year closed by its total row."""
    if not rows:
        return _no_data(styles)
    messages = (labels.REVIEW_YEAR, labels.COMMUNE, labels.POOR, labels.YEAR_BEFORE)
    messages += (labels.CHANGE, labels.NEAR_POOR, labels.YEAR_BEFORE, labels.CHANGE)
    table: list[list] = [_head([gettext(m) for m in messages], styles)]
    number = styles.number
    for year in review_years(rows):
        for row in poverty_of_year(rows, year):
            table.append(
                [
                    _p(str(year), styles.base),
                    _p(row.commune_name, styles.base),
                    *(
                        _p(text, number)
                        for text in (
                            format_count(row.poor),
                            format_count(row.poor_before),
                            format_change(row.poor_change),
                            format_count(row.near_poor),
                            format_count(row.near_poor_before),
                            format_change(row.near_poor_change),
                        )
                    ),
                ]
            )
        total = poverty_total(rows, year)
        table.append(
            [
                _p(str(year), styles.base, bold=True),
                _p(gettext(labels.GRAND_TOTAL), styles.base, bold=True),
                *(
                    _p(text, number, bold=True)
                    for text in (
                        format_count(total.poor),
                        format_count(total.poor_before),
                        format_change(total.poor_change),
                        format_count(total.near_poor),
                        format_count(total.near_poor_before),
                        format_change(total.near_poor_change),
                    )
                ),
            ]
        )
    return _table(table, (8, 24, 12, 11, 9, 14, 11, 9), styles, 0)


def _money_cells(total: PaidTotal, codes: list[str], style: ParagraphStyle, bold: bool) -> list:
    amounts = [total.by_programme.get(code, 0) for code in codes]
    amounts += [total.amount, total.cashless_amount]
    cells = [_p(format_money(a), style, bold) for a in amounts]
    return [*cells, _p(format_share(total.cashless_share), style, bold)]


def payment_tables(
    payments: Sequence[MonthlyPaid], start: date, end: date, styles: TableStyles
) -> tuple[Flowable, Flowable]:
    """The monthly table and the commune table, each with a total row."""
    months = monthly_totals(payments, start, end)
    communes = commune_totals(payments, start, end)
    if not communes:
        return _no_data(styles), _no_data(styles)
    codes = list(months[0].by_programme)
    names = [labels.programme_label(code) for code in codes]
    money = [gettext(labels.TOTAL_PAID), gettext(labels.CASHLESS_AMOUNT)]
    money.append(gettext(labels.CASHLESS_SHARE))
    small = ParagraphStyle("table-number", styles.number, fontSize=7.5, leading=9.5)
    text = ParagraphStyle("table-text", small, alignment=TA_LEFT)
    grand = period_total(payments, start, end)
    total_name = _p(gettext(labels.GRAND_TOTAL), text, bold=True)
    fractions = (9, *([42 / len(codes)] * len(codes)), 14, 14, 9, 12)

    head = _head([gettext(labels.MONTH), *names, *money, gettext(labels.BENEFICIARIES)], styles)
    rows: list[list] = [head]
    for total in months:
        rows.append(
            [
                _p(format_month(total.month), text),
                *_money_cells(total, codes, small, False),
                _p(format_count(total.beneficiaries), small),
            ]
        )
    rows.append([total_name, *_money_cells(grand, codes, small, True), _p(DASH, small)])
    monthly = _table(rows, fractions, styles, 1)

    last = gettext(labels.BENEFICIARIES_LAST)
    rows = [_head([gettext(labels.COMMUNE), *names, *money, last], styles)]
    for total in communes:
        rows.append(
            [
                _p(total.commune_name, text),
                *_money_cells(total, codes, small, False),
                _p(format_count(total.beneficiaries), small),
            ]
        )
    grand_count = _p(format_count(grand.beneficiaries), small, bold=True)
    rows.append([total_name, *_money_cells(grand, codes, small, True), grand_count])
    return monthly, _table(rows, fractions, styles, 1)
