"""The law in force for one month: parameters resolved once per month for every person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from registry.eligibility.parameters import DatedValue, Parameters


@dataclass(frozen=True, slots=True)
class Value:
    """A parameter's value in force that month, with where it comes from."""

    amount: float
    reference: str
    status: str


@dataclass(slots=True)
class MonthLaw:
    """Everything the rules need for one month, looked up once (a payment run reuses it)."""

    month: date
    values: dict[str, Value] = field(default_factory=dict)
    tables: dict[str, DatedValue] = field(default_factory=dict)
    local_groups: tuple = ()
    #: Age limits in force (``age.*`` parameters) as whole years, read on every evaluation.
    ages: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> Value | None:
        return self.values.get(name)

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        return None if value is None else value.amount


def resolve_month(parameters: Parameters, month: date, local_groups: tuple = ()) -> MonthLaw:
    """Resolve every parameter for ``month`` (numbers into ``values``, tables into ``tables``)."""
    law = MonthLaw(month=month, local_groups=tuple(g for g in local_groups if g.applies_in(month)))
    for name in parameters.names():
        found = parameters.at(name, month)
        if found is None:
            continue
        if isinstance(found.value, dict):
            law.tables[name] = found
        else:
            law.values[name] = Value(found.value, found.reference, found.status)
            if name.startswith("age."):
                law.ages[name] = int(found.value)
    return law


def weakest(*statuses: str) -> str:
    """The least certain status among those a result relied on."""
    for status in ("example", "provisional", "secondary"):
        if status in statuses:
            return status
    return "verified"
