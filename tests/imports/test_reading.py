"""Finding the columns of a file: our template, a commune's own headers, a mapping, CSV."""

from __future__ import annotations

import pytest

from registry.errors import ValidationError
from registry.imports.columns import KEYS
from registry.imports.reading import read_sheet
from tests.imports.helpers import csv_bytes, person_row, plain_xlsx, template_xlsx


def test_the_template_is_read_back_with_its_second_header_row_skipped():
    sheet = read_sheet(
        template_xlsx([person_row("H1", "Ngô Văn Tú", cccd="046090012345")]), "t.xlsx"
    )
    assert list(sheet.columns) == list(KEYS)
    assert len(sheet.header_rows) == 2 and [r.line for r in sheet.rows] == [3]
    row = sheet.rows[0].cells
    assert row[sheet.columns["cccd"]] == "046090012345"  # a text cell keeps its zero


def test_a_commune_file_with_a_title_row_and_unaccented_headers_is_recognised():
    data = plain_xlsx(
        [
            "STT",
            "MA HO",
            "HO VA TEN",
            "Ngay sinh (dd/mm/yyyy)",
            "gioi tinh",
            "Quan he voi chu ho",
            "Ghi chú",
        ],
        [[1, "H1", "Ngô Văn Tú", "01/02/1960", "Nam", "Chủ hộ", ""]],
        title="DANH SÁCH HỘ GIA ĐÌNH PHƯỜNG THUẬN HÓA",
    )
    sheet = read_sheet(data, "commune.xlsx")
    assert sheet.columns == {
        "household_code": 1,
        "full_name": 2,
        "birth_date": 3,
        "sex": 4,
        "relation_to_head": 5,
    }
    assert [r.line for r in sheet.rows] == [3]


def test_a_mapping_names_columns_we_do_not_know_and_can_ignore_one():
    data = plain_xlsx(
        ["Số hộ", "Tên đầy đủ", "NS", "Phái", "QH", "Họ tên cũ"],
        [["H1", "Ngô Văn Tú", 1960, "Nam", "Chủ hộ", "Ngô Tú"]],
    )
    mapping = {
        "số hộ": "household_code",
        "TEN DAY DU": "full_name",
        "NS": "birth_date",
        "Phái": "sex",
        "QH": "relation_to_head",
        "Họ tên cũ": None,
    }
    sheet = read_sheet(data, "own.xlsx", mapping=mapping)
    assert sheet.columns == {
        "household_code": 0,
        "full_name": 1,
        "birth_date": 2,
        "sex": 3,
        "relation_to_head": 4,
    }


def test_missing_columns_and_a_bad_mapping_are_named():
    data = plain_xlsx(["Mã hộ", "Họ và tên", "Giới tính"], [["H1", "A", "Nam"]])
    with pytest.raises(ValidationError) as error:
        read_sheet(data, "x.xlsx")
    assert {p.field for p in error.value.problems} == {"relation_to_head", "birth_date"}
    with pytest.raises(ValidationError):
        read_sheet(data, "x.xlsx", mapping={"Mã hộ": "household"})


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_bom_and_any_usual_separator(sep, bom):
    data = csv_bytes(
        ["Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số CCCD"],
        [["H1", "Đỗ Thị Vân", "02/03/1961", "Nữ", "Chủ hộ", "046161012345"]],
        sep=sep,
        bom=bom,
    )
    sheet = read_sheet(data, "list.csv")
    cells = sheet.rows[0].cells
    assert cells[sheet.columns["household_code"]] == "H1"
    assert cells[sheet.columns["full_name"]] == "Đỗ Thị Vân"
    assert cells[sheet.columns["cccd"]] == "046161012345"


def test_unreadable_files_are_refused_readably():
    for data, name in (
        (b"not a zip", "x.xlsx"),
        ("Mã hộ;Tên".encode("utf-16-le"), "x.csv"),
        (b"", "x.pdf"),
    ):
        with pytest.raises(ValidationError):
            read_sheet(data, name)
    with pytest.raises(ValidationError):
        read_sheet(
            "Mã hộ,Họ và tên\n".encode("cp1258", errors="replace") + b"\xff\xfe\xfa", "x.csv"
        )
