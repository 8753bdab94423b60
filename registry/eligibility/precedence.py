"""Which of the amounts a person qualifies for are paid (the precedence rules).

- Social assistance: only the single highest amount, across groups and legal texts
  (Decree 20/2021 art. 6(2)); except that a single poor parent (art. 5(4)) who is also in
  group 5, 6 or 8 receives both amounts.
- Social pension and social allowance: only the higher; the social pension when equal
  (a dated, configurable rule: combination.social_pension_over_allowance).
- Merit: every category is paid (Ordinance 02/2020 art. 6(3)); whether it reduces the social
  allowance is the dated rule combination.merit_reduces_allowance (default: it does not).
"""

from __future__ import annotations

from dataclasses import replace

from registry.eligibility.lawbook import MonthLaw
from registry.eligibility.results import (
    MERIT,
    SOCIAL_ASSISTANCE,
    SOCIAL_PENSION,
    Consideration,
    Reason,
)
from registry.eligibility.social_assistance import STACKS_WITH_SINGLE_PARENT, money
from registry.i18n import N_


def social_assistance_paid(candidates: list[Consideration]) -> tuple[set[str], list[Reason]]:
    """The groups paid: the highest one, or a single parent's group plus the highest of 5/6/8."""
    met = [c for c in candidates if c.met and c.amount > 0]
    if not met:
        return set(), []
    single_parent = next((c for c in met if c.group == "sa.5.4"), None)
    stackable = [c for c in met if c.group in STACKS_WITH_SINGLE_PARENT]
    if single_parent is not None and stackable:
        best = max(stackable, key=lambda c: c.amount)  # max keeps the first of equals: art. 5 order
        return {single_parent.group, best.group}, [
            Reason(
                N_(
                    "A single poor parent who is also in group %(group)s receives both amounts "
                    "(art. 6(2))."
                ),
                {"group": best.group},
            )
        ]
    best = max(met, key=lambda c: c.amount)
    notes = []
    if len(met) > 1:
        notes.append(
            Reason(
                N_(
                    "Qualifies for %(count)d groups: only the highest, %(group)s, is paid "
                    "(art. 6(2))."
                ),
                {"count": len(met), "group": best.group},
            )
        )
    return {best.group}, notes


def apply(
    considerations: list[Consideration], law: MonthLaw
) -> tuple[list[Consideration], dict[str, int], list[Reason]]:
    """Mark what is paid and total each programme."""
    sa = [c for c in considerations if c.programme == SOCIAL_ASSISTANCE]
    paid, notes = social_assistance_paid(sa)
    sa_total = sum(c.amount for c in sa if c.group in paid)
    pension = next((c for c in considerations if c.programme == SOCIAL_PENSION and c.met), None)
    if pension is not None:
        if sa_total and law.number("combination.social_pension_over_allowance") == 1:
            if pension.amount >= sa_total:
                notes.append(
                    Reason(
                        N_(
                            "The social pension (%(pension)s) is not lower than the social "
                            "allowance "
                            "(%(allowance)s): only the social pension is paid."
                        ),
                        {"pension": money(pension.amount), "allowance": money(sa_total)},
                    )
                )
                paid, sa_total = set(), 0
                paid.add(pension.group)
            else:
                notes.append(
                    Reason(
                        N_(
                            "The social allowance (%(allowance)s) is higher than the social "
                            "pension "
                            "(%(pension)s): only the social allowance is paid."
                        ),
                        {"pension": money(pension.amount), "allowance": money(sa_total)},
                    )
                )
        else:
            paid.add(pension.group)
    merit_total = sum(c.amount for c in considerations if c.programme == MERIT and c.met)
    if merit_total and sa_total and law.number("combination.merit_reduces_allowance") == 1:
        reduced = max(0, sa_total - merit_total)
        notes.append(
            Reason(
                N_("Merit allowances reduce the social allowance to %(amount)s."),
                {"amount": money(reduced)},
            )
        )
        sa_total = reduced
    marked = [
        replace(c, paid=True) if (c.group in paid or (c.programme == MERIT and c.met)) else c
        for c in considerations
    ]
    amounts = {
        SOCIAL_ASSISTANCE: sa_total,
        SOCIAL_PENSION: pension.amount if pension is not None and pension.group in paid else 0,
        MERIT: merit_total,
    }
    return marked, amounts, notes
