"""Local policies as data: a province's own groups and higher amounts (Decree 20/2021 art. 4(3)).

A local-policy YAML file:

    name: "…"                    # what the province calls it
    reference: "Nghị quyết …/NQ-HĐND"
    status: verified | secondary | provisional | example
    parameters:                  # optional: higher local levels, same format as national ones
      sa.standard_level: {values: [{from: …, value: …, reference: …, status: …}]}
    groups:                      # optional: local groups of the monthly social allowance
      - code: local.children_under_36_months
        label: "…"
        from: 2026-01-01
        to: 2030-12-31           # optional
        reference: "…"
        when: {months_old_at_most: 36, poverty_in: [poor, near_poor]}
        coefficient: 1.0         # × the standard level in force; or `amount: 300000`

A local group competes with the national groups under the highest-amount rule (art. 6(2)
covers groups "under different legal texts"). A local level may never be lower than the
national one in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from registry.eligibility.facts import Area, Disability, Facts, Poverty
from registry.eligibility.months import age_in_month, months_old, still_under
from registry.eligibility.parameters import STATUSES, ParameterError, Parameters, parse_parameters

_TOP_KEYS = frozenset({"name", "reference", "status", "parameters", "groups", "description"})
_GROUP_KEYS = frozenset(
    {"code", "label", "from", "to", "reference", "when", "coefficient", "amount"}
)
#: The conditions a local group may use; each reads one fact.
CONDITIONS = frozenset(
    {
        "age_at_least",
        "age_under",
        "months_old_at_most",
        "poverty_in",
        "area_in",
        "especially_difficult_area",
        "disability_in",
        "hiv",
        "no_pension",
        "sex_in",
    }
)
#: National parameters a local file may raise (never lower).
RAISABLE = frozenset({"sa.standard_level", "sp.amount"})


@dataclass(frozen=True, slots=True)
class LocalGroup:
    code: str
    label: str
    starts: date
    ends: date | None
    reference: str
    status: str
    when: Mapping[str, Any]
    coefficient: float | None
    amount: int | None

    def applies_in(self, month: date) -> bool:
        return self.starts <= month and (self.ends is None or month <= self.ends)

    def matches(self, facts: Facts, month: date) -> list[str]:
        """The conditions not met (empty when the group applies to these facts)."""
        person, household = facts.person, facts.household
        failed = []
        for name, wanted in self.when.items():
            ok = {
                "age_at_least": lambda w: age_in_month(person.birth_date, month) >= w,
                "age_under": lambda w: still_under(person.birth_date, month, w),
                "months_old_at_most": lambda w: months_old(person.birth_date, month) <= w,
                "poverty_in": lambda w: household.poverty.value in w,
                "area_in": lambda w: household.area.value in w,
                "especially_difficult_area": lambda w: household.especially_difficult_area is w,
                "disability_in": lambda w: person.disability.value in w,
                "hiv": lambda w: person.hiv is w,
                "no_pension": lambda w: (not person.has_pension) is w,
                "sex_in": lambda w: person.sex in w,
            }[name](wanted)
            if not ok:
                failed.append(name)
        return failed


@dataclass(frozen=True, slots=True)
class LocalPolicy:
    name: str
    reference: str
    status: str
    parameters: Parameters
    groups: tuple[LocalGroup, ...]


def _date(value: Any, where: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from None


_VALID = {
    "poverty_in": {p.value for p in Poverty},
    "area_in": {a.value for a in Area},
    "disability_in": {d.value for d in Disability},
    "sex_in": {"male", "female"},
}


def _check_when(when: Any, where: str) -> dict[str, Any]:
    if not isinstance(when, Mapping) or not when:
        raise ParameterError(f"{where}: 'when' must list at least one condition")
    for name, wanted in when.items():
        if name not in CONDITIONS:
            raise ParameterError(
                f"{where}: unknown condition {name!r} (known: {', '.join(sorted(CONDITIONS))})"
            )
        if name in _VALID:
            if not isinstance(wanted, list) or not set(wanted) <= _VALID[name]:
                raise ParameterError(
                    f"{where}: {name} must be a list of {', '.join(sorted(_VALID[name]))}"
                )
        elif name in ("especially_difficult_area", "hiv", "no_pension"):
            if not isinstance(wanted, bool):
                raise ParameterError(f"{where}: {name} must be true or false")
        elif isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 0:
            raise ParameterError(f"{where}: {name} must be a whole number")
    return dict(when)


def parse_local_policy(data: Any, *, source: str, national: Parameters) -> LocalPolicy:
    """Check a local-policy document; every error names the file and the entry."""
    if not isinstance(data, Mapping):
        raise ParameterError(f"{source}: expected a mapping")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ParameterError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("name", "reference", "status"):
        if not data.get(key):
            raise ParameterError(f"{source}: '{key}' is missing")
    if data["status"] not in STATUSES:
        raise ParameterError(f"{source}: status must be one of {', '.join(sorted(STATUSES))}")
    raised = parse_parameters(data.get("parameters") or {}, source=source)
    for name, parameter in raised.items():
        if name not in RAISABLE:
            raise ParameterError(
                f"{source}: {name} cannot be set locally (only {', '.join(sorted(RAISABLE))})"
            )
        national_parameter = national.parameter(name)
        moments = sorted(
            {v.starts for v in parameter.values} | {v.starts for v in national_parameter.values}
        )
        for moment in moments:
            local, base = parameter.at(moment), national_parameter.at(moment)
            if local is not None and base is not None and local.value < base.value:
                raise ParameterError(
                    f"{source}: {name} from {moment}: the local level {local.value} is "
                    f"lower than the national {base.value} (Decree 20/2021 art. 4(3))"
                )
    groups = []
    for number, body in enumerate(data.get("groups") or [], start=1):
        where = f"{source}: group {number}"
        if not isinstance(body, Mapping):
            raise ParameterError(f"{where}: expected a mapping")
        unknown = set(body) - _GROUP_KEYS
        if unknown:
            raise ParameterError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        for key in ("code", "label", "from", "reference", "when"):
            if not body.get(key):
                raise ParameterError(f"{where}: '{key}' is missing")
        if not str(body["code"]).startswith("local."):
            raise ParameterError(f"{where}: a local group code starts with 'local.'")
        if ("coefficient" in body) == ("amount" in body):
            raise ParameterError(f"{where}: give either a coefficient or an amount")
        groups.append(
            LocalGroup(
                code=str(body["code"]),
                label=str(body["label"]),
                starts=_date(body["from"], where),
                ends=_date(body["to"], where) if body.get("to") else None,
                reference=str(body["reference"]),
                status=str(data["status"]),
                when=_check_when(body["when"], where),
                coefficient=float(body["coefficient"]) if "coefficient" in body else None,
                amount=int(body["amount"]) if "amount" in body else None,
            )
        )
    return LocalPolicy(
        str(data["name"]),
        str(data["reference"]),
        str(data["status"]),
        Parameters(raised),
        tuple(groups),
    )


def load_local_policy(path: Path | str, national: Parameters) -> LocalPolicy:
    source = Path(path).name
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ParameterError(f"{source}: cannot be read ({error})") from None
    return parse_local_policy(data, source=source, national=national)
