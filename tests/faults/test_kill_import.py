"""An import killed mid-write leaves no one from the file (one transaction), and importing
the file again writes everyone exactly once.

The pause point ``import-write`` stops ``flask people import`` after the first chunk of
people is inserted and before the commit.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.households.models import Household
from registry.people.models import Person
from tests.faults.conftest import Registry
from tests.imports.helpers import person_row, template_xlsx

HOUSEHOLDS = 1000  # three people each


def _file(registry: Registry):
    rows = []
    for number in range(HOUSEHOLDS):
        code = f"F-{number:04d}"
        rows += [
            person_row(code, f"Trần Văn An {number}", relation="Chủ hộ", year=1960),
            person_row(code, f"Lê Thị Bình {number}", relation="Vợ", sex="Nữ", year=1962),
            person_row(code, f"Trần Văn Cường {number}", relation="Con", year=1990),
        ]
    path = registry.workdir / "danh-sach.xlsx"
    path.write_bytes(template_xlsx(rows))
    return path


def _imported(registry: Registry) -> tuple[int, int, int, int]:
    """(people of the file, distinct CCCDs among them, their households, import events)."""
    with registry.app():
        of_file = (
            select(Person)
            .join(Household, Person.household_id == Household.id)
            .where(Household.code.like("F-%"))
            .subquery()
        )
        people, cccds = db.session.execute(
            select(func.count(), func.count(of_file.c.cccd_index.distinct()))
        ).one()
        households = db.session.scalar(
            select(func.count()).where(Household.code.like("F-%")).select_from(Household)
        )
        events = db.session.scalar(
            select(func.count()).where(AuditEvent.action == AuditAction.PEOPLE_IMPORT)
        )
    return people, cccds, households, events


def test_a_killed_import_writes_no_one_and_the_rerun_imports_everyone_once(registry: Registry):
    source = _file(registry)
    with registry.app():
        people_before = db.session.scalar(select(func.count()).select_from(Person))

    registry.start("people", "import", str(source), pause="import-write").kill()
    assert _imported(registry) == (0, 0, 0, 0)
    with registry.app():
        assert db.session.scalar(select(func.count()).select_from(Person)) == people_before
    registry.integrity()

    report = json.loads(registry.run("people", "import", str(source), "--json").stdout)
    assert report["created"] == 3 * HOUSEHOLDS and report["errors"] == []
    assert _imported(registry) == (3 * HOUSEHOLDS, 3 * HOUSEHOLDS, HOUSEHOLDS, 1)
    registry.integrity()
