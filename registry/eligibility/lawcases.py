"""Law cases: YAML files of facts and the monthly amounts the law gives them.

The format is shared/domain/rule-cases.md, read strictly: a file is a list of cases, each
with ``name``, ``month``, ``person``, ``household`` and ``expect``; unknown keys, wrong types
and duplicate names are errors, so a typo in a case can never pass silently. Everything
not given takes the default of the format (``household`` and ``expect`` may be left out:
no expected amount means 0).

Pure: no Flask, no database, no clock. ``flask rules test`` (registry/eligibility/cli.py)
calls :func:`load_case_files`, :func:`run_cases` and :func:`format_report`.

Choices made here, where rule-cases.md leaves room:

- Every amount must match: a programme not listed under ``expect`` must be 0.
- ``expect.groups`` lists group codes expected among the groups the engine reports as paid.
  rule-cases.md says amounts are what must match, so a listed code that is not paid is
  reported as a ``NOTE`` line, not a failure (another engine may name its groups
  differently). Groups paid but not listed are not mentioned.
- An engine error on one case fails that case (with the error) instead of the whole run.
- Errors name the file, the case (``case 3 "name"``, counted from 1) and the field
  (``person.birth_date``, ``person.merit[2].injury_rate``, merit records counted from 1).
  Every error of every file is reported at once, one per line.
- YAML is read with a safe loader (yaml.SafeLoader) that keeps dates as text, so that an
  impossible date such as 2024-02-30 is reported with its case and field rather than
  failing the whole file; a key given twice in one mapping is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from registry.eligibility.facts import (
    MERIT_CATEGORIES,
    Area,
    Disability,
    Facts,
    HouseholdFacts,
    MeritFact,
    PersonFacts,
    Poverty,
)
from registry.eligibility.months import parse_month
from registry.eligibility.results import PROGRAMMES

CASE_KEYS = ("name", "month", "person", "household", "expect")
PERSON_KEYS = (
    "birth_date",
    "sex",
    "death_date",
    "disability",
    "has_pension",
    "hiv",
    "studying",
    "without_support",
    "single_parent_children",
    "no_supporter",
    "taken_in_by_carer",
    "merit",
)
HOUSEHOLD_KEYS = ("poverty", "area", "especially_difficult_area")
EXPECT_KEYS = (*PROGRAMMES, "groups")
MERIT_KEYS = ("category", "martyrs", "injury_rate")
SEXES = ("male", "female")
CASE_SUFFIXES = (".yaml", ".yml")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


class LawCaseError(ValueError):
    """A law-case file is malformed. Each line of the message names the file, the case and
    the field; ``errors`` holds the lines.
    """

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True, slots=True)
class LawCase:
    """One case: the facts for a month and the amounts (every programme) the law gives."""

    file: str
    index: int
    name: str
    month: date
    facts: Facts
    expected: Mapping[str, int]
    groups: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f'case {self.index} "{self.name}"'


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case: LawCase
    differences: tuple[str, ...]
    amounts: Mapping[str, int]
    paid_groups: tuple[str, ...]
    #: Listed groups the engine did not report as paid (informational: amounts decide).
    unmatched_groups: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.differences

    @property
    def detail(self) -> str:
        """What differed, on one line (empty when the case passed)."""
        if self.passed:
            return ""
        paid = ", ".join(self.paid_groups) or "none"
        return f"{'; '.join(self.differences)} (paid groups: {paid})"


@dataclass(frozen=True, slots=True)
class CaseReport:
    outcomes: tuple[CaseOutcome, ...]

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    @property
    def failures(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.passed]


# --- Reading the YAML ----------------------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers the keys given more than once."""

    duplicates: tuple[Any, ...] = ()


class _CaseLoader(yaml.SafeLoader):
    """yaml.SafeLoader, but dates stay text and repeated keys are recorded."""


def _text_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Mapping:
    seen: set[str] = set()
    duplicates = []
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                duplicates.append(key_node.value)
            seen.add(key_node.value)
    loader.flatten_mapping(node)
    result = _Mapping()
    for key, value in loader.construct_pairs(node, deep=True):
        try:
            result[key] = value
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "found a key that is not text",
                node.start_mark,
            ) from None
    result.duplicates = tuple(duplicates)
    return result


_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _text_timestamp)
_CaseLoader.add_constructor("tag:yaml.org,2002:map", _mapping)


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a decimal number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _check_keys(value: Any, field: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    """``value`` as a mapping with only ``allowed`` keys, each given once."""
    if not isinstance(value, dict):
        raise _FieldError(field or "case", f"must be a mapping, not {_type_name(value)}")
    for key in value:
        if key not in allowed:
            raise _FieldError(
                f"{field}.{key}" if field else str(key),
                f"unknown key (allowed: {', '.join(allowed)})",
            )
    for key in getattr(value, "duplicates", ()):
        raise _FieldError(f"{field}.{key}" if field else str(key), "given more than once")
    return value


def _date(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        raise _FieldError(field, "not a date (YYYY-MM-DD): a time of day was given")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _FieldError(field, f"not a real date: {value.strip()}") from None
    raise _FieldError(field, f"not a date (YYYY-MM-DD): {_type_name(value)}")


def _month(value: Any, field: str) -> date:
    if isinstance(value, str) and _MONTH.fullmatch(value.strip()):
        try:
            return parse_month(value)
        except ValueError:
            raise _FieldError(field, f"not a real month: {value.strip()}") from None
    raise _FieldError(field, f"not a month (YYYY-MM): {_type_name(value)}")


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _FieldError(field, f"must be true or false, not {_type_name(value)}")
    return value


def _int(value: Any, field: str, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(field, f"must be a whole number, not {_type_name(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        limit = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise _FieldError(field, f"must be {limit}, not {value}")
    return value


def _choice(value: Any, field: str, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise _FieldError(field, f"must be one of {', '.join(choices)}, not {_type_name(value)}")
    return value


def _merit(value: Any, field: str) -> tuple[MeritFact, ...]:
    if not isinstance(value, list):
        raise _FieldError(field, f"must be a list of merit records, not {_type_name(value)}")
    records = []
    for number, item in enumerate(value, start=1):
        where = f"{field}[{number}]"
        record = _check_keys(item, where, MERIT_KEYS)
        if "category" not in record:
            raise _FieldError(f"{where}.category", "required")
        category = _choice(record["category"], f"{where}.category", sorted(MERIT_CATEGORIES))
        martyrs = injury_rate = None
        if "martyrs" in record:
            martyrs = _int(record["martyrs"], f"{where}.martyrs", minimum=1)
        if "injury_rate" in record:
            injury_rate = _int(
                record["injury_rate"], f"{where}.injury_rate", minimum=1, maximum=100
            )
        records.append(MeritFact(category, martyrs=martyrs, injury_rate=injury_rate))
    return tuple(records)


def _person(value: Any) -> PersonFacts:
    person = _check_keys(value, "person", PERSON_KEYS)
    for key in ("birth_date", "sex"):
        if key not in person:
            raise _FieldError(f"person.{key}", "required")
    fields: dict[str, Any] = {
        "birth_date": _date(person["birth_date"], "person.birth_date"),
        "sex": _choice(person["sex"], "person.sex", SEXES),
    }
    if person.get("death_date") is not None:
        fields["death_date"] = _date(person["death_date"], "person.death_date")
    if "disability" in person:
        fields["disability"] = Disability(
            _choice(person["disability"], "person.disability", (d.value for d in Disability))
        )
    for key in (
        "has_pension",
        "hiv",
        "studying",
        "without_support",
        "no_supporter",
        "taken_in_by_carer",
    ):
        if key in person:
            fields[key] = _bool(person[key], f"person.{key}")
    if "single_parent_children" in person:
        fields["single_parent_children"] = _int(
            person["single_parent_children"], "person.single_parent_children", minimum=0
        )
    if "merit" in person:
        fields["merit"] = _merit(person["merit"], "person.merit")
    if "death_date" in fields and fields["death_date"] < fields["birth_date"]:
        raise _FieldError("person.death_date", "before the birth date")
    return PersonFacts(**fields)


def _household(value: Any) -> HouseholdFacts:
    household = _check_keys(value, "household", HOUSEHOLD_KEYS)
    fields: dict[str, Any] = {}
    if "poverty" in household:
        fields["poverty"] = Poverty(
            _choice(household["poverty"], "household.poverty", (p.value for p in Poverty))
        )
    if "area" in household:
        fields["area"] = Area(_choice(household["area"], "household.area", (a.value for a in Area)))
    if "especially_difficult_area" in household:
        fields["especially_difficult_area"] = _bool(
            household["especially_difficult_area"], "household.especially_difficult_area"
        )
    return HouseholdFacts(**fields)


def _expect(value: Any) -> tuple[dict[str, int], tuple[str, ...]]:
    expect = _check_keys(value, "expect", EXPECT_KEYS)
    amounts = {
        programme: _int(expect[programme], f"expect.{programme}", minimum=0)
        if programme in expect
        else 0
        for programme in PROGRAMMES
    }
    groups: tuple[str, ...] = ()
    if "groups" in expect:
        listed = expect["groups"]
        if not isinstance(listed, list) or not all(isinstance(g, str) and g for g in listed):
            raise _FieldError("expect.groups", "must be a list of group codes (text)")
        groups = tuple(listed)
    return amounts, groups


def _case(file: str, index: int, raw: Any, names: dict[str, int]) -> LawCase:
    """One case, or _FieldError (the caller adds the file and case to the message)."""
    case = _check_keys(raw, "", CASE_KEYS)
    for key in ("name", "month", "person"):
        if key not in case:
            raise _FieldError(key, "required")
    name = case["name"]
    if not isinstance(name, str) or not name.strip():
        raise _FieldError("name", f"must be non-empty text, not {_type_name(name)}")
    if name in names:
        raise _FieldError("name", f"the same name as case {names[name]}: names must be unique")
    month = _month(case["month"], "month")
    person = _person(case["person"])
    household = _household(case["household"]) if "household" in case else HouseholdFacts()
    amounts, groups = (
        _expect(case["expect"])
        if "expect" in case
        else (
            dict.fromkeys(PROGRAMMES, 0),
            (),
        )
    )
    return LawCase(file, index, name, month, Facts(person, household), amounts, groups)


def _case_label(index: int, raw: Any) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f'case {index} "{name}"' if isinstance(name, str) and name.strip() else f"case {index}"


def load_case_text(text: str, file: str) -> list[LawCase]:
    """The cases of one file's text; ``file`` is the name used in error messages."""
    try:
        data = yaml.load(text, Loader=_CaseLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).replace("\n", " ")
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise LawCaseError([f"{file}: {where}not valid YAML: {problem}"]) from None
    if not isinstance(data, list):
        raise LawCaseError([f"{file}: must be a list of cases, not {_type_name(data)}"])
    cases: list[LawCase] = []
    errors: list[str] = []
    names: dict[str, int] = {}
    for index, raw in enumerate(data, start=1):
        try:
            case = _case(file, index, raw, names)
        except _FieldError as error:
            errors.append(f"{file}: {_case_label(index, raw)}: {error}")
            name = raw.get("name") if isinstance(raw, dict) else None
            if isinstance(name, str) and name not in names:
                names[name] = index
            continue
        names[case.name] = index
        cases.append(case)
    if errors:
        raise LawCaseError(errors)
    return cases


def case_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files named, and every *.yaml / *.yml file under the folders named (sorted)."""
    found: list[Path] = []
    errors: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CASE_SUFFIXES
            )
            if not inside:
                errors.append(f"{path}: no law-case files (*.yaml, *.yml) in this folder")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    if errors:
        raise LawCaseError(errors)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def load_case_files(paths: Iterable[Path | str]) -> list[LawCase]:
    """Every case of the files and folders named; LawCaseError lists every malformed case."""
    cases: list[LawCase] = []
    errors: list[str] = []
    for path in case_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            errors.append(f"{path}: cannot be read: {error}")
            continue
        try:
            cases.extend(load_case_text(text, str(path)))
        except LawCaseError as error:
            errors.extend(error.errors)
    if errors:
        raise LawCaseError(errors)
    return cases


# --- Running -------------------------------------------------------------------------------


def compare(case: LawCase, amounts: Mapping[str, int]) -> list[str]:
    """The amounts that differ between the case's expectations and the engine's answer."""
    differences = []
    programmes = list(PROGRAMMES) + sorted(set(amounts) - set(PROGRAMMES))
    for programme in programmes:
        expected = case.expected.get(programme, 0)
        got = amounts.get(programme, 0)
        if got != expected:
            differences.append(f"{programme}: expected {expected}, got {got}")
    return differences


def unmatched_groups(case: LawCase, paid_groups: Iterable[str]) -> tuple[str, ...]:
    """Listed groups not among those the engine reports as paid."""
    paid = set(paid_groups)
    return tuple(g for g in case.groups if g not in paid)


def run_case(case: LawCase, law: Any, evaluate: Callable[..., Any]) -> CaseOutcome:
    try:
        result = evaluate(case.facts, case.month, law=law)
        amounts = dict(result.amounts)
        paid = tuple(result.groups_paid())
    except Exception as error:  # an engine error fails this case, not the whole run
        return CaseOutcome(case, (f"error: {type(error).__name__}: {error}",), {}, ())
    return CaseOutcome(
        case, tuple(compare(case, amounts)), amounts, paid, unmatched_groups(case, paid)
    )


def run_cases(
    cases: Iterable[LawCase], law: Any = None, *, evaluate: Callable[..., Any] | None = None
) -> CaseReport:
    """Evaluate every case against ``law`` with the engine's ``evaluate`` (or the one given,
    for tests); without either, the shipped national law.
    """
    if evaluate is None:
        from registry.eligibility import engine

        evaluate = engine.evaluate
        if law is None:
            law = engine.load_law()
    return CaseReport(tuple(run_case(case, law, evaluate) for case in cases))


def format_report(report: CaseReport) -> list[str]:
    """One ``FAIL file: name: what differed`` line per failing case, a ``NOTE`` line per case
    whose listed groups were not all paid, then ``N passed, M failed``."""
    lines = [f"FAIL {o.case.file}: {o.case.name}: {o.detail}" for o in report.failures]
    lines += [
        f"NOTE {o.case.file}: {o.case.name}: groups {', '.join(o.unmatched_groups)} listed but "
        f"not reported as paid (paid groups: {', '.join(o.paid_groups) or 'none'})"
        for o in report.outcomes
        if o.unmatched_groups
    ]
    lines.append(f"{report.passed} passed, {report.failed} failed")
    return lines
