"""Checking the rows of a poverty review list, then planning which statuses to create or correct.

Pure: the Sheet, what the registry holds for the file's household codes and their statuses
(loaded by the service in batches) go in; typed rows, the plan and every problem by row and
column come out. The rules are set_poverty_status's own (poverty_problems, poverty_period).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.errors import Problem
from registry.households.models import Area, PovertyStatus
from registry.households.services import poverty_period, poverty_problems
from registry.i18n import N_
from registry.imports import values
from registry.imports.reading import Sheet
from registry.imports.validation import REQUIRED, RowProblem, cell_reader
from registry.people.names import fold

#: Income per head above this (VND a month) is a typing slip, and overflows the column.
MAX_INCOME = 1_000_000_000
_SEPARATORS = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class KnownHousehold:
    """A registered household the file names."""

    id: uuid.UUID
    code: str
    commune_id: int
    in_scope: bool
    #: Wards and townships are urban for the poverty line (Decree 07/2021/NĐ-CP art. 3).
    is_urban: bool


@dataclass(frozen=True)
class KnownStatus:
    """A household's recorded result of one review year."""

    id: int
    household_id: uuid.UUID
    review_year: int
    status: PovertyStatus
    area: Area
    income_per_head: int | None
    deprivations: tuple[str, ...]
    decision_number: str | None
    decision_on: date | None
    valid_from: date
    valid_to: date | None


@dataclass(slots=True)
class PovertyRow:
    """One row read and checked: a household's result for one review year."""

    line: int
    household_code: str | None = None
    status: PovertyStatus | None = None
    area: Area | None = None
    income_per_head: int | None = None
    deprivations: tuple[str, ...] = ()
    review_year: int | None = None
    decision_number: str | None = None
    decision_on: date | None = None
    problems: list[RowProblem] = field(default_factory=list)

    def add(self, column: str | None, problem: Problem) -> None:
        self.problems.append(RowProblem(self.line, column or problem.field, problem))


def deprivation_codes(value: Any) -> tuple[str, ...]:
    """Indicator codes separated by ``,`` ``;`` or new lines; case, accents, spaces and
    hyphens are forgiven ("Health insurance" is ``health_insurance``). Unknown codes are
    left for poverty_problems to name.
    """
    raw = values.text(value, max_length=1000) or ""
    codes = []
    for part in _SEPARATORS.split(raw):
        code = "_".join(fold(part).replace("-", " ").split())
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def check_poverty_rows(
    sheet: Sheet, *, today: date, progress: Callable[[int], None] | None = None
) -> list[PovertyRow]:
    """Read and check every row on its own; a row's ``problems`` say what is wrong with it."""
    checked = []
    for count, source in enumerate(sheet.rows, start=1):
        checked.append(_check_row(source.line, sheet.columns, source.cells, today))
        if progress is not None and count % 5000 == 0:
            progress(count)
    return checked


def _required(row: PovertyRow, key: str, value: Any) -> Any:
    if value is None and not any(p.column == key for p in row.problems):
        row.add(key, Problem(key, REQUIRED))
    return value


def _check_row(
    line: int, columns: Mapping[str, int], cells: tuple[Any, ...], today: date
) -> PovertyRow:
    row = PovertyRow(line)
    read = cell_reader(row, columns, cells)
    row.household_code = _required(row, "household_code", read("household_code", values.code))
    row.status = _required(
        row,
        "poverty_status",
        read(
            "poverty_status",
            lambda v: values.choice(v, values.POVERTY_WORDS, "poverty_status"),
        ),
    )
    row.area = read("area", lambda v: values.choice(v, values.AREA_WORDS, "area"))
    row.income_per_head = read("income_per_head", lambda v: values.money(v, maximum=MAX_INCOME))
    row.deprivations = read("deprivations", deprivation_codes, ()) or ()
    row.review_year = _required(row, "review_year", read("review_year", values.whole_number))
    row.decision_number = read("decision_number", lambda v: values.text(v, max_length=80))
    row.decision_on = read("decision_on", values.day)
    if row.decision_on is not None and row.decision_on > today:
        row.add(
            "decision_on",
            Problem("decision_on", N_("The decision date is in the future.")),
        )
    if row.review_year is not None:
        for problem in poverty_problems(
            row.review_year,
            today=today,
            deprivations=row.deprivations,
            income_per_head=row.income_per_head,
        ):
            row.add(None, problem)
    elif row.deprivations:
        # Without a year the indicators are still checked, so one pass shows every problem.
        for problem in poverty_problems(today.year, today=today, deprivations=row.deprivations):
            row.add(None, problem)
    return row


@dataclass
class PovertyPlan:
    """What the valid rows change: statuses to create, to correct, and those already so."""

    creates: list[tuple[PovertyRow, KnownHousehold]] = field(default_factory=list)
    updates: list[tuple[PovertyRow, KnownHousehold, KnownStatus]] = field(default_factory=list)
    unchanged: list[PovertyRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@dataclass(frozen=True)
class StatusValues:
    """The values a row writes to a household's status of its review year."""

    status: PovertyStatus
    area: Area
    income_per_head: int | None
    deprivations: tuple[str, ...]
    decision_number: str | None
    decision_on: date | None
    valid_from: date
    valid_to: date | None


def status_values(
    row: PovertyRow, household: KnownHousehold, known: KnownStatus | None
) -> StatusValues:
    """What the row records, as set_poverty_status would: the whole following year, sorted
    indicators. A blank area keeps the recorded one, or follows the commune for a new status.
    """
    assert row.status is not None and row.review_year is not None
    valid_from, valid_to = poverty_period(row.review_year)
    area = row.area or (known.area if known else (Area.URBAN if household.is_urban else Area.RURAL))
    return StatusValues(
        status=row.status,
        area=area,
        income_per_head=row.income_per_head,
        deprivations=tuple(sorted(set(row.deprivations))),
        decision_number=(row.decision_number or "").strip() or None,
        decision_on=row.decision_on,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _recorded(known: KnownStatus) -> StatusValues:
    return StatusValues(
        status=known.status,
        area=known.area,
        income_per_head=known.income_per_head,
        deprivations=tuple(sorted(known.deprivations)),
        decision_number=known.decision_number,
        decision_on=known.decision_on,
        valid_from=known.valid_from,
        valid_to=known.valid_to,
    )


def place_rows(rows: list[PovertyRow], households: Mapping[str, KnownHousehold]) -> None:
    """Add the problems that need the registry or the other rows: an unknown household, one
    outside the actor's area, the same household twice for one review year.
    """
    seen: dict[tuple[str, int], list[PovertyRow]] = defaultdict(list)
    for row in rows:
        if row.household_code is None:
            continue
        known = households.get(row.household_code)
        if known is None:
            row.add(
                "household_code",
                Problem(
                    "household_code",
                    N_("No household with code %(code)s is registered."),
                    {"code": row.household_code},
                ),
            )
        elif not known.in_scope:
            row.add(
                "household_code",
                Problem(
                    "household_code",
                    N_("Household %(code)s is registered in a commune outside your area."),
                    {"code": known.code},
                ),
            )
        if row.review_year is not None:
            seen[(row.household_code, row.review_year)].append(row)
    for (code, year), same in seen.items():
        if len(same) < 2:
            continue
        for row in same:
            others = ", ".join(str(r.line) for r in same if r is not row)
            row.add(
                "household_code",
                Problem(
                    "household_code",
                    N_("Household %(code)s is also on row %(rows)s for review year %(year)d."),
                    {"code": code, "rows": others, "year": year},
                ),
            )


def plan_poverty(
    rows: list[PovertyRow],
    *,
    households: Mapping[str, KnownHousehold],
    statuses: Mapping[tuple[uuid.UUID, int], KnownStatus],
) -> PovertyPlan:
    """Sort the valid rows (after place_rows) into new, corrected and unchanged statuses."""
    plan = PovertyPlan()
    for row in rows:
        plan.problems.extend(row.problems)
        if row.problems:
            continue
        assert row.household_code is not None and row.review_year is not None
        household = households[row.household_code]
        known = statuses.get((household.id, row.review_year))
        if known is None:
            plan.creates.append((row, household))
        elif status_values(row, household, known) == _recorded(known):
            plan.unchanged.append(row)
        else:
            plan.updates.append((row, household, known))
    return plan
