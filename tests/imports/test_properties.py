"""Hypothesis: malformed cells and rows give row problems or a clean RegistryError, never a
crash, and the importer never writes half a file.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from registry.errors import RegistryError
from registry.extensions import db, keys
from registry.imports.columns import KEYS
from registry.imports.planning import OnDuplicate
from registry.imports.reading import Sheet, SourceRow, read_sheet
from registry.imports.services import import_people
from registry.imports.validation import Reference, check_rows
from registry.people.models import Person
from tests.conftest import TODAY, WARD_A, WARD_B

# PostgreSQL refuses NUL in text; the validator refuses it too, but keep the DB runs clean.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
_PLAUSIBLE = {
    "household_code": st.sampled_from(["H1", "H2", "H3", " H1 ", 7]),
    "commune_code": st.sampled_from([WARD_A, WARD_B, int(WARD_A), "99999", None]),
    "relation_to_head": st.sampled_from(["Chủ hộ", "chu ho", "Con", "Vợ", "vo", "Bà", "", None]),
    "sex": st.sampled_from(["Nam", "Nữ", "nu", "X", None]),
    "birth_date": st.one_of(
        st.sampled_from(["17/05/1990", "1950", "31/02/2000", "2999", "1/1/1880"]),
        st.datetimes(min_value=datetime(1850, 1, 1), max_value=datetime(2100, 1, 1)),
        st.integers(-10, 10_000),
    ),
    "cccd": st.sampled_from(
        ["046090012345", "046190012345", 46090012345, "046 090 012 345", "4.6E+10", "12", None]
    ),
    "disability": st.sampled_from(["nặng", "Nhẹ", "rất nặng", None]),
    "has_pension": st.sampled_from(["có", "không", "x", "?", 1, None]),
    "poverty_status": st.sampled_from(["nghèo", "cận nghèo", "giàu", None]),
    "poverty_year": st.sampled_from([2025, "2025", 1999, 2030, None]),
    "merit_category": st.sampled_from(["thương binh", "thân nhân liệt sĩ", "vua", None]),
    "injury_rate": st.sampled_from([61, "81%", 0, 101, 61.5, None]),
    "martyrs": st.sampled_from([1, 0, -2, "2", None]),
    "bank_bin": st.sampled_from(["970436", 970436, "123456", None]),
    "account_number": st.sampled_from(["0071000123456", 71000123456, "12", "ABC-123-456", None]),
}
_ANY_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1)),
)


def _cell(key: str) -> st.SearchStrategy:
    return st.one_of(_PLAUSIBLE.get(key, _TEXT), _ANY_CELL)


_MALFORMED = st.tuples(*(_cell(key) for key in KEYS))
_VALID = st.builds(
    lambda household, name, relation, serial, extra: tuple(
        {
            "household_code": household,
            "commune_code": WARD_A,
            "address": "Tổ 1",
            "full_name": name,
            "relation_to_head": relation,
            "birth_date": "17/05/1990",
            "sex": "Nam",
            "cccd": None if serial is None else f"046090{serial:06d}",
            **extra,
        }.get(key)
        for key in KEYS
    ),
    st.sampled_from(["H1", "H2"]),
    st.sampled_from(["Lê Văn An", "Le Van An", "Phạm Bình"]),
    st.sampled_from(["Chủ hộ", "Con"]),
    st.one_of(st.none(), st.integers(0, 20)),
    st.fixed_dictionaries(
        {},
        optional={
            "disability": st.sampled_from(["nặng", "nhẹ"]),
            "has_pension": st.just("có"),
            "poverty_status": st.just("nghèo"),
            "poverty_year": st.just(2025),
            "bank_bin": st.just("970436"),
            "account_number": st.just("0071000123456"),
        },
    ),
)
_ROW = st.one_of(_VALID, _MALFORMED)
_SHEET_COLUMNS = {key: index for index, key in enumerate(KEYS)}


def _sheet(rows: list[tuple]) -> Sheet:
    return Sheet((KEYS,), _SHEET_COLUMNS, tuple(SourceRow(i + 2, r) for i, r in enumerate(rows)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=6))
def test_the_row_checks_return_typed_rows_or_problems_for_any_cells(rows):
    reference = Reference(communes={WARD_A: 1}, other_communes=frozenset({WARD_B}))
    for row in check_rows(_sheet(rows), reference, today=TODAY):
        if not row.problems:
            assert row.full_name and row.sex is not None and row.birth_year is not None
            assert row.household_code and row.relation is not None
        for problem in row.problems:
            assert problem.column in (*KEYS, None)
            problem.problem.render()  # every message fills its placeholders


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
def test_any_bytes_are_read_or_refused_readably(data, name):
    try:
        read_sheet(data, name)
    except RegistryError as error:
        error.render()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(_ROW, min_size=1, max_size=6),
    st.booleans(),
    st.sampled_from(list(OnDuplicate)),
)
def test_the_importer_writes_all_valid_rows_or_nothing(actor, rows, valid_only, on_duplicate):
    officer = actor("commune_a")
    savepoint = db.session.begin_nested()
    try:
        before = db.session.scalar(select(func.count()).select_from(Person))
        try:
            report = import_people(
                _sheet(rows),
                actor=officer,
                today=TODAY,
                cipher=keys.cipher,
                source="h.xlsx",
                on_duplicate=on_duplicate,
                valid_only=valid_only,
            )
        except RegistryError:
            return
        db.session.flush()
        after = db.session.scalar(select(func.count()).select_from(Person))
        if report.problems and not valid_only:
            assert not report.written and after == before
        else:
            assert report.written and after == before + report.created
            event(f"written, {'some' if report.created else 'no'} people created")
            checked = len(rows) - len(report.rejected_lines)
            assert report.created + report.updated + report.unchanged + report.skipped == checked
    finally:
        savepoint.rollback()
