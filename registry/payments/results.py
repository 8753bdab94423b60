"""Reading the bank's or post office's payment results (CSV, XLSX, pain.002) into plain rows.

Pure: no database, no Flask. Every unreadable row is collected and raised together as one
ValidationError, so a file is either read whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from registry.errors import Problem, ValidationError
from registry.i18n import N_

#: How many rows above the header a title block may take (XLSX and CSV).
HEADER_SEARCH_ROWS = 20

#: Header names, normalised (no accents, lower case, letters and digits only).
_COLUMNS = {
    "end_to_end_id": {
        "endtoendid",
        "endtoendidentification",
        "orgnlendtoendid",
        "e2eid",
        "magiaodich",
        "mathamchieu",
    },
    "status": {"status", "trangthai", "ketqua", "txsts"},
    "amount": {"amount", "sotien", "instdamt"},
    "reason": {"reason", "lydo", "lydothatbai", "lydotuchoi", "failurereason"},
}
#: Status values, normalised like headers; pain.002 codes included.
_PAID = {"paid", "success", "successful", "thanhcong", "dathanhtoan", "00", "acsc", "accp", "acsp"}
_FAILED = {"failed", "fail", "failure", "thatbai", "khongthanhcong", "rjct", "rejected", "tuchoi"}
_AMOUNT = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One payment's result as the bank reported it (``line_no``: the file's line or row)."""

    line_no: int
    end_to_end_id: str
    paid: bool
    amount: int | None
    reason: str | None


def parse_results(content: bytes, filename: str) -> list[ResultRow]:
    """Read a result file: ``.csv`` (UTF-8, comma or semicolon), ``.xlsx`` or pain.002 XML,
    chosen by extension or, failing that, by content.

    Raises ValidationError listing every unreadable row (file name and line or row number),
    or saying why the file as a whole cannot be read.
    """
    name = PurePath(filename).name
    suffix = PurePath(filename).suffix.lower()
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xlsx" or content.startswith(b"PK\x03\x04"):
        rows = _parse_xlsx(content, name)
    elif suffix == ".xml" or head.startswith(b"<"):
        rows = _parse_pain002(content, name)
    elif suffix in (".csv", ".txt", ""):
        rows = _parse_csv(content, name)
    else:
        raise _file_error(N_("%(file)s is not a CSV, XLSX or pain.002 file."), name)
    if not rows:
        raise _file_error(N_("%(file)s holds no payment results."), name)
    return rows


def _file_error(message: str, name: str, **params: Any) -> ValidationError:
    return ValidationError([Problem("file", message, {"file": name, **params})])


def normalise(text: Any) -> str:
    """Lower case, no accents (đ → d), letters and digits only: "Mã giao dịch" → "magiaodich"."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain.lower())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(cells: list[Any]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = normalise(_cell(cell))
        for column, names in _COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    return found if {"end_to_end_id", "status"} <= found.keys() else None


def _parse_table(rows: Iterable[tuple[int, list[Any]]], name: str) -> list[ResultRow] | None:
    """Rows of cells with their line numbers → ResultRows; None if no header is found."""
    columns = None
    results, problems = [], []
    for line_no, cells in rows:
        if columns is None:
            if line_no > HEADER_SEARCH_ROWS:
                return None
            columns = _header(cells)
            continue
        ref, status, amount, reason = (
            _cell(cells[columns[c]]) if c in columns and columns[c] < len(cells) else ""
            for c in ("end_to_end_id", "status", "amount", "reason")
        )
        if not ref and not status:
            continue  # blank rows, and totals rows at the foot of a bank's sheet
        row, row_problems = _row(line_no, ref, status, amount, reason, name)
        problems += row_problems
        if row is not None:
            results.append(row)
    if columns is None:
        return None
    if problems:
        raise ValidationError(problems)
    return results


def _row(
    line_no: int, ref: str, status: str, amount: str, reason: str, name: str
) -> tuple[ResultRow | None, list[Problem]]:
    where = {"file": name, "line": line_no}
    problems = []
    if not ref:
        problems.append(Problem("file", N_("%(file)s, line %(line)s: no end-to-end id."), where))
    key = normalise(status)
    key = key.zfill(2) if key.isdigit() else key
    if key not in _PAID | _FAILED:
        problems.append(
            Problem(
                "file",
                N_("%(file)s, line %(line)s: status “%(value)s” is neither paid nor failed."),
                {**where, "value": status},
            )
        )
    try:
        vnd = _amount(amount)
    except ValueError:
        vnd = None
        problems.append(
            Problem(
                "file",
                N_("%(file)s, line %(line)s: amount “%(value)s” is not a whole number of VND."),
                {**where, "value": amount},
            )
        )
    if problems:
        return None, problems
    return ResultRow(line_no, _canonical_id(ref), key in _PAID, vnd, reason or None), []


def _canonical_id(ref: str) -> str:
    """The line id as 32 hex characters when it is a UUID in any spelling, else as given."""
    try:
        return uuid.UUID(ref).hex
    except ValueError:
        return ref


def _amount(text: str) -> int | None:
    text = re.sub(r"\s*(đ|vnd|VND)$", "", text.replace("\u00a0", " ").strip())
    if not text:
        return None
    if _AMOUNT.fullmatch(text):
        return int(re.sub(r"[.,]", "", text))
    try:
        number = Decimal(text)  # "810000.00" from pain.002 or a spreadsheet
    except InvalidOperation:
        raise ValueError(text) from None
    if number != number.to_integral_value() or number <= 0:
        raise ValueError(text)
    return int(number)


def _parse_csv(content: bytes, name: str) -> list[ResultRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(N_("%(file)s is not a UTF-8 CSV file."), name) from None
    for delimiter in (";", ",", "\t"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = _parse_table(((reader.line_num, cells) for cells in reader), name)
        if rows is not None:
            return rows
    raise _file_error(N_("%(file)s: no header row with an end-to-end id and a status."), name)


def _parse_xlsx(content: bytes, name: str) -> list[ResultRow]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a broken zip, not a workbook: openpyxl raises several kinds
        raise _file_error(N_("%(file)s cannot be opened as an XLSX workbook."), name) from None
    try:
        sheet = book.worksheets[0]
        numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
        rows = _parse_table(((number, list(cells)) for number, cells in numbered), name)
    finally:
        book.close()
    if rows is None:
        raise _file_error(N_("%(file)s: no header row with an end-to-end id and a status."), name)
    return rows


def _parse_pain002(content: bytes, name: str) -> list[ResultRow]:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        raise _file_error(N_("%(file)s is not well-formed XML."), name) from None
    report = next(iter(_children(root, "CstmrPmtStsRpt")), None)
    if report is None:
        raise _file_error(N_("%(file)s is not a pain.002 payment status report."), name)
    group_status = _text(report, "OrgnlGrpInfAndSts", "GrpSts")
    results, problems = [], []
    for batch in _children(report, "OrgnlPmtInfAndSts"):
        batch_status = _text(batch, "PmtInfSts") or group_status
        for tx in _children(batch, "TxInfAndSts"):
            reasons = [
                ": ".join(
                    part
                    for part in (
                        _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry"),
                        " ".join(_texts(info, "AddtlInf")),
                    )
                    if part
                )
                for info in _children(tx, "StsRsnInf")
            ]
            row, row_problems = _row(
                tx.sourceline or 0,
                _text(tx, "OrgnlEndToEndId"),
                _text(tx, "TxSts") or batch_status,
                _text(tx, "OrgnlTxRef", "Amt", "InstdAmt"),
                "; ".join(r for r in reasons if r),
                name,
            )
            problems += row_problems
            if row is not None:
                results.append(row)
    if problems:
        raise ValidationError(problems)
    return results


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str) -> list:
    return [child for child in element if _local(child) == name]


def _texts(element, *path: str) -> list[str]:
    level = [element]
    for name in path:
        level = [child for parent in level for child in _children(parent, name)]
    return [(found.text or "").strip() for found in level]


def _text(element, *path: str) -> str:
    return next(iter(_texts(element, *path)), "")
