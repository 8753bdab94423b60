"""Bank transfer lists as XLSX or CSV, in per-bank column templates kept as configuration.

XLSX is written with XlsxWriter in ``constant_memory`` mode (rows streamed to a temporary
file, one row in memory) with its created/modified dates taken from the header, so the same
input gives byte-identical files. Lines are consumed in one pass; any iterable will do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import xlsxwriter
import yaml

from registry.payments.exports.lines import (
    ExportHeader,
    ExportLine,
    FileResult,
    check_header,
    check_line,
    description,
    file_result,
    month_text,
    name_upper,
    payee_name,
    unaccented_upper,
    utc_naive,
)

CHANNELS = ("bank", "ewallet")
NUMBER_FIELDS = frozenset({"stt", "amount"})
#: Identifiers Excel would turn into numbers (dropping leading zeros, rounding past 15 digits).
TEXT_ID_FIELDS = frozenset({"cccd", "account_number", "bank_bin", "household_code"})

_FIELDS: dict[str, Callable[[ExportLine, Mapping[str, str]], str | int]] = {
    "name": lambda line, banks: payee_name(line),
    "person_name": lambda line, banks: name_upper(line.person_name),
    "cccd": lambda line, banks: line.cccd or "",
    "account_number": lambda line, banks: (line.account_number or "").strip(),
    "bank": lambda line, banks: banks.get(line.bank_bin or "", line.bank_bin or ""),
    "bank_bin": lambda line, banks: line.bank_bin or "",
    "amount": lambda line, banks: line.amount,
    "description": lambda line, banks: description(line),
    "description_ascii": lambda line, banks: unaccented_upper(description(line)),
    "end_to_end_id": lambda line, banks: line.end_to_end_id,
    "commune_code": lambda line, banks: line.commune_code,
    "commune_name": lambda line, banks: line.commune_name,
    "household_code": lambda line, banks: line.household_code or "",
    "month": lambda line, banks: month_text(line.month_paid_for),
}


@dataclass(frozen=True, slots=True)
class BankTemplate:
    """A bank's list layout: (header text, field name) columns, in the bank's order."""

    bin: str
    name: str
    columns: tuple[tuple[str, str], ...]
    sheet_name: str
    totals_row: bool = True
    csv_delimiter: str = ","

    def __post_init__(self) -> None:
        fields = [field for _, field in self.columns]
        unknown = sorted(set(fields) - set(_FIELDS) - {"stt"})
        if unknown:
            raise ValueError(f"bank template {self.bin}: unknown fields {unknown}")
        if "amount" not in fields:
            raise ValueError(f"bank template {self.bin}: needs an amount column")


def load_templates(text: str) -> dict[str, BankTemplate]:
    """Parse the YAML configuration of bank templates, keyed by BIN (and 'DEFAULT')."""
    data: dict[str, Any] = yaml.safe_load(text)
    return {
        str(key): BankTemplate(
            bin=str(key),
            name=str(spec["name"]),
            columns=tuple((str(head), str(field)) for head, field in spec["columns"]),
            sheet_name=str(spec["sheet"]),
            totals_row=bool(spec.get("totals_row", True)),
            csv_delimiter=str(spec.get("csv_delimiter", ",")),
        )
        for key, spec in data.items()
    }


TEMPLATES: dict[str, BankTemplate] = load_templates(
    resources.files(__package__).joinpath("bank_templates.yaml").read_text(encoding="utf-8")
)


def template_for(bank_bin: str | None) -> BankTemplate:
    """The bank's own template if one is configured, else the DEFAULT one."""
    return TEMPLATES.get(bank_bin or "", TEMPLATES["DEFAULT"])


def _rows(
    lines: Iterable[ExportLine], template: BankTemplate, banks: Mapping[str, str]
) -> Iterable[list[str | int]]:
    for number, line in enumerate(lines, start=1):
        check_line(line, CHANNELS)
        yield [
            number if field == "stt" else _FIELDS[field](line, banks)
            for _, field in template.columns
        ]


def write_bank_xlsx(
    header: ExportHeader,
    lines: Iterable[ExportLine],
    template: BankTemplate,
    bank_names: Mapping[str, str] | None = None,
) -> FileResult:
    """Write the bank list as XLSX: identifiers as text cells, money as integer `#,##0` cells.

    ``bank_names`` maps a BIN to the name shown in a 'bank' column (the BIN otherwise).
    Raises ValueError naming the first line that is not a bank or e-wallet payment.
    """
    check_header(header)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    try:
        book.set_properties(
            {
                "title": f"{template.name} {header.message_id}",
                "created": utc_naive(header.created_at),
            }
        )
        bold = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
        text = book.add_format({"num_format": "@"})
        money = book.add_format({"num_format": "#,##0"})
        money_bold = book.add_format({"num_format": "#,##0", "bold": True})
        sheet = book.add_worksheet(template.sheet_name[:31])
        fields = [field for _, field in template.columns]
        for col, field in enumerate(fields):
            width = 6 if field == "stt" else 16 if field in NUMBER_FIELDS else 24
            sheet.set_column(col, col, width, text if field in TEXT_ID_FIELDS else None)
        for col, (head, _) in enumerate(template.columns):
            sheet.write_string(0, col, head, bold)
        sheet.freeze_panes(1, 0)
        amount_col = fields.index("amount")
        count = total = 0
        for count, row in enumerate(_rows(lines, template, bank_names or {}), start=1):
            for col, value in enumerate(row):
                if isinstance(value, int):
                    sheet.write_number(count, col, value, money if col == amount_col else None)
                elif value:
                    cell = text if fields[col] in TEXT_ID_FIELDS else None
                    sheet.write_string(count, col, value, cell)
                else:  # an absent CCCD is a blank cell, not an empty text
                    sheet.write_blank(count, col, None, text)
            total += row[amount_col]  # type: ignore[operator]
        if template.totals_row:
            last = count + 1
            label_col = 0 if amount_col != 0 else 1
            count_col = label_col + 1 if label_col + 1 != amount_col else label_col + 2
            sheet.write_string(last, label_col, "Tổng cộng", bold)
            sheet.write_number(last, count_col, count, money_bold)
            sheet.write_number(last, amount_col, total, money_bold)
    finally:
        book.close()
    return file_result(out.getvalue(), count, total)


def write_bank_csv(
    header: ExportHeader,
    lines: Iterable[ExportLine],
    template: BankTemplate,
    bank_names: Mapping[str, str] | None = None,
) -> FileResult:
    """Write the bank list as CSV for Excel: UTF-8 with a BOM, CRLF, minimal quoting, no totals.

    Identifiers are written as they are; Excel still reads a digits-only field as a number
    when it opens a CSV directly, so officers should open the XLSX (or import as text).
    """
    check_header(header)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=template.csv_delimiter, lineterminator="\r\n")
    writer.writerow([head for head, _ in template.columns])
    amount_col = [field for _, field in template.columns].index("amount")
    count = total = 0
    for row in _rows(lines, template, bank_names or {}):
        writer.writerow(row)
        count += 1
        total += row[amount_col]  # type: ignore[operator]
    return file_result(("\ufeff" + out.getvalue()).encode("utf-8"), count, total)
