"""Checking the rows of an import together and against the registry, then planning the writes.

Pure: the checked rows and what the registry holds for their household codes and CCCDs
(loaded by the service in batches) go in; what to create, update or skip, and every
problem, come out. Rows of one household must agree; a new household has exactly one head;
a CCCD appears once in a file and is never registered twice.
"""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from registry.errors import Problem
from registry.households.models import PovertyStatus
from registry.households.services import household_field_problems
from registry.i18n import N_
from registry.imports.validation import PersonRow, RowProblem
from registry.people.models import Relation, Sex
from registry.people.names import fold


class OnDuplicate(enum.StrEnum):
    """What a row whose CCCD is already registered does to that person."""

    UPDATE = "update"
    SKIP = "skip"


@dataclass(frozen=True)
class KnownHousehold:
    """A household already registered under a code the file uses."""

    id: uuid.UUID
    code: str
    commune_id: int
    commune_code: str
    address: str
    in_scope: bool
    has_living_head: bool
    #: The recorded head when dead, demoted to "other" if the file gives a new head.
    dead_head_id: uuid.UUID | None = None


@dataclass(frozen=True)
class KnownPerson:
    """A person already registered with a CCCD the file uses (found by its blind index)."""

    id: uuid.UUID
    in_scope: bool
    household_code: str | None
    commune_id: int
    full_name: str
    sex: Sex
    birth_date: date | None
    birth_year: int
    death_on: date | None = None


@dataclass
class HouseholdPlan:
    """A household the file writes to: new (``known`` None) or already registered."""

    code: str
    known: KnownHousehold | None
    commune_id: int | None = None
    commune_code: str | None = None
    address: str | None = None
    poverty_status: PovertyStatus | None = None
    poverty_year: int | None = None
    rows: list[PersonRow] = field(default_factory=list)


@dataclass
class Plan:
    creates: list[PersonRow] = field(default_factory=list)
    updates: list[tuple[PersonRow, KnownPerson]] = field(default_factory=list)
    skips: list[PersonRow] = field(default_factory=list)
    #: Households with at least one valid row, by code.
    households: dict[str, HouseholdPlan] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def invalid_lines(self) -> set[int]:
        return {p.line for p in self.problems}


def plan_import(
    rows: list[PersonRow],
    *,
    households: Mapping[str, KnownHousehold],
    people: Mapping[str, KnownPerson],
    on_duplicate: OnDuplicate,
) -> Plan:
    """Check the rows together and against the registry; plan what valid rows change."""
    _repeated_cccds(rows)
    groups: dict[str, list[PersonRow]] = defaultdict(list)
    for row in rows:
        if row.household_code is not None:
            groups[row.household_code].append(row)
    plans = {code: _household(code, group, households.get(code)) for code, group in groups.items()}
    actions: dict[int, KnownPerson | None] = {}
    for row in rows:
        actions[row.line] = _match(row, people, on_duplicate)
    for plan in plans.values():
        _heads(plan, actions)
    result = Plan()
    for row in rows:
        result.problems.extend(row.problems)
        if row.problems:
            continue
        assert row.household_code is not None
        household = plans[row.household_code]
        known = actions[row.line]
        if known is not None and on_duplicate is OnDuplicate.SKIP:
            result.skips.append(row)  # a skipped row writes nothing, not even its household
            continue
        result.households.setdefault(row.household_code, household)
        if known is None:
            row.commune_id = household.commune_id
            result.creates.append(row)
        else:
            result.updates.append((row, known))
    return result


def _repeated_cccds(rows: list[PersonRow]) -> None:
    lines: dict[str, list[PersonRow]] = defaultdict(list)
    for row in rows:
        if row.cccd is not None:
            lines[row.cccd].append(row)
    for same in lines.values():
        if len(same) > 1:
            for row in same:
                others = ", ".join(str(r.line) for r in same if r is not row)
                row.add(
                    "cccd",
                    Problem("cccd", N_("The same CCCD is also on row %(rows)s."), {"rows": others}),
                )


def _agree(group: list[PersonRow], key: str, value_of) -> object | None:
    """The value the rows of a household give (blank rows ignored); differing rows are flagged."""
    first: tuple[PersonRow, object] | None = None
    for row in group:
        value = value_of(row)
        if value is None:
            continue
        if first is None:
            first = (row, value)
        elif value != first[1]:
            row.add(
                key,
                Problem(
                    key,
                    N_(
                        "Row %(row)d of the same household gives “%(value)s”: the rows of one"
                        " household must agree."
                    ),
                    {"row": first[0].line, "value": _shown(first[1])},
                ),
            )
    return first[1] if first else None


def _troubled(row: PersonRow, *columns: str) -> bool:
    """Whether a row's own checks refused one of these cells (its value then counts for nothing)."""
    return any(p.column in columns for p in row.problems)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return " / ".join(str(getattr(v, "value", v)) for v in value)
    return str(value)


def _household(code: str, group: list[PersonRow], known: KnownHousehold | None) -> HouseholdPlan:
    plan = HouseholdPlan(code, known, rows=group)
    commune_code = _agree(group, "commune_code", lambda r: r.commune_code)
    address = _agree(group, "address", lambda r: None if _troubled(r, "address") else r.address)
    poverty = _agree(
        group,
        "poverty_status",
        lambda r: (
            (r.poverty_status, r.poverty_year)
            if r.poverty_status and not _troubled(r, "poverty_status", "poverty_year")
            else None
        ),
    )
    if isinstance(poverty, tuple):
        plan.poverty_status, plan.poverty_year = poverty
    plan.address = address if isinstance(address, str) else None
    plan.commune_code = commune_code if isinstance(commune_code, str) else None
    if known is not None:
        plan.commune_code = known.commune_code
        _known_household(plan, known, group, commune_code)
        return plan
    plan.commune_id = next((r.commune_id for r in group if r.commune_id is not None), None)
    if plan.commune_id is None:
        # Rows that give a wrong code say so themselves; the others cannot be placed either.
        problem = Problem(
            "commune_code",
            N_("Enter the commune code of household %(code)s (on one row at least).")
            if commune_code is None
            else N_("The commune code of household %(code)s has errors."),
            {"code": code},
        )
        for row in group:
            if row.commune_code is None:
                row.add("commune_code", problem)
    cleaned, problems = household_field_problems(code, plan.address or "")
    plan.address = cleaned
    for row in group:
        for problem in problems:
            row.add(None, problem)
    return plan


def _known_household(
    plan: HouseholdPlan, known: KnownHousehold, group: list[PersonRow], commune_code: object
) -> None:
    plan.commune_id = known.commune_id
    if not known.in_scope:
        for row in group:
            row.add(
                "household_code",
                Problem(
                    "household_code",
                    N_("Household %(code)s is registered in a commune outside your area."),
                    {"code": known.code},
                ),
            )
        return
    if commune_code is not None and commune_code != known.commune_code:
        for row in group:
            if row.commune_code is not None:
                row.add(
                    "commune_code",
                    Problem(
                        "commune_code",
                        N_("Household %(code)s is registered in commune %(commune)s."),
                        {"code": known.code, "commune": known.commune_code},
                    ),
                )
    if plan.address is not None:
        cleaned, problems = household_field_problems(known.code, plan.address)
        plan.address = cleaned
        for row in group:
            if row.address is not None:
                for problem in problems:
                    row.add(None, problem)


def _match(
    row: PersonRow, people: Mapping[str, KnownPerson], on_duplicate: OnDuplicate
) -> KnownPerson | None:
    known = people.get(row.cccd) if row.cccd is not None else None
    if known is None:
        return None
    if not known.in_scope:
        row.add(
            "cccd",
            Problem(
                "cccd",
                N_("This CCCD is registered to a person outside your area; ask the labour office."),
            ),
        )
    elif on_duplicate is OnDuplicate.UPDATE and known.death_on is not None:
        row.add(
            "cccd",
            Problem(
                "cccd",
                N_("This person's death is recorded: correct their details on the person page."),
            ),
        )
    elif on_duplicate is OnDuplicate.UPDATE and known.household_code != row.household_code:
        # An import corrects details; moving people between households stays on the person page.
        if known.household_code is None:
            message = N_(
                "This person is registered in no household: place them in one on the person"
                " page first."
            )
        else:
            message = N_(
                "This person is registered in household %(code)s: move them on the person"
                " page first."
            )
        row.add(
            "household_code", Problem("household_code", message, {"code": known.household_code})
        )
    return known


def _heads(plan: HouseholdPlan, actions: Mapping[int, KnownPerson | None]) -> None:
    new_rows = [r for r in plan.rows if actions[r.line] is None]
    heads = [r for r in new_rows if r.relation is Relation.HEAD]
    if plan.known is not None and plan.known.has_living_head:
        for row in heads:
            row.add(
                "relation_to_head",
                Problem(
                    "relation_to_head",
                    N_(
                        "Household %(code)s already has a head; change the head on the"
                        " household page."
                    ),
                    {"code": plan.code},
                ),
            )
        return
    if len(heads) > 1:
        for row in heads:
            row.add(
                "relation_to_head",
                Problem(
                    "relation_to_head",
                    N_("Household %(code)s has more than one head: rows %(rows)s."),
                    {"code": plan.code, "rows": ", ".join(str(r.line) for r in heads)},
                ),
            )
        return
    if plan.known is not None or (heads and not heads[0].problems):
        return
    # A new household cannot be created without its head: its other rows wait for that row.
    for row in new_rows:
        if row.relation is Relation.HEAD:
            continue
        if heads:
            problem = Problem(
                "relation_to_head",
                N_("The head of household %(code)s is on row %(row)d, which has errors."),
                {"code": plan.code, "row": heads[0].line},
            )
        else:
            problem = Problem(
                "relation_to_head",
                N_("Household %(code)s has no head: mark one row “Chủ hộ”."),
                {"code": plan.code},
            )
        row.add("relation_to_head", problem)


@dataclass(frozen=True)
class Candidate:
    """A registered person a row without CCCD may be (same unaccented name, birth and commune)."""

    id: uuid.UUID
    name_key: str
    birth_date: date | None
    birth_year: int
    commune_id: int
    household_code: str | None


@dataclass(frozen=True)
class Suspect:
    """A row created although it may be someone already registered (or on another row)."""

    line: int
    full_name: str
    person_id: uuid.UUID | None
    household_code: str | None
    other_line: int | None = None


def _same_birth(a_date: date | None, a_year: int, b_date: date | None, b_year: int) -> bool:
    # Many elderly people have only a year: a year then matches any date in that year.
    if a_date is not None and b_date is not None:
        return a_date == b_date
    return a_year == b_year


def suspected_duplicates(
    rows: Iterable[PersonRow], candidates: Iterable[Candidate]
) -> list[Suspect]:
    """Rows without a CCCD that look like a registered person or like an earlier row."""
    by_key: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_key[(candidate.name_key.strip(), candidate.commune_id)].append(candidate)
    seen: dict[tuple[str, int], list[PersonRow]] = defaultdict(list)
    found = []
    for row in rows:
        if row.cccd is not None or row.commune_id is None or row.birth_year is None:
            continue
        key = (fold(row.full_name), row.commune_id)
        for candidate in by_key.get(key, ()):
            if _same_birth(
                row.birth_date, row.birth_year, candidate.birth_date, candidate.birth_year
            ):
                found.append(
                    Suspect(row.line, row.full_name, candidate.id, candidate.household_code)
                )
                break
        else:
            for earlier in seen[key]:
                assert earlier.birth_year is not None
                if _same_birth(
                    row.birth_date, row.birth_year, earlier.birth_date, earlier.birth_year
                ):
                    found.append(
                        Suspect(row.line, row.full_name, None, earlier.household_code, earlier.line)
                    )
                    break
        seen[key].append(row)
    return found
