"""Use cases: what the law gives one person in a month, and a whole scope's month (read-only)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select

from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.eligibility.engine import Law, evaluate
from registry.eligibility.facts import Facts
from registry.eligibility.months import month_start
from registry.eligibility.results import (
    MERIT,
    PROGRAMMES,
    SOCIAL_ASSISTANCE,
    SOCIAL_PENSION,
    Result,
)
from registry.eligibility.social_assistance import DEPENDS_ON_HIV
from registry.entitlements.columns import alive_in as alive_in  # read here by reports
from registry.entitlements.columns import count_signatures, scope_filter
from registry.entitlements.facts import facts_by_person_id, facts_for
from registry.errors import NotFoundError
from registry.extensions import db
from registry.i18n import N_
from registry.people.models import Person
from registry.people.queries import get_person
from registry.units.models import AdminUnit
from registry.units.scope import in_scope, units_under

#: How officers name the programmes (the engine's codes are in results.PROGRAMMES).
PROGRAMME_LABELS = {
    SOCIAL_ASSISTANCE: N_("Monthly social allowance"),
    SOCIAL_PENSION: N_("Social pension"),
    MERIT: N_("Preferential allowance for people with meritorious service"),
}

#: How sure the amount is: the status of the parameter it was computed from.
STATUS_LABELS = {
    "verified": N_("verified"),
    "secondary": N_("from a secondary source"),
    "provisional": N_("provisional"),
    "example": N_("example only"),
}


def local_policy_paths(setting: str | Iterable[str] | None) -> tuple[str, ...]:
    """The local-policy files named by the REGISTRY_LOCAL_POLICIES setting: a list of paths
    or one string of paths separated by os.pathsep; empty entries are ignored.
    """
    if not setting:
        return ()
    items = setting.split(os.pathsep) if isinstance(setting, str) else list(setting)
    return tuple(str(item).strip() for item in items if str(item).strip())


#: National groups whose conditions read HIV status (Decree 20/2021 art. 5(3) and 5(8)).
HIV_GROUPS = DEPENDS_ON_HIV


def without_sensitive(facts: Facts) -> Facts:
    """The facts with HIV status left out, for actors who may not know it (Decree 20/2021
    art. 8(1)(b)): their explanation must not reveal it, not even through an amount.
    """
    if not facts.person.hiv:
        return facts
    return replace(facts, person=replace(facts.person, hiv=False))


def hide_sensitive_groups(result: Result, law: Law) -> Result:
    """The result without the groups that read HIV status (national, and local ones with an
    ``hiv`` condition), so that a role without the right never even sees them discussed.
    """
    hidden = HIV_GROUPS | {g.code for g in law.local_groups if "hiv" in g.when}
    return replace(
        result, considerations=tuple(c for c in result.considerations if c.group not in hidden)
    )


def explain_person(
    person_id: uuid.UUID | str, month: date, *, actor: Actor, law: Law
) -> tuple[Person, Facts, Result]:
    """What the law gives the person in ``month`` and why: the facts read from the registry
    and the engine's result with every group considered. Reads only.

    For an actor without the right to see HIV status, the result is computed without it and
    the groups that depend on it are left out of the explanation.
    Raises NotFoundError when the person does not exist or lies outside the actor's scope.
    """
    person = get_person(person_id, actor=actor)
    month = month_start(month)
    facts = facts_for(person, month)
    if actor.can(Permission.SENSITIVE_READ):
        return person, facts, evaluate(facts, month, law=law)
    facts = without_sensitive(facts)
    return person, facts, hide_sensitive_groups(evaluate(facts, month, law=law), law)


@dataclass
class GroupTotal:
    """People paid under one group (or merit item) and what they are paid in the month."""

    label: str = ""
    people: int = 0
    amount: int = 0


@dataclass
class ProgrammeTotal:
    """People with an amount from one programme, the month's total, and its paid groups."""

    people: int = 0
    amount: int = 0
    groups: dict[str, GroupTotal] = field(default_factory=dict)


@dataclass
class ScopeSummary:
    """A month evaluated for everyone alive in a scope: counts and monthly totals (VND)."""

    month: date
    unit: AdminUnit | None
    people_evaluated: int = 0
    people_entitled: int = 0
    programmes: dict[str, ProgrammeTotal] = field(
        default_factory=lambda: {p: ProgrammeTotal() for p in PROGRAMMES}
    )

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.programmes.values())

    def add(self, result: Result, people: int = 1) -> None:
        """Count one person's result (or the same result for ``people`` people)."""
        self.people_evaluated += people
        if result.total > 0:
            self.people_entitled += people
        for programme, amount in result.amounts.items():
            if amount:
                entry = self.programmes.setdefault(programme, ProgrammeTotal())
                entry.people += people
                entry.amount += amount * people
        seen: set[tuple[str, str]] = set()
        for item in result.considerations:
            if not item.paid:
                continue
            programme = self.programmes.setdefault(item.programme, ProgrammeTotal())
            group = programme.groups.setdefault(item.group, GroupTotal(label=item.label))
            if (item.programme, item.group) not in seen:
                group.people += people
                seen.add((item.programme, item.group))
            group.amount += item.amount * people


def evaluate_scope(
    month: date,
    *,
    actor: Actor,
    law: Law,
    unit: AdminUnit | None = None,
    by_columns: bool = True,
) -> ScopeSummary:
    """Evaluate ``month`` for everyone alive then in the actor's scope (or in ``unit`` and
    the units below it), duplicates merged away left out: how many people have an
    entitlement, and the monthly totals per programme and per paid group. Reads only.

    By columns (the default): people counted by what the engine can tell apart, the engine
    run once per distinct signature (entitlements/columns.py). ``by_columns=False`` reads
    every person's facts and runs the engine per person, with explanations: the same
    summary, far slower, kept as the reference the column path is tested against.

    Raises NotFoundError when ``unit`` lies outside the actor's scope.
    """
    month = month_start(month)
    communes = scope_communes(actor, unit)
    summary = ScopeSummary(month=month, unit=unit)
    if by_columns:
        signatures = count_signatures(communes, month, law)
        for signature, people in signatures.counts.items():
            result = evaluate(signatures.facts(signature), month, law=law, explain=False)
            summary.add(result, people)
        return summary
    people = select(Person).where(*scope_filter([c for c, _ in communes], month))
    for _, facts in facts_by_person_id(people, month):
        summary.add(evaluate(facts, month, law=law))
    return summary


def scope_communes(actor: Actor, unit: AdminUnit | None = None) -> list[tuple[int, str]]:
    """The (id, name) of the units people may be registered in within the actor's scope,
    or within ``unit`` and the units below it. Raises NotFoundError when ``unit`` lies
    outside the actor's scope; the actor must be allowed to read people."""
    actor.require(Permission.PERSON_READ)
    units = select(AdminUnit.id, AdminUnit.name).where(in_scope(AdminUnit.id, actor))
    if unit is not None:
        inside = db.session.scalar(
            select(func.count()).where(AdminUnit.id == unit.id, in_scope(AdminUnit.id, actor))
        )
        if not inside:
            raise NotFoundError()
        # Read the subtree first: the scope clause already holds a CTE of the same name.
        units = units.where(AdminUnit.id.in_(list(db.session.scalars(units_under(unit.id)))))
    return [(row.id, row.name) for row in db.session.execute(units.order_by(AdminUnit.id))]
