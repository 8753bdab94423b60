"""A commune officer's day in a real browser: register a household, add a member, find them
by unaccented name and by CCCD, record a death.

Needs the ``live_url`` fixture (tests/browser/conftest.py): a running app whose database holds
the users of tests/conftest.py and the Huế units.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from registry.calendar import office_today
from registry.people.models import Sex
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: Distinct names each run, so a database kept between runs still gives one search hit.
_WORDS = [
    "An",
    "Bảo",
    "Châu",
    "Diệp",
    "Giang",
    "Khánh",
    "Lam",
    "Minh",
    "Ngân",
    "Phương",
    "Quỳnh",
    "Sương",
    "Thảo",
    "Uyên",
    "Vân",
    "Xuân",
    "Yến",
    "Đào",
    "Hạnh",
    "Linh",
]


def unaccented(name: str) -> str:
    from registry.people.names import fold

    return fold(name)


def log_in(page: Page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def search(page: Page, text: str) -> None:
    menu = page.get_by_role("navigation", name="Danh mục chính")
    menu.get_by_role("link", name="Tìm người").click()
    page.get_by_label("Họ tên hoặc số CCCD").fill(text)
    page.get_by_role("button", name="Tìm", exact=True).click()


def test_a_commune_officer_registers_finds_and_records_a_death(page: Page, live_url: str) -> None:
    rng = random.Random()
    head_name = f"Lê Văn {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
    member_name = f"Trần Thị {rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
    head_cccd = factories.cccd(Sex.MALE, 1968)
    member_cccd = factories.cccd(Sex.FEMALE, 1972)

    log_in(page, live_url, "commune_a")

    # Register a household with its head.
    page.get_by_role("link", name="Đăng ký hộ gia đình").first.click()
    expect(page.get_by_label("Xã/phường")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Địa chỉ (thôn, tổ dân phố, số nhà)").fill("Tổ 7, Kiệt 15 Hùng Vương")
    page.get_by_label("Họ và tên").fill(head_name)
    page.get_by_label("Giới tính").select_option(label="Nam")
    page.get_by_label("Ngày sinh", exact=False).first.fill("12/04/1968")
    page.get_by_label("Số CCCD (12 số)").fill(head_cccd)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Đã đăng ký hộ")
    expect(page.get_by_test_id("members")).to_contain_text(head_name)

    # Add a second member.
    page.get_by_role("link", name="Thêm nhân khẩu").click()
    page.get_by_label("Họ và tên").fill(member_name)
    page.get_by_label("Giới tính").select_option(label="Nữ")
    page.get_by_label("Quan hệ với chủ hộ").select_option(label="Vợ")
    page.get_by_label("Ngày sinh", exact=False).first.fill("03/09/1972")
    page.get_by_label("Số CCCD (12 số)").fill(member_cccd)
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_test_id("members")).to_contain_text(member_name)

    # Find her by her name typed without accents, and open her page.
    search(page, unaccented(member_name))
    expect(page.get_by_test_id("count")).to_contain_text("Tìm thấy 1 người")
    page.get_by_test_id("people").get_by_role("link", name=member_name).click()
    expect(page.get_by_test_id("person-name")).to_have_text(member_name)
    expect(page.get_by_test_id("cccd")).to_contain_text("********" + member_cccd[-4:])
    expect(page.locator("main")).not_to_contain_text(member_cccd)

    # Find her by CCCD: straight to her page.
    search(page, member_cccd)
    expect(page.get_by_test_id("person-name")).to_have_text(member_name)

    # Record her death.
    page.get_by_role("link", name="Báo tử").click()
    died_on = office_today() - timedelta(days=2)
    page.get_by_label("Ngày mất").fill(died_on.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Báo tử").click()
    expect(page.get_by_test_id("death")).to_have_text(f"Đã mất ngày {died_on:%d/%m/%Y}")
