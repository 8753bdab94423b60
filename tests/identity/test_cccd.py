"""Normalising and validating CCCD, CMND and bank account numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.errors import ValidationError
from registry.identity.cccd import (
    account_number_problems,
    cccd_problems,
    decode_cccd,
    mask_cccd,
    mask_tail,
    normalise_account_number,
    normalise_cccd,
    normalise_cmnd,
    province_codes,
    restore_leading_zero,
    validate_account_number,
    validate_cccd,
    validate_cmnd,
)

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
SEPARATORS = [" ", "\u00a0", ".", "-", "\t", "–", "\u200b", "\u3000"]


def codes(number: str, **kwargs: object) -> set[str]:
    return {problem.code for problem in cccd_problems(number, **kwargs)}


def century_digit(sex: str, year: int) -> int:
    # Written out from the table in Circular 07/2016/TT-BCA, independently of the code.
    return {1900: 0, 2000: 2, 2100: 4, 2200: 6, 2300: 8}[year // 100 * 100] + (sex == "female")


@st.composite
def valid_people(draw: st.DrawFn) -> tuple[str, str, int]:
    province = draw(st.sampled_from(sorted(province_codes())))
    sex = draw(st.sampled_from(["male", "female"]))
    year = draw(st.integers(1900, 2399))
    serial = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    return f"{province}{century_digit(sex, year)}{year % 100:02d}{serial}", sex, year


def test_there_are_63_province_codes_all_starting_with_zero() -> None:
    assert len(province_codes()) == 63
    assert all(code.startswith("0") and len(code) == 3 for code in province_codes())
    assert province_codes()["046"] == "Thừa Thiên Huế"


@pytest.mark.parametrize(
    ("number", "sex", "year", "expected"),
    [
        ("046190012345", "female", 1990, set()),
        ("046190012345", "male", 1990, {"cccd_sex"}),
        ("046190012345", "female", 2001, {"cccd_century", "cccd_year"}),
        ("046190012345", "male", 2001, {"cccd_sex", "cccd_century", "cccd_year"}),
        ("087084000999", "male", 1984, set()),
        ("087084000999", None, None, set()),
        ("079303000001", "female", 2003, set()),
        ("003084000999", "male", 1984, {"cccd_province"}),
        ("003184000999", "male", 1984, {"cccd_province", "cccd_sex"}),
        ("04619001234", "female", 1990, {"cccd_length"}),
        ("0461900123456", "female", 1990, {"cccd_length"}),
        ("04619001234X", "female", 1990, {"cccd_not_digits", "cccd_length"}),
        ("", None, None, {"cccd_length"}),
    ],
)
def test_cccd_problems_table(number: str, sex: str | None, year: int | None, expected: set) -> None:
    assert codes(number, sex=sex, birth_year=year) == expected


def test_sex_problem_names_the_digit_and_the_recorded_sex() -> None:
    [problem] = cccd_problems("046190012345", sex="male", birth_year=1990)
    assert problem.field == "cccd"
    assert problem.params == {"digit": 1, "digit_sex": "female", "sex": "male"}
    assert problem.render() == (
        "Digit 4 of the CCCD (1) is used for women, but the person is recorded as a man."
    )


def test_century_and_year_problems_say_what_the_digits_mean() -> None:
    rendered = [p.render() for p in cccd_problems("046190012345", sex="female", birth_year=2001)]
    assert rendered == [
        "Digit 4 of the CCCD (1) is used for people born from 1900 to 1999,"
        " but the birth year is recorded as 2001.",
        "Digits 5–6 of the CCCD (90) should be 01, the last two digits of the birth year 2001.",
    ]


def test_unknown_province_problem_shows_the_code() -> None:
    [problem] = cccd_problems("003084000999")
    assert problem.params == {"code": "003"}
    assert "(003)" in problem.render()


def test_length_problem_counts_the_digits_entered() -> None:
    [problem] = cccd_problems("46190012345")
    assert problem.params == {"count": 11}
    assert problem.render() == "The CCCD number must have 12 digits; the number entered has 11."


def test_not_digits_problem_lists_each_offending_character_once() -> None:
    problems = cccd_problems("04619001234A/A\x01")
    assert problems[0].params == {"characters": "“A”, “/”, U+0001"}


def test_validate_cccd_normalises_and_raises_every_problem() -> None:
    assert validate_cccd(" 046 190 012 345 ", sex="female", birth_year=1990) == "046190012345"
    with pytest.raises(ValidationError) as caught:
        validate_cccd("046-190-012345", sex="male", birth_year=2001, field="head_cccd")
    assert [p.code for p in caught.value.problems] == ["cccd_sex", "cccd_century", "cccd_year"]
    assert {p.field for p in caught.value.problems} == {"head_cccd"}


def test_unknown_sex_value_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="sex"):
        cccd_problems("046190012345", sex="F")


@given(valid_people())
def test_any_consistent_number_validates_for_its_sex_and_year(person: tuple) -> None:
    number, sex, year = person
    assert cccd_problems(number, sex=sex, birth_year=year) == []
    assert validate_cccd(number, sex=sex, birth_year=year) == number


@given(valid_people())
def test_mismatched_sex_century_and_year_are_all_reported(person: tuple) -> None:
    number, sex, year = person
    other_sex = "female" if sex == "male" else "male"
    other_century = year + 100 if year < 2300 else year - 100
    other_year_same_century = year // 100 * 100 + (year + 1) % 100
    assert codes(number, sex=other_sex, birth_year=year) == {"cccd_sex"}
    assert codes(number, sex=sex, birth_year=other_century) == {"cccd_century"}
    assert codes(number, sex=sex, birth_year=other_year_same_century) == {"cccd_year"}
    both = other_century // 100 * 100 + (other_century + 1) % 100
    assert codes(number, sex=other_sex, birth_year=both) == {
        "cccd_sex",
        "cccd_century",
        "cccd_year",
    }


@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 12))
def test_wrong_length_always_gives_the_length_problem(number: str) -> None:
    problems = cccd_problems(number, sex="male", birth_year=1990)
    assert [p.code for p in problems] == ["cccd_length"]
    assert problems[0].params == {"count": len(number)}


@given(st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",))))
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise_cccd(raw)
    assert normalise_cccd(once) == once


@given(valid_people(), st.data())
def test_separators_whitespace_and_full_width_digits_normalise_away(person: tuple, data) -> None:
    number = person[0]
    pieces = []
    for digit in number:
        pieces.append(data.draw(st.lists(st.sampled_from(SEPARATORS), max_size=2)))
        pieces.append([FULL_WIDTH[digit] if data.draw(st.booleans()) else digit])
    pieces.append(data.draw(st.lists(st.sampled_from(SEPARATORS), max_size=2)))
    messy = "".join("".join(piece) for piece in pieces)
    assert normalise_cccd(messy) == number


def test_other_unicode_digits_become_ascii() -> None:
    assert normalise_cccd("٠٤٦١٩٠٠١٢٣٤٥") == "046190012345"  # Arabic-Indic


def test_integers_are_accepted_but_leading_zeros_are_not_invented() -> None:
    assert normalise_cccd(46190012345) == "46190012345"
    assert restore_leading_zero(normalise_cccd(46190012345)) == "046190012345"


@pytest.mark.parametrize("digits", ["046190012345", "4619001234", "4619001234X", ""])
def test_restore_leading_zero_changes_only_11_digit_strings(digits: str) -> None:
    assert restore_leading_zero(digits) == digits


def test_nul_is_refused_outright() -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_cccd("046190\x00012345")
    assert caught.value.problems[0].code == "cccd_nul"


def test_decode_splits_the_fields() -> None:
    parts = decode_cccd("087084000999")
    assert (parts.province_code, parts.province_name) == ("087", "Đồng Tháp")
    assert (parts.sex, parts.century_start, parts.birth_year_two_digits) == ("male", 1900, 84)
    assert (parts.serial, parts.birth_year) == ("000999", 1984)
    assert decode_cccd("079405000001").birth_year == 2105


def test_decode_refuses_a_structurally_invalid_number() -> None:
    with pytest.raises(ValidationError):
        decode_cccd("003084000999")


@pytest.mark.parametrize(
    ("value", "visible", "masked"),
    [
        ("046190012345", 4, "********2345"),
        ("123456789", 4, "*****6789"),
        ("123456", 4, "***456"),
        ("1234", 4, "**34"),
        ("1", 4, "*"),
        ("", 4, ""),
        ("046190012345", 0, "************"),
    ],
)
def test_mask_tail_never_shows_more_than_half(value: str, visible: int, masked: str) -> None:
    assert mask_tail(value, visible) == masked


def test_mask_cccd_shows_eight_stars_and_the_last_four_digits() -> None:
    assert mask_cccd("046190012345") == "********2345"


def test_cmnd_must_be_nine_digits() -> None:
    assert validate_cmnd(" 012.345.678 ") == "012345678"
    assert normalise_cmnd("０１２３４５６７８") == "012345678"
    with pytest.raises(ValidationError) as caught:
        validate_cmnd("01234567")
    [problem] = caught.value.problems
    assert (problem.code, problem.field, problem.params) == ("cmnd_length", "cmnd", {"count": 8})
    assert problem.render() == "The CMND number must have 9 digits; the number entered has 8."


def test_a_twelve_digit_cmnd_is_sent_to_the_cccd_field() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_cmnd("046190012345")
    assert [p.code for p in caught.value.problems] == ["cmnd_is_cccd"]


def test_account_numbers_are_cleaned_and_upper_cased() -> None:
    assert normalise_account_number(" 0071-0012.34 567 ") == "0071001234567"
    assert validate_account_number("vcb ａｂｃ 123") == "VCBABC123"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345", {"account_number_length"}),
        ("1" * 20, {"account_number_length"}),
        ("123456", set()),
        ("1" * 19, set()),
        ("12345/678", {"account_number_characters"}),
        ("Đ1234", {"account_number_characters", "account_number_length"}),
    ],
)
def test_account_number_problems(raw: str, expected: set) -> None:
    number = normalise_account_number(raw)
    assert {p.code for p in account_number_problems(number)} == expected


def test_account_number_problems_name_the_characters_and_length() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_account_number("12/3")
    assert [p.render() for p in caught.value.problems] == [
        "A bank account number may contain only digits and the letters A–Z; it contains “/”.",
        "A bank account number has 6 to 19 characters; the number entered has 4.",
    ]


@settings(max_examples=50)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=19))
def test_any_plain_account_number_is_accepted(number: str) -> None:
    assert validate_account_number(number) == number
