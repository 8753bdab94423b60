"""The annual poverty review import: template, row checks, the year's statuses, audit, CLI."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import event, func, insert, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.errors import PermissionDeniedError, RegistryError
from registry.extensions import db
from registry.households.models import Area, Household, HouseholdPovertyStatus, PovertyStatus
from registry.households.services import set_poverty_status
from registry.imports.poverty_columns import POVERTY_COLUMNS
from registry.imports.poverty_services import import_poverty_review
from registry.imports.poverty_template import write_poverty_template
from registry.imports.poverty_validation import check_poverty_rows, deprivation_codes
from registry.imports.reading import Sheet, SourceRow, read_sheet
from registry.people.names import name_key
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B
from tests.imports.helpers import csv_bytes

KEYS = POVERTY_COLUMNS.keys


def review_row(code: str, status: str = "Nghèo", **cells: Any) -> dict[str, Any]:
    """One row as an officer types it into the template."""
    return {"household_code": code, "poverty_status": status, "review_year": 2025, **cells}


def template_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(write_poverty_template()))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(data: bytes, officer, name: str = "ra-soat.xlsx", **options):
    sheet = read_sheet(data, name, columns=POVERTY_COLUMNS)
    return import_poverty_review(sheet, actor=officer, today=TODAY, source=name, **options)


def status_of(household: Household, year: int = 2025) -> HouseholdPovertyStatus | None:
    return db.session.scalar(
        select(HouseholdPovertyStatus).where(
            HouseholdPovertyStatus.household_id == household.id,
            HouseholdPovertyStatus.review_year == year,
        )
    )


def statuses() -> int:
    return db.session.scalar(select(func.count()).select_from(HouseholdPovertyStatus)) or 0


@pytest.fixture()
def officer(actor):
    return actor("commune_a")


@pytest.fixture()
def homes(officer):
    return [
        factories.household(WARD_A, actor=officer, today=TODAY, code=f"RS-{n}") for n in range(3)
    ]


def test_the_template_has_the_review_columns_keys_and_a_guide_with_the_indicators():
    book = load_workbook(io.BytesIO(write_poverty_template()))
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    data = book.worksheets[0]
    assert [c.value for c in data[2]] == list(KEYS)
    assert data["A1"].value == "Mã hộ *"
    guide_text = {c.value for row in book.worksheets[1].iter_rows() for c in row}
    assert {"health_insurance", "Bảo hiểm y tế"} <= guide_text


def test_deprivation_codes_accept_commas_semicolons_case_and_spaces():
    assert deprivation_codes("water; Health insurance,latrine ;water") == (
        "water",
        "health_insurance",
        "latrine",
    )
    assert deprivation_codes("  ") == ()


def test_the_list_sets_each_households_status_for_the_following_year_with_audit(officer, homes):
    rows = [
        review_row(
            "RS-0",
            "Hộ nghèo",
            area="Thành thị",
            income_per_head="1.400.000",
            deprivations="water; latrine, health_insurance",
            decision_number="45/QĐ-UBND",
            decision_on="15/12/2025",
        ),
        review_row("RS-1", "can ngheo", income_per_head=1_800_000.0),
        review_row("RS-2", "Không"),
    ]
    report = run(template_xlsx(rows), officer)
    assert report.problems == []
    assert (report.created, report.updated, report.unchanged, report.written) == (3, 0, 0, True)
    first = status_of(homes[0])
    assert first is not None
    assert first.status is PovertyStatus.POOR and first.area is Area.URBAN
    assert first.income_per_head == 1_400_000
    assert first.deprivations == ["health_insurance", "latrine", "water"]
    assert (first.decision_number, first.decision_on) == ("45/QĐ-UBND", date(2025, 12, 15))
    assert (first.valid_from, first.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert homes[0].poverty_on(date(2026, 6, 1)) is first
    # Phường Thuận Hóa is a ward: a blank area is urban, as the people import decides.
    assert status_of(homes[1]).area is Area.URBAN
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.POVERTY_SET)
    ).all()
    imported = [e for e in events if e.details.get("import")]
    assert {e.subject_id for e in imported} == {str(h.id) for h in homes}
    assert all(e.details["review_year"] == 2025 for e in imported)
    summary = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.POVERTY_IMPORT)
    )
    assert summary.details["created"] == 3 and summary.details["review_years"] == [2025]
    assert verify_chain()[1] is None


def test_a_recorded_status_is_corrected_or_left_unchanged_and_keeps_what_the_list_lacks(
    officer, homes
):
    kept = set_poverty_status(
        homes[0],
        review_year=2025,
        status=PovertyStatus.NEAR_POOR,
        area=Area.RURAL,
        is_especially_difficult_area=True,
        actor=officer,
        today=TODAY,
    )
    set_poverty_status(
        homes[1], review_year=2025, status=PovertyStatus.POOR, area=Area.URBAN, actor=officer,
        today=TODAY,
    )  # fmt: skip
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    report = run(template_xlsx([review_row("RS-0", "Nghèo"), review_row("RS-1", "Nghèo")]), officer)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    db.session.refresh(kept)
    # The list carries neither the area nor the especially-difficult flag: both are kept.
    assert (kept.status, kept.area, kept.is_especially_difficult_area) == (
        PovertyStatus.POOR,
        Area.RURAL,
        True,
    )
    after = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert after == before + 2  # one POVERTY_SET for the corrected household, one summary


def test_row_problems_stop_the_whole_list_unless_valid_only(actor, officer, homes):
    other = factories.household(WARD_B, actor=actor("commune_b"), today=TODAY, code="RS-B")
    rows = [
        review_row("RS-0"),
        review_row("RS-NONE"),
        review_row("RS-B"),
        review_row("RS-1", deprivations="water, wifi"),
        review_row("RS-2", income_per_head="nhiều"),
        review_row("RS-2", "Cận nghèo", review_year=1999),
        review_row("RS-0", "Cận nghèo", decision_on="01/01/2030"),
        {"household_code": "RS-1", "review_year": 2025},
    ]
    data = template_xlsx(rows)
    report = run(data, officer)
    assert not report.written and statuses() == 0
    by_line = {(p.line, p.column): p.problem.render() for p in report.problems}
    assert "No household with code RS-NONE is registered." in by_line[(4, "household_code")]
    assert "outside your area" in by_line[(5, "household_code")]
    assert by_line[(6, "deprivations")] == "Unknown deprivation indicators: wifi."
    assert (7, "income_per_head") in by_line
    assert (8, "review_year") in by_line
    assert "also on row 9" in by_line[(3, "household_code")]
    assert (9, "decision_on") in by_line
    assert by_line[(10, "poverty_status")] == "This field is required."
    assert status_of(other) is None

    report = run(data, officer, valid_only=True)
    assert report.written and report.created == 0  # RS-0 and RS-1 rows all had problems
    report = run(
        template_xlsx([review_row("RS-1"), review_row("RS-NONE")]), officer, valid_only=True
    )
    assert (report.created, report.rejected_lines) == (1, [4])
    assert status_of(homes[1]).status is PovertyStatus.POOR


def test_a_dry_run_counts_and_writes_nothing(officer, homes):
    report = run(template_xlsx([review_row("RS-0"), review_row("RS-1")]), officer, dry_run=True)
    assert (report.created, report.written) == (2, False)
    assert statuses() == 0


def test_a_role_without_the_poverty_permission_is_refused(actor, homes):
    with pytest.raises(PermissionDeniedError):
        run(template_xlsx([review_row("RS-0")]), actor("auditor"))


def test_a_csv_with_the_offices_own_headers_is_read(officer, homes):
    data = csv_bytes(
        ["Mã hộ gia đình", "Kết quả rà soát", "Năm rà soát hộ nghèo", "Thiếu hụt"],
        [["RS-0", "HN", "2025", "water, latrine, nutrition"]],
        sep=";",
    )
    report = run(data, officer, name="ds.csv")
    assert report.created == 1 and status_of(homes[0]).deprivations == [
        "latrine",
        "nutrition",
        "water",
    ]


# --- size: a commune's whole list is written set-based ------------------------------------


def test_a_large_list_is_written_in_a_bounded_number_of_statements(officer):
    ward = factories.unit(WARD_A)
    codes = [f"BIG-{n:05d}" for n in range(3000)]
    db.session.execute(
        insert(Household),
        [
            {
                "id": uuid.uuid4(),
                "code": code,
                "commune_id": ward.id,
                "address": "Tổ 1",
                "address_key": name_key("Tổ 1"),
            }
            for code in codes
        ],
    )
    rows = tuple(
        SourceRow(n + 3, (code, "Nghèo" if n % 2 else "Cận nghèo", None, 1_200_000, "water", 2025))
        for n, code in enumerate(codes)
    )
    sheet = Sheet((KEYS,), {key: i for i, key in enumerate(KEYS[:6])}, rows)
    statements = []
    engine = db.session.get_bind().engine

    def count(*args: Any) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = import_poverty_review(sheet, actor=officer, today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (report.created, report.problems) == (3000, [])
    # Look-ups in chunks of 500, inserts and audit events in chunks of 5,000: not one per row.
    assert len(statements) < 40, len(statements)
    assert statuses() == 3000


# --- property: malformed cells give row problems, never a crash or a partial write ---------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)
_ANY = st.one_of(
    st.none(),
    _TEXT,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)
_PLAUSIBLE = {
    "household_code": st.sampled_from(["RS-0", "RS-1", "RS-NONE", " RS-2 ", 7]),
    "poverty_status": st.sampled_from(["Nghèo", "can ngheo", "HN", "giàu", None]),
    "area": st.sampled_from(["Nông thôn", "thanh thi", "biển", None]),
    "income_per_head": st.sampled_from([1_500_000, "1.500.000", "-5", 10**12, 1.5, None]),
    "deprivations": st.sampled_from(["water", "water;latrine", "wifi", ";;", None]),
    "review_year": st.sampled_from([2025, "2025", 1999, 2030, 2025.5, None]),
    "decision_number": st.sampled_from(["12/QĐ", "x" * 90, None]),
    "decision_on": st.sampled_from(["15/12/2025", "31/02/2025", "01/01/2030", None]),
}
_ROW = st.tuples(*(st.one_of(_PLAUSIBLE[key], _ANY) for key in KEYS))


def _sheet(rows: list[tuple]) -> Sheet:
    columns = {key: index for index, key in enumerate(KEYS)}
    return Sheet((KEYS,), columns, tuple(SourceRow(i + 3, r) for i, r in enumerate(rows)))


@settings(max_examples=200, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=6))
def test_the_row_checks_give_typed_rows_or_row_problems_for_any_cells(rows):
    for row in check_poverty_rows(_sheet(rows), today=TODAY):
        for problem in row.problems:
            assert problem.column in KEYS
            problem.problem.render()
        if not row.problems:
            assert row.household_code and row.status is not None and row.review_year


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(_ROW, min_size=1, max_size=6))
def test_malformed_lists_give_only_row_problems_and_write_nothing(officer, homes, rows):
    savepoint = db.session.begin_nested()
    try:
        before_statuses = statuses()
        before_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        report = import_poverty_review(_sheet(rows), actor=officer, today=TODAY)
        db.session.flush()
        if report.problems:
            assert not report.written
            assert all(p.line >= 3 and p.column in KEYS for p in report.problems)
            assert statuses() == before_statuses
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before_events
        else:
            assert report.written
            assert statuses() == before_statuses + report.created
    except RegistryError as error:  # pragma: no cover - the property says this never happens
        pytest.fail(f"raised {error!r} instead of row problems")
    finally:
        savepoint.rollback()


# --- CLI ------------------------------------------------------------------------------------


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["households", *args])


def test_the_template_command_writes_the_workbook(app, session, tmp_path: Path):
    out = tmp_path / "mau-ra-soat.xlsx"
    result = invoke(app, "poverty-template", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0]["A2"].value == "household_code"


def test_the_import_command_reports_json_writes_errors_and_acts_in_the_users_area(
    app, session, homes, tmp_path: Path
):
    db.session.commit()  # the command rolls back its own refused run: keep the households
    source = tmp_path / "ra-soat.xlsx"
    source.write_bytes(template_xlsx([review_row("RS-0"), review_row("RS-1", "vua")]))
    result = invoke(app, "import-poverty", str(source), "--json", "--as", "commune_a")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["written"] is False
    assert report["errors"][0]["row"] == 4 and report["errors"][0]["column"] == "poverty_status"
    errors_out = tmp_path / "loi.xlsx"
    result = invoke(
        app,
        "import-poverty",
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
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 0, 0)
    errors = load_workbook(errors_out).worksheets[0]
    assert errors.cell(3, 1).value == "RS-1" and "vua" in errors.cell(3, len(KEYS) + 1).value
    result = invoke(app, "import-poverty", str(source), "--dry-run", "--valid-only")
    assert result.exit_code == 0 and "Would set poverty statuses: 0 new" in result.output
