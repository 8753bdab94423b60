"""The people import use case: check a whole file, then write it set-based in one transaction.

Nothing is written while any row has a problem, unless ``valid_only`` asks to write the
valid rows. Writes are executemany of plain rows in chunks (households, people,
circumstances, merit records, poverty statuses, payment accounts, audit events), under the
same invariants as the one-person services, whose checks the validation calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import aliased

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.extensions import db
from registry.households.models import Household
from registry.identity.crypto import FieldCipher
from registry.imports.planning import (
    Candidate,
    KnownHousehold,
    KnownPerson,
    OnDuplicate,
    Plan,
    Suspect,
    plan_import,
    suspected_duplicates,
)
from registry.imports.reading import Sheet
from registry.imports.validation import PersonRow, Reference, RowProblem, check_rows
from registry.imports.writing import write_plan
from registry.people.models import Person
from registry.people.names import name_key
from registry.units.models import AdminUnit, UnitLevel
from registry.units.scope import in_scope

#: Rows per IN list; well under SQLite's bound-parameter limit.
LOOKUP_CHUNK = 500
T = TypeVar("T")

#: ``progress(stage, done, total)``; stage is "check" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did, or would do: counts, suspected duplicates and every row problem."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0
    suspected_duplicates: list[Suspect] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: False when problems stopped the import (all-or-nothing) or on a dry run.
    written: bool = False

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_people(
    sheet: Sheet,
    *,
    actor: Actor,
    today: date,
    cipher: FieldCipher,
    source: str,
    on_duplicate: OnDuplicate = OnDuplicate.UPDATE,
    valid_only: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a commune's list of households and people (one row per person).

    Every cell is checked first. A CCCD already registered (found through its blind index,
    never by decrypting) updates that person or skips the row, as ``on_duplicate`` says; a
    row without CCCD that matches a registered person on unaccented name, birth and commune
    is created but listed as a suspected duplicate. With problems, nothing is written unless
    ``valid_only``. Flushes; the caller commits once. Raises PermissionDeniedError.
    """
    actor.require(Permission.PERSON_WRITE)
    actor.require(Permission.HOUSEHOLD_WRITE)
    report = ImportReport(rows=len(sheet.rows))
    scope = _scope_ids(actor)
    communes = _communes(today)
    reference = Reference(
        communes={c.code: c.id for c in communes if c.id in scope},
        other_communes=frozenset(c.code for c in communes if c.id not in scope),
    )
    notify = progress or (lambda stage, done, total: None)
    total = len(sheet.rows)
    rows = check_rows(
        sheet, reference, today=today, progress=lambda done: notify("check", done, total)
    )
    plan = plan_import(
        rows,
        households=_known_households({r.household_code for r in rows} - {None}, scope),
        people=_known_people(rows, scope, cipher),
        on_duplicate=on_duplicate,
    )
    if any(h.poverty_status is not None for h in plan.households.values()):
        actor.require(Permission.POVERTY_WRITE)
    report.problems = plan.problems
    report.skipped = len(plan.skips)
    report.suspected_duplicates = suspected_duplicates(plan.creates, _candidates(plan.creates))
    notify("check", len(rows), len(rows))
    if plan.problems and not valid_only:
        report.skipped = 0
        return report
    if dry_run:  # what the import would do, counted without writing
        report.created, report.updated = len(plan.creates), len(plan.updates)
        report.households_created = sum(1 for h in plan.households.values() if h.known is None)
        return report
    urban = {c.id for c in communes if c.name.lower().startswith(("phường", "thị trấn"))}
    outcome = write_plan(
        plan,
        actor=actor,
        today=today,
        cipher=cipher,
        on_duplicate=on_duplicate,
        urban_communes=urban,
        source=source,
        progress=notify,
    )
    report.created, report.updated, report.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    report.households_created = outcome.households_created
    report.written = True
    record_event(
        AuditAction.PEOPLE_IMPORT,
        actor=actor,
        subject_type="imports",
        unit_id=actor.unit_id,
        details={
            "source": source,
            "rows": report.rows,
            "people_created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
            "households_created": report.households_created,
            "rejected_rows": len(report.rejected_lines),
            "suspected_duplicates": len(report.suspected_duplicates),
            "on_duplicate": on_duplicate.value,
        },
    )
    return report


def _scope_ids(actor: Actor) -> frozenset[int]:
    return frozenset(db.session.scalars(select(AdminUnit.id).where(in_scope(AdminUnit.id, actor))))


def _communes(today: date) -> list[AdminUnit]:
    units = db.session.scalars(select(AdminUnit).where(AdminUnit.level == UnitLevel.COMMUNE))
    return [u for u in units if u.is_valid_on(today)]


def _known_households(
    codes: Iterable[str | None], scope: frozenset[int]
) -> dict[str, KnownHousehold]:
    head = aliased(Person)
    found: dict[str, KnownHousehold] = {}
    for chunk in chunks(sorted(c for c in codes if c is not None), LOOKUP_CHUNK):
        rows: Iterable[Row[Any]] = db.session.execute(
            select(
                Household.id,
                Household.code,
                Household.commune_id,
                AdminUnit.code.label("commune_code"),
                Household.address,
                Household.head_id,
                head.death_on,
            )
            .join(AdminUnit, AdminUnit.id == Household.commune_id)
            .outerjoin(head, head.id == Household.head_id)
            .where(Household.code.in_(chunk))
        )
        for r in rows:
            found[r.code] = KnownHousehold(
                id=r.id,
                code=r.code,
                commune_id=r.commune_id,
                commune_code=r.commune_code,
                address=r.address,
                in_scope=r.commune_id in scope,
                has_living_head=r.head_id is not None and r.death_on is None,
                dead_head_id=r.head_id if r.head_id is not None and r.death_on else None,
            )
    return found


def _known_people(
    rows: list[PersonRow], scope: frozenset[int], cipher: FieldCipher
) -> dict[str, KnownPerson]:
    """Registered people with a CCCD of the file, looked up by blind index in batches."""
    by_index = {}
    for row in rows:
        if row.cccd is not None and len(row.cccd) == 12 and row.cccd.isdigit():
            row.cccd_index = cipher.blind_index("cccd", row.cccd)
            by_index[row.cccd_index] = row.cccd
    found: dict[str, KnownPerson] = {}
    indexes = list(by_index)
    for chunk in chunks(indexes, LOOKUP_CHUNK):
        for r in db.session.execute(
            select(
                Person.id,
                Person.cccd_index,
                Person.commune_id,
                Household.code,
                Person.full_name,
                Person.sex,
                Person.birth_date,
                Person.birth_year,
                Person.death_on,
            )
            .outerjoin(Household, Household.id == Person.household_id)
            .where(Person.cccd_index.in_(chunk))
        ):
            found[by_index[r.cccd_index]] = KnownPerson(
                id=r.id,
                in_scope=r.commune_id in scope,
                household_code=r.code,
                commune_id=r.commune_id,
                full_name=r.full_name,
                sex=r.sex,
                birth_date=r.birth_date,
                birth_year=r.birth_year,
                death_on=r.death_on,
            )
    return found


def _candidates(creates: list[PersonRow]) -> list[Candidate]:
    """Registered people who share an unaccented name and commune with a row without CCCD."""
    keys = sorted({name_key(r.full_name) for r in creates if r.cccd is None})
    communes = sorted({r.commune_id for r in creates if r.cccd is None and r.commune_id})
    found = []
    for chunk in chunks(keys, LOOKUP_CHUNK):
        for r in db.session.execute(
            select(
                Person.id,
                Person.name_key,
                Person.birth_date,
                Person.birth_year,
                Person.commune_id,
                Household.code,
            )
            .outerjoin(Household, Household.id == Person.household_id)
            .where(
                and_(Person.name_key.in_(chunk), Person.commune_id.in_(communes)),
                # A record merged into another is not someone a new row may be.
                Person.merged_into_id.is_(None),
            )
        ):
            found.append(
                Candidate(r.id, r.name_key, r.birth_date, r.birth_year, r.commune_id, r.code)
            )
    return found


__all__ = ["ImportReport", "OnDuplicate", "Plan", "import_people"]
