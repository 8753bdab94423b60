"""Building import files for the tests: the real template filled with rows, or a CSV."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from registry.imports.columns import KEYS
from registry.imports.template import write_template
from registry.people.accounts import napas_banks
from tests import factories
from tests.conftest import WARD_A


def person_row(
    household: str,
    name: str,
    *,
    relation: str = "Con",
    sex: str = "Nam",
    year: int = 1990,
    birth: Any = None,
    cccd: Any = "auto",
    commune: Any = WARD_A,
    address: str | None = "Tổ 3, Thuận Hóa",
    **extra: Any,
) -> dict[str, Any]:
    """One row of the template as an officer fills it (Vietnamese words, dd/mm/yyyy)."""
    if cccd == "auto":
        cccd = factories.cccd("female" if sex in ("Nữ", "Nu", "nữ") else "male", year)
    return {
        "household_code": household,
        "commune_code": commune,
        "address": address,
        "full_name": name,
        "relation_to_head": relation,
        "birth_date": birth if birth is not None else f"17/05/{year}",
        "sex": sex,
        "cccd": cccd,
        **extra,
    }


def template_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The downloadable template with these rows typed into it below the two header rows."""
    book = load_workbook(io.BytesIO(write_template(napas_banks())))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_xlsx(header: list[str], rows: list[list[Any]], *, title: str | None = None) -> bytes:
    """A commune's own workbook: maybe a title row, its own headers, then the rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    header: list[str], rows: list[list[Any]], *, sep: str = ",", bom: bool = True
) -> bytes:
    lines = [sep.join(header)] + [
        sep.join("" if v is None else str(v) for v in row) for row in rows
    ]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")
