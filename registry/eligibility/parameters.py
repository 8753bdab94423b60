"""Dated parameters from YAML: every amount, coefficient and limit with its legal reference.

A file maps parameter names to ``{description, values: [{from, value, reference, status,
note?, in_force?}]}``. The value in force for a month is the latest one whose ``from`` is
on or before the first day of that month (shared/domain/rule-cases.md). A value is a
number, or a table (mapping of keys to numbers) such as the invalids' amounts by rate.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

STATUSES = frozenset({"verified", "secondary", "provisional", "example"})
_PARAMETER_KEYS = frozenset({"description", "unit", "values"})
_VALUE_KEYS = frozenset({"from", "value", "reference", "status", "note", "in_force"})


class ParameterError(ValueError):
    """A parameter file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class DatedValue:
    starts: date
    value: Any
    reference: str
    status: str
    in_force: date | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    description: str
    values: tuple[DatedValue, ...]

    def at(self, month: date) -> DatedValue | None:
        """The value in force in ``month`` (first of month), or None before the first one."""
        index = bisect_right([v.starts for v in self.values], month)
        return self.values[index - 1] if index else None


class Parameters:
    """All parameters by name, with a per-month cache (a payment run asks the same month)."""

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        self._parameters = dict(parameters)
        self._month_cache: dict[tuple[str, date], DatedValue | None] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._parameters

    def names(self) -> list[str]:
        return sorted(self._parameters)

    def parameter(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}") from None

    def at(self, name: str, month: date) -> DatedValue | None:
        key = (name, month)
        try:
            return self._month_cache[key]
        except KeyError:
            found = self._month_cache[key] = self.parameter(name).at(month)
            return found

    def merged(self, other: Parameters) -> Parameters:
        """These parameters with ``other``'s added; a name defined twice is an error."""
        clash = set(self._parameters) & set(other._parameters)
        if clash:
            raise ParameterError(f"parameters defined twice: {', '.join(sorted(clash))}")
        return Parameters({**self._parameters, **other._parameters})


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where}: 'from' is not a date (YYYY-MM-DD): {value!r}") from None


def _check_value(value: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Mapping):
        raise ParameterError(f"{where}: value must be a number or a table, not {value!r}")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ParameterError(f"{where}: table entry {key!r} is not a number")
        return {int(k) if str(k).isdigit() else str(k): v for k, v in value.items()}
    return value


def parse_parameters(data: Any, *, source: str) -> dict[str, Parameter]:
    """Check and build the parameters of one file; every error names the file and entry."""
    if not isinstance(data, Mapping):
        raise ParameterError(f"{source}: expected a mapping of parameter names")
    result: dict[str, Parameter] = {}
    for name, body in data.items():
        where = f"{source}: {name}"
        if not isinstance(body, Mapping):
            raise ParameterError(f"{where}: expected description and values")
        unknown = set(body) - _PARAMETER_KEYS
        if unknown:
            raise ParameterError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        entries = body.get("values")
        if not isinstance(entries, list) or not entries:
            raise ParameterError(f"{where}: 'values' must be a non-empty list")
        values: list[DatedValue] = []
        for number, entry in enumerate(entries, start=1):
            at = f"{where}, value {number}"
            if not isinstance(entry, Mapping):
                raise ParameterError(f"{at}: expected a mapping")
            unknown = set(entry) - _VALUE_KEYS
            if unknown:
                raise ParameterError(f"{at}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
            for key in ("from", "value", "reference", "status"):
                if entry.get(key) in (None, ""):
                    raise ParameterError(f"{at}: '{key}' is missing")
            if entry["status"] not in STATUSES:
                raise ParameterError(f"{at}: status must be one of {', '.join(sorted(STATUSES))}")
            starts = _date(entry["from"], at)
            if values and starts <= values[-1].starts:
                raise ParameterError(f"{at}: 'from' {starts} is not after the previous value's")
            in_force = _date(entry["in_force"], at) if entry.get("in_force") else None
            values.append(
                DatedValue(
                    starts,
                    _check_value(entry["value"], at),
                    str(entry["reference"]).strip(),
                    entry["status"],
                    in_force,
                )
            )
        result[str(name)] = Parameter(str(name), str(body.get("description", "")), tuple(values))
    return result


def load_file(path: Path | str, text: str | None = None) -> dict[str, Parameter]:
    source = str(path)
    try:
        data = yaml.safe_load(text if text is not None else Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParameterError(f"{source}: not valid YAML ({error})") from None
    return parse_parameters(data, source=Path(source).name)


def load_parameters(paths: Iterable[Path | str] = ()) -> Parameters:
    """The national parameters shipped in this package, plus any extra files given."""
    found: dict[str, Parameter] = {}
    folder = resources.files("registry.eligibility").joinpath("parameters")
    shipped = sorted(
        (p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name
    )
    for item in [*shipped, *map(Path, paths)]:
        for name, parameter in load_file(
            item.name if not isinstance(item, Path) else item, item.read_text(encoding="utf-8")
        ).items():
            if name in found:
                raise ParameterError(f"{item.name}: {name} is already defined in another file")
            found[name] = parameter
    return Parameters(found)
