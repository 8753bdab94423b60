"""The web import in a real browser: a commune's own workbook is uploaded, its columns mapped,
previewed and checked; the valid rows are imported by a background job; the people are found.

Needs ``live_app``/``live_url`` (tests/browser/conftest.py). Jobs run in the server's real
background thread (REGISTRY_JOBS_INLINE is off), and the job page reloads itself.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from registry.calendar import office_today
from tests import factories
from tests.browser.test_officer_flow import log_in
from tests.imports.helpers import plain_xlsx

pytestmark = pytest.mark.browser

#: Job pages reload every 2 s; a check and an import of a few rows take well under this.
JOB_TIMEOUT_MS = 30_000


@pytest.fixture()
def import_dir(live_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads of this test go to its own folder, not the repository's instance/."""
    folder = tmp_path / "imports"
    monkeypatch.setitem(live_app.config, "REGISTRY_IMPORT_DIR", str(folder))
    return folder


def commune_workbook(path: Path, code: str, tag: str) -> tuple[Path, list[str]]:
    """A ward's own list: a title row, headers of its own, two good rows and one bad row."""
    year = office_today().year
    names = [f"Hoàng Văn {tag}", f"Đỗ Thị {tag}", f"Lý Văn {tag}"]
    rows = [
        [code, names[0], "Chủ hộ", "1958", "Nam", factories.cccd("male", 1958), "Tổ 9"],
        [code, names[1], "Vợ", "12/04/1961", "Nữ", factories.cccd("female", 1961), None],
        [f"{code}-X", names[2], "Chủ hộ", f"01/01/{year + 1}", "Nam", None, "Tổ 9"],
    ]
    header = ["Số hộ", "Tên thành viên", "Quan hệ CH", "Ngày sinh", "Giới tính", "CCCD", "Địa chỉ"]
    path.write_bytes(plain_xlsx(header, rows, title="DANH SÁCH NHÂN KHẨU"))
    return path, names


def test_map_a_commune_file_check_it_and_import_the_valid_rows(
    page: Page, live_url: str, import_dir: Path, tmp_path: Path
) -> None:
    tag = secrets.token_hex(3).upper()
    code = f"HUE-BR-{tag}"
    workbook, names = commune_workbook(tmp_path / "danh-sach-to-9.xlsx", code, tag)

    log_in(page, live_url, "commune_a")
    page.goto(f"{live_url}/imports/")
    expect(page.get_by_test_id("template-link")).to_be_visible()
    form = page.get_by_test_id("upload-form")
    form.locator("#f-file").set_input_files(workbook)
    form.get_by_test_id("upload").click()

    # Mapping: the headers we know are chosen already; the ward's own ones are mapped here.
    mapping = page.get_by_test_id("mapping-form")
    expect(mapping).to_contain_text("Số hộ")
    expect(page.get_by_test_id("missing-columns")).to_be_visible()
    expect(page.get_by_test_id("map-3")).to_have_value("birth_date")
    page.get_by_test_id("map-0").select_option("household_code")
    page.get_by_test_id("map-1").select_option("full_name")
    page.get_by_test_id("map-2").select_option("relation_to_head")
    page.get_by_test_id("save-mapping").click()

    # Preview: the first rows as the import reads them, in the ward chosen on upload.
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text(names[0])
    expect(preview).to_contain_text(code)

    # The check runs in the background; the page reloads itself until the report is there.
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("counts")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("count-valid")).to_have_text("2")
    expect(page.get_by_test_id("count-invalid")).to_have_text("1")
    expect(page.get_by_test_id("problems").locator('tr[data-row="5"]').first).to_contain_text(
        "Ngày sinh"
    )
    expect(page.get_by_test_id("import-all")).to_have_count(0)

    page.get_by_test_id("import-valid").click()
    expect(page.get_by_test_id("import-done")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("count-created")).to_have_text("2")
    with page.expect_download() as info:
        page.get_by_test_id("errors-workbook").click()
    assert info.value.suggested_filename.endswith(".xlsx")

    # The people are in the registry, in the household the file named.
    page.goto(f"{live_url}/households/?q={code}")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(names[0])
    expect(page.get_by_role("main")).to_contain_text(names[1])
    expect(page.get_by_role("main")).not_to_contain_text(names[2])  # its row was refused

    # The ward's mapping is remembered: the next file of the same layout comes mapped.
    page.goto(f"{live_url}/imports/")
    page.get_by_test_id("upload-form").locator("#f-file").set_input_files(workbook)
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("map-0")).to_have_value("household_code")
    expect(page.get_by_test_id("missing-columns")).to_have_count(0)


def test_a_poverty_review_list_sets_the_year_s_status(
    page: Page, live_app, live_url: str, import_dir: Path, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from registry.auth.models import User
    from registry.extensions import db
    from tests.conftest import WARD_A

    today = office_today()
    with live_app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "commune_a")).as_actor()
        code = factories.household(WARD_A, actor=officer, today=today).code
        db.session.commit()
        db.session.remove()
    year = today.year - 1
    workbook = tmp_path / "ra-soat.xlsx"
    header = ["Mã hộ", "Phân loại hộ", "Khu vực", "Thu nhập bình quân đầu người", "Năm rà soát"]
    workbook.write_bytes(
        plain_xlsx(header, [[code, "Cận nghèo", "Thành thị", "1.450.000", str(year)]])
    )

    log_in(page, live_url, "commune_a")
    page.goto(f"{live_url}/imports/")
    form = page.get_by_test_id("upload-form")
    form.locator("#f-kind-poverty").check()
    form.locator("#f-file").set_input_files(workbook)
    form.get_by_test_id("upload").click()
    if page.get_by_test_id("save-mapping").count():  # our own headers: nothing to map
        page.get_by_test_id("save-mapping").click()
    expect(page.get_by_test_id("preview")).to_contain_text(code)
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("count-valid")).to_have_text("1", timeout=JOB_TIMEOUT_MS)
    page.get_by_test_id("import-all").click()
    expect(page.get_by_test_id("import-done")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("count-created")).to_have_text("1")

    page.goto(f"{live_url}/households/?q={code}")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("cận nghèo")
