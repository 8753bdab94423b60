"""The payment run's set-based path: decisions, facts and paid lines read as columns, page by page.

``owed_pages`` gives the same lines as ``services.owed_lines`` + ``services.funeral_lines``
(tests/payments/test_bulk.py holds them to it), but for a province of a million decisions:

- decisions are read in pages of people (keyset on person id, so every other table is read
  by the same person-id range through its person index, with no IN list of ids);
- per page, one query each for the people, their circumstances, merit records, household
  reviews and already-paid lines: plain columns, no ORM objects;
- the facts of each person and month are built by the adapter's own functions
  (``build_person_facts``, ``build_household_facts``), and the law engine runs once per
  distinct ``Facts`` value of the month: the engine is pure, so equal facts give equal
  amounts. Birth and death dates are read as their month (the day never changes a result:
  ages, "not yet born" and "died in" are whole months, see eligibility/months.py), which is
  what makes a million people collapse into a few thousand distinct facts.

Per line, only plain values: new ids are made as their 32 hex digits (``LineIds``), the
payable months of a decision are computed once per distinct window (``_window``), a person's
amounts once per month however many decisions they hold, and a page's lines go back in one
executemany (SQLite) or one COPY in text format built here (PostgreSQL).

Memory stays bounded by one page; the caller inserts each page's lines before the next.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, String, cast, or_, select
from sqlalchemy.exc import IntegrityError

from registry.decisions.models import BenefitDecision, DecisionStatus, Programme
from registry.eligibility.engine import Law, evaluate
from registry.eligibility.facts import Area, Facts
from registry.eligibility.months import month_start, shift_month
from registry.eligibility.signatures import birth_key, exact_months_up_to
from registry.entitlements.facts import (
    KINDS_READ,
    area_of_commune,
    build_household_facts,
    build_person_facts,
    month_span,
    status_in_force,
)
from registry.extensions import db
from registry.households.models import HouseholdPovertyStatus
from registry.payments.models import LineKind, LineStatus, PaymentLine
from registry.people.models import Circumstance, MeritRecord, Person
from registry.units.models import AdminUnit

#: People per page: each page costs seven queries and holds its rows in memory.
PAGE_SIZE = 20_000

#: The columns of a line row, in the order ``owed_pages`` yields them.
LINE_COLUMNS = (
    "id",
    "run_id",
    "decision_id",
    "person_id",
    "commune_id",
    "programme",
    "group_code",
    "month_paid_for",
    "kind",
    "amount",
    "status",
)

_REGULAR, _ARREARS = LineKind.REGULAR.value, LineKind.ARREARS.value
_CORRECTION, _FUNERAL = LineKind.CORRECTION.value, LineKind.FUNERAL.value
_FAILED, _PENDING = LineStatus.FAILED.value, LineStatus.PENDING.value


class _Born(NamedTuple):
    """A person as ``build_person_facts`` reads them, with birth and death as their month."""

    birth_date: date | None
    birth_year: int
    sex: Any
    death_on: date | None


def decisions_in_run(area: Select | list[int], month: date) -> list[Any]:
    """The WHERE clauses of the decisions a run of ``month`` over ``area`` considers."""
    from registry.payments.services import ARREARS_MONTHS

    return [
        BenefitDecision.commune_id.in_(area),
        BenefitDecision.status.in_(
            (DecisionStatus.APPROVED, DecisionStatus.SUSPENDED, DecisionStatus.ENDED)
        ),
        BenefitDecision.start_month <= month,
        or_(
            BenefitDecision.end_month.is_(None),
            BenefitDecision.end_month >= shift_month(month, -ARREARS_MONTHS),
        ),
    ]


class _Amounts:
    """The law's amount per group for a person's facts in a month, one engine call per
    distinct ``Facts`` value."""

    def __init__(self, law: Law) -> None:
        self.law = law
        self.exact_up_to = exact_months_up_to(law)
        self.cache: dict[tuple[date, Facts], dict[str, int]] = {}
        #: What ``_Records.paid`` has already answered, by signature (see there).
        self.by_signature: dict[tuple, dict[str, int]] = {}
        self.evaluations = 0

    def paid(self, facts: Facts, month: date) -> dict[str, int]:
        key = (month, facts)
        found = self.cache.get(key)
        if found is None:
            result = evaluate(facts, month, law=self.law, explain=False)
            found = self.cache[key] = {c.group: c.amount for c in result.considerations if c.paid}
            self.evaluations += 1
        return found


def owed_pages(
    area: Select, month: date, law: Law, run_id: uuid.UUID, *, page_size: int = PAGE_SIZE
) -> Iterator[list[tuple]]:
    """Every line owed in ``month``'s run over ``area`` (regular, arrears, correction,
    funeral), as rows in ``LINE_COLUMNS`` order, one list per page of people.

    Same rules as ``services.owed_lines`` and ``services.funeral_lines``; only the reading
    differs. Carried failed lines must already be moved into the run (they count as paid).
    """
    from registry.payments.services import payable_months

    month = month_start(month)
    db.session.flush()  # carried lines moved into the run must be read as already paid
    # The scope's communes as a list, not the recursive CTE: SQLite would re-run the CTE in
    # every page's queries.
    where = decisions_in_run(list(_core().scalars(area)), month)
    amounts = _Amounts(law)
    new_id = LineIds()
    # One query for every decision in scope, sorted once by the database and streamed
    # (server-side cursor where there is one); pages are cut from it at a change of person,
    # and each page's other rows are read by the person-id range it covers.
    # (The option goes on the statement: on the connection it would stay for every later
    # statement of the transaction.)
    stream = _core().execute(
        _decision_columns()
        .where(*where)
        .order_by(BenefitDecision.person_id, BenefitDecision.start_month, BenefitDecision.id)
        .execution_options(yield_per=5000)
    )
    after: uuid.UUID | None = None
    page: list[Any] = []
    run = (run_id, new_id)
    for decision in stream:
        if len(page) >= page_size and decision.person_id != page[-1].person_id:
            last = uuid.UUID(page[-1].person_id)
            yield list(_page_lines(page, (after, last), month, amounts, run, payable_months))
            after, page = last, []
        page.append(decision)
    if page:
        last = uuid.UUID(page[-1].person_id)
        yield list(_page_lines(page, (after, last), month, amounts, run, payable_months))


class LineIds:
    """New line ids, time-ordered in the layout of RFC 9562's UUIDv7 (48-bit Unix
    milliseconds, version 7, then a counter and 48 random bits): a run's lines are inserted in
    key order, so the primary-key index grows at its end instead of taking a random B-tree
    insert per line. Still 32 hex digits, unique (the primary key would refuse a repeat)."""

    def __init__(self) -> None:
        self._ms = time.time_ns() // 1_000_000
        self._counter = 0
        self._random = random.Random(os.urandom(16))

    def __call__(self) -> str:
        """The next id as its 32 hex digits (what SQLite stores and PostgreSQL's COPY takes
        for a UUID column): building a ``uuid.UUID`` per line costs more than the line."""
        self._counter += 1
        if self._counter >= 1 << 26:  # 67 million lines in one millisecond's name: move on
            self._ms, self._counter = self._ms + 1, 0
        count = self._counter
        high = (self._ms << 16) | (0x7 << 12) | (count >> 14)
        low = (0b10 << 62) | ((count & 0x3FFF) << 48) | self._random.getrandbits(48)
        return f"{high:016x}{low:016x}"


@contextlib.contextmanager
def roomy_cache(mebibytes: int = 64) -> Iterator[None]:
    """On SQLite, a larger page cache for the block (then the previous size again): the
    default 2 MB makes every index insert of a million-line run a read from disk, about ten
    times slower. 64 MB builds as fast as 128 MB (measured at 300,000 decisions) for 80 MB
    less peak memory. Other databases size their own buffers; nothing changes there."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(mebibytes) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _decision_columns() -> Select:
    return select(
        _text(BenefitDecision.id),
        _text(BenefitDecision.person_id),
        BenefitDecision.commune_id,
        BenefitDecision.programme,
        BenefitDecision.group_code,
        BenefitDecision.status,
        BenefitDecision.start_month,
        BenefitDecision.end_month,
        BenefitDecision.suspended_from,
    )


def _text(column: Any) -> Any:
    """An id column read as its text: a million ``uuid.UUID`` objects cost seconds, and ids
    here are only compared, used as keys and written back (as text, which both databases
    take for their UUID columns)."""
    return cast(column, String).label(column.key)


def _core() -> Any:
    # Core execution on the session's connection: the rows are the same, without the ORM's
    # per-row loading machinery (a third of the read time for plain columns).
    return db.session.connection()


def _after(column: Any, after: uuid.UUID | None) -> list[Any]:
    return [] if after is None else [column > after]


def _between(column: Any, span: tuple[uuid.UUID | None, uuid.UUID | None]) -> list[Any]:
    after, last = span
    return _after(column, after) + ([] if last is None else [column <= last])


def _page_lines(
    decisions: list[Any],
    span: tuple[uuid.UUID | None, uuid.UUID | None],
    month: date,
    amounts: _Amounts,
    run: tuple[uuid.UUID, LineIds],
    payable_months: Any,
) -> Iterator[tuple]:
    run_id, new_id = run
    windows = [_window(d, month, payable_months) for d in decisions]
    oldest = min((w[0] for w in windows if w), default=month)
    first, _ = month_span(oldest)
    _, last = month_span(month)
    records = _Records(span, decisions, first, last)
    paid_before: dict[tuple, int] = defaultdict(int)
    kinds: dict[tuple, set[str]] = defaultdict(set)
    funeral_paid: set[str] = set()
    for decision_id, paid_for, kind, amount, status, person_id in (
        _core()
        .execute(
            select(
                _text(PaymentLine.decision_id),
                PaymentLine.month_paid_for,
                PaymentLine.kind,
                PaymentLine.amount,
                PaymentLine.status,
                _text(PaymentLine.person_id),
            ).where(*_between(PaymentLine.person_id, span))
        )
        .all()
    ):
        kind = kind.value
        kinds[(decision_id, paid_for)].add(kind)
        if status.value != _FAILED:
            paid_before[(decision_id, paid_for)] += amount
        if kind == _FUNERAL:
            funeral_paid.add(person_id)
    funerals: dict[str, tuple] = {}
    for decision, window in zip(decisions, windows, strict=True):
        person_id = decision.person_id
        person = records.people.get(person_id)
        if person is None:  # pragma: no cover - a decision's person always exists (FK)
            continue
        programme = decision.programme.value
        for paid_for in window:
            expected = records.paid(person_id, paid_for, amounts).get(decision.group_code, 0)
            if expected <= 0:
                continue
            line_key = (decision.id, paid_for)
            already = paid_before.get(line_key, 0)
            missing = expected - already
            if missing <= 0:
                continue
            kind = _REGULAR if paid_for == month else _CORRECTION if already else _ARREARS
            if kind in kinds.get(line_key, ()):
                continue  # that line exists (failed lines are carried, not re-created)
            yield (
                new_id(),
                run_id,
                decision.id,
                person_id,
                decision.commune_id,
                programme,
                decision.group_code,
                paid_for,
                kind,
                missing,
                _PENDING,
            )
        funeral = _funeral(decision, person, month, amounts.law)
        if funeral is not None and person_id not in funerals and person_id not in funeral_paid:
            funerals[person_id] = (
                new_id(),
                run_id,
                decision.id,
                person_id,
                decision.commune_id,
                programme,
                decision.group_code,
                funeral[0],
                _FUNERAL,
                funeral[1],
                _PENDING,
            )
    yield from funerals.values()


_WINDOWS: dict[tuple, list[date]] = {}


def _window(decision: Any, month: date, payable_months: Any) -> list[date]:
    """``payable_months`` of a decision, computed once per distinct (status, start, end,
    suspension, month): a province's decisions share a few hundred such windows."""
    key = (decision.status, decision.start_month, decision.end_month, decision.suspended_from,
           month)  # fmt: skip
    found = _WINDOWS.get(key)
    if found is None:
        if len(_WINDOWS) > 100_000:
            _WINDOWS.clear()
        found = _WINDOWS[key] = payable_months(decision, month)
    return found


def _funeral(decision: Any, person: _Person, month: date, law: Law) -> tuple[date, int] | None:
    """The funeral support owed through this decision, as in ``services.funeral_lines``:
    20 × the standard level of the month of death (Decree 20/2021/NĐ-CP art. 11(2))."""
    if decision.programme is not Programme.SOCIAL_ASSISTANCE or person.death_on is None:
        return None
    died = month_start(person.death_on)
    if died > month or died < decision.start_month:
        return None
    month_law = law.month(died)
    level, multiple = month_law.get("sa.standard_level"), month_law.get("sa.funeral_multiple")
    if level is None or multiple is None:
        return None
    return died, int(level.amount * multiple.amount)


@dataclass(slots=True)
class _Person:
    born: _Born
    death_on: date | None
    commune_name: str
    #: The birth (or 1 January of the birth year) as a month number, ``year * 12 + month``.
    birth_month: int
    area: Area


class _Records:
    """One page's people and their dated records, read as columns by person-id range."""

    def __init__(
        self,
        span: tuple[uuid.UUID | None, uuid.UUID | None],
        decisions: list[Any],
        first: date,
        last: date,
    ) -> None:
        in_page = {d.person_id for d in decisions}
        self._spans: dict[date, tuple[date, date]] = {}
        self._memo: dict[tuple[str, date], dict[str, int]] = {}
        self.people: dict[str, _Person] = {}
        areas: dict[str, Area] = {}
        for row in (
            _core()
            .execute(
                select(
                    _text(Person.id),
                    Person.birth_date,
                    Person.birth_year,
                    Person.sex,
                    Person.death_on,
                    AdminUnit.name,
                )
                .join(AdminUnit, AdminUnit.id == Person.commune_id)
                .where(*_between(Person.id, span))
            )
            .all()
        ):
            # The range's people, filtered here: an IN list of the page's 20,000 ids would
            # cost more to send and plan than the extra rows (household members) to skip.
            person_id, birth, year, sex, death, commune_name = row
            if person_id not in in_page:
                continue
            born = _Born(birth and birth.replace(day=1), year, sex, death and death.replace(day=1))
            number = birth.year * 12 + birth.month if birth else year * 12 + 1
            area = areas.get(commune_name)
            if area is None:
                area = areas[commune_name] = area_of_commune(commune_name)
            self.people[person_id] = _Person(born, death, commune_name, number, area)
        self.circumstances: dict[str, list[Any]] = defaultdict(list)
        for row in (
            _core()
            .execute(
                select(
                    _text(Circumstance.person_id),
                    Circumstance.kind,
                    Circumstance.disability_level,
                    Circumstance.children_count,
                    Circumstance.started_on,
                    Circumstance.ended_on,
                )
                .where(
                    *_between(Circumstance.person_id, span),
                    Circumstance.kind.in_(KINDS_READ),
                    Circumstance.started_on <= last,
                    or_(Circumstance.ended_on.is_(None), Circumstance.ended_on >= first),
                )
                .order_by(Circumstance.person_id, Circumstance.id)
            )
            .all()
        ):
            self.circumstances[row.person_id].append(row)
        self.merits: dict[str, list[Any]] = defaultdict(list)
        for row in (
            _core()
            .execute(
                select(
                    _text(MeritRecord.person_id),
                    MeritRecord.category,
                    MeritRecord.martyrs,
                    MeritRecord.injury_rate,
                    MeritRecord.recognised_on,
                    MeritRecord.ended_on,
                )
                .where(
                    *_between(MeritRecord.person_id, span),
                    MeritRecord.recognised_on <= last,
                    or_(MeritRecord.ended_on.is_(None), MeritRecord.ended_on >= first),
                )
                .order_by(MeritRecord.person_id, MeritRecord.id)
            )
            .all()
        ):
            self.merits[row.person_id].append(row)
        self.statuses: dict[str, list[Any]] = defaultdict(list)
        status = HouseholdPovertyStatus
        for row in (
            _core()
            .execute(
                select(
                    _text(Person.id).label("person_id"),
                    status.review_year,
                    status.status,
                    status.area,
                    status.is_especially_difficult_area,
                    status.valid_from,
                    status.valid_to,
                )
                .join(status, status.household_id == Person.household_id)
                .where(
                    *_between(Person.id, span),
                    status.valid_from <= last,
                    or_(status.valid_to.is_(None), status.valid_to >= first),
                )
            )
            .all()
        ):
            self.statuses[row.person_id].append(row)

    def paid(self, person_id: str, month: date, amounts: _Amounts) -> dict[str, int]:
        """The law's amount per paid group for the person in ``month``.

        Looked up by a signature of what the engine can tell apart: the ``birth_key``,
        sex, alive or not that month, the (kind, level, children) of the circumstances that
        count that month, the merit records that count (in order), and the poverty review in
        force (or, without one, the area its commune's name gives). Equal signatures give
        equal amounts, so the facts are built (by the adapter's own functions) and evaluated
        only on a miss.
        """
        memo_key = (person_id, month)
        found = self._memo.get(memo_key)  # the person's other decisions, same month
        if found is not None:
            return found
        span = self._spans.get(month)
        if span is None:
            span = self._spans[month] = month_span(month)
        first, last = span
        person = self.people[person_id]
        circumstances = self.circumstances.get(person_id)
        merits = self.merits.get(person_id)
        statuses = self.statuses.get(person_id)
        if not statuses:
            status = None
        elif len(statuses) == 1:  # the usual case, without status_in_force's generality
            status = statuses[0]
            ended = status.valid_to is not None and status.valid_to < first
            if ended or status.valid_from > last:
                status = None
        else:
            status = status_in_force(statuses, month)
        born = person.born
        signature = (
            month,
            birth_key(person.birth_month, month.year * 12 + month.month, amounts.exact_up_to),
            born.sex,
            born.death_on is None or born.death_on >= month,
            tuple(
                [
                    (r.kind, r.disability_level, r.children_count)
                    for r in circumstances
                    if r.started_on <= last and (r.ended_on is None or r.ended_on >= first)
                ]
            )
            if circumstances
            else (),
            tuple(
                [
                    (r.category, r.martyrs, r.injury_rate)
                    for r in merits
                    if r.recognised_on <= last and (r.ended_on is None or r.ended_on >= first)
                ]
            )
            if merits
            else (),
            person.area  # without a review, the area the commune's name gives
            if status is None
            else (status.status, status.area, status.is_especially_difficult_area),
        )
        found = amounts.by_signature.get(signature)
        if found is None:
            found = amounts.by_signature[signature] = amounts.paid(
                self.facts(person_id, month), month
            )
        self._memo[memo_key] = found
        return found

    def facts(self, person_id: str, month: date) -> Facts:
        person = self.people[person_id]
        return Facts(
            person=build_person_facts(
                person.born,  # type: ignore[arg-type]
                self.circumstances.get(person_id, ()),
                self.merits.get(person_id, ()),
                month,
            ),
            household=build_household_facts(
                self.statuses.get(person_id, ()), person.commune_name, month
            ),
        )


def insert_lines(rows: list[tuple]) -> None:
    """Insert line rows (``LINE_COLUMNS`` order; ids as ``uuid.UUID`` or as the text read
    back by ``_text``) in one round trip per page: the dialect adapter of the bulk path.

    PostgreSQL: COPY (several times faster than a multi-row INSERT); its text format takes
    ids as text. SQLite: one executemany of plain tuples, values already in the column's
    storage form (through the column types' own bind processors), which skips SQLAlchemy's
    per-row parameter processing. A unique violation surfaces as SQLAlchemy's
    IntegrityError on both.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    names = ", ".join(LINE_COLUMNS)
    if dialect.name == "postgresql":
        import psycopg

        raw = connection.connection.driver_connection
        statement = f"COPY payment_lines ({names}) FROM STDIN"
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for start in range(0, len(rows), 5000):
                    copy.write(_copy_text(rows[start : start + 5000]))
        except psycopg.errors.IntegrityError as error:
            raise IntegrityError("COPY payment_lines", None, error) from error
        return
    columns = PaymentLine.__table__.c
    as_id = columns.id.type.bind_processor(dialect) or (lambda value: value)
    as_date = columns.month_paid_for.type.bind_processor(dialect) or (lambda value: value)
    dates: dict[date, Any] = {}
    ids: dict[Any, Any] = {}

    def stored(value: Any) -> Any:
        # SQLite keeps a UUID as its 32 hex digits, which is what ``_text`` read back and
        # what ``LineIds`` makes; anything else is converted once per distinct value.
        if type(value) is str and len(value) == 32:
            return value
        found = ids.get(value)
        if found is None:
            found = ids[value] = as_id(value if isinstance(value, uuid.UUID) else uuid.UUID(value))
        return found

    def month(value: date) -> Any:
        found = dates.get(value)
        if found is None:
            found = dates[value] = as_date(value)
        return found

    converted = [
        (stored(line_id), stored(run_id), stored(decision_id), stored(person_id), commune_id,
         programme, group, month(paid_for), kind, amount, status)
        for line_id, run_id, decision_id, person_id, commune_id, programme, group, paid_for,
        kind, amount, status in rows
    ]  # fmt: skip
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in LINE_COLUMNS)
    connection.exec_driver_sql(f"INSERT INTO payment_lines ({names}) VALUES ({marks})", converted)


#: What COPY's text format must escape in a value.
_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: list[tuple]) -> bytes:
    """Line rows in COPY's text format, in one piece: one ``write`` per few thousand rows
    instead of psycopg's per-value dumping (ids as text, dates ISO, no NULLs in a line)."""
    texts: dict[Any, str] = {}

    def text(value: Any) -> str:
        found = texts.get(value)
        if found is None:
            if isinstance(value, date):
                found = value.isoformat()
            else:
                found = str(value).translate(_COPY_SPECIAL)
            texts[value] = found
        return found

    out = []
    for row in rows:
        line_id, run_id, decision_id, person_id, commune_id, programme, group = row[:7]
        paid_for, kind, amount, status = row[7:]
        out.append(
            f"{line_id}\t{text(run_id)}\t{decision_id}\t{person_id}\t{commune_id}\t"
            f"{text(programme)}\t{text(group)}\t{text(paid_for)}\t{text(kind)}\t{amount}\t"
            f"{text(status)}\n"
        )
    return "".join(out).encode()
