"""Reading single cells: Vietnamese words with or without accents, numbers Excel mangled."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from registry.households.models import PovertyStatus
from registry.imports import values
from registry.people.models import DisabilityLevel, MeritCategory, Relation, Sex


@pytest.mark.parametrize(
    ("cell", "words", "column", "expected"),
    [
        ("Nữ", values.SEX_WORDS, "sex", Sex.FEMALE),
        ("NU", values.SEX_WORDS, "sex", Sex.FEMALE),
        ("nam", values.SEX_WORDS, "sex", Sex.MALE),
        ("female", values.SEX_WORDS, "sex", Sex.FEMALE),
        ("Chủ hộ", values.RELATION_WORDS, "relation_to_head", Relation.HEAD),
        ("chu  ho", values.RELATION_WORDS, "relation_to_head", Relation.HEAD),
        ("Vợ", values.RELATION_WORDS, "relation_to_head", Relation.WIFE),
        ("con gái", values.RELATION_WORDS, "relation_to_head", Relation.CHILD),
        ("older_sister", values.RELATION_WORDS, "relation_to_head", Relation.OLDER_SISTER),
        ("Đặc biệt nặng", values.DISABILITY_WORDS, "disability", DisabilityLevel.ESPECIALLY_SEVERE),
        ("dac biet nang", values.DISABILITY_WORDS, "disability", DisabilityLevel.ESPECIALLY_SEVERE),
        ("nhẹ", values.DISABILITY_WORDS, "disability", DisabilityLevel.MILD),
        ("cận nghèo", values.POVERTY_WORDS, "poverty_status", PovertyStatus.NEAR_POOR),
        ("Ho ngheo", values.POVERTY_WORDS, "poverty_status", PovertyStatus.POOR),
        ("near_poor", values.POVERTY_WORDS, "poverty_status", PovertyStatus.NEAR_POOR),
        ("Thương binh", values.MERIT_WORDS, "merit_category", MeritCategory.WAR_INVALID),
        ("benh binh", values.MERIT_WORDS, "merit_category", MeritCategory.SICK_SOLDIER),
        ("thân nhân liệt sĩ", values.MERIT_WORDS, "merit_category", MeritCategory.MARTYR_RELATIVE),
    ],
)
def test_choices_are_read_with_or_without_accents_or_as_keys(cell, words, column, expected):
    assert values.choice(cell, words, column) is expected


def test_an_unknown_choice_lists_the_accepted_words():
    with pytest.raises(values.CellError) as error:
        values.choice("Bà", values.RELATION_WORDS, "relation_to_head")
    assert error.value.params["accepted"].startswith("Chủ hộ, Vợ")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("17/05/1990", (date(1990, 5, 17), 1990)),
        ("7/5/1990", (date(1990, 5, 7), 1990)),
        ("1990-05-17", (date(1990, 5, 17), 1990)),
        ("1990-05-17 00:00:00", (date(1990, 5, 17), 1990)),
        (datetime(1990, 5, 17), (date(1990, 5, 17), 1990)),
        ("1950", (None, 1950)),
        (1950, (None, 1950)),
        (1950.0, (None, 1950)),
        (None, (None, None)),
    ],
)
def test_a_birth_is_a_date_or_a_year_alone(cell, expected):
    assert values.birth(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/1990", "17/05/90", "May 1990", 33000, True])
def test_an_unreadable_birth_is_refused(cell):
    with pytest.raises(values.CellError):
        values.birth(cell)


def test_a_cccd_from_a_number_cell_gets_its_leading_zero_back():
    assert values.cccd(46190012345) == "046190012345"
    assert values.cccd(46190012345.0) == "046190012345"
    assert values.cccd("46190012345") == "046190012345"  # a CSV saved from a number column
    assert values.cccd("046 190 012 345") == "046190012345"
    assert values.cccd("04619001234") == "04619001234"  # typed with its 0: a digit is missing


@pytest.mark.parametrize("cell", ["4.6190E+10", 4.619001234512e18, 461900.5])
def test_a_number_excel_rounded_is_refused(cell):
    with pytest.raises(values.CellError):
        values.cccd(cell)


def test_account_numbers_and_codes_from_number_cells():
    assert values.account_number(71000123456) == "71000123456"
    with pytest.raises(values.CellError):
        values.account_number(9704361234567890123.0)
    assert values.code(4, digits=5) == "00004"
    assert values.code(19789.0, digits=5) == "19789"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Có", True), ("x", True), (1, True), ("khong", False), (None, False), (False, False)],
)
def test_yes_no(cell, expected):
    assert values.yes_no(cell) is expected


def test_whole_numbers_accept_excel_floats_and_percentages():
    assert values.whole_number(61.0) == 61
    assert values.whole_number("61%") == 61
    with pytest.raises(values.CellError):
        values.whole_number("sáu mươi")


def test_nul_in_a_cell_is_refused():
    with pytest.raises(values.CellError):
        values.text("Nguyễn\x00Văn")
