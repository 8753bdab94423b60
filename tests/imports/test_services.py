"""The import use case on a real database: all or nothing, duplicates, scope, audit."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.errors import PermissionDeniedError
from registry.extensions import db
from registry.households.models import Household, HouseholdPovertyStatus, PovertyStatus
from registry.imports.errors_workbook import ERROR_HEADER, write_errors_workbook
from registry.imports.planning import OnDuplicate
from registry.imports.reading import read_sheet
from registry.imports.services import import_people
from registry.people.identity import read_cccd
from registry.people.models import (
    Circumstance,
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    MeritRecord,
    PaymentAccount,
    Person,
    Relation,
    Sex,
)
from registry.people.queries import find_by_cccd
from tests import factories
from tests.conftest import WARD_A, WARD_B
from tests.imports.helpers import person_row, template_xlsx


def run(data: bytes, actor, today, cipher, name: str = "list.xlsx", **options):
    sheet = read_sheet(data, name)
    return sheet, import_people(
        sheet, actor=actor, today=today, cipher=cipher, source=name, **options
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def family(code: str = "HUE-IMP-1") -> list[dict]:
    return [
        person_row(
            code,
            "Trần Văn Đức",
            relation="Chủ hộ",
            year=1950,
            birth=1950,
            poverty_status="Hộ nghèo",
            poverty_year=2025,
            merit_category="thuong binh",
            injury_rate=61,
            bank_bin="970436",
            account_number="0071000123456",
        ),
        person_row(code, "Lê Thị Hoa", relation="Vợ", sex="Nữ", year=1955, disability="nặng"),
        person_row(
            code,
            "Trần Thị Mai",
            relation="con",
            sex="nu",
            year=2015,
            cccd=None,
            has_pension="không",
        ),
    ]


def test_template_rows_become_a_household_with_its_people_facts_and_audit(actor, today, cipher):
    officer = actor("commune_a")
    _, report = run(template_xlsx(family()), officer, today, cipher)
    assert report.problems == []
    assert (report.created, report.households_created, report.written) == (3, 1, True)
    household = db.session.scalar(select(Household).where(Household.code == "HUE-IMP-1"))
    assert household.commune.code == WARD_A and household.address == "Tổ 3, Thuận Hóa"
    assert household.head.full_name == "Trần Văn Đức" and household.head.relation is Relation.HEAD
    wife = db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hoa"))
    assert wife.sex is Sex.FEMALE and wife.birth_date == date(1955, 5, 17)
    assert wife.circumstances[0].disability_level is DisabilityLevel.SEVERE
    head = household.head
    assert head.birth_date is None and head.birth_year == 1950
    assert head.merit_records[0].category is MeritCategory.WAR_INVALID
    assert head.merit_records[0].injury_rate == 61
    status = household.poverty_on(date(2026, 6, 1))
    assert status is not None and status.status is PovertyStatus.POOR
    account = db.session.scalar(select(PaymentAccount).where(PaymentAccount.person_id == head.id))
    assert account.bank_bin == "970436" and account.is_active
    assert (
        find_by_cccd(
            read_cccd(head, actor=officer, cipher=cipher, purpose="export"),
            actor=officer,
            cipher=cipher,
        ).id
        == head.id
    )
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count(AuditAction.PERSON_CREATE) >= 3
    assert AuditAction.PEOPLE_IMPORT in actions
    checked, broken = verify_chain()
    assert broken is None and checked == len(actions)


def test_one_bad_row_stops_the_whole_file_and_names_row_and_column(actor, today, cipher):
    rows = family()
    rows[1]["cccd"] = "046055012345"  # a woman's row with a man's digit 4 (0)
    rows[2]["birth_date"] = "31/02/2015"
    before = count(Person)
    _, report = run(template_xlsx(rows), actor("commune_a"), today, cipher)
    assert not report.written and report.created == 0
    where = {(p.line, p.column) for p in report.problems}
    assert (4, "cccd") in where and (5, "birth_date") in where
    assert count(Person) == before
    assert db.session.scalar(select(Household).where(Household.code == "HUE-IMP-1")) is None


def test_valid_only_imports_the_good_households_and_returns_the_bad_rows_as_a_workbook(
    actor, today, cipher
):
    rows = [
        *family("HUE-GOOD"),
        person_row(
            "HUE-BAD", "Phạm Văn Nam", relation="Chủ hộ", sex="Nam", year=1970, cccd="12345"
        ),
        person_row("HUE-BAD", "Phạm Thị Lan", relation="Con", sex="Nữ", year=2000),
    ]
    sheet, report = run(template_xlsx(rows), actor("commune_a"), today, cipher, valid_only=True)
    assert report.written and report.created == 3
    assert report.rejected_lines == [6, 7]  # the bad head, and her child who waits for her
    assert db.session.scalar(select(Household).where(Household.code == "HUE-BAD")) is None
    workbook = load_workbook(
        io.BytesIO(write_errors_workbook(sheet, report.problems, lambda p: p.render()))
    )
    cells = list(workbook.active.iter_rows(values_only=True))
    assert cells[0][-1] == ERROR_HEADER and cells[1][0] == "household_code"
    assert [r[3] for r in cells[2:]] == ["Phạm Văn Nam", "Phạm Thị Lan"]
    assert "12 digits" in cells[2][-1] and "row 6" in cells[3][-1]


def test_reimport_updates_or_skips_and_never_duplicates(actor, today, cipher):
    officer = actor("commune_a")
    rows = family()
    run(template_xlsx(rows), officer, today, cipher)
    people = count(Person)
    _, again = run(template_xlsx(rows), officer, today, cipher)
    assert (again.created, again.updated, again.unchanged) == (1, 0, 2)  # the child has no CCCD
    assert count(Person) == people + 1
    rows[1]["full_name"] = "Lê Thị Hòa"
    rows[1]["disability"] = "đặc biệt nặng"
    rows[0]["account_number"] = "0071000999999"
    rows = rows[:2]
    _, skipped = run(template_xlsx(rows), officer, today, cipher, on_duplicate=OnDuplicate.SKIP)
    assert (skipped.created, skipped.updated, skipped.skipped) == (0, 0, 2)
    assert db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hòa")) is None
    _, updated = run(template_xlsx(rows), officer, today, cipher)
    assert (updated.created, updated.updated) == (0, 2)
    wife = db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hòa"))
    open_levels = [c.disability_level for c in wife.circumstances if c.ended_on is None]
    assert open_levels == [DisabilityLevel.ESPECIALLY_SEVERE]  # same day: corrected in place
    head = db.session.scalar(select(Person).where(Person.full_name == "Trần Văn Đức"))
    accounts = db.session.scalars(
        select(PaymentAccount).where(PaymentAccount.person_id == head.id)
    ).all()
    assert sorted(a.is_active for a in accounts) == [False, True]
    assert count(Person) == people + 1
    assert verify_chain()[1] is None


def test_a_later_disability_assessment_closes_the_open_one(actor, today, cipher):
    officer = actor("commune_a")
    rows = family()
    run(template_xlsx(rows), officer, today, cipher)
    rows[1]["disability"] = "nhẹ"
    later = date(2027, 1, 5)
    _, report = run(template_xlsx(rows[:2]), officer, later, cipher)
    assert report.updated == 1
    wife = db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hoa"))
    periods = sorted((c.started_on, c.ended_on, c.disability_level) for c in wife.circumstances)
    assert periods == [
        (today, date(2027, 1, 4), DisabilityLevel.SEVERE),
        (later, None, DisabilityLevel.MILD),
    ]


def test_rows_without_cccd_like_a_registered_person_are_created_and_flagged(actor, today, cipher):
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=today, code="HUE-OLD")
    known = factories.person(
        actor=officer,
        today=today,
        household=home,
        full_name="Nguyễn Văn Đức",
        birth_date=date(1990, 5, 17),
    )
    rows = [
        person_row("HUE-NEW", "NGUYEN VAN DUC", relation="Chủ hộ", year=1990, cccd=None),
        person_row("HUE-NEW", "Nguyễn Văn Đức", relation="Con", year=1990, cccd=None, birth=1990),
    ]
    _, report = run(template_xlsx(rows), officer, today, cipher)
    assert report.created == 2
    suspects = {(s.line, s.person_id) for s in report.suspected_duplicates}
    assert suspects == {(3, known.id), (4, known.id)}


def test_a_cccd_typed_as_a_number_gets_its_leading_zero_back(actor, today, cipher):
    number = factories.cccd("male", 1980)
    rows = [person_row("HUE-NUM", "Võ Văn An", relation="Chủ hộ", year=1980, cccd=int(number))]
    officer = actor("commune_a")
    _, report = run(template_xlsx(rows), officer, today, cipher)
    assert report.problems == [] and report.created == 1
    assert find_by_cccd(number, actor=officer, cipher=cipher) is not None


def test_the_same_cccd_twice_in_a_file_is_an_error_on_both_rows(actor, today, cipher):
    number = factories.cccd("male", 1980)
    rows = [
        person_row("HUE-2", "Võ Văn An", relation="Chủ hộ", year=1980, cccd=number),
        person_row("HUE-2", "Võ Văn Bình", relation="Anh", year=1980, cccd=number),
    ]
    _, report = run(template_xlsx(rows), actor("commune_a"), today, cipher)
    assert {(p.line, p.column) for p in report.problems} >= {(3, "cccd"), (4, "cccd")}


def test_rows_of_a_household_must_agree_and_have_one_head(actor, today, cipher):
    rows = [
        person_row("HUE-3", "Võ Văn An", relation="Chủ hộ", year=1980),
        person_row("HUE-3", "Võ Thị Bé", relation="Chủ hộ", sex="Nữ", year=1982, address="Tổ 9"),
        person_row("HUE-4", "Hồ Văn Cảnh", relation="Con", year=2001),
    ]
    _, report = run(template_xlsx(rows), actor("commune_a"), today, cipher)
    problems = {(p.line, p.column) for p in report.problems}
    assert (4, "address") in problems
    assert (3, "relation_to_head") in problems and (4, "relation_to_head") in problems
    assert (5, "relation_to_head") in problems  # HUE-4 has no head


def test_a_commune_officer_cannot_import_into_another_ward(actor, today, cipher):
    rows = [person_row("HUE-B", "Đặng Văn Lộc", relation="Chủ hộ", commune=WARD_B)]
    _, report = run(template_xlsx(rows), actor("commune_a"), today, cipher)
    assert [(p.line, p.column) for p in report.problems] == [(3, "commune_code")]
    assert "outside your area" in report.problems[0].problem.render()
    other = actor("commune_b")
    home = factories.household(WARD_B, actor=other, today=today, code="HUE-B-OLD")
    factories.person(
        actor=other, today=today, household=home, cccd_number=(n := factories.cccd("male", 1990))
    )
    rows = [
        person_row("HUE-B-OLD", "Đặng Văn Lộc", relation="Con", commune=None),
        person_row("HUE-A", "Đặng Văn Lợi", relation="Chủ hộ", cccd=n),
    ]
    _, report = run(template_xlsx(rows), actor("commune_a"), today, cipher)
    assert {(p.line, p.column) for p in report.problems} >= {(3, "household_code"), (4, "cccd")}
    assert (
        count(Household) == 1
        or db.session.scalar(select(Household).where(Household.code == "HUE-A")) is None
    )


def test_an_auditor_cannot_import(actor, today, cipher):
    with pytest.raises(PermissionDeniedError):
        run(template_xlsx(family()), actor("auditor"), today, cipher)


def test_new_members_join_a_registered_household(actor, today, cipher):
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=today, code="HUE-OLD")
    head = factories.person(actor=officer, today=today, household=home)
    rows = [
        person_row(
            "HUE-OLD",
            "Nguyễn Thị Bé",
            relation="Con",
            sex="Nữ",
            year=2020,
            commune=None,
            address=None,
        )
    ]
    _, report = run(template_xlsx(rows), officer, today, cipher)
    assert report.problems == [] and report.created == 1
    db.session.expire_all()
    assert sorted(p.full_name for p in home.members) == sorted([head.full_name, "Nguyễn Thị Bé"])
    rows[0]["relation_to_head"] = "Chủ hộ"
    rows[0]["full_name"] = "Nguyễn Thị Bé Hai"
    rows[0]["cccd"] = None
    _, report = run(template_xlsx(rows), officer, today, cipher)
    assert [p.column for p in report.problems] == ["relation_to_head"]


def test_a_failure_while_writing_leaves_nothing(actor, today, cipher, monkeypatch):
    import registry.imports.writing as writing

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "record_events", broken)
    people, events = count(Person), count(AuditEvent)
    savepoint = db.session.begin_nested()
    with pytest.raises(RuntimeError):
        run(template_xlsx(family()), actor("commune_a"), today, cipher)
    savepoint.rollback()
    assert (count(Person), count(AuditEvent), count(Circumstance), count(MeritRecord)) == (
        people,
        events,
        0,
        0,
    )
    assert count(HouseholdPovertyStatus) == 0
    assert CircumstanceKind.DISABILITY  # the kinds imported are the ones the engine reads


def test_skipped_rows_write_nothing_not_even_their_new_household_code(actor, today, cipher):
    officer = actor("commune_a")
    rows = family()
    run(template_xlsx(rows), officer, today, cipher)
    moved = [dict(rows[0], household_code="HUE-ELSEWHERE")]
    _, report = run(template_xlsx(moved), officer, today, cipher, on_duplicate=OnDuplicate.SKIP)
    assert (report.skipped, report.created, report.households_created) == (1, 0, 0)
    assert db.session.scalar(select(Household).where(Household.code == "HUE-ELSEWHERE")) is None
    _, report = run(template_xlsx(moved), officer, today, cipher)
    assert [(p.line, p.column) for p in report.problems] == [(3, "household_code")]


def test_a_dead_persons_row_is_not_updated_by_an_import(actor, today, cipher):
    from registry.people.services import record_death

    officer = actor("commune_a")
    rows = family()
    run(template_xlsx(rows), officer, today, cipher)
    wife = db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hoa"))
    record_death(wife, died_on=date(2026, 10, 1), actor=officer, today=today)
    _, report = run(template_xlsx(rows[1:2]), officer, today, cipher)
    assert [(p.line, p.column) for p in report.problems] == [(3, "cccd")]
    _, report = run(template_xlsx(rows[1:2]), officer, today, cipher, on_duplicate=OnDuplicate.SKIP)
    assert report.skipped == 1 and report.problems == []


def test_a_dry_run_counts_without_writing(actor, today, cipher):
    _, report = run(template_xlsx(family()), actor("commune_a"), today, cipher, dry_run=True)
    assert (report.created, report.households_created, report.written) == (3, 1, False)
    assert db.session.scalar(select(Household).where(Household.code == "HUE-IMP-1")) is None
