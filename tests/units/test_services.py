"""The dated tree of administrative units and the scope it gives each actor."""

from datetime import date

import pytest
from sqlalchemy import select

from registry.auth.actors import Actor
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.units.models import AdminUnit, UnitLevel
from registry.units.scope import communes_in_scope
from registry.units.services import find_unit, load_units
from tests.conftest import WARD_A

HEADER = "code,name,level,parent_code,valid_from,valid_to\n"


def test_a_code_names_a_different_unit_before_and_after_the_2025_merger(session):
    before = find_unit("19789", on=date(2024, 6, 1))
    after = find_unit("19789", on=date(2025, 7, 1))
    assert before.id != after.id
    assert before.parent.level is UnitLevel.DISTRICT and after.parent.code == "46"


def test_unknown_or_expired_codes_are_not_found(session):
    with pytest.raises(NotFoundError):
        find_unit("99999", on=date(2026, 1, 1))
    with pytest.raises(NotFoundError):
        find_unit("474", on=date(2026, 1, 1))  # districts ended on 30/6/2025


def test_loading_the_same_file_again_changes_nothing(session):
    from registry.units.cli import BUNDLED

    text = (BUNDLED / "46-hue.csv").read_text(encoding="utf-8")
    count = len(db.session.scalars(select(AdminUnit)).all())
    report = load_units(text, source="46-hue.csv", actor=Actor.system("tests"))
    assert report.created == 0 and report.updated == count


def test_children_may_come_before_their_parents_in_the_file(session):
    text = HEADER + "99001,Xã Thử,commune,99,2025-07-01,\n99,Tỉnh Thử,province,,2025-07-01,\n"
    assert load_units(text, source="t.csv", actor=Actor.system("tests")).created == 2
    assert find_unit("99001", on=date(2026, 1, 1)).parent.code == "99"


@pytest.mark.parametrize(
    "row",
    [
        "99001,Xã Thử,commune,98,2025-07-01,",
        "ab,Xã Thử,commune,46,2025-07-01,",
        "99001,Xã,hamlet,46,2025-07-01,",
        "99001,Xã,commune,46,1/7/2025,",
        "99001,Xã,commune,,2025-07-01,",
    ],
)
def test_a_bad_row_rejects_the_whole_file(session, row):
    before = len(db.session.scalars(select(AdminUnit)).all())
    with pytest.raises(ValidationError) as caught:
        load_units(
            HEADER + "99,Tỉnh Thử,province,,2025-07-01,\n" + row + "\n",
            source="t.csv",
            actor=Actor.system("tests"),
        )
    assert "t.csv" in caught.value.render()
    db.session.rollback()
    assert len(db.session.scalars(select(AdminUnit)).all()) == before


def test_scope_of_a_commune_officer_is_their_commune_and_of_a_province_officer_all(session, actor):
    ward = [u.code for u in db.session.scalars(communes_in_scope(actor("commune_a")))]
    assert ward == [WARD_A]
    province = {u.code for u in db.session.scalars(communes_in_scope(actor("labour")))}
    assert WARD_A in province and len(province) > 8
