"""The web import: upload, column mapping remembered per commune, preview, check, import."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from flask import g, request_started
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.extensions import db
from registry.households.models import Household
from registry.imports.errors_workbook import ERROR_HEADER
from registry.imports.models import ImportMapping
from registry.jobs.models import Job, JobStatus
from registry.jobs.runner import UNEXPECTED
from registry.people.models import Person
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B
from tests.imports.helpers import plain_xlsx

#: A commune's own layout: a title row, headers we do not know (and some we do).
HEADER = ["Mã HGĐ", "Họ và tên thành viên", "QH với CH", "Ngày sinh", "Giới tính", "Số định danh",
          "Địa chỉ", "Ghi chú"]  # fmt: skip
MAPPED = {
    "col-0": "household_code",
    "col-1": "full_name",
    "col-2": "relation_to_head",
    "col-3": "birth_date",
    "col-4": "sex",
    "col-5": "cccd",
    "col-6": "address",
    "col-7": "",
}


@pytest.fixture(autouse=True)
def web_import(app, monkeypatch, tmp_path):
    """Jobs run inside the request (the test's transaction), files go to a temporary folder,
    the office clock is the tests' day, and each request gets a fresh ``g``."""
    monkeypatch.setitem(app.config, "REGISTRY_JOBS_INLINE", True)
    monkeypatch.setitem(app.config, "REGISTRY_IMPORT_DIR", str(tmp_path / "imports"))
    monkeypatch.setattr("registry.web.setup.office_today", lambda: TODAY)

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield tmp_path / "imports"
    request_started.disconnect(clear, app)


def commune_file(rows: list[list]) -> bytes:
    return plain_xlsx(HEADER, rows, title="DANH SÁCH HỘ GIA ĐÌNH PHƯỜNG THUẬN HÓA")


def good_rows(code: str = "HUE-WEB-1") -> list[list]:
    return [
        [code, "Nguyễn Văn An", "Chủ hộ", "02/03/1960", "Nam", factories.cccd("male", 1960),
         "Tổ 5, Thuận Hóa", "hộ mới"],
        [code, "Lê Thị Bình", "Vợ", "1962", "Nữ", factories.cccd("female", 1962), None, None],
        [code, "Nguyễn Thị Cúc", "Con", "09/09/2010", "Nữ", None, None, None],
    ]  # fmt: skip


def bad_rows() -> list[list]:
    return [
        ["HUE-WEB-BAD", "Trần Văn Dũng", "Chủ hộ", "01/01/1970", "X", "12345", "Tổ 1", None],
    ]


def upload(client, data: bytes, commune: str = WARD_A, name: str = "ds-ho.xlsx", **form):
    fields = {
        "commune_id": str(factories.unit(commune).id),
        "on_duplicate": "update",
        "file": (io.BytesIO(data), name),
        **form,
    }
    return client.post("/imports/upload", data=fields, content_type="multipart/form-data")


def token_of(response) -> str:
    match = re.search(r"/imports/uploads/([A-Za-z0-9_-]+)/mapping", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def job_of(response) -> Job:
    match = re.search(r"/imports/jobs/([0-9a-f-]{36})", response.headers["Location"])
    assert match, response.headers.get("Location")
    return db.session.get(Job, uuid.UUID(match.group(1)))


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person)) or 0


def mapped_upload(client, data: bytes) -> str:
    token = token_of(upload(client, data))
    response = client.post(f"/imports/uploads/{token}/mapping", data=MAPPED)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return token


def test_upload_page_links_the_template_which_downloads(client, login):
    login("commune_a")
    page = client.get("/imports/").get_data(as_text=True)
    assert "/imports/template" in page and 'name="file"' in page
    template = client.get("/imports/template")
    assert template.status_code == 200
    assert template.headers["Content-Disposition"].endswith(".xlsx")
    assert load_workbook(io.BytesIO(template.data)).sheetnames[0] == "Danh sách"


def test_mapping_is_remembered_for_the_commune_and_the_preview_reads_with_it(client, login):
    login("commune_a")
    response = upload(client, commune_file(good_rows()))
    assert response.status_code == 302
    token = token_of(response)
    page = client.get(f"/imports/uploads/{token}/mapping").get_data(as_text=True)
    # Recognised headers are chosen already; unknown ones wait for the officer.
    assert "Mã HGĐ" in page and "Nguyễn Văn An" in page
    assert re.search(r'name="col-3".*?value="birth_date" selected', page, re.S)
    assert 'data-testid="missing-columns"' in page

    response = client.post(f"/imports/uploads/{token}/mapping", data=MAPPED)
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")
    saved = db.session.scalar(
        select(ImportMapping).where(ImportMapping.commune_id == factories.unit(WARD_A).id)
    )
    assert saved.mapping["Mã HGĐ"] == "household_code"
    assert saved.mapping["Ghi chú"] is None

    preview = client.get(f"/imports/uploads/{token}/preview")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Nguyễn Thị Cúc" in text and "HUE-WEB-1" in text and WARD_A in text

    # The next file of the same commune comes pre-mapped.
    again = token_of(upload(client, commune_file(good_rows("HUE-WEB-2"))))
    page = client.get(f"/imports/uploads/{again}/mapping").get_data(as_text=True)
    assert re.search(r'name="col-0".*?value="household_code" selected', page, re.S)
    assert 'data-testid="missing-columns"' not in page


def test_a_mapping_missing_a_required_column_is_refused_with_the_reason(client, login):
    login("commune_a")
    token = token_of(upload(client, commune_file(good_rows())))
    response = client.post(f"/imports/uploads/{token}/mapping", data={**MAPPED, "col-4": ""})
    assert response.status_code == 422
    assert "Giới tính" in response.get_data(as_text=True)
    both = {**MAPPED, "col-2": "full_name"}
    response = client.post(f"/imports/uploads/{token}/mapping", data=both)
    assert response.status_code == 422
    assert 'id="e-col-2"' in response.get_data(as_text=True)


def test_check_lists_problems_by_row_and_column_then_valid_rows_import_with_a_workbook(
    client, login
):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows() + bad_rows()))
    before = people()

    response = client.post(f"/imports/uploads/{token}/check")
    check = job_of(response)
    assert check.status is JobStatus.DONE and check.params["mode"] == "check"
    assert people() == before  # a check writes nothing
    assert (check.result["rows"], check.result["valid"], check.result["invalid"]) == (4, 3, 1)
    assert check.result["created"] == 3 and check.result["households_created"] == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Row 6 of the file (title, header, 3 good rows): its sex and its CCCD, by their headers.
    assert 'data-row="6"' in page
    where = {(p["row"], p["header"]) for p in check.result["problems"]}
    assert (6, "Giới tính") in where and (6, "Số định danh") in where
    assert 'data-testid="import-valid"' in page and 'data-testid="import-all"' not in page

    response = client.post(f"/imports/jobs/{check.id}/import", data={"mode": "valid_only"})
    imported = job_of(response)
    assert imported.status is JobStatus.DONE, imported.error
    assert imported.result["written"] and imported.result["created"] == 3
    assert people() == before + 3
    household = db.session.scalar(select(Household).where(Household.code == "HUE-WEB-1"))
    assert household.commune.code == WARD_A and household.address == "Tổ 5, Thuận Hóa"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-done"' in page

    workbook = client.get(f"/imports/jobs/{imported.id}/errors")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert ERROR_HEADER in rows[0]
    assert [r[1] for r in rows[1:]] == ["Trần Văn Dũng"]
    assert "Giới tính" in rows[1][rows[0].index(ERROR_HEADER)]
    # Served once: it holds ID numbers.
    assert client.get(f"/imports/jobs/{imported.id}/errors").status_code == 302
    # The same check cannot be imported twice.
    again = client.post(f"/imports/jobs/{check.id}/import", data={"mode": "valid_only"})
    assert again.status_code == 409 and people() == before + 3


def test_a_valid_file_imports_whole_and_its_upload_is_removed(client, login, web_import):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows("HUE-WEB-ALL")))
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    assert check.result["invalid"] == 0
    imported = job_of(client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"}))
    assert imported.result["written"] and imported.result["created"] == 3
    assert not list(web_import.glob(f"{token}*"))


def test_all_rows_import_is_refused_while_rows_have_errors(client, login):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows() + bad_rows()))
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    before = people()
    response = client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"})
    assert response.status_code == 409 and people() == before


def test_a_commune_officer_cannot_import_into_another_commune(client, login, web_import):
    login("commune_a")
    response = upload(client, commune_file(good_rows()), commune=WARD_B)
    assert response.status_code == 422
    assert not web_import.exists() or not any(web_import.iterdir())
    # Rows naming another commune are refused by row, even in a file for their own.
    rows = good_rows()
    token = token_of(upload(client, plain_xlsx([*HEADER, "Mã xã"], [[*r, WARD_B] for r in rows])))
    client.post(f"/imports/uploads/{token}/mapping", data={**MAPPED, "col-8": "commune_code"})
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    assert check.result["valid"] == 0
    assert {p["column"] for p in check.result["problems"]} >= {"commune_code"}


def test_another_officer_sees_neither_the_upload_nor_the_job(client, login):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows()))
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    client.post("/logout")
    login("commune_b")
    assert client.get(f"/imports/jobs/{check.id}").status_code == 404
    assert client.get(f"/imports/uploads/{token}/mapping").status_code == 404
    assert client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"}).status_code == 404
    client.post("/logout")
    login("labour")  # same province, but not an administrator: not theirs
    assert client.get(f"/imports/jobs/{check.id}").status_code == 404
    client.post("/logout")
    login("admin")
    assert client.get(f"/imports/jobs/{check.id}").status_code == 200


def test_roles_without_person_write_cannot_open_the_import(client, login):
    login("accountant")
    assert client.get("/imports/").status_code == 403


def test_a_crash_inside_the_handler_fails_the_job_and_writes_nothing(client, login, monkeypatch):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows("HUE-WEB-CRASH")))
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    before = people()
    import registry.imports.jobs as import_jobs

    real = import_jobs.import_people

    def crash_after_writing(*args, **kwargs):
        report = real(*args, **kwargs)
        assert report.written  # the rows are flushed inside the job's transaction…
        raise RuntimeError("disk on fire")  # …and then the handler dies

    monkeypatch.setattr(import_jobs, "import_people", crash_after_writing)
    response = client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"})
    failed = job_of(response)
    assert failed.status is JobStatus.FAILED and failed.error == UNEXPECTED
    assert "disk on fire" not in (failed.error or "")
    assert people() == before
    assert db.session.scalar(select(Household).where(Household.code == "HUE-WEB-CRASH")) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="job-error"' in page and 'data-testid="retry"' in page

    monkeypatch.setattr(import_jobs, "import_people", real)
    again = job_of(client.post(f"/imports/jobs/{failed.id}/retry"))
    assert again.status is JobStatus.DONE and again.result["created"] == 3


def test_a_file_missing_a_required_column_fails_as_a_whole(client, login, web_import):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows()))
    # The stored upload replaced by a file without the sex column (as if damaged on disk).
    data = plain_xlsx([h for h in HEADER if h != "Giới tính"], [r[:4] + r[5:] for r in good_rows()])
    (web_import / f"{token}.xlsx").write_bytes(data)
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    assert check.status is JobStatus.FAILED and check.result["file_problems"]
    page = client.get(f"/imports/jobs/{check.id}").get_data(as_text=True)
    assert 'data-testid="job-error"' in page


def test_the_job_page_reloads_itself_with_a_progress_bar_while_the_job_waits(
    client, login, monkeypatch
):
    login("commune_a")
    token = mapped_upload(client, commune_file(good_rows()))
    monkeypatch.setattr("registry.jobs.runner.start", lambda job_id: None)  # never picked up
    response = client.post(f"/imports/uploads/{token}/check")
    queued = job_of(response)
    assert queued.status is JobStatus.QUEUED
    page = client.get(response.headers["Location"])
    assert page.headers["Refresh"] == "2"
    text = page.get_data(as_text=True)
    assert "<progress" in text and 'http-equiv="refresh"' in text
    assert "<script" not in text and "style=" not in text
