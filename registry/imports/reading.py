"""Reading an XLSX or CSV file into rows of cells, and finding which column is which.

Pure: bytes and an optional column mapping in, a Sheet out; no database. Header rows are
recognised by our Vietnamese headers (accents and case ignored), our keys, or the mapping
an officer gave for their commune's own layout ("their header" → our key).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from registry.errors import Problem, ValidationError
from registry.i18n import N_
from registry.imports.columns import PEOPLE_COLUMNS, ColumnSet, header_key

#: Title rows commune files put above the header ("DANH SÁCH HỘ …") are skipped up to here.
HEADER_SEARCH_ROWS = 20
#: A file this long is a mistake (a whole province in one sheet): refuse it readably.
MAX_ROWS = 300_000


@dataclass(frozen=True)
class SourceRow:
    """One data row as found in the file: its row number there (as Excel shows it) and cells."""

    line: int
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    """The rows of a file and where each of our columns is in them."""

    #: The header row(s) as written in the file, for the workbook of rejected rows.
    header_rows: tuple[tuple[Any, ...], ...]
    #: Our key → index of the cell holding it.
    columns: Mapping[str, int]
    rows: tuple[SourceRow, ...]

    def header_of(self, key: str | None) -> str:
        """The file's own header of a column (what the officer sees), or the key."""
        if key is None or key not in self.columns:
            return key or ""
        cells = self.header_rows[0]
        index = self.columns[key]
        header = cells[index] if index < len(cells) else None
        return str(header) if header not in (None, "") else key


def _file_error(message: str, **params: Any) -> ValidationError:
    return ValidationError([Problem(None, message, params)])


def read_sheet(
    data: bytes,
    filename: str,
    *,
    mapping: Mapping[str, str | None] | None = None,
    columns: ColumnSet = PEOPLE_COLUMNS,
) -> Sheet:
    """Read the first sheet of an .xlsx, or a .csv (UTF-8, BOM or not, ``,`` ``;`` or tab),
    looking for the headers of ``columns`` (the people import's by default).

    Raises ValidationError naming every problem with the file as a whole: unreadable,
    no header row, a required column missing, two columns read as one, a bad mapping.
    """
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raw_rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        raw_rows = _csv_rows(data)
    else:
        raise _file_error(N_("Import an Excel workbook (.xlsx) or a CSV file (.csv)."))
    return _locate(raw_rows, mapping or {}, columns)


def _xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise _file_error(
            N_("The file cannot be read as an Excel workbook (.xlsx); save it again in Excel.")
        ) from None
    try:
        sheet = book.worksheets[0]
        return _bounded(sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _bounded(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    kept = []
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _file_error(
                N_("The file has more than %(max)d rows: split it into several files."),
                max=MAX_ROWS,
            )
        kept.append(tuple(row))
    return kept


def _csv_rows(data: bytes) -> list[tuple[Any, ...]]:
    # utf-8-sig also reads UTF-8 without the BOM Excel adds.
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        content = data.decode(encoding)
    except UnicodeDecodeError:
        raise _file_error(
            N_("The CSV file is not in UTF-8: in Excel choose Save As “CSV UTF-8”.")
        ) from None
    first = next((line for line in content.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return _bounded(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _file_error(N_("The CSV file cannot be read: check its quotes.")) from None


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_mapping(
    mapping: Mapping[str, str | None], known: ColumnSet
) -> tuple[dict[str, str | None], list[Problem]]:
    problems = []
    folded: dict[str, str | None] = {}
    for theirs, ours in mapping.items():
        target = (ours or "").strip() or None
        if target is not None and target not in known.by_key:
            problems.append(
                Problem(
                    None,
                    N_("The column mapping names an unknown column “%(key)s”."),
                    {"key": target},
                )
            )
            continue
        folded[header_key(str(theirs))] = target
    return folded, problems


def _columns_of(
    row: tuple[Any, ...], mapping: dict[str, str | None], known: ColumnSet
) -> dict[int, str]:
    """Index → our key for every header cell of ``row`` we recognise."""
    found = {}
    for index, cell in enumerate(row):
        if _blank(cell):
            continue
        label = str(cell)
        key = header_key(label)
        # The officer's mapping wins, even to ignore a column we would have recognised.
        target = mapping[key] if key in mapping else known.match_header(label)
        if target is not None:
            found[index] = target
    return found


def _locate(
    raw_rows: list[tuple[Any, ...]], mapping: Mapping[str, str | None], known: ColumnSet
) -> Sheet:
    folded, problems = _read_mapping(mapping, known)
    if problems:
        raise ValidationError(problems)
    header_at, found = None, {}
    for position, row in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        found = _columns_of(row, folded, known)
        if len(set(found.values())) >= 3:
            header_at = position
            break
    if header_at is None:
        raise _file_error(
            N_(
                "No header row found in the first %(count)d rows: use the template's headers,"
                " or give a column mapping."
            ),
            count=HEADER_SEARCH_ROWS,
        )
    header = raw_rows[header_at]
    columns: dict[str, int] = {}
    for index, key in found.items():
        if key in columns:
            problems.append(
                Problem(
                    key,
                    N_("Two columns are read as “%(column)s”: “%(first)s” and “%(second)s”."),
                    {
                        "column": known.by_key[key].header,
                        "first": header[columns[key]],
                        "second": header[index],
                    },
                )
            )
        else:
            columns[key] = index
    for column in known.columns:
        if column.required and column.key not in columns:
            problems.append(
                Problem(
                    column.key,
                    N_(
                        "The file has no column “%(header)s” (%(key)s): add it, or map one of"
                        " your columns to it."
                    ),
                    {"header": column.header, "key": column.key},
                )
            )
    if problems:
        raise ValidationError(problems)
    start = header_at + 1
    header_rows = [header]
    # The template's second header row repeats our keys; it is not data.
    if start < len(raw_rows) and _is_key_row(raw_rows[start], known):
        header_rows.append(raw_rows[start])
        start += 1
    rows = tuple(
        SourceRow(line, cells)
        for line, cells in enumerate(raw_rows[start:], start=start + 1)
        if not all(_blank(c) for c in cells)
    )
    return Sheet(tuple(header_rows), columns, rows)


def _is_key_row(row: tuple[Any, ...], known: ColumnSet) -> bool:
    cells = [str(c).strip() for c in row if not _blank(c)]
    return len(cells) >= 3 and all(c in known.by_key for c in cells)
