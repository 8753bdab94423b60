"""The post office's cash list (danh sách chi trả bằng tiền mặt), by commune, with signatures.

One sheet with a section per commune rather than a sheet per commune: a province's run has
thousands of communes, and one sheet keeps one header, one print setup and one grand total.
Each section opens with the commune's name, ends with its subtotal, and starts on a new
printed page (Excel allows 1,023 manual page breaks; later communes follow without one).
Lines must arrive grouped by commune (sort by commune code); they are consumed in one pass.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO

import xlsxwriter

from registry.payments.exports.lines import (
    ExportHeader,
    ExportLine,
    FileResult,
    check_header,
    check_line,
    description,
    file_result,
    month_text,
    utc_naive,
)

CHANNELS = ("post_office",)
COLUMNS = (
    ("STT", 6),
    ("Họ và tên", 28),
    ("Số CCCD", 16),
    ("Mã hộ", 14),
    ("Nội dung", 34),
    ("Số tiền", 14),
    ("Ký nhận", 30),
)
AMOUNT_COL = 5
MAX_PAGE_BREAKS = 1023


def write_post_office_xlsx(header: ExportHeader, lines: Iterable[ExportLine]) -> FileResult:
    """Write the cash list for post-office lines; any other channel raises ValueError.

    Columns: STT, Họ và tên, Số CCCD (text), Mã hộ, Nội dung, Số tiền, Ký nhận (left empty
    for the beneficiary's signature). Commune subtotals and a grand total in integer VND.
    """
    out = io.BytesIO()
    count, total = stream_post_office_xlsx(header, lines, out)
    return file_result(out.getvalue(), count, total)


def stream_post_office_xlsx(
    header: ExportHeader, lines: Iterable[ExportLine], out: IO[bytes]
) -> tuple[int, int]:
    """``write_post_office_xlsx`` into a seekable binary file; returns the count and sum."""
    check_header(header)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    try:
        book.set_properties(
            {
                "title": f"Danh sách chi trả tháng {month_text(header.run_month)}",
                "created": utc_naive(header.created_at),
            }
        )
        fmt = {
            "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
            "head": book.add_format(
                {"bold": True, "border": 1, "align": "center", "valign": "vcenter"}
            ),
            "commune": book.add_format({"bold": True, "font_size": 12}),
            "text": book.add_format({"border": 1, "valign": "vcenter"}),
            "id": book.add_format({"border": 1, "valign": "vcenter", "num_format": "@"}),
            "money": book.add_format({"border": 1, "valign": "vcenter", "num_format": "#,##0"}),
            "total": book.add_format({"bold": True, "border": 1}),
            "total_money": book.add_format({"bold": True, "border": 1, "num_format": "#,##0"}),
        }
        sheet = book.add_worksheet("Danh sách chi trả")
        for col, (_, width) in enumerate(COLUMNS):
            sheet.set_column(col, col, width)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.repeat_rows(0, 2)
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&CTrang &P / &N")
        sheet.merge_range(
            0, 0, 0, len(COLUMNS) - 1,
            f"DANH SÁCH CHI TRẢ TRỢ CẤP THÁNG {month_text(header.run_month)}", fmt["title"],
        )  # fmt: skip
        sheet.write_string(1, 0, "")
        for col, (head, _) in enumerate(COLUMNS):
            sheet.write_string(2, col, head, fmt["head"])
        writer = _Sections(sheet, fmt)
        for line in lines:
            check_line(line, CHANNELS)
            writer.add(line)
        writer.finish()
        sheet.set_h_pagebreaks(writer.breaks[:MAX_PAGE_BREAKS])
    finally:
        book.close()
    return writer.count, writer.total


class _Sections:
    """Writes rows top to bottom (constant_memory needs that): commune title, lines, subtotal."""

    def __init__(self, sheet, fmt) -> None:
        self.sheet, self.fmt = sheet, fmt
        self.row = 3
        self.count = self.total = 0
        self.breaks: list[int] = []
        self.seen: set[str] = set()
        self.commune: tuple[str, str] | None = None
        self.commune_count = self.commune_total = 0

    def add(self, line: ExportLine) -> None:
        if self.commune is None or self.commune[0] != line.commune_code:
            if line.commune_code in self.seen:
                raise ValueError(
                    f"payment line {line.end_to_end_id}: lines of commune {line.commune_code} "
                    "are not contiguous; sort the lines by commune"
                )
            self._close_commune()
            self.seen.add(line.commune_code)
            self.commune = (line.commune_code, line.commune_name)
            if self.count:
                self.breaks.append(self.row)
            self.sheet.write_string(
                self.row, 0, f"{line.commune_name} (mã {line.commune_code})", self.fmt["commune"]
            )
            self.row += 1
        self.commune_count += 1
        self.count += 1
        self.commune_total += line.amount
        self.total += line.amount
        sheet, fmt, row = self.sheet, self.fmt, self.row
        sheet.set_row(row, 30)  # room to sign
        sheet.write_number(row, 0, self.commune_count, fmt["text"])
        sheet.write_string(row, 1, line.person_name, fmt["text"])
        # write_string("") would store an empty text; an absent value is a blank cell.
        for col, value in ((2, line.cccd), (3, line.household_code)):
            if value:
                sheet.write_string(row, col, value, fmt["id"])
            else:
                sheet.write_blank(row, col, None, fmt["id"])
        sheet.write_string(row, 4, description(line), fmt["text"])
        sheet.write_number(row, AMOUNT_COL, line.amount, fmt["money"])
        sheet.write_blank(row, 6, None, fmt["text"])
        self.row += 1

    def _close_commune(self) -> None:
        if self.commune is None:
            return
        label = f"Cộng {self.commune[1]}: {self.commune_count} người"
        self._total_row(label, self.commune_total)
        self.row += 1  # a blank row between communes
        self.commune_count = self.commune_total = 0

    def _total_row(self, label: str, amount: int) -> None:
        self.sheet.write_string(self.row, 1, label, self.fmt["total"])
        self.sheet.write_number(self.row, AMOUNT_COL, amount, self.fmt["total_money"])
        self.row += 1

    def finish(self) -> None:
        self._close_commune()
        self._total_row(f"TỔNG CỘNG: {self.count} người", self.total)
