"""Evaluate one person for one month: every programme and group, precedence, explanation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from registry.eligibility import precedence
from registry.eligibility.facts import Facts
from registry.eligibility.lawbook import MonthLaw, resolve_month, weakest
from registry.eligibility.local import LocalGroup, LocalPolicy, load_local_policy
from registry.eligibility.merit import merit_record
from registry.eligibility.months import is_alive_in, month_start
from registry.eligibility.parameters import Parameters, load_parameters
from registry.eligibility.results import (
    PROGRAMMES,
    SOCIAL_ASSISTANCE,
    Consideration,
    Reason,
    Result,
)
from registry.eligibility.social_assistance import (
    R_COEFFICIENT,
    Ctx,
    coefficient_text,
    consider_all,
    money,
)
from registry.eligibility.social_pension import social_pension
from registry.i18n import N_


@dataclass
class Law:
    """National parameters plus local policies; resolves and caches each month's law."""

    parameters: Parameters
    policies: tuple[LocalPolicy, ...] = ()
    _months: dict[date, MonthLaw] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for policy in self.policies:
            # A local level replaces the national one (it was checked not to be lower).
            self.parameters = _override(self.parameters, policy.parameters)

    @property
    def local_groups(self) -> tuple[LocalGroup, ...]:
        return tuple(g for p in self.policies for g in p.groups)

    def month(self, month: date) -> MonthLaw:
        found = self._months.get(month)
        if found is None:
            found = self._months[month] = resolve_month(self.parameters, month, self.local_groups)
        return found


def _override(national: Parameters, local: Parameters) -> Parameters:
    merged = {name: national.parameter(name) for name in national.names()}
    for name in local.names():
        merged[name] = local.parameter(name)
    return Parameters(merged)


@lru_cache(maxsize=8)
def load_law(local_policies: tuple[str, ...] = ()) -> Law:
    """The shipped national parameters and the given local-policy files (cached)."""
    national = load_parameters()
    return Law(national, tuple(load_local_policy(Path(p), national) for p in local_policies))


def _local(group: LocalGroup, ctx: Ctx) -> Consideration | None:
    failed = group.matches(ctx.facts, ctx.month)
    if failed:
        if not ctx.explain:
            return None
        return Consideration(
            SOCIAL_ASSISTANCE,
            group.code,
            group.label,
            False,
            (
                Reason(
                    N_("Local policy conditions not met: %(conditions)s."),
                    {"conditions": ", ".join(failed)},
                ),
            ),
            reference=group.reference,
            status=group.status,
        )
    if group.amount is not None:
        return Consideration(
            SOCIAL_ASSISTANCE,
            group.code,
            group.label,
            True,
            (),
            group.amount,
            group.reference,
            status=group.status,
        )
    level = ctx.law.get("sa.standard_level")
    if level is None:
        return Consideration(SOCIAL_ASSISTANCE, group.code, group.label, False, ())
    amount = round(group.coefficient * level.amount)
    reason = Reason(
        R_COEFFICIENT,
        {
            "coefficient": coefficient_text(group.coefficient),
            "level": money(level.amount),
            "amount": money(amount),
        },
    )
    return Consideration(
        SOCIAL_ASSISTANCE,
        group.code,
        group.label,
        True,
        (reason,),
        amount,
        f"{group.reference}; {level.reference}",
        status=weakest(group.status, level.status),
    )


def evaluate(facts: Facts, month: date, *, law: Law, explain: bool = True) -> Result:
    """What the law gives this person for ``month`` (any day of it), and why.

    Pure: facts and parameters in, amounts and explanations out; whole months only. With
    ``explain=False`` (payment runs) only the groups met are returned, without reasons.
    """
    month = month_start(month)
    zero = dict.fromkeys(PROGRAMMES, 0)
    person = facts.person
    if not is_alive_in(person.death_date, month):
        return Result(
            month,
            zero,
            (),
            (
                Reason(
                    N_(
                        "Died in %(month)s: nothing is owed from the month after the death "
                        "(Decree 20/2021 art. 8(2))."
                    ),
                    {"month": person.death_date.strftime("%m/%Y")},
                ),
            ),
        )
    if month_start(person.birth_date) > month:
        return Result(month, zero, (), (Reason(N_("Not yet born in this month.")),))
    month_law = law.month(month)
    if "sa.standard_level" not in month_law.values:
        return Result(
            month,
            zero,
            (),
            (
                Reason(
                    N_("The registry holds no law in force for %(month)s."),
                    {"month": month.strftime("%m/%Y")},
                ),
            ),
        )
    ctx = Ctx(facts, month_law, explain)
    considerations = consider_all(ctx)
    for group in month_law.local_groups:
        local = _local(group, ctx)
        if local is not None:
            considerations.append(local)
    pension = social_pension(ctx)
    if pension is not None:
        considerations.append(pension)
    for record in person.merit:
        item = merit_record(record, month_law, explain)
        if item.met or explain:
            considerations.append(item)
    marked, amounts, notes = precedence.apply(considerations, month_law)
    return Result(month, amounts, tuple(marked), tuple(notes))


def evaluate_many(
    items: Iterable[tuple[object, Facts]], month: date, *, law: Law, explain: bool = False
):
    """Evaluate many people for one month (the month's law is resolved once)."""
    for key, facts in items:
        yield key, evaluate(facts, month, law=law, explain=explain)
