"""The browser plumbing itself: Chromium starts, reaches the live server, renders a form."""

import re

from playwright.sync_api import Page, expect


def test_login_page_opens_in_a_real_browser_with_a_password_field(page: Page, live_url: str):
    response = page.goto(live_url + "/login")

    assert response is not None and response.ok, response and response.status
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("input[type='password']").first).to_be_visible()
