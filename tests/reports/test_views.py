"""The report pages: the dashboard by role and scope, drill-down lists, the files."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from tests.conftest import WARD_A, WARD_B
from tests.reports.dataset import EXPECTED, build

OCT = "2026-10"


@pytest.fixture()
def data(actor):
    return build(actor)


def _cell(html: str, code: str, part: str) -> int:
    row = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S).group(1)
    found = re.search(rf'data-part="{part}">([\d.]+)</a>', row).group(1)
    return int(found.replace(".", ""))


@pytest.mark.parametrize("user", ["leader", "auditor", "labour", "accountant"])
def test_the_province_dashboard_shows_each_indicator_with_its_numerator_and_denominator(
    data, client, login, user
):
    login(user)
    response = client.get(f"/reports/?unit=46&month={OCT}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for code, (numerator, denominator) in EXPECTED["46"].items():
        assert _cell(html, code, "numerator") == numerator, code
        assert _cell(html, code, "denominator") == denominator, code
    assert "<svg" in html and "<script" not in html


def test_a_commune_officer_sees_only_their_commune(data, client, login):
    login("commune_a")
    html = client.get(f"/reports/?month={OCT}").get_data(as_text=True)
    for code, (numerator, denominator) in EXPECTED[WARD_A].items():
        assert _cell(html, code, "numerator") == numerator, code
        assert _cell(html, code, "denominator") == denominator, code
    assert client.get(f"/reports/?unit=46&month={OCT}").status_code == 404
    assert client.get(f"/reports/?unit={WARD_B}&month={OCT}").status_code == 404
    drill = f"/reports/people?indicator=children_u36_poor&part=denominator&unit={WARD_B}"
    assert client.get(drill + f"&month={OCT}").status_code == 404


@pytest.mark.parametrize("code", list(EXPECTED["46"]))
@pytest.mark.parametrize("part", ["numerator", "denominator"])
def test_a_number_opens_the_list_of_exactly_that_many_records(data, client, login, code, part):
    login("leader")
    response = client.get(f"/reports/people?indicator={code}&part={part}&unit=46&month={OCT}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = EXPECTED["46"][code][0 if part == "numerator" else 1]
    rows = re.findall(r'<tr><th scope="row"><a href="/(?:people|households)/', html)
    assert len(rows) == expected


def test_unknown_indicators_and_bad_months_are_answered_clearly(data, client, login):
    login("leader")
    unknown = f"/reports/people?indicator=nope&part=numerator&month={OCT}"
    assert client.get(unknown).status_code == 404
    response = client.get("/reports/?month=2026-13")
    assert response.status_code == 422
    assert "YYYY-MM" in response.get_data(as_text=True)
    assert client.get("/reports/dashboard.doc?month=2026-10").status_code == 404


def test_people_without_the_report_permission_are_refused(client, login, session):
    assert client.get("/reports/").status_code == 302  # anonymous → log in


def test_the_dashboard_files_open_and_hold_the_numbers(data, client, login):
    login("leader")
    xlsx = client.get(f"/reports/dashboard.xlsx?unit=46&month={OCT}")
    assert xlsx.status_code == 200
    assert xlsx.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    numerator, denominator = EXPECTED["46"]["children_u36_poor"]
    assert numerator in values and denominator in values
    pdf = client.get(f"/reports/dashboard.pdf?unit=46&month={OCT}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Nghị quyết 42" in text or "42-NQ/TW" in text


def test_the_annual_report_page_and_files(data, client, login):
    login("leader")
    page = client.get("/reports/annual?unit=46&year=2026")
    assert page.status_code == 200
    assert "2026" in page.get_data(as_text=True)
    assert client.get("/reports/annual.xlsx?unit=46&year=2026").status_code == 200
    assert client.get("/reports/annual?unit=46&year=2031").status_code == 422
