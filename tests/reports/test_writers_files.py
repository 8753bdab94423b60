"""The XLSX and PDF exports: they open, print the report's numbers and legal basis, same bytes."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import replace

import openpyxl
import pytest
from flask import Flask
from flask_babel import gettext
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from registry.reports import labels
from registry.reports.pdf import BOLD, FONT, register_fonts, write_report_pdf
from registry.reports.series import commune_totals, monthly_totals
from registry.reports.xlsx import write_report_xlsx
from tests.reports import report_factory

VIETNAMESE = "Nguyễn Văn Đức, Quyết định, Trợ cấp hưu trí xã hội"


@pytest.fixture()
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def xlsx_bytes(report) -> bytes:
    out = io.BytesIO()
    write_report_xlsx(report, out)
    return out.getvalue()


def pdf_bytes(report) -> bytes:
    out = io.BytesIO()
    write_report_pdf(report, out)
    return out.getvalue()


def header_row(sheet, first_heading: str) -> int:
    return next(r for r in range(1, 40) if sheet.cell(r, 1).value == first_heading)


def column(sheet, row: int, col: int, count: int) -> list:
    return [sheet.cell(r, col).value for r in range(row, row + count)]


# XLSX


def test_the_workbook_opens_with_three_sheets_each_headed_like_the_report(ctx):
    report = report_factory.report()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))
    names = [gettext(labels.INDICATORS), gettext(labels.POVERTY_SHEET), gettext(labels.PAYMENTS)]
    assert book.sheetnames == names
    for sheet in book.worksheets:
        top = [sheet.cell(r, 1).value for r in range(1, 12)]
        assert top[:3] == ["UBND THÀNH PHỐ HUẾ", "SỞ Y TẾ", labels.report_title(report)]
        assert gettext("Period: %(period)s", period="01/2026 – 04/2026") in top
        assert gettext("Generated on %(date)s", date="29/11/2026") in top
        assert "– Nghị quyết 42-NQ/TW ngày 24/11/2023" in top
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_indicator_sheet_holds_each_indicator_with_its_share(ctx):
    report = report_factory.report()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report))).worksheets[0]
    head = header_row(sheet, gettext(labels.INDICATOR))
    rows = [[c.value for c in row] for row in sheet.iter_rows(head + 1, head + 3, 1, 10)]
    assert [r[0] for r in rows] == [i.title for i in report.indicators]
    assert [(r[3], r[5]) for r in rows] == [(2, 3), (1, 40), (0, 0)]
    assert [r[6] for r in rows] == [0.667, 0.025, None]  # rounded as the page prints them
    assert rows[0][7] == "10/2026" and rows[0][8] == "Tất cả vào năm 2030"
    assert rows[1][9] == "Nghị quyết 42-NQ/TW"
    assert sheet.cell(head + 1, 7).number_format == "0.0%"
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.print_title_rows == f"${head}:${head}"


def test_the_poverty_sheet_lists_every_year_with_changes_and_totals(ctx):
    report = report_factory.report()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report))).worksheets[1]
    head = header_row(sheet, gettext(labels.REVIEW_YEAR))
    rows = [[c.value for c in row] for row in sheet.iter_rows(head + 1, head + 6, 1, 9)]
    total = gettext(labels.GRAND_TOTAL)
    assert rows == [
        [2025, "19753", "Phường Phú Xuân", 25, 31, -6, 30, 33, -3],
        [2025, "19789", "Phường Thuận Hóa", 40, None, None, 70, None, None],
        [2025, None, total, 65, None, None, 100, None, None],
        [2026, "19753", "Phường Phú Xuân", 27, 25, 2, 29, 30, -1],
        [2026, "19789", "Phường Thuận Hóa", 32, 40, -8, 64, 70, -6],
        [2026, None, total, 59, 65, -6, 93, 100, -7],
    ]


def test_the_payment_sheet_holds_monthly_and_commune_totals_as_numbers(ctx):
    report = report_factory.report()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report))).worksheets[2]
    months = monthly_totals(report.payments, report.period_start, report.period_end)
    head = header_row(sheet, gettext(labels.MONTH))
    for row, total in enumerate(months, start=head + 1):
        cells = [sheet.cell(row, c).value for c in range(1, 10)]
        assert cells[0] == total.month.strftime("%m/%Y")
        assert cells[1:6] == [*total.by_programme.values(), total.amount, total.cashless_amount]
        share = total.cashless_share
        assert cells[6] == (None if share is None else float(share / 100))
        assert cells[7:9] == [total.paid_amount, total.beneficiaries]
    assert sheet.cell(head + 1, 2).number_format == "#,##0"
    grand = [sheet.cell(head + 5, c).value for c in range(1, 6)]
    assert grand == [gettext(labels.GRAND_TOTAL), 360_014_000, 240_000_000, 99_999_999, 700_013_999]

    communes = commune_totals(report.payments, report.period_start, report.period_end)
    head = header_row(sheet, gettext(labels.COMMUNE))
    for row, total in enumerate(communes, start=head + 1):
        cells = [sheet.cell(row, c).value for c in range(1, 11)]
        assert cells[0] == total.commune_name and cells[9] == total.commune_code
        assert cells[1:6] == [*total.by_programme.values(), total.amount, total.cashless_amount]
        assert cells[8] == total.beneficiaries


def _chart_ranges(data: bytes) -> dict[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", archive.read(name).decode())
            for name in sorted(archive.namelist())
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name)
        }


def _cells(book, reference: str) -> list:
    sheet_name, cells = reference.rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    return [row[0].value for row in sheet[cells.replace("$", "")]]


def test_native_charts_are_bound_to_the_table_cells(ctx):
    report = report_factory.report()
    data = xlsx_bytes(report)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [len(sheet._charts) for sheet in book.worksheets] == [1, 1, 2]
    ranges = _chart_ranges(data)
    assert len(ranges) == 4
    plotted = [_cells(book, ref) for refs in ranges.values() for ref in refs]
    months = monthly_totals(report.payments, report.period_start, report.period_end)
    assert [0.667, 0.025, None] in plotted  # indicator shares
    assert [27, 32] in plotted  # poor households in 2026, by commune code
    assert [t.by_programme["social_assistance"] for t in months] in plotted
    assert [t.by_programme["merit"] for t in months] in plotted
    shares = [None if t.cashless_share is None else float(t.cashless_share / 100) for t in months]
    assert shares in plotted
    communes = commune_totals(report.payments, report.period_start, report.period_end)
    assert [t.by_programme["social_pension"] for t in communes] in plotted


def test_an_empty_report_gives_a_workbook_without_charts_that_says_so(ctx):
    data = xlsx_bytes(report_factory.empty_report())
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 3
    for sheet in book.worksheets:
        assert sheet._charts == []
        assert gettext(labels.NO_DATA) in [c.value for c in sheet["A"]]


def test_the_same_report_gives_the_same_workbook_bytes_dated_by_the_report(ctx):
    report = report_factory.report()
    data = xlsx_bytes(report)
    assert data == xlsx_bytes(report)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.created.date() == report.generated_on


# PDF


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, lines joined with a space: a long title wraps in the PDF."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return [" ".join(line.strip() for line in page.splitlines()) for page in pages]


def test_the_pdf_opens_with_the_title_office_legal_basis_and_numbers(ctx):
    report = report_factory.report(legal_basis=["Nghị quyết 42-NQ/TW", VIETNAMESE])
    pages = pdf_text(pdf_bytes(report))
    text = "\n".join(pages)
    assert labels.report_title(report) in text
    assert "UBND THÀNH PHỐ HUẾ" in text and "SỞ Y TẾ" in text
    assert gettext(labels.LEGAL_BASIS) in text and VIETNAMESE in text
    assert "Trẻ em dưới 36 tháng tuổi được hỗ trợ" in text and "66,7%" in text
    assert "700.013.999 đ" in text  # the period's total paid
    assert "Phường Thuận Hóa" in text
    assert gettext("Generated on %(date)s", date="29/11/2026") in text


def test_every_pdf_page_has_the_header_and_its_number_of_all(ctx):
    pages = pdf_text(pdf_bytes(report_factory.report()))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "UBND THÀNH PHỐ HUẾ" in text
        assert gettext("Period: %(period)s", period="01/2026 – 04/2026") in text
        assert gettext("Page %(page)s/%(pages)s", page=number, pages=len(pages)) in text


def test_the_pdf_is_a4_and_embeds_only_its_own_font(ctx):
    reader = PdfReader(io.BytesIO(pdf_bytes(report_factory.report())))
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/BaseFont"].endswith(("+DejaVuSans", "+DejaVuSans-Bold"))
            assert "/FontFile2" in font["/FontDescriptor"]  # embedded, no stand-in font


def test_the_shipped_font_has_every_vietnamese_letter(ctx):
    register_fonts()
    letters = {"đ", "Đ"}
    for vowel in "aăâeêioôơuưy":
        for case in (vowel, vowel.upper()):
            for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):
                letters.add(unicodedata.normalize("NFC", case + tone))
    assert len(letters) == 2 + 12 * 2 * 6
    for name in (FONT, BOLD):
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        assert [c for c in sorted(letters) if ord(c) not in glyphs] == [], name


def test_decomposed_input_is_printed_as_composed_letters(ctx):
    decomposed = unicodedata.normalize("NFD", "Thành phố Huế")
    assert decomposed != "Thành phố Huế"
    text = "\n".join(pdf_text(pdf_bytes(report_factory.report(unit_name=decomposed))))
    assert "Thành phố Huế" in text


def test_an_empty_report_still_gives_a_pdf_that_says_so(ctx):
    text = "\n".join(pdf_text(pdf_bytes(report_factory.empty_report())))
    assert gettext(labels.NO_DATA) in text
    assert labels.report_title(report_factory.empty_report()) in text


def test_the_same_report_gives_the_same_pdf_bytes_dated_by_the_report(ctx):
    report = report_factory.report()
    data = pdf_bytes(report)
    assert data == pdf_bytes(report)
    assert PdfReader(io.BytesIO(data)).metadata["/CreationDate"].startswith("D:20261129")


def test_a_long_commune_list_is_drawn_over_several_pages_on_one_scale(ctx):
    report = report_factory.report()
    many = [
        replace(row, commune_code=f"{i:05d}", commune_name=f"Xã Số {i}")
        for i in range(70)
        for row in report.payments[:2]
    ]
    pages = pdf_text(pdf_bytes(report_factory.report(payments=many)))
    text = "\n".join(pages)
    assert "Xã Số 0" in text and "Xã Số 69" in text
    # 70 communes at 30 a chart: three pieces, each scaled to the largest commune.
    assert text.count(gettext("Amount paid by commune")) == 3
