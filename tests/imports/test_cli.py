"""``flask people import-template`` and ``flask people import``, as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.households.models import Household
from tests.conftest import WARD_B
from tests.imports.helpers import csv_bytes, person_row, template_xlsx


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["people", *args])


def test_template_command_writes_a_workbook_with_a_guide_sheet(app, session, tmp_path: Path):
    out = tmp_path / "mau-nhap.xlsx"
    result = invoke(app, "import-template", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    assert book.worksheets[0]["A2"].value == "household_code"


def test_import_prints_json_and_writes_the_valid_rows_with_an_error_workbook(
    app, session, tmp_path: Path
):
    rows = [
        person_row("CLI-1", "Bùi Văn Tâm", relation="Chủ hộ", year=1960),
        person_row("CLI-1", "Bùi Thị Na", relation="Con", sex="Nữ", year=1990, birth="32/01/1990"),
        person_row("CLI-2", "Hồ Văn Quân", relation="Chủ hộ", year=1975),
    ]
    source = tmp_path / "ds.xlsx"
    source.write_bytes(template_xlsx(rows))
    errors_out = tmp_path / "loi.xlsx"
    result = invoke(app, "import", str(source), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["created"] == 0 and report["errors"][0]["row"] == 4
    assert report["errors"][0]["column"] == "birth_date"
    assert db.session.scalar(select(Household).where(Household.code == "CLI-1")) is None
    result = invoke(
        app,
        "import",
        str(source),
        "--json",
        "--valid-only",
        "--errors-out",
        str(errors_out),
        "--as",
        "commune_a",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["skipped"]) == (2, 0, 0)
    assert [e["row"] for e in report["errors"]] == [4]
    cells = list(load_workbook(errors_out).active.iter_rows(values_only=True))
    assert cells[2][3] == "Bùi Thị Na" and cells[2][-1]
    assert db.session.scalar(select(Household).where(Household.code == "CLI-1")) is not None
    again = invoke(app, "import", str(source), "--json", "--valid-only", "--on-duplicate", "skip")
    assert json.loads(again.stdout)["skipped"] == 2


def test_import_with_a_mapping_from_a_csv_with_semicolons(app, session, tmp_path: Path):
    source = tmp_path / "xa.csv"
    source.write_bytes(
        csv_bytes(
            ["So ho", "Ten", "Nam sinh", "Phai", "Quan he", "Xa", "Dia chi"],
            [["CSV-1", "Lý Văn Hùng", "1948", "nam", "chu ho", "19789", "Thôn 1"]],
            sep=";",
        )
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "So ho": "household_code",
                "Ten": "full_name",
                "Nam sinh": "birth_date",
                "Phai": "sex",
                "Quan he": "relation_to_head",
                "Xa": "commune_code",
            }
        ),
        encoding="utf-8",
    )
    result = invoke(app, "import", str(source), "--map", str(mapping))
    assert result.exit_code == 0, result.output
    assert "1 people created (1 new households)" in result.output


def test_a_ward_officer_cannot_import_into_another_ward_from_the_cli(app, session, tmp_path: Path):
    source = tmp_path / "b.xlsx"
    source.write_bytes(
        template_xlsx([person_row("CLI-B", "Đinh Văn Út", relation="Chủ hộ", commune=WARD_B)])
    )
    result = invoke(app, "import", str(source), "--as", "commune_a")
    assert result.exit_code == 1
    assert "Row 3" in result.stderr
    assert db.session.scalar(select(Household).where(Household.code == "CLI-B")) is None


def test_a_file_without_our_columns_is_refused_as_a_whole(app, session, tmp_path: Path):
    source = tmp_path / "x.csv"
    source.write_bytes(csv_bytes(["a", "b"], [["1", "2"]]))
    result = invoke(app, "import", str(source), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["row"] is None
