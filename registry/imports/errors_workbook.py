"""The workbook of rejected rows: the file's own columns plus "Lỗi", ready to fix and re-import.

Pure: the sheet, the problems and a renderer (the edge's gettext) in; the bytes out.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

import xlsxwriter

from registry.errors import Problem
from registry.imports.reading import Sheet
from registry.imports.validation import RowProblem

ERROR_HEADER = "Lỗi"


def _cell_text(value: Any) -> str:
    # Everything goes back as text, so a CCCD or an account number keeps every digit.
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "")


def write_errors_workbook(
    sheet: Sheet, problems: Iterable[RowProblem], render: Callable[[Problem], str]
) -> bytes:
    """The rejected rows with their original cells and, in "Lỗi", what is wrong with each."""
    by_line: dict[int, list[RowProblem]] = defaultdict(list)
    for problem in problems:
        by_line[problem.line].append(problem)
    width = max([len(r) for r in sheet.header_rows] + [len(r.cells) for r in sheet.rows] + [0])
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    error = book.add_format({"font_color": "#C00000", "text_wrap": True})
    page = book.add_worksheet("Dòng lỗi")
    page.set_column(width, width, 80)
    for row_index, header in enumerate(sheet.header_rows):
        for column, value in enumerate(header):
            page.write_string(row_index, column, _cell_text(value), bold)
        page.write_string(row_index, width, ERROR_HEADER if row_index == 0 else "", bold)
    out_row = len(sheet.header_rows)
    for source in sheet.rows:
        if source.line not in by_line:
            continue
        for column, value in enumerate(source.cells):
            page.write_string(out_row, column, _cell_text(value))
        messages = []
        for problem in by_line[source.line]:
            label = sheet.header_of(problem.column) if problem.column else ""
            text = render(problem.problem)
            messages.append(f"{label}: {text}" if label else text)
        page.write_string(out_row, width, "; ".join(messages), error)
        out_row += 1
    page.freeze_panes(len(sheet.header_rows), 0)
    book.close()
    return out.getvalue()
