"""The annual poverty review list through the web import: the same flow as the people list
(template, upload, mapping remembered per commune and kind, preview, check, import, workbook)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.extensions import db
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.imports.errors_workbook import ERROR_HEADER
from registry.imports.models import ImportMapping
from registry.jobs.models import JobStatus
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B
from tests.imports.helpers import plain_xlsx
from tests.imports.test_views import (
    HEADER as PEOPLE_HEADER,
)
from tests.imports.test_views import (
    MAPPED as PEOPLE_MAPPED,
)
from tests.imports.test_views import (
    commune_file,
    good_rows,
    job_of,
    token_of,
    upload,
    web_import,  # noqa: F401 (the autouse fixture, for this module too)
)

#: A commune's own review list: a title row, then headers of its own.
HEADER = ["STT", "Mã HGĐ", "Họ tên chủ hộ", "Kết quả rà soát", "Năm", "TNBQ", "Ghi chú"]
MAPPED = {
    "col-0": "",
    "col-1": "household_code",
    "col-2": "",
    "col-3": "poverty_status",
    "col-4": "review_year",
    "col-5": "income_per_head",
    "col-6": "",
}


def review_file(rows: list[list]) -> bytes:
    return plain_xlsx(HEADER, rows, title="DANH SÁCH KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2025")


def review_upload(client, data: bytes, commune: str = WARD_A):
    return upload(client, data, commune=commune, name="ra-soat-2025.xlsx", kind="poverty")


def status_of(household: Household, year: int = 2025) -> HouseholdPovertyStatus | None:
    return db.session.scalar(
        select(HouseholdPovertyStatus).where(
            HouseholdPovertyStatus.household_id == household.id,
            HouseholdPovertyStatus.review_year == year,
        )
    )


def mapping_of(commune: str, kind: str) -> ImportMapping | None:
    return db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.commune_id == factories.unit(commune).id, ImportMapping.kind == kind
        )
    )


@pytest.fixture()
def homes(actor):
    officer = actor("commune_a")
    return [
        factories.household(WARD_A, actor=officer, today=TODAY, code=f"RS-WEB-{n}")
        for n in range(3)
    ]


@pytest.fixture()
def elsewhere(actor):
    """A household of another ward, which the officer of ward A must not touch."""
    return factories.household(WARD_B, actor=actor("commune_b"), today=TODAY, code="RS-WEB-B")


def test_the_start_page_asks_what_the_file_is_and_offers_the_review_template(client, login):
    login("commune_a")
    page = client.get("/imports/").get_data(as_text=True)
    assert 'name="kind" value="people"' in page and 'name="kind" value="poverty"' in page
    assert "/imports/template?kind=poverty" in page
    template = client.get("/imports/template?kind=poverty")
    assert template.status_code == 200
    assert template.headers["Content-Disposition"].endswith("mau-ra-soat-ho-ngheo.xlsx")
    header = next(
        load_workbook(io.BytesIO(template.data)).worksheets[0].iter_rows(values_only=True)
    )
    assert "Phân loại hộ *" in header and not any("Họ và tên" in str(h) for h in header)
    assert client.get("/imports/template?kind=nothing").status_code == 404
    refused = upload(client, review_file([]), kind="nothing")
    assert refused.status_code == 422 and 'id="e-kind"' in refused.get_data(as_text=True)


def test_a_review_list_is_mapped_checked_and_its_valid_rows_set_the_years_statuses(
    client, login, homes, elsewhere
):
    login("commune_a")
    rows = [
        [1, "RS-WEB-0", "Nguyễn Văn A", "Nghèo", 2025, 1_400_000, None],
        [2, "RS-WEB-1", "Trần Thị B", "Cận nghèo", 2025, None, None],
        [3, "RS-WEB-2", "Lê Văn C", "Giàu lắm", 2025, None, "sai phân loại"],
        [4, "RS-WEB-B", "Phạm Văn D", "Nghèo", 2025, None, "hộ phường khác"],
    ]
    response = review_upload(client, review_file(rows))
    assert response.status_code == 302
    token = token_of(response)

    # Mapping: the review list's own columns are offered, not the people list's.
    page = client.get(f"/imports/uploads/{token}/mapping").get_data(as_text=True)
    assert 'value="poverty_status"' in page and 'value="full_name"' not in page
    assert re.search(r'name="col-3".*?value="poverty_status" selected', page, re.S)
    assert 'data-testid="missing-columns"' in page  # "Mã HGĐ" is not a header we know
    refused = client.post(f"/imports/uploads/{token}/mapping", data={**MAPPED, "col-4": ""})
    assert refused.status_code == 422 and "Năm rà soát" in refused.get_data(as_text=True)
    response = client.post(f"/imports/uploads/{token}/mapping", data=MAPPED)
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")
    assert mapping_of(WARD_A, "poverty").mapping["Mã HGĐ"] == "household_code"
    assert mapping_of(WARD_A, "people") is None

    preview = client.get(f"/imports/uploads/{token}/preview")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "RS-WEB-1" in text and "Phân loại hộ" in text

    # The check: every row, nothing written, problems by row and by the file's own header.
    response = client.post(f"/imports/uploads/{token}/check")
    check = job_of(response)
    assert check.kind == "poverty_import" and check.status is JobStatus.DONE, check.error
    assert (check.result["rows"], check.result["valid"], check.result["invalid"]) == (4, 2, 2)
    assert check.result["created"] == 2
    where = {(p["row"], p["header"]) for p in check.result["problems"]}
    # Title and header are rows 1-2: the bad status is row 5, the other ward's household row 6.
    assert (5, "Kết quả rà soát") in where and (6, "Mã HGĐ") in where
    assert all(status_of(h) is None for h in [*homes, elsewhere])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-row="5"' in page and 'data-row="6"' in page
    assert 'data-testid="import-valid"' in page and 'data-testid="import-all"' not in page
    assert client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"}).status_code == 409

    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post(f"/imports/jobs/{check.id}/import", data={"mode": "valid_only"})
    imported = job_of(response)
    assert imported.kind == "poverty_import" and imported.status is JobStatus.DONE
    assert imported.result["written"] and imported.result["created"] == 2
    assert status_of(homes[0]).status is PovertyStatus.POOR
    assert status_of(homes[0]).income_per_head == 1_400_000
    assert status_of(homes[1]).status is PovertyStatus.NEAR_POOR
    assert status_of(homes[2]) is None and status_of(elsewhere) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-done"' in page

    # Audited as the CLI import is: one POVERTY_SET per household, and one summary.
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).offset(events_before)
    ).all()
    set_events = [e for e in events if e.action == AuditAction.POVERTY_SET]
    assert {e.subject_id for e in set_events} == {str(homes[0].id), str(homes[1].id)}
    assert all(e.details["import"] and e.details["review_year"] == 2025 for e in set_events)
    summary = [e for e in events if e.action == AuditAction.POVERTY_IMPORT]
    assert len(summary) == 1 and summary[0].details["source"] == "ra-soat-2025.xlsx"
    assert summary[0].unit_id == factories.unit(WARD_A).id
    assert verify_chain()[1] is None

    workbook = client.get(f"/imports/jobs/{imported.id}/errors")
    assert workbook.status_code == 200
    sheet_rows = list(
        load_workbook(io.BytesIO(workbook.data)).worksheets[0].iter_rows(values_only=True)
    )
    assert ERROR_HEADER in sheet_rows[0]
    assert sorted(r[1] for r in sheet_rows[1:]) == ["RS-WEB-2", "RS-WEB-B"]


def test_mappings_are_remembered_per_commune_and_per_kind_of_list(client, login, homes):
    login("commune_a")
    people_token = token_of(upload(client, commune_file(good_rows())))
    assert (
        client.post(f"/imports/uploads/{people_token}/mapping", data=PEOPLE_MAPPED).status_code
        == 302
    )
    people_saved = dict(mapping_of(WARD_A, "people").mapping)

    review_token = token_of(
        review_upload(client, review_file([[1, "RS-WEB-0", "A", "Nghèo", 2025, None, None]]))
    )
    # A people mapping does not pre-fill a review list, though both have "Mã HGĐ".
    page = client.get(f"/imports/uploads/{review_token}/mapping").get_data(as_text=True)
    assert not re.search(r'name="col-1".*?value="household_code" selected', page, re.S)
    assert (
        client.post(
            f"/imports/uploads/{review_token}/mapping", data={**MAPPED, "col-1": "household_code"}
        ).status_code
        == 302
    )
    assert mapping_of(WARD_A, "people").mapping == people_saved  # untouched
    assert mapping_of(WARD_A, "poverty").mapping["TNBQ"] == "income_per_head"
    saves = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.IMPORT_MAPPING_SAVE)
    ).all()
    assert [e.details["kind"] for e in saves] == ["people", "poverty"]

    # Each kind's next file comes mapped from its own kind's mapping.
    again = token_of(
        review_upload(client, review_file([[1, "RS-WEB-1", "B", "Nghèo", 2025, None, None]]))
    )
    page = client.get(f"/imports/uploads/{again}/mapping").get_data(as_text=True)
    assert re.search(r'name="col-5".*?value="income_per_head" selected', page, re.S)
    assert 'data-testid="missing-columns"' not in page
    people_again = token_of(upload(client, commune_file(good_rows("HUE-WEB-9"))))
    page = client.get(f"/imports/uploads/{people_again}/mapping").get_data(as_text=True)
    assert re.search(r'name="col-0".*?value="household_code" selected', page, re.S)
    assert 'value="income_per_head"' not in page
    assert PEOPLE_HEADER[0] == "Mã HGĐ"


def test_a_commune_officer_cannot_touch_another_communes_households(
    client,
    login,
    homes,
    elsewhere,
    web_import,  # noqa: F811
):
    login("commune_a")
    rows = [[1, "RS-WEB-B", "Phạm Văn D", "Nghèo", 2025, None, None]]
    # Not into another ward: the upload is refused and nothing is kept.
    refused = review_upload(client, review_file(rows), commune=WARD_B)
    assert refused.status_code == 422
    assert not web_import.exists() or not any(web_import.iterdir())
    # Not by naming its household in a list for their own ward: the row is refused.
    token = token_of(review_upload(client, review_file(rows)))
    client.post(f"/imports/uploads/{token}/mapping", data=MAPPED)
    check = job_of(client.post(f"/imports/uploads/{token}/check"))
    assert check.result["valid"] == 0 and {p["column"] for p in check.result["problems"]} == {
        "household_code"
    }
    assert client.post(f"/imports/jobs/{check.id}/import", data={"mode": "all"}).status_code == 409
    assert status_of(elsewhere) is None
    # The other ward's officer sees neither the upload nor the job.
    client.post("/logout")
    login("commune_b")
    assert client.get(f"/imports/uploads/{token}/mapping").status_code == 404
    assert client.get(f"/imports/jobs/{check.id}").status_code == 404
    assert (
        client.post(f"/imports/jobs/{check.id}/import", data={"mode": "valid_only"}).status_code
        == 404
    )
    # The job pages list the review list as such.
    client.post("/logout")
    login("commune_a")
    page = client.get("/imports/").get_data(as_text=True)
    assert "ra-soat-2025.xlsx" in page
