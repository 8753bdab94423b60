"""The dashboard or annual report as XLSX: three sheets, each table drawn by a native chart.

The charts point at the table cells, so in Excel the chart is the table. Numbers are numbers
(money ``#,##0``, shares ``0.0%``) that Excel shows with its own separators. XlsxWriter keeps
the zip members' dates fixed; the created date is the report's, so the same report gives the
same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal
from typing import BinaryIO

import xlsxwriter
from flask_babel import gettext
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from registry.reports import labels
from registry.reports.layouts import programme_slot
from registry.reports.model import Report
from registry.reports.scene import LOWER, NEAR_POOR, POOR, SERIES
from registry.reports.series import (
    PaidTotal,
    commune_totals,
    monthly_totals,
    period_total,
    poverty_of_year,
    poverty_total,
    review_years,
)
from registry.web.formatting import format_month

#: Pale versions of the poverty colours, for the year before.
POOR_PALE, NEAR_POOR_PALE = "#e3a5a8", "#f3d3a6"
#: The cashless line: the brand blue's dark shade, apart from the bars' colours.
INK_LINE = "#163a5a"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class _Formats:
    def __init__(self, book: Workbook) -> None:
        cell = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        grid = {**cell, "border": 1, "border_color": "#b9c0ca"}
        total = {**grid, "bold": True, "bg_color": "#f4f6f8"}
        self.office = book.add_format({**cell, "bold": True})
        self.title = book.add_format({**cell, "bold": True, "font_size": 14})
        self.line = book.add_format(cell)
        self.head = book.add_format(
            {**grid, "bold": True, "bg_color": "#e8f0f8", "text_wrap": True}
        )
        self.text = book.add_format({**grid, "text_wrap": True})
        self.number = book.add_format({**grid, "num_format": "#,##0"})
        self.share = book.add_format({**grid, "num_format": "0.0%"})
        self.total_text = book.add_format({**total, "text_wrap": True})
        self.total_number = book.add_format({**total, "num_format": "#,##0"})
        self.total_share = book.add_format({**total, "num_format": "0.0%"})


def _sheet_name(message: str) -> str:
    return _SHEET_FORBIDDEN.sub(" ", gettext(message))[:31]


def _ratio(share: Decimal | None) -> float | None:
    """A share in % as Excel's fraction for ``0.0%``: 66.7 → 0.667, rounded as the page is."""
    return None if share is None else float(share / 100)


def _heading(sheet: Worksheet, fmt: _Formats, report: Report) -> int:
    """Office, title, unit, period, date and legal basis at the top; returns the next row."""
    row = 0
    for line in labels.office_lines(report):
        sheet.write_string(row, 0, line, fmt.office)
        row += 1
    sheet.write_string(row, 0, labels.report_title(report), fmt.title)
    sheet.set_row(row, 20)
    row += 1
    for line in labels.heading_lines(report):
        sheet.write_string(row, 0, line, fmt.line)
        row += 1
    if report.legal_basis:
        sheet.write_string(row, 0, gettext(labels.LEGAL_BASIS), fmt.office)
        row += 1
        for line in labels.legal_basis_lines(report):
            sheet.write_string(row, 0, f"– {line}", fmt.line)
            row += 1
    return row + 1


def _page_setup(sheet: Worksheet, report: Report, header_row: int, widths: Sequence[float]):
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    generated = labels.generated_text(report).replace("&", "&&")
    page = gettext("Page %(page)s/%(pages)s", page="&P", pages="&N")
    sheet.set_footer(f"&L{generated}&R{page}")


def _write_row(sheet, row, values, formats) -> None:
    for column, (value, cell) in enumerate(zip(values, formats, strict=True)):
        if value is None:
            sheet.write_blank(row, column, None, cell)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, cell)
        else:
            sheet.write_number(row, column, value, cell)


def _indicators(book: Workbook, fmt: _Formats, report: Report) -> None:
    name = _sheet_name(labels.INDICATORS)
    sheet = book.add_worksheet(name)
    head = _heading(sheet, fmt, report)
    columns = (labels.INDICATOR, labels.DEFINITION, labels.NUMERATOR, labels.NUMERATOR)
    columns += (labels.DENOMINATOR, labels.DENOMINATOR, labels.SHARE, labels.MONTH)
    columns += (labels.TARGET, labels.LEGAL_BASIS)
    _write_row(sheet, head, [gettext(c) for c in columns], [fmt.head] * len(columns))
    t, n, s = fmt.text, fmt.number, fmt.share
    for row, item in enumerate(report.indicators, start=head + 1):
        values = [
            gettext(item.title),
            gettext(item.definition),
            gettext(item.numerator_label),
            item.numerator,
            gettext(item.denominator_label),
            item.denominator,
            _ratio(item.share),
            format_month(item.month),
            gettext(item.target) if item.target else None,
            gettext(item.legal_basis),
        ]
        _write_row(sheet, row, values, [t, t, t, n, t, n, s, t, t, t])
    _page_setup(sheet, report, head, (40, 50, 26, 11, 26, 11, 10, 10, 24, 36))
    if not report.indicators:
        sheet.write_string(head + 1, 0, gettext(labels.NO_DATA), fmt.line)
        return
    first, last = head + 1, head + len(report.indicators)
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": gettext(labels.SHARE),
            "categories": [name, first, 0, last, 0],
            "values": [name, first, 6, last, 6],
            "points": [
                {"fill": {"color": LOWER if i.lower_is_better else SERIES[0]}}
                for i in report.indicators
            ],
            "data_labels": {"value": True, "num_format": "0.0%"},
        }
    )
    chart.set_title({"name": gettext(labels.INDICATOR_SHARES)})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": 90 + 40 * len(report.indicators)})
    sheet.insert_chart(last + 2, 0, chart)


def _poverty(book: Workbook, fmt: _Formats, report: Report) -> None:
    name = _sheet_name(labels.POVERTY_SHEET)
    sheet = book.add_worksheet(name)
    head = _heading(sheet, fmt, report)
    columns = (labels.REVIEW_YEAR, labels.COMMUNE_CODE, labels.COMMUNE, labels.POOR)
    columns += (labels.POOR_BEFORE, labels.CHANGE, labels.NEAR_POOR, labels.NEAR_POOR_BEFORE)
    columns += (labels.CHANGE,)
    _write_row(sheet, head, [gettext(c) for c in columns], [fmt.head] * len(columns))
    row = head + 1
    latest: tuple[int, int] | None = None  # the latest year's first and last rows
    for year in review_years(report.poverty):
        rows = poverty_of_year(report.poverty, year)
        for item in rows:
            values = [year, item.commune_code, item.commune_name, item.poor, item.poor_before]
            values += [item.poor_change, item.near_poor, item.near_poor_before]
            values += [item.near_poor_change]
            _write_row(sheet, row, values, [fmt.text] * 3 + [fmt.number] * 6)
            row += 1
        latest = (row - len(rows), row - 1)
        total = poverty_total(report.poverty, year)
        values = [year, None, gettext(labels.GRAND_TOTAL), total.poor, total.poor_before]
        values += [total.poor_change, total.near_poor, total.near_poor_before]
        values += [total.near_poor_change]
        _write_row(sheet, row, values, [fmt.total_text] * 3 + [fmt.total_number] * 6)
        row += 1
    _page_setup(sheet, report, head, (10, 12, 28, 14, 16, 10, 14, 16, 10))
    if latest is None:
        sheet.write_string(head + 1, 0, gettext(labels.NO_DATA), fmt.line)
        return
    first, last = latest
    chart = book.add_chart({"type": "bar"})
    for column, colour in ((3, POOR), (4, POOR_PALE), (6, NEAR_POOR), (7, NEAR_POOR_PALE)):
        chart.add_series(
            {
                "name": [name, head, column],
                "categories": [name, first, 2, last, 2],
                "values": [name, first, column, last, column],
                "fill": {"color": colour},
                "gap": 60,
            }
        )
    chart.set_title({"name": gettext("Poor and near-poor households by commune")})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 900, "height": 120 + 60 * (last - first + 1)})
    sheet.insert_chart(row + 1, 0, chart)


def _paid_values(total: PaidTotal, codes: list[str]) -> list:
    values: list = [total.by_programme.get(code, 0) for code in codes]
    values += [total.amount, total.cashless_amount, _ratio(total.cashless_share)]
    return [*values, total.paid_amount, total.beneficiaries]


def _payments(book: Workbook, fmt: _Formats, report: Report) -> None:
    name = _sheet_name(labels.PAYMENTS)
    sheet = book.add_worksheet(name)
    head = _heading(sheet, fmt, report)
    start, end = report.period_start, report.period_end
    months = monthly_totals(report.payments, start, end)
    communes = commune_totals(report.payments, start, end)
    grand = period_total(report.payments, start, end)
    codes = list(months[0].by_programme) if months else []
    programme_names = [labels.programme_label(code) for code in codes]
    money = [labels.TOTAL_PAID, labels.CASHLESS_AMOUNT, labels.CASHLESS_SHARE, labels.CONFIRMED]
    titles = [*programme_names, *(gettext(m) for m in money)]
    k = len(codes)
    widths = (28, *([18] * k), 18, 18, 11, 18, 14, 12)
    _page_setup(sheet, report, head, widths)
    if not communes:
        sheet.write_string(head, 0, gettext(labels.NO_DATA), fmt.line)
        return
    number_formats = [fmt.number] * (k + 2) + [fmt.share, fmt.number, fmt.number]
    total_formats = [fmt.total_number] * (k + 2) + [fmt.total_share] + [fmt.total_number] * 2

    columns = [gettext(labels.MONTH), *titles, gettext(labels.BENEFICIARIES)]
    _write_row(sheet, head, columns, [fmt.head] * len(columns))
    for row, total in enumerate(months, start=head + 1):
        values = [format_month(total.month), *_paid_values(total, codes)]
        _write_row(sheet, row, values, [fmt.text, *number_formats])
    month_last = head + len(months)
    values = [gettext(labels.GRAND_TOTAL), *_paid_values(grand, codes)[:-1], None]
    _write_row(sheet, month_last + 1, values, [fmt.total_text, *total_formats])

    commune_head = month_last + 3
    columns = [gettext(labels.COMMUNE), *titles, gettext(labels.BENEFICIARIES_LAST)]
    columns.append(gettext(labels.COMMUNE_CODE))
    _write_row(sheet, commune_head, columns, [fmt.head] * len(columns))
    for row, total in enumerate(communes, start=commune_head + 1):
        values = [total.commune_name, *_paid_values(total, codes), total.commune_code]
        _write_row(sheet, row, values, [fmt.text, *number_formats, fmt.text])
    commune_last = commune_head + len(communes)
    values = [gettext(labels.GRAND_TOTAL), *_paid_values(grand, codes), None]
    _write_row(sheet, commune_last + 1, values, [fmt.total_text, *total_formats, fmt.total_text])

    chart_row = commune_last + 3
    trend = _stacked(book, "column", name, codes, head, head + 1, month_last)
    line = book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": [name, head, k + 3],
            "categories": [name, head + 1, 0, month_last, 0],
            "values": [name, head + 1, k + 3, month_last, k + 3],
            "y2_axis": True,
            "line": {"color": INK_LINE, "width": 2},
            "marker": {"type": "circle", "size": 5},
        }
    )
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
    trend.combine(line)
    trend.set_title({"name": gettext("Amount paid per month")})
    trend.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    trend.set_legend({"position": "top"})
    trend.set_size({"width": 960, "height": 380})
    sheet.insert_chart(chart_row, 0, trend)

    by_commune = _stacked(book, "bar", name, codes, commune_head, commune_head + 1, commune_last)
    by_commune.set_title({"name": gettext("Amount paid by commune")})
    by_commune.set_y_axis({"reverse": True})
    by_commune.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    by_commune.set_legend({"position": "top"})
    by_commune.set_size({"width": 960, "height": 120 + 28 * len(communes)})
    sheet.insert_chart(chart_row + 20, 0, by_commune)


def _stacked(book: Workbook, kind: str, sheet: str, codes: list[str], head: int, first, last):
    """A chart of one series per programme column (1…k), stacked, over rows first…last."""
    chart = book.add_chart({"type": kind, "subtype": "stacked"})
    for column, code in enumerate(codes, start=1):
        slot = programme_slot(code, codes)
        chart.add_series(
            {
                "name": [sheet, head, column],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, column, last, column],
                "fill": {"color": SERIES[slot % len(SERIES)]},
                "gap": 60,
            }
        )
    return chart


def write_report_xlsx(report: Report, out: BinaryIO) -> None:
    """Write the report as an XLSX workbook into ``out``; texts in the current locale."""
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": False})
    book.set_properties(
        {
            "title": labels.report_title(report),
            "subject": f"{report.unit_name} ({report.unit_code})",
            "author": ", ".join(labels.office_lines(report)),
            "company": ", ".join(labels.office_lines(report)),
            "created": datetime.combine(report.generated_on, time()),
        }
    )
    fmt = _Formats(book)
    _indicators(book, fmt, report)
    _poverty(book, fmt, report)
    _payments(book, fmt, report)
    book.close()
