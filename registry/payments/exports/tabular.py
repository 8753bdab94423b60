"""Bank transfer lists as XLSX or CSV, in per-bank column templates kept as configuration.

XLSX is written by the small streaming writer in sheet.py (XlsxWriter costs ~60 µs a row,
see there), with its created/modified dates taken from the header, so the same input gives
byte-identical files. Lines are consumed in one pass; any iterable will do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import IO, Any

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
from registry.payments.exports.sheet import HEAD, MONEY, MONEY_BOLD, PLAIN, TEXT, SheetWriter

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
    getters = [None if field == "stt" else _FIELDS[field] for _, field in template.columns]
    for number, line in enumerate(lines, start=1):
        check_line(line, CHANNELS)
        yield [number if get is None else get(line, banks) for get in getters]


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
    out = io.BytesIO()
    count, total = stream_bank_xlsx(header, lines, template, bank_names, out)
    return file_result(out.getvalue(), count, total)


def stream_bank_xlsx(
    header: ExportHeader,
    lines: Iterable[ExportLine],
    template: BankTemplate,
    bank_names: Mapping[str, str] | None,
    out: IO[bytes],
) -> tuple[int, int]:
    """``write_bank_xlsx`` into a seekable binary file, one row at a time; returns the
    count and sum of the lines written. Any iterable of lines will do (one pass)."""
    check_header(header)
    fields = [field for _, field in template.columns]
    widths = [
        (
            6 if f == "stt" else 16 if f in NUMBER_FIELDS else 24,
            TEXT if f in TEXT_ID_FIELDS else PLAIN,
        )
        for f in fields
    ]
    styles = [MONEY if f == "amount" else TEXT if f in TEXT_ID_FIELDS else PLAIN for f in fields]
    amount_col = fields.index("amount")
    count = total = 0
    with SheetWriter(
        out,
        sheet_name=template.sheet_name[:31],
        title=f"{template.name} {header.message_id}",
        created=utc_naive(header.created_at),
        columns=widths,
        freeze_rows=1,
    ) as sheet:
        sheet.row([head for head, _ in template.columns], [HEAD] * len(fields))
        for row in _rows(lines, template, bank_names or {}):
            count += 1
            total += row[amount_col]  # type: ignore[operator]
            sheet.row(row, styles, blank=TEXT)  # an absent CCCD: a blank text cell
        if template.totals_row:
            label_col = 0 if amount_col != 0 else 1
            count_col = label_col + 1 if label_col + 1 != amount_col else label_col + 2
            values: list[str | int | None] = [None] * len(fields)
            totals = [PLAIN] * len(fields)
            values[label_col], totals[label_col] = "Tổng cộng", HEAD
            values[count_col], totals[count_col] = count, MONEY_BOLD
            values[amount_col], totals[amount_col] = total, MONEY_BOLD
            sheet.row(values, totals)
    return count, total


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
    out = io.BytesIO()
    count, total = stream_bank_csv(header, lines, template, bank_names, out)
    return file_result(out.getvalue(), count, total)


def stream_bank_csv(
    header: ExportHeader,
    lines: Iterable[ExportLine],
    template: BankTemplate,
    bank_names: Mapping[str, str] | None,
    out: IO[bytes],
) -> tuple[int, int]:
    """``write_bank_csv`` into a binary file, row by row; returns the count and sum."""
    check_header(header)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, delimiter=template.csv_delimiter, lineterminator="\r\n")
        writer.writerow([head for head, _ in template.columns])
        amount_col = [field for _, field in template.columns].index("amount")
        count = total = 0
        for row in _rows(lines, template, bank_names or {}):
            writer.writerow(row)
            count += 1
            total += row[amount_col]  # type: ignore[operator]
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count, total
