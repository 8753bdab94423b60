"""The poverty review import use case: check the whole list, then set the year's statuses set-based.

Nothing is written while any row has a problem, unless ``valid_only`` asks to write the valid
rows. Statuses are inserted and corrected with executemany in chunks, each change audited
(one POVERTY_SET per household, as set_poverty_status writes, plus one summary event).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.services import PendingEvent, record_events
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.extensions import db
from registry.households.models import Household, HouseholdPovertyStatus
from registry.imports.poverty_validation import (
    KnownHousehold,
    KnownStatus,
    PovertyPlan,
    PovertyRow,
    StatusValues,
    check_poverty_rows,
    place_rows,
    plan_poverty,
    status_values,
)
from registry.imports.reading import Sheet
from registry.imports.services import LOOKUP_CHUNK, ImportReport, Progress, chunks
from registry.imports.writing import ChunkWriter
from registry.units.models import AdminUnit
from registry.units.scope import in_scope


def import_poverty_review(
    sheet: Sheet,
    *,
    actor: Actor,
    today: date,
    dry_run: bool = False,
    valid_only: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> ImportReport:
    """Record the annual poverty review list (rà soát hộ nghèo, hộ cận nghèo): for each row,
    the status of a registered household for the review year, applying to the whole
    following year (Decree 07/2021/NĐ-CP; Decision 24/2021/QĐ-TTg on the yearly review).

    The rules are set_poverty_status's: a plausible review year, known deprivation indicators
    (Decree 07/2021 art. 3(2)), no negative income. A household outside the actor's area, or
    twice for one year, is refused by row. A blank area keeps the recorded one (a new status:
    ward or township urban, commune rural); the especially-difficult-area flag, which the list
    does not carry, is kept. With problems nothing is written unless ``valid_only``; a dry
    run counts without writing. Flushes; the caller commits once. Raises
    PermissionDeniedError.
    """
    actor.require(Permission.HOUSEHOLD_READ)
    actor.require(Permission.POVERTY_WRITE)
    notify = progress or (lambda stage, done, total: None)
    total = len(sheet.rows)
    report = ImportReport(rows=total)
    rows = check_poverty_rows(
        sheet, today=today, progress=lambda done: notify("check", done, total)
    )
    households = _known_households({r.household_code for r in rows if r.household_code}, actor)
    place_rows(rows, households)
    plan = plan_poverty(rows, households=households, statuses=_known_statuses(rows, households))
    notify("check", total, total)
    report.problems = plan.problems
    report.unchanged = len(plan.unchanged)
    if plan.problems and not valid_only:
        report.unchanged = 0
        return report
    report.created, report.updated = len(plan.creates), len(plan.updates)
    if dry_run:
        return report
    _write(plan, actor=actor, progress=notify)
    report.written = True
    record_events(
        [
            PendingEvent(
                AuditAction.POVERTY_IMPORT,
                "imports",
                None,
                actor.unit_id,
                {
                    "source": source[:200],
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected_rows": len(report.rejected_lines),
                    "review_years": sorted({r.review_year for r in rows if r.review_year}),
                },
            )
        ],
        actor=actor,
    )
    return report


def _known_households(codes: Iterable[str], actor: Actor) -> dict[str, KnownHousehold]:
    scope = set(db.session.scalars(select(AdminUnit.id).where(in_scope(AdminUnit.id, actor))))
    found = {}
    for chunk in chunks(sorted(codes), LOOKUP_CHUNK):
        for r in db.session.execute(
            select(Household.id, Household.code, Household.commune_id, AdminUnit.name)
            .join(AdminUnit, AdminUnit.id == Household.commune_id)
            .where(Household.code.in_(chunk))
        ):
            found[r.code] = KnownHousehold(
                id=r.id,
                code=r.code,
                commune_id=r.commune_id,
                in_scope=r.commune_id in scope,
                # The same rule the people import uses for a household's first status.
                is_urban=r.name.lower().startswith(("phường", "thị trấn")),
            )
    return found


def _known_statuses(
    rows: list[PovertyRow], households: dict[str, KnownHousehold]
) -> dict[tuple[uuid.UUID, int], KnownStatus]:
    ids = sorted(
        {
            households[r.household_code].id
            for r in rows
            if not r.problems and r.household_code in households
        }
    )
    years = sorted({r.review_year for r in rows if r.review_year is not None})
    found = {}
    status = HouseholdPovertyStatus
    for chunk in chunks(ids, LOOKUP_CHUNK):
        # Plain columns, not ORM objects: the rows are then changed by bulk UPDATEs, which
        # would leave loaded objects stale in the session.
        for s in db.session.execute(
            select(
                status.id,
                status.household_id,
                status.review_year,
                status.status,
                status.area,
                status.income_per_head,
                status.deprivations,
                status.decision_number,
                status.decision_on,
                status.valid_from,
                status.valid_to,
            ).where(status.household_id.in_(chunk), status.review_year.in_(years))
        ):
            found[(s.household_id, s.review_year)] = KnownStatus(
                id=s.id,
                household_id=s.household_id,
                review_year=s.review_year,
                status=s.status,
                area=s.area,
                income_per_head=s.income_per_head,
                deprivations=tuple(s.deprivations or ()),
                decision_number=s.decision_number,
                decision_on=s.decision_on,
                valid_from=s.valid_from,
                valid_to=s.valid_to,
            )
    return found


def _columns(values: StatusValues) -> dict[str, Any]:
    return {
        "status": values.status,
        "area": values.area,
        "income_per_head": values.income_per_head,
        "deprivations": list(values.deprivations),
        "decision_number": values.decision_number,
        "decision_on": values.decision_on,
        "valid_from": values.valid_from,
        "valid_to": values.valid_to,
    }


def _event(
    row: PovertyRow, household: KnownHousehold, values: StatusValues, *, created: bool
) -> PendingEvent:
    # The same details set_poverty_status writes, marked as coming from an import.
    return PendingEvent(
        AuditAction.POVERTY_SET,
        "households",
        str(household.id),
        household.commune_id,
        {
            "review_year": row.review_year,
            "status": values.status.value,
            "created": created,
            "valid_from": values.valid_from.isoformat(),
            "import": True,
        },
    )


def _write(plan: PovertyPlan, *, actor: Actor, progress: Progress) -> None:
    db.session.flush()  # the ORM's pending changes go first, as a service's would
    writer = ChunkWriter(progress, len(plan.creates) + len(plan.updates))
    now = utcnow()
    inserts, updates, events = [], [], []
    for row, household in plan.creates:
        values = status_values(row, household, None)
        inserts.append(
            {
                "household_id": household.id,
                "review_year": row.review_year,
                "is_especially_difficult_area": False,
                "recorded_at": now,
                **_columns(values),
            }
        )
        events.append(_event(row, household, values, created=True))
    for row, household, known in plan.updates:
        values = status_values(row, household, known)
        updates.append({"id": known.id, "recorded_at": now, **_columns(values)})
        events.append(_event(row, household, values, created=False))
    writer.insert(HouseholdPovertyStatus.__table__, inserts, counts=True)
    writer.update(HouseholdPovertyStatus.__table__, "id", updates)
    writer.done += len(updates)
    progress("write", writer.total, writer.total)
    record_events(events, actor=actor)
