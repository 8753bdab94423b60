"""From a proposal to a downloaded bank file in a real browser: a commune officer proposes,
the labour office appraises and approves, the accountant builds, locks, exports and downloads.

Needs ``live_app``/``live_url`` (tests/browser/conftest.py), whose app has a payer account.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from registry.auth.models import User
from registry.calendar import office_today
from registry.extensions import db, keys
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.accounts import set_payment_account
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, PaymentChannel, Sex
from tests import factories
from tests.browser.test_officer_flow import log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser


def seed_poor_elder(live_app) -> tuple[str, str]:
    """A woman of 76 in a poor household with no one to support her (group 5(5)(a) of
    Decree 20/2021), with a bank account; returns her id and name."""
    today = office_today()
    with live_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "commune_a")).as_actor()
        home = factories.household(WARD_A, actor=officer, today=today)
        set_poverty_status(
            home,
            review_year=today.year - 1,
            status=PovertyStatus.POOR,
            area=Area.URBAN,
            actor=officer,
            today=today,
        )
        name = "Hồ Thị Thu Cúc"
        elder = factories.person(
            actor=officer,
            today=today,
            household=home,
            sex=Sex.FEMALE,
            full_name=name,
            birth_date=date(today.year - 76, 3, 8),
        )
        add_circumstance(
            elder,
            kind=CircumstanceKind.NO_SUPPORTER,
            started_on=date(today.year - 5, 1, 1),
            actor=officer,
            today=today,
        )
        set_payment_account(
            elder,
            channel=PaymentChannel.BANK,
            bank_bin="970436",
            account_number="0071000123456",
            holder_name="HO THI THU CUC",
            actor=officer,
            cipher=keys.cipher,
        )
        person_id = str(elder.id)
        db.session.commit()
        db.session.remove()
    return person_id, name


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def test_proposal_to_downloaded_payment_file(
    page: Page, live_app, live_url: str, tmp_path: Path
) -> None:
    person_id, name = seed_poor_elder(live_app)
    today = office_today()

    # The commune officer proposes group 5(5)(a) from the eligibility panel.
    log_in(page, live_url, "commune_a")
    page.goto(f"{live_url}/people/{person_id}")
    page.get_by_test_id("propose-sa.5.5a").get_by_role("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("chờ thẩm định")
    decision_url = page.url
    log_out(page)

    # The labour office finds it in its worklist, appraises it and records the signed decision.
    log_in(page, live_url, "labour")
    page.get_by_role("navigation", name="Danh mục chính").get_by_role(
        "link", name="Quyết định"
    ).click()
    page.get_by_test_id("tab-to_appraise").click()
    page.get_by_test_id("decisions").get_by_role("link", name=name).first.click()
    expect(page).to_have_url(decision_url)
    appraise = page.get_by_test_id("form-appraise")
    appraise.get_by_label("Đủ điều kiện: trình phê duyệt").check()
    appraise.get_by_role("button", name="Ghi nhận kết quả thẩm định").click()
    approve = page.get_by_test_id("form-approve")
    approve.get_by_label("Số quyết định").fill("321/QĐ-UBND")
    approve.get_by_label("Ngày ký").fill(today.strftime("%d/%m/%Y"))
    approve.get_by_label("Người ký").fill("Chủ tịch UBND phường")
    approve.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã phê duyệt")
    expect(page.get_by_test_id("start-month")).to_contain_text(today.strftime("%m/%Y"))
    log_out(page)

    # The accountant builds this month's list, locks it, exports pain.001 and downloads it.
    log_in(page, live_url, "accountant")
    page.get_by_role("navigation", name="Danh mục chính").get_by_role(
        "link", name="Danh sách chi trả"
    ).click()
    page.get_by_label("Tháng chi trả").fill(today.strftime("%Y-%m"))
    page.get_by_role("button", name="Lập danh sách chi trả").click()
    expect(page.get_by_test_id("lines")).to_contain_text(name)
    page.get_by_test_id("lock").click()
    page.get_by_test_id("lock-form").get_by_role("checkbox").check()
    page.get_by_role("button", name="Chốt danh sách", exact=True).click()
    export = page.get_by_test_id("export-form")
    export.get_by_label("Loại tệp").select_option("pain001")
    export.get_by_role("button", name="Xuất tệp").click()
    files = page.get_by_test_id("files")
    expect(files).to_contain_text(re.compile(r"chi-tra-\d{4}-\d{2}-pain001\.xml"))
    stored_hash = files.locator("code").first.inner_text().strip()

    with page.expect_download() as info:
        files.get_by_test_id("download").first.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    content = saved.read_bytes()
    assert hashlib.sha256(content).hexdigest() == stored_hash
    assert b"pain.001.001.09" in content and b"0071000123456" in content
