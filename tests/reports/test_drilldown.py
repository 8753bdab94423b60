"""The lists behind the numbers: as many rows as the number, the right people, in scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.errors import NotFoundError
from registry.extensions import db
from registry.households.models import Household, PovertyStatus
from registry.people.models import Person
from registry.reports.drilldown import SUBJECTS, households_behind, people_behind
from registry.reports.indicators import build_report, indicators_for
from tests import factories
from tests.conftest import TODAY, WARD_A, WARD_B
from tests.reports.dataset import OCT, build


@pytest.fixture()
def data(actor):
    return build(actor)


def behind(code: str, part: str, unit_code: str = WARD_A, month=OCT) -> list:
    stmt = people_behind(
        db.session, code=code, part=part, unit=factories.unit(unit_code), month=month
    )
    return list(db.session.scalars(stmt))


@pytest.mark.parametrize("unit_code", [WARD_A, WARD_B, "46"])
@pytest.mark.parametrize("month", [OCT, TODAY.replace(day=1)])
def test_every_list_holds_exactly_as_many_rows_as_its_number(data, unit_code, month):
    for indicator in indicators_for(db.session, unit=factories.unit(unit_code), month=month):
        for part in ("numerator", "denominator"):
            rows = behind(indicator.code, part, unit_code, month)
            assert len(rows) == getattr(indicator, part), (indicator.code, part)
            assert len({row.id for row in rows}) == len(rows)


def test_the_children_behind_the_numbers_are_the_hand_counted_ones(data):
    assisted = behind("children_u36_poor", "numerator")
    assert data.names(p.id for p in assisted) == {"c1", "c6"}
    children = behind("children_u36_poor", "denominator")
    assert data.names(p.id for p in children) == {"c1", "c2", "c3", "c6", "c8", "c14"}
    # Sorted as offices sort lists: by given name, then the full name.
    assert [p.full_name for p in children] == [
        "Lê Thị An",
        "Lê Thị Bình",
        "Lê Thị Cúc",
        "Lê Thị Hà",
        "Trần Thị Hoa",
        "Trần Thị Lan",
    ]


def test_the_elderly_behind_the_numbers_are_the_hand_counted_ones(data):
    elderly = behind("elderly_without_pension", "denominator")
    assert data.names(p.id for p in elderly) == {"e1", "e3", "e5", "e8", "e10", "e15"}
    receiving = behind("elderly_without_pension", "numerator", "46")
    assert data.names(p.id for p in receiving) == {"e1", "e3", "e13"}


def test_merit_families_are_listed_as_households_once_each(data):
    assert SUBJECTS["merit_families_poor"] == SUBJECTS["merit_families_allowance"] == "household"
    families = behind("merit_families_allowance", "denominator")
    assert all(isinstance(row, Household) for row in families)
    assert [h.code for h in families] == ["A-NCC-1", "A-NCC-2", "A-NCC-4", "A-NCC-5"]
    assert [h.code for h in behind("merit_families_allowance", "numerator")] == [
        "A-NCC-1",
        "A-NCC-5",
    ]
    assert [h.code for h in behind("merit_families_poor", "numerator")] == [
        "A-NCC-2",
        "A-NCC-4",
        "A-NCC-5",
    ]


def test_the_people_paid_without_cash_are_listed(data):
    paid = behind("cashless_share", "denominator")
    assert all(isinstance(row, Person) for row in paid)
    assert data.names(p.id for p in paid) == {"p1", "p2", "p3", "p4", "m1"}
    assert data.names(p.id for p in behind("cashless_share", "numerator", "46")) == {
        "p1",
        "p4",
        "p5",
    }


def test_a_wards_list_never_holds_anyone_of_another_ward(data):
    ward_b = {p.id for p in data.people.values() if p.commune.code == WARD_B}
    for code in SUBJECTS:
        rows = behind(code, "denominator", WARD_A)
        ids = {r.id for r in rows}
        assert not ids & ward_b
        if SUBJECTS[code] == "household":
            assert {r.commune.code for r in rows} == {WARD_A}


def test_an_unknown_indicator_or_part_is_not_found(data):
    with pytest.raises(NotFoundError):
        behind("no_such_indicator", "numerator")
    with pytest.raises(NotFoundError):
        behind("children_u36_poor", "everyone")


def test_the_households_behind_each_poverty_cell_add_up_to_it(data):
    province = factories.unit("46")
    report = build_report(db.session, unit=province, month=OCT, today=TODAY, office_name="")
    assert report.poverty
    for row in report.poverty:
        for status, number in (
            (PovertyStatus.POOR, row.poor),
            (PovertyStatus.NEAR_POOR, row.near_poor),
        ):
            stmt = households_behind(
                db.session,
                unit=province,
                commune_code=row.commune_code,
                review_year=row.review_year,
                status=status,
            )
            count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
            assert count == number, (row, status)


def test_the_poor_households_of_a_review_year_are_listed_by_code(data):
    rows = db.session.scalars(
        households_behind(
            db.session, unit=factories.unit(WARD_A), commune_code=WARD_A, review_year=2025,
            status="poor",
        )
    )  # fmt: skip
    assert [h.code for h in rows] == ["A-NCC-2", "A-NCC-4", "A-NGHEO-1", "A-THOAT-NGHEO"]


def test_another_wards_poverty_cell_is_empty_from_a_ward_and_a_bad_status_not_found(data):
    ward_a = factories.unit(WARD_A)
    stmt = households_behind(
        db.session, unit=ward_a, commune_code=WARD_B, review_year=2025, status=PovertyStatus.POOR
    )
    assert list(db.session.scalars(stmt)) == []
    with pytest.raises(NotFoundError):
        households_behind(
            db.session, unit=ward_a, commune_code=WARD_A, review_year=2025, status="rich"
        )
