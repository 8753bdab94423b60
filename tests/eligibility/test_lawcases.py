"""The YAML law cases under tests/law, and the runner that reads and checks them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from registry.eligibility.engine import load_law
from registry.eligibility.lawcases import (
    LawCaseError,
    format_report,
    load_case_files,
    run_cases,
)
from registry.eligibility.results import Consideration, Result

LAW_CASES = Path(__file__).resolve().parents[1] / "law"
PROGRAMME_FILES = ("social_assistance", "social_pension", "merit", "combinations")


# --- The law cases themselves --------------------------------------------------------------


def test_every_law_case_passes_against_the_engine() -> None:
    cases = load_case_files([LAW_CASES])
    report = run_cases(cases, load_law())
    lines = format_report(report)
    assert report.failed == 0, "\n".join(lines)
    assert lines[-1] == f"{len(cases)} passed, 0 failed"


def test_the_law_cases_cover_each_programme_in_its_own_file() -> None:
    cases = load_case_files([LAW_CASES])
    assert len(cases) >= 60
    files = {Path(case.file).stem for case in cases}
    assert files == set(PROGRAMME_FILES)
    for stem in PROGRAMME_FILES:
        assert sum(1 for c in cases if Path(c.file).stem == stem) >= 10, stem


def test_every_social_assistance_group_and_both_pension_bands_appear_in_a_case() -> None:
    cases = load_case_files([LAW_CASES])
    listed = {group for case in cases for group in case.groups}
    expected = {f"sa.5.{n}" for n in (1, 2, 3, 4, 6, 7, 8)}
    expected |= {"sa.5.5a", "sa.5.5b", "sa.5.5c", "sa.5.5d", "sp.75plus", "sp.70to74"}
    assert expected <= listed


# --- Helpers for the runner's own tests ----------------------------------------------------

CASE = """\
- name: {name}
  month: 2024-08
  person:
    birth_date: 1950-02-02
    sex: female
    no_supporter: true
  household:
    poverty: poor
  expect:
    social_assistance: {amount}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def engine_giving(amounts: dict[str, int], groups: tuple[str, ...] = ("sa.5.5a",)):
    """A stand-in engine that answers the same amounts and paid groups for every case."""
    seen = []

    def evaluate(facts, month, *, law):
        seen.append((facts, month, law))
        considerations = tuple(
            Consideration(g.split(".")[0], g, g, True, (), 0, paid=True) for g in groups
        )
        full = {"social_assistance": 0, "social_pension": 0, "merit": 0, **amounts}
        return Result(month, full, considerations)

    evaluate.seen = seen
    return evaluate


def error_of(path: Path) -> str:
    with pytest.raises(LawCaseError) as raised:
        load_case_files([path])
    return str(raised.value)


# --- Reading files -------------------------------------------------------------------------


def test_a_case_is_read_into_facts_month_and_expected_amounts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.yaml",
        """\
- name: everything given
  month: "2024-08"
  person:
    birth_date: "1942-03-15"
    sex: female
    death_date: 2024-08-20
    disability: especially_severe
    has_pension: false
    hiv: false
    studying: false
    without_support: false
    single_parent_children: 2
    no_supporter: true
    taken_in_by_carer: false
    merit:
      - category: martyr_relative
        martyrs: 2
      - category: war_invalid
        injury_rate: 81
      - category: heroic_mother
  household:
    poverty: near_poor
    area: urban
    especially_difficult_area: true
  expect:
    social_assistance: 1250000
    merit: 5578000
    groups: [sa.5.6]
- name: defaults only
  month: 2024-09
  person:
    birth_date: 2020-01-01
    sex: male
""",
    )
    first, second = load_case_files([path])
    assert (first.file, first.index, first.name) == (str(path), 1, "everything given")
    assert first.month == date(2024, 8, 1)
    person, household = first.facts.person, first.facts.household
    assert person.birth_date == date(1942, 3, 15)
    assert person.death_date == date(2024, 8, 20)
    assert person.disability == "especially_severe"
    assert person.single_parent_children == 2 and person.no_supporter
    assert [(m.category, m.martyrs, m.injury_rate) for m in person.merit] == [
        ("martyr_relative", 2, None),
        ("war_invalid", None, 81),
        ("heroic_mother", None, None),
    ]
    assert (household.poverty, household.area, household.especially_difficult_area) == (
        "near_poor",
        "urban",
        True,
    )
    assert first.expected == {"social_assistance": 1250000, "social_pension": 0, "merit": 5578000}
    assert first.groups == ("sa.5.6",)
    assert second.expected == {"social_assistance": 0, "social_pension": 0, "merit": 0}
    assert second.facts.household.poverty == "none"
    assert second.facts.person.merit == ()


def test_folders_are_walked_for_yaml_and_yml_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "b.yaml", CASE.format(name="b", amount=1))
    write(tmp_path, "a.yml", CASE.format(name="a", amount=1))
    write(tmp_path / "sub", "c.yaml", CASE.format(name="c", amount=1))
    write(tmp_path, "notes.txt", "not a case file")
    assert [c.name for c in load_case_files([tmp_path])] == ["a", "b", "c"]


def test_a_missing_path_or_a_folder_without_cases_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    message = error_of(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml: no such file or folder" in message
    assert "empty: no law-case files" in error_of(tmp_path / "empty")


def test_the_same_name_in_two_files_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CASE.format(name="same", amount=1))
    write(tmp_path, "b.yaml", CASE.format(name="same", amount=1))
    assert len(load_case_files([tmp_path])) == 2


MALFORMED = {
    "unknown person key": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    dissability: severe\n",
        "person.dissability: unknown key",
    ),
    "unknown case key": (
        "  expect:\n",
        "  expects:\n    merit: 0\n  expect:\n",
        "expects: unknown key",
    ),
    "unknown household key": (
        "    poverty: poor\n",
        "    poverty: poor\n    region: north\n",
        "household.region: unknown key",
    ),
    "unknown expect key": (
        "    social_assistance: {amount}\n",
        "    social_assistance: {amount}\n    social_pensions: 0\n",
        "expect.social_pensions: unknown key",
    ),
    "impossible date": (
        "birth_date: 1950-02-02",
        "birth_date: 1950-02-30",
        "person.birth_date: not a real date: 1950-02-30",
    ),
    "date in another shape": (
        "birth_date: 1950-02-02",
        "birth_date: 02/02/1950",
        "person.birth_date: not a date (YYYY-MM-DD)",
    ),
    "date as a number": (
        "birth_date: 1950-02-02",
        "birth_date: 1950",
        "person.birth_date: not a date (YYYY-MM-DD)",
    ),
    "date with a time": (
        "birth_date: 1950-02-02",
        "birth_date: 1950-02-02 10:00:00",
        "person.birth_date: not a date (YYYY-MM-DD)",
    ),
    "bad death date": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    death_date: yesterday\n",
        "person.death_date: not a date (YYYY-MM-DD)",
    ),
    "missing birth date": (
        "    birth_date: 1950-02-02\n",
        "",
        "person.birth_date: required",
    ),
    "missing sex": ("    sex: female\n", "", "person.sex: required"),
    "unknown sex": ("sex: female", "sex: f", "person.sex: must be one of male, female"),
    "unknown disability": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    disability: mild\n",
        "person.disability: must be one of none, severe, especially_severe",
    ),
    "unknown poverty": (
        "poverty: poor",
        "poverty: very_poor",
        "household.poverty: must be one of poor, near_poor, average, none",
    ),
    "text for a yes/no": (
        "no_supporter: true",
        'no_supporter: "true"',
        "person.no_supporter: must be true or false",
    ),
    "float amount": (
        "social_assistance: {amount}",
        "social_assistance: 750000.0",
        "expect.social_assistance: must be a whole number",
    ),
    "text amount": (
        "social_assistance: {amount}",
        'social_assistance: "750000"',
        "expect.social_assistance: must be a whole number",
    ),
    "yes/no amount": (
        "social_assistance: {amount}",
        "social_assistance: true",
        "expect.social_assistance: must be a whole number",
    ),
    "negative amount": (
        "social_assistance: {amount}",
        "social_assistance: -1",
        "expect.social_assistance: must be 0 or more",
    ),
    "amount given twice": (
        "    social_assistance: {amount}\n",
        "    social_assistance: {amount}\n    social_assistance: 0\n",
        "expect.social_assistance: given more than once",
    ),
    "groups not a list": (
        "    social_assistance: {amount}\n",
        "    social_assistance: {amount}\n    groups: sa.5.5a\n",
        "expect.groups: must be a list of group codes",
    ),
    "unknown merit category": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: war_hero\n",
        "person.merit[1].category: must be one of",
    ),
    "merit record without a category": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - martyrs: 1\n",
        "person.merit[1].category: required",
    ),
    "unknown merit key": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: war_invalid\n        rate: 41\n",
        "person.merit[1].rate: unknown key",
    ),
    "zero martyrs": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: martyr_relative\n"
        "        martyrs: 0\n",
        "person.merit[1].martyrs: must be 1 or more",
    ),
    "injury rate over 100": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: heroic_mother\n"
        "      - category: war_invalid\n        injury_rate: 101\n",
        "person.merit[2].injury_rate: must be from 1 to 100",
    ),
    "injury rate as a decimal": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: war_invalid\n"
        "        injury_rate: 41.5\n",
        "person.merit[1].injury_rate: must be a whole number",
    ),
    "month as a full date": (
        "month: 2024-08",
        "month: 2024-08-01",
        "month: not a month (YYYY-MM)",
    ),
    "month as a number": ("month: 2024-08", "month: 202408", "month: not a month (YYYY-MM)"),
    "month 13": ("month: 2024-08", "month: 2024-13", "month: not a real month: 2024-13"),
    "month in another shape": ("month: 2024-08", "month: 08/2024", "month: not a month"),
    "single parent children negative": (
        "    no_supporter: true\n",
        "    no_supporter: true\n    single_parent_children: -2\n",
        "person.single_parent_children: must be 0 or more",
    ),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_case_names_the_file_the_case_and_the_field(
    tmp_path: Path, change: tuple[str, str, str]
) -> None:
    old, new, message = change
    good = CASE.format(name="first", amount=750000)
    template = CASE.replace("{name}", "poor elder aged 74")
    assert old in template
    bad = template.replace(old, new).replace("{amount}", "750000")
    path = write(tmp_path, "cases.yaml", good + bad)
    error = error_of(path)
    assert f'{path}: case 2 "poor elder aged 74": {message}' in error


def test_the_error_reads_file_case_field_message(tmp_path: Path) -> None:
    text = CASE.format(name="a", amount=1) + CASE.format(name="b", amount=1)
    text += CASE.format(name="poor elderly woman", amount=1).replace("1950-02-02", "15/03/1942")
    path = write(tmp_path, "x.yaml", text)
    assert error_of(path) == (
        f'{path}: case 3 "poor elderly woman": person.birth_date: not a date (YYYY-MM-DD): '
        "text ('15/03/1942')"
    )


def test_duplicate_names_in_a_file_are_an_error(tmp_path: Path) -> None:
    text = CASE.format(name="twice", amount=1) + CASE.format(name="twice", amount=2)
    path = write(tmp_path, "dup.yaml", text)
    assert (
        f'{path}: case 2 "twice": name: the same name as case 1: names must be unique'
        in error_of(path)
    )


def test_a_case_without_a_name_is_named_by_its_index(tmp_path: Path) -> None:
    text = CASE.format(name="a", amount=1) + CASE.format(name="b", amount=1).replace(
        "- name: b\n  month", "- month"
    )
    path = write(tmp_path, "noname.yaml", text)
    assert f"{path}: case 2: name: required" in error_of(path)


def test_every_malformed_case_of_every_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CASE.format(name="one", amount="1.5"))
    write(tmp_path, "b.yaml", CASE.format(name="two", amount=1).replace("sex: female", "sex: x"))
    with pytest.raises(LawCaseError) as raised:
        load_case_files([tmp_path])
    assert len(raised.value.errors) == 2
    assert 'a.yaml: case 1 "one": expect.social_assistance' in raised.value.errors[0]
    assert 'b.yaml: case 1 "two": person.sex' in raised.value.errors[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: not a list\n", "must be a list of cases"),
        ("", "must be a list of cases, not nothing"),
        ("- name: [unclosed\n", "line 2: not valid YAML: expected ',' or ']'"),
        ("- just text\n", "case 1: case: must be a mapping"),
    ],
)
def test_a_file_that_is_not_a_list_of_cases_is_an_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "bad.yaml", text)
    assert f"{path}: {message}" in error_of(path)


# --- Running and reporting -----------------------------------------------------------------


def test_a_failing_case_gives_a_fail_line_and_the_count_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cases.yaml",
        CASE.format(name="right", amount=750000) + CASE.format(name="wrong", amount=1000000),
    )
    evaluate = engine_giving({"social_assistance": 750000})
    report = run_cases(load_case_files([path]), "the law", evaluate=evaluate)
    assert (report.passed, report.failed) == (1, 1)
    assert format_report(report) == [
        f"FAIL {path}: wrong: social_assistance: expected 1000000, got 750000"
        " (paid groups: sa.5.5a)",
        "1 passed, 1 failed",
    ]
    facts, month, law = evaluate.seen[0]
    assert (facts.person.birth_date, month, law) == (date(1950, 2, 2), date(2024, 8, 1), "the law")


def test_all_passing_prints_only_the_count_line(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml", CASE.format(name="right", amount=750000))
    report = run_cases(
        load_case_files([path]), None, evaluate=engine_giving({"social_assistance": 750000})
    )
    assert format_report(report) == ["1 passed, 0 failed"]


def test_a_programme_not_listed_must_be_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "cases.yaml", CASE.format(name="allowance only", amount=750000))
    report = run_cases(
        load_case_files([path]),
        None,
        evaluate=engine_giving({"social_assistance": 750000, "merit": 2789000}),
    )
    assert format_report(report)[0] == (
        f"FAIL {path}: allowance only: merit: expected 0, got 2789000 (paid groups: sa.5.5a)"
    )


def test_a_programme_not_listed_must_be_zero_with_the_real_engine(tmp_path: Path) -> None:
    """A poor elder who is also a martyr's relative gets merit too: expecting only the
    social allowance fails.
    """
    text = CASE.format(name="martyr's relative", amount=750000).replace(
        "    no_supporter: true\n",
        "    no_supporter: true\n    merit:\n      - category: martyr_relative\n"
        "        martyrs: 1\n",
    )
    path = write(tmp_path, "cases.yaml", text)
    report = run_cases(load_case_files([path]), load_law())
    assert report.failed == 1
    assert "merit: expected 0, got 2789000" in format_report(report)[0]


def test_several_differences_are_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "cases.yaml", CASE.format(name="two off", amount=750000))
    report = run_cases(
        load_case_files([path]),
        None,
        evaluate=engine_giving({"social_assistance": 0, "social_pension": 500000}, ("sp.75plus",)),
    )
    assert format_report(report)[0] == (
        f"FAIL {path}: two off: social_assistance: expected 750000, got 0; "
        "social_pension: expected 0, got 500000 (paid groups: sp.75plus)"
    )


def test_listed_groups_not_paid_are_noted_but_amounts_decide(tmp_path: Path) -> None:
    listed = CASE.format(name="{name}", amount=750000).replace(
        "    social_assistance: 750000\n", "    social_assistance: 750000\n    groups: [{groups}]\n"
    )
    text = listed.format(name="names the paid group", groups="sa.5.5a")
    text += listed.format(name="names another group", groups="sa.5.6, sa.5.5a")
    text += CASE.format(name="names none", amount=750000)
    path = write(tmp_path, "groups.yaml", text)
    report = run_cases(
        load_case_files([path]),
        None,
        evaluate=engine_giving({"social_assistance": 750000}, ("sa.5.5a", "merit.martyr_relative")),
    )
    assert format_report(report) == [
        f"NOTE {path}: names another group: groups sa.5.6 listed but not reported as paid"
        " (paid groups: sa.5.5a, merit.martyr_relative)",
        "3 passed, 0 failed",
    ]


def test_an_engine_error_fails_that_case_only(tmp_path: Path) -> None:
    path = write(
        tmp_path, "cases.yaml", CASE.format(name="a", amount=1) + CASE.format(name="b", amount=1)
    )
    calls = []

    def evaluate(facts, month, *, law):
        calls.append(month)
        raise KeyError("sa.standard_level")

    report = run_cases(load_case_files([path]), None, evaluate=evaluate)
    assert len(calls) == 2
    assert format_report(report) == [
        f"FAIL {path}: a: error: KeyError: 'sa.standard_level' (paid groups: none)",
        f"FAIL {path}: b: error: KeyError: 'sa.standard_level' (paid groups: none)",
        "0 passed, 2 failed",
    ]


def test_the_real_engine_runs_a_case_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "one.yaml", CASE.format(name="poor elder 74", amount=750000))
    report = run_cases(load_case_files([path]), load_law())
    assert format_report(report) == ["1 passed, 0 failed"]
