"""The downloadable import template: one row per person, and a "Hướng dẫn" sheet of values.

Pure: returns the workbook's bytes; no database, no clock.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import xlsxwriter
import xlsxwriter.worksheet

from registry.imports.columns import COLUMNS, Column
from registry.imports.values import ACCEPTED

DATA_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
#: Rows that get drop-down lists; enough for a large ward's list.
VALIDATED_ROWS = 20_000
#: Columns typed as text, so Excel keeps leading zeros and long numbers exactly.
TEXT_COLUMNS = frozenset({"household_code", "commune_code", "cccd", "bank_bin", "account_number"})
_LISTS = ("sex", "relation_to_head", "disability", "has_pension", "poverty_status")


def write_template(banks: Mapping[str, str]) -> bytes:
    """The template workbook: headers in Vietnamese, our keys in a second header row."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = header_format(book)
    write_data_sheet(book, header, COLUMNS, text_columns=TEXT_COLUMNS, lists=_LISTS)
    _guide(book, header, banks)
    book.close()
    return out.getvalue()


def header_format(book: xlsxwriter.Workbook) -> Any:
    return book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1})


def write_data_sheet(
    book: xlsxwriter.Workbook,
    header: Any,
    columns: Sequence[Column],
    *,
    text_columns: frozenset[str],
    lists: Sequence[str],
) -> None:
    """The sheet officers type into: Vietnamese headers (* when required), our keys in a
    second row, text columns formatted as text, drop-down lists of the accepted words.
    """
    key = book.add_format({"italic": True, "font_color": "#666666", "bg_color": "#F2F2F2"})
    as_text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(DATA_SHEET)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header + (" *" if column.required else ""), header)
        sheet.write_string(1, index, column.key, key)
        width = max(12, min(28, len(column.header) + 4))
        sheet.set_column(index, index, width, as_text if column.key in text_columns else None)
        if column.key in lists:
            sheet.data_validation(
                2,
                index,
                VALIDATED_ROWS,
                index,
                {
                    "validate": "list",
                    "source": [w.strip() for w in ACCEPTED[column.key].split(",")],
                    "error_type": "warning",
                },
            )
    sheet.freeze_panes(2, 0)


def write_guide_columns(
    book: xlsxwriter.Workbook, header: Any, columns: Sequence[Column]
) -> xlsxwriter.worksheet.Worksheet:
    """The "Hướng dẫn" sheet's table of columns: header, key, required, what to type."""
    guide = book.add_worksheet(GUIDE_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 18)
    guide.set_column(2, 2, 10)
    guide.set_column(3, 3, 90)
    guide.write_row(0, 0, ("Cột", "Mã cột", "Bắt buộc", "Giá trị chấp nhận"), header)
    for row, column in enumerate(columns, start=1):
        guide.write_string(row, 0, column.header, wrap)
        guide.write_string(row, 1, column.key, wrap)
        guide.write_string(row, 2, "Có" if column.required else "", wrap)
        guide.write_string(row, 3, column.guide, wrap)
    return guide


def _guide(book: xlsxwriter.Workbook, header, banks: Mapping[str, str]) -> None:
    guide = write_guide_columns(book, header, COLUMNS)
    notes = (
        "Mỗi dòng là một người; các dòng cùng Mã hộ là một hộ và phải khớp xã/phường,"
        " địa chỉ, phân loại hộ.",
        "Chữ có dấu hoặc không dấu đều được (Nữ = Nu, Chủ hộ = chu ho).",
        "Người đã có số CCCD trong hệ thống được cập nhật (hoặc bỏ qua, tùy lựa chọn khi nhập),"
        " không bao giờ tạo trùng.",
        "Khuyết tật, lương hưu, diện người có công được ghi từ ngày nhập; sửa ngày trên giấy tờ"
        " ở trang của người đó.",
        "Người không có CCCD mà trùng họ tên (không kể dấu), ngày hoặc năm sinh và xã/phường với"
        " người đã có vẫn được tạo mới, nhưng được liệt kê là “nghi trùng” để cán bộ kiểm tra.",
        "Nếu có dòng lỗi, không dòng nào được nhập; hoặc chọn chỉ nhập các dòng đúng và nhận lại"
        " tệp các dòng lỗi với cột “Lỗi”.",
    )
    start = len(COLUMNS) + 2
    for offset, note in enumerate(notes):
        guide.write_string(start + offset, 0, note)
    start += len(notes) + 1
    guide.write_row(start, 0, ("Mã BIN ngân hàng", "Ngân hàng"), header)
    for offset, (bank_bin, name) in enumerate(sorted(banks.items()), start=1):
        guide.write_string(start + offset, 0, bank_bin)
        guide.write_string(start + offset, 1, name)
