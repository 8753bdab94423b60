"""Loading the administrative-unit tree from CSV and finding units by code and date."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.errors import NotFoundError, Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.units.models import AdminUnit, UnitLevel

COLUMNS = ("code", "name", "level", "parent_code", "valid_from", "valid_to")
_PARENT_LEVELS = {
    UnitLevel.PROVINCE: set(),
    UnitLevel.DISTRICT: {UnitLevel.PROVINCE},
    UnitLevel.COMMUNE: {UnitLevel.PROVINCE, UnitLevel.DISTRICT},
}


@dataclass(frozen=True)
class UnitsLoadReport:
    created: int
    updated: int


def find_unit(code: str, *, on: date) -> AdminUnit:
    """The unit with this official code valid on the given day; NotFoundError otherwise."""
    unit = db.session.scalars(
        select(AdminUnit)
        .where(
            AdminUnit.code == code.strip(),
            AdminUnit.valid_from <= on,
            or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= on),
        )
        .order_by(AdminUnit.valid_from.desc())
    ).first()
    if unit is None and db.session.scalar(select(AdminUnit.id).limit(1)) is None:
        raise NotFoundError(
            N_("No administrative units are loaded yet: run 'flask units load FILE' first.")
        )
    if unit is None:
        raise NotFoundError(
            N_("No administrative unit with code %(code)s on %(day)s."),
            code=code,
            day=on.strftime("%d/%m/%Y"),
        )
    return unit


def load_units(text: str, *, source: str, actor: Actor) -> UnitsLoadReport:
    """Create or update units from CSV text (code,name,level,parent_code,valid_from,valid_to).

    Rows are matched on (code, valid_from), so loading the same file twice changes nothing.
    Every row is checked first; one bad row rejects the whole file, naming its line.
    """
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    problems = _check_rows(rows, source)
    if problems:
        raise ValidationError(problems)
    created = updated = 0
    by_key = {(u.code, u.valid_from): u for u in db.session.scalars(select(AdminUnit))}
    # Parents before children, whatever the order of the file.
    depth = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
    ordered = sorted(
        enumerate(rows, start=2), key=lambda lr: depth[UnitLevel(lr[1]["level"].strip())]
    )
    for line, row in ordered:
        key = (row["code"].strip(), date.fromisoformat(row["valid_from"]))
        unit = by_key.get(key)
        if unit is None:
            unit = AdminUnit(code=key[0], valid_from=key[1])
            db.session.add(unit)
            by_key[key] = unit
            created += 1
        else:
            updated += 1
        unit.name = row["name"].strip()
        unit.level = UnitLevel(row["level"].strip())
        unit.valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"].strip() else None
        unit.parent = _parent_for(row, key[1], by_key, source, line)
    db.session.flush()
    record_event(
        AuditAction.UNITS_LOAD,
        actor=actor,
        subject_type="admin_units",
        details={"source": source, "created": created, "updated": updated},
    )
    return UnitsLoadReport(created=created, updated=updated)


def _check_rows(rows: list[dict[str, str]], source: str) -> list[Problem]:
    problems: list[Problem] = []
    if not rows:
        return [Problem(None, N_("%(source)s holds no units."), {"source": source})]
    missing = [c for c in COLUMNS if c not in rows[0]]
    if missing:
        return [
            Problem(
                None,
                N_("%(source)s lacks the columns: %(columns)s."),
                {"source": source, "columns": ", ".join(missing)},
            )
        ]
    for line, row in enumerate(rows, start=2):
        where = {"source": source, "line": line}
        if not row["code"].strip().isdigit():
            problems.append(
                Problem("code", N_("%(source)s line %(line)d: the code must be digits."), where)
            )
        if row["level"].strip() not in {lv.value for lv in UnitLevel}:
            problems.append(
                Problem(
                    "level",
                    N_("%(source)s line %(line)d: unknown level %(level)s."),
                    {**where, "level": row["level"]},
                )
            )
        for column in ("valid_from", "valid_to"):
            value = row[column].strip()
            if value or column == "valid_from":
                try:
                    date.fromisoformat(value)
                except ValueError:
                    problems.append(
                        Problem(
                            column,
                            N_("%(source)s line %(line)d: %(column)s is not a date (YYYY-MM-DD)."),
                            {**where, "column": column},
                        )
                    )
    return problems


def _parent_for(
    row: dict[str, str], on: date, by_key: dict, source: str, line: int
) -> AdminUnit | None:
    code = row["parent_code"].strip()
    level = UnitLevel(row["level"].strip())
    if not code:
        if level is not UnitLevel.PROVINCE:
            raise ValidationError(
                [
                    Problem(
                        "parent_code",
                        N_("%(source)s line %(line)d: a %(level)s needs a parent_code."),
                        {"source": source, "line": line, "level": level.value},
                    )
                ]
            )
        return None
    candidates: Iterable[AdminUnit] = (
        u for (c, _), u in by_key.items() if c == code and u.is_valid_on(on)
    )
    parent = next(iter(sorted(candidates, key=lambda u: u.valid_from, reverse=True)), None)
    if parent is None or parent.level not in _PARENT_LEVELS[level]:
        raise ValidationError(
            [
                Problem(
                    "parent_code",
                    N_("%(source)s line %(line)d: no parent unit %(code)s valid on %(day)s."),
                    {"source": source, "line": line, "code": code, "day": on.isoformat()},
                )
            ]
        )
    return parent
