"""Checking every row of an import on its own: each cell read, then the services' own rules.

Pure: a Sheet and what the registry knows of communes and banks go in; typed rows and every
problem, by row and column, come out. Rules shared with the one-person services are called,
not copied (person_field_problems, cccd_problems, merit_problems, account_problems …).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from registry.errors import Problem
from registry.households.models import PovertyStatus
from registry.households.services import poverty_problems
from registry.i18n import N_
from registry.identity.cccd import cccd_problems
from registry.imports import values
from registry.imports.reading import Sheet
from registry.people.accounts import account_problems
from registry.people.circumstances import circumstance_problems, merit_problems
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    PaymentChannel,
    Relation,
    Sex,
)
from registry.people.services import person_field_problems

#: Fields the shared services name → the import column they come from.
_FIELD_COLUMNS = {
    "birth_year": "birth_date",
    "review_year": "poverty_year",
    "recognised_on": "merit_category",
    "started_on": "disability",
    "disability_level": "disability",
    "code": "household_code",
    "relation": "relation_to_head",
}
REQUIRED = N_("This field is required.")


@dataclass(frozen=True)
class Reference:
    """What the row checks need to know of the registry, loaded by the service beforehand."""

    #: Code → id of the communes in force today inside the actor's area.
    communes: Mapping[str, int]
    #: Codes of communes in force today outside the actor's area.
    other_communes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RowProblem:
    """A problem of one row (its number in the file) and column (our key; None: the row)."""

    line: int
    column: str | None
    problem: Problem


@dataclass(slots=True)
class PersonRow:
    """One row read and checked: a person, their household's facts, and what to record."""

    line: int
    household_code: str | None = None
    commune_code: str | None = None
    commune_id: int | None = None
    address: str | None = None
    full_name: str = ""
    relation: Relation | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    cccd: str | None = None
    #: The CCCD's blind index, computed once for the look-up and reused for the write.
    cccd_index: bytes | None = None
    disability: DisabilityLevel | None = None
    has_pension: bool = False
    poverty_status: PovertyStatus | None = None
    poverty_year: int | None = None
    merit_category: MeritCategory | None = None
    injury_rate: int | None = None
    martyrs: int | None = None
    bank_bin: str | None = None
    account_number: str | None = None
    problems: list[RowProblem] = field(default_factory=list)

    def add(self, column: str | None, problem: Problem) -> None:
        column = (
            _FIELD_COLUMNS.get(problem.field or "", problem.field) if column is None else column
        )
        self.problems.append(RowProblem(self.line, column, problem))


def check_rows(
    sheet: Sheet,
    reference: Reference,
    *,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> list[PersonRow]:
    """Read and check every row; a row's ``problems`` list what is wrong with it alone.

    ``progress(rows_done)`` is called every few thousand rows.
    """
    checked = []
    for count, row in enumerate(sheet.rows, start=1):
        checked.append(_check_row(row.line, sheet.columns, row.cells, reference, today))
        if progress is not None and count % 5000 == 0:
            progress(count)
    return checked


class ProblemSink(Protocol):
    """A checked row: anything that collects its problems by column."""

    def add(self, column: str | None, problem: Problem) -> None: ...


def cell_reader(
    row: ProblemSink, columns: Mapping[str, int], cells: tuple[Any, ...]
) -> Callable[..., Any]:
    """``read(key, parse, blank=None)``: the cell of column ``key`` parsed, ``blank`` when
    empty, None (and a problem added to ``row``) when it cannot be read.
    """

    def read(key: str, parse: Callable[[Any], Any], blank: Any = None) -> Any:
        index = columns.get(key)
        cell = cells[index] if index is not None and index < len(cells) else None
        if cell is None or cell == "":
            return blank  # most optional cells are empty: skip the parser
        try:
            return parse(cell)
        except values.CellError as error:
            row.add(key, Problem(key, error.message, error.params))
            return None

    return read


def _check_row(
    line: int,
    columns: Mapping[str, int],
    cells: tuple[Any, ...],
    reference: Reference,
    today: date,
) -> PersonRow:
    row = PersonRow(line)
    read = cell_reader(row, columns, cells)
    row.household_code = read("household_code", values.code)
    if row.household_code is None and "household_code" not in _columns_with_problems(row):
        row.add("household_code", Problem("household_code", REQUIRED))
    _check_commune(row, read("commune_code", lambda v: values.code(v, digits=5)), reference)
    row.address = read("address", lambda v: values.text(v, max_length=1000))
    _check_person(row, read, today)
    _check_circumstances(row, read, today)
    _check_poverty(row, read, today)
    _check_merit(row, read, today)
    _check_account(row, read)
    return row


def _columns_with_problems(row: PersonRow) -> set[str | None]:
    return {p.column for p in row.problems}


def _check_commune(row: PersonRow, commune_code: str | None, reference: Reference) -> None:
    row.commune_code = commune_code
    if commune_code is None:
        return  # may be given on another row of the household, or known from the registry
    row.commune_id = reference.communes.get(commune_code)
    if row.commune_id is not None:
        return
    if commune_code in reference.other_communes:
        message = N_("The commune or ward %(code)s is outside your area.")
    else:
        message = N_("No commune or ward with code %(code)s is in force today.")
    row.add("commune_code", Problem("commune_code", message, {"code": commune_code}))


def _required_choice(row: PersonRow, read: Callable, key: str, words: Mapping) -> Any:
    value = read(key, lambda v: values.choice(v, words, key))
    if value is None and key not in _columns_with_problems(row):
        row.add(key, Problem(key, REQUIRED))
    return value


def _check_person(row: PersonRow, read: Callable, today: date) -> None:
    full_name = read("full_name", lambda v: values.text(v, max_length=1000)) or ""
    row.relation = _required_choice(row, read, "relation_to_head", values.RELATION_WORDS)
    birth = read("birth_date", values.birth, (None, None))
    birth_date, birth_year = birth if birth is not None else (None, None)
    row.sex = _required_choice(row, read, "sex", values.SEX_WORDS)
    row.full_name, row.birth_year, problems = person_field_problems(
        full_name, birth_date, birth_year, today
    )
    row.birth_date = birth_date
    for problem in problems:
        if birth is None and _FIELD_COLUMNS.get(problem.field or "") == "birth_date":
            continue  # the cell could not be read: its own problem already says why
        if birth is None and problem.field == "birth_date":
            continue
        row.add(None, problem)
    row.cccd = read("cccd", values.cccd)
    if row.cccd is not None:
        for problem in cccd_problems(
            row.cccd,
            sex=row.sex.value if row.sex is not None else None,
            birth_year=row.birth_year if "birth_date" not in _columns_with_problems(row) else None,
        ):
            row.add("cccd", problem)


def _check_circumstances(row: PersonRow, read: Callable, today: date) -> None:
    row.disability = read(
        "disability",
        lambda v: values.choice(v, values.DISABILITY_WORDS, "disability", none_words=True),
    )
    row.has_pension = bool(read("has_pension", values.yes_no, False))
    # An import does not know when a disability was certified or a pension began: both are
    # recorded from the import day, so no arrears are computed from a guessed date.
    for kind, level in (
        (CircumstanceKind.DISABILITY, row.disability),
        (CircumstanceKind.PENSION, None),
    ):
        if kind is CircumstanceKind.DISABILITY and level is None:
            continue
        if kind is CircumstanceKind.PENSION and not row.has_pension:
            continue
        for problem in circumstance_problems(
            kind, started_on=today, disability_level=level, today=today
        ):
            row.add(None, problem)


def _check_poverty(row: PersonRow, read: Callable, today: date) -> None:
    row.poverty_status = read(
        "poverty_status",
        lambda v: values.choice(v, values.POVERTY_WORDS, "poverty_status"),
    )
    row.poverty_year = read("poverty_year", values.whole_number)
    troubled = _columns_with_problems(row)
    if row.poverty_status is not None and row.poverty_year is None:
        if "poverty_year" not in troubled:
            row.add(
                "poverty_year",
                Problem("poverty_year", N_("Enter the review year of the poverty status.")),
            )
    elif row.poverty_year is not None and row.poverty_status is None:
        if "poverty_status" not in troubled:
            row.add(
                "poverty_status",
                Problem("poverty_status", N_("Enter the poverty status of this review year.")),
            )
    elif row.poverty_year is not None:
        for problem in poverty_problems(row.poverty_year, today=today):
            row.add(None, problem)


def _check_merit(row: PersonRow, read: Callable, today: date) -> None:
    category = read(
        "merit_category",
        lambda v: values.choice(v, values.MERIT_WORDS, "merit_category", none_words=True),
    )
    injury_rate = read("injury_rate", values.whole_number)
    martyrs = read("martyrs", values.whole_number)
    row.merit_category = category
    if category is None:
        for key, value in (("injury_rate", injury_rate), ("martyrs", martyrs)):
            if value is not None and "merit_category" not in _columns_with_problems(row):
                row.add(
                    key,
                    Problem(key, N_("Give the merit category this number belongs to.")),
                )
        return
    row.injury_rate, row.martyrs, problems = merit_problems(
        category, recognised_on=today, injury_rate=injury_rate, martyrs=martyrs, today=today
    )
    for problem in problems:
        if problem.field in ("injury_rate", "martyrs") and problem.field in _columns_with_problems(
            row
        ):
            continue  # the cell could not be read: its own problem already says so
        row.add(None, problem)


def _check_account(row: PersonRow, read: Callable) -> None:
    bank_bin = read("bank_bin", values.code)
    number = read("account_number", values.account_number)
    if bank_bin is None and number is None:
        return
    troubled = _columns_with_problems(row)
    row.bank_bin, row.account_number, problems = account_problems(
        PaymentChannel.BANK, bank_bin, number
    )
    for problem in problems:
        if problem.field not in troubled:
            row.add(None, problem)
