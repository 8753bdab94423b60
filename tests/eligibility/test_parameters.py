"""The dated parameter files: shipped values, the month reading, and refusals of bad files."""

from datetime import date

import pytest

from registry.eligibility.parameters import ParameterError, load_file, load_parameters

SHIPPED = load_parameters()


@pytest.mark.parametrize(
    ("name", "month", "value"),
    [
        ("sa.standard_level", date(2021, 6, 1), 270000),
        ("sa.standard_level", date(2021, 7, 1), 360000),
        ("sa.standard_level", date(2024, 6, 1), 360000),
        ("sa.standard_level", date(2024, 7, 1), 500000),
        ("sa.standard_level", date(2026, 7, 1), 540000),
        ("sp.amount", date(2025, 7, 1), 500000),
        ("sp.amount", date(2026, 7, 1), 540000),
        ("merit.standard_level", date(2023, 7, 1), 2055000),
        ("merit.martyr_relative_1", date(2024, 7, 1), 2789000),
        ("merit.heroic_mother", date(2023, 6, 1), 4872000),
    ],
)
def test_the_value_in_force_is_the_latest_starting_on_or_before_the_month(name, month, value):
    assert SHIPPED.at(name, month).value == value


def test_nothing_is_in_force_before_the_first_value():
    assert SHIPPED.at("sp.amount", date(2025, 6, 1)) is None


def test_unconfirmed_amounts_are_marked_provisional():
    assert SHIPPED.at("sa.standard_level", date(2026, 8, 1)).status == "provisional"
    assert SHIPPED.at("sa.standard_level", date(2021, 8, 1)).status == "verified"
    assert SHIPPED.at("merit.war_invalid.by_rate", date(2024, 8, 1)).value[81] == 7240000


def test_every_shipped_value_has_a_reference():
    for name in SHIPPED.names():
        assert all(v.reference for v in SHIPPED.parameter(name).values), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: 1, reference: r, status: verified}\n"
            "    - {from: 2021-07-01, value: 2, reference: r, status: verified}\n",
            "x, value 2: 'from'",
        ),
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: 1, reference: r, status: verified}\n"
            "    - {from: 2024-07-01, value: 2, reference: r, status: verified}\n",
            "x, value 2: 'from'",
        ),
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: 1, status: verified}\n",
            "x, value 1: 'reference' is missing",
        ),
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: 1, reference: r, status: verified, "
            "colour: red}\n",
            "x, value 1: unknown key(s) colour",
        ),
        ("x:\n  valeus: []\n", "x: unknown key(s) valeus"),
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: 1, reference: r, status: guessed}\n",
            "status must be",
        ),
        (
            "x:\n  values:\n    - {from: 1/7/2024, value: 1, reference: r, status: verified}\n",
            "not a date",
        ),
        (
            "x:\n  values:\n    - {from: 2024-07-01, value: many, reference: r, "
            "status: verified}\n",
            "value must be a number",
        ),
        ("x: [1, 2\n", "not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_entry(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_file(path)
    assert "bad.yaml" in str(caught.value) and expected in str(caught.value)


def test_a_parameter_defined_in_two_files_is_refused(tmp_path):
    path = tmp_path / "again.yaml"
    path.write_text(
        "sa.standard_level:\n  values:\n    - {from: 2030-01-01, value: 1, reference: r, "
        "status: verified}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="already defined"):
        load_parameters([path])
