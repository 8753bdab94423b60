"""``flask reports indicators``: the JSON document, the table, and clear refusals."""

from __future__ import annotations

import json

import openpyxl
import pytest
from flask_babel import gettext

from registry.reports.measures import MEASURES
from tests.conftest import WARD_A
from tests.reports.dataset import EXPECTED, build


@pytest.fixture()
def data(actor):
    return build(actor)


@pytest.fixture()
def run(app):
    runner = app.test_cli_runner()

    def _run(*args: str):
        return runner.invoke(args=["reports", "indicators", *args])

    return _run


def test_json_holds_each_indicator_with_its_numerator_and_denominator(data, run):
    result = run("--month", "2026-10", "--unit", WARD_A, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["unit"], document["month"]) == (WARD_A, "2026-10")
    got = {i["code"]: (i["numerator"], i["denominator"]) for i in document["indicators"]}
    assert got == EXPECTED[WARD_A]
    first = document["indicators"][0]
    assert set(first) == {
        "code",
        "title",
        "numerator",
        "denominator",
        "share",
        "month",
        "legal_basis",
    }
    measure = MEASURES[first["code"]]
    # Texts in the office language (the CLI's locale, Vietnamese by default).
    assert first["title"] == gettext(measure.title)
    assert first["legal_basis"] == gettext(measure.legal_basis)
    assert (first["share"], first["month"]) == (33.3, "2026-10")  # 2 of 6


def test_without_a_unit_it_measures_the_whole_province(data, run):
    result = run("--month", "2026-10", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["unit"] == "46"
    got = {i["code"]: (i["numerator"], i["denominator"]) for i in document["indicators"]}
    assert got == EXPECTED["46"]


def test_the_table_shows_each_code_with_its_numbers(data, run):
    result = run("--month", "2026-10", "--unit", WARD_A)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "10/2026" in lines[0] and "Phường Thuận Hóa" in lines[0] and WARD_A in lines[0]
    row = next(line for line in lines if line.startswith("cashless_share "))
    assert row.split()[1:4] == ["2", "5", "40,0%"]
    row = next(line for line in lines if line.startswith("merit_families_poor "))
    assert row.split()[1:4] == ["3", "4", "75,0%"]


def test_a_month_with_nothing_to_count_shows_a_dash_and_a_null_share(data, run):
    document = json.loads(run("--month", "1979-01", "--unit", WARD_A, "--json").output)
    assert {i["share"] for i in document["indicators"]} == {None}
    table = run("--month", "1979-01", "--unit", WARD_A).output
    assert "cashless_share" in table and "—" in table


@pytest.mark.parametrize("month", ["2026-13", "10/2026", "2026"])
def test_a_malformed_month_is_refused_with_the_expected_form(run, month):
    result = run("--month", month)
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def test_an_unknown_unit_is_refused_naming_the_code(run):
    result = run("--month", "2026-10", "--unit", "99999")
    assert result.exit_code == 1
    assert "99999" in result.output


def test_the_annual_report_is_written_as_xlsx_and_pdf(data, app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["reports", "annual", "--year", "2026", "--unit", "46", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["bao-cao-nam-2026-46.pdf", "bao-cao-nam-2026-46.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "bao-cao-nam-2026-46.xlsx")
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any("2026" in str(v) for v in values)
    assert (tmp_path / "bao-cao-nam-2026-46.pdf").read_bytes().startswith(b"%PDF")


def test_the_annual_report_of_a_year_to_come_is_refused(app, tmp_path, session):
    result = app.test_cli_runner().invoke(
        args=["reports", "annual", "--year", "2030", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "2030" in result.output
    assert list(tmp_path.iterdir()) == []
