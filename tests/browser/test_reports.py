"""The report dashboard in a real browser: it renders, every value a chart draws is the value
its table shows, and the XLSX and PDF downloads open."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from registry.auth.models import User
from registry.calendar import office_today
from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from tests import factories
from tests.browser.test_officer_flow import log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser

#: Every value mark of the page's charts, and every table cell naming a series and a label.
COLLECT = """() => {
  const pick = (selector) => Array.from(document.querySelectorAll(selector)).map(
    (e) => [e.dataset.series, e.dataset.label, e.dataset.value]);
  return {marks: pick("svg [data-value]"), cells: pick("table [data-value]")};
}"""


def seed_poverty_reviews(live_app) -> None:
    """Two review years of a ward's households, so the poverty chart has bars and ticks, each
    with an elder of 78 or more and no pension (counted by an indicator)."""
    today = office_today()
    with live_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "commune_a")).as_actor()
        for number, (before, now) in enumerate(
            [(PovertyStatus.POOR, PovertyStatus.POOR), (PovertyStatus.NEAR_POOR,
             PovertyStatus.POOR), (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)]
        ):  # fmt: skip
            home = factories.household(WARD_A, actor=officer, today=today)
            for year, status in ((today.year - 2, before), (today.year - 1, now)):
                set_poverty_status(
                    home,
                    review_year=year,
                    status=status,
                    area=Area.URBAN,
                    valid_from=date(year + 1, 1, 1),
                    actor=officer,
                    today=today,
                    decision_number=f"{number}/QĐ-UBND",
                )
            factories.person(
                actor=officer,
                today=today,
                household=home,
                full_name=f"Trần Văn Thọ {number}",
                birth_date=date(today.year - 78 - number, 2, 1),
                with_cccd=False,
            )
        db.session.commit()
        db.session.remove()


def test_the_dashboard_draws_what_its_tables_say_and_its_files_open(
    page: Page, live_url: str, live_app
):
    seed_poverty_reviews(live_app)
    log_in(page, live_url, "labour")
    menu = page.get_by_role("navigation", name="Danh mục chính")
    menu.get_by_role("link", name="Báo cáo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo")
    # Indicators, money per month, cashless share, poverty by commune (+ money by commune
    # once something has been paid).
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 4
    page.screenshot(path="/tmp/reports-dashboard.png", full_page=True)

    found = page.evaluate(COLLECT)
    cells = {(series, label): value for series, label, value in found["cells"]}
    marks = found["marks"]
    assert marks, "the charts draw no value"
    assert {series for series, _, _ in marks} >= {"share", "poor", "poor_before"}
    for series, label, value in marks:
        assert cells.get((series, label)) == value, (series, label, value)

    with page.expect_download() as xlsx:
        page.get_by_test_id("download-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert len(book.worksheets) == 3
    with page.expect_download() as pdf:
        page.get_by_test_id("download-pdf").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(Path(pdf.value.path()).read_bytes()))
    assert len(reader.pages) >= 1
    assert "Báo cáo" in reader.pages[0].extract_text()


def test_a_number_of_the_dashboard_opens_the_people_behind_it(page: Page, live_url: str):
    log_in(page, live_url, "labour")
    page.goto(f"{live_url}/reports/")
    row = page.locator('tr[data-indicator="elderly_without_pension"]')
    expected = row.locator('a[data-part="denominator"]').inner_text()
    row.locator('a[data-part="denominator"]').click()
    expect(page.get_by_test_id("drill-total")).to_contain_text(expected)
