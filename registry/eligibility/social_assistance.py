"""Monthly social allowance groups (Decree 20/2021/NĐ-CP art. 5) and their coefficients (art. 6).

Each group is one small function: facts and the month's law in, a Consideration out (met or
not, why, the amount it would give). Explanations are built only when asked for, so a
payment run evaluating a whole province pays only for the amounts. Precedence between
groups is in precedence.py.
"""

from __future__ import annotations

from collections.abc import Callable

from registry.eligibility.facts import Disability, Facts, Poverty
from registry.eligibility.lawbook import MonthLaw, weakest
from registry.eligibility.months import age_in_month, still_under
from registry.eligibility.results import SOCIAL_ASSISTANCE, Consideration, Reason
from registry.i18n import N_

POOR_OR_NEAR = (Poverty.POOR, Poverty.NEAR_POOR)
#: Groups that reveal a person's HIV status: hidden from roles without sensitive access.
DEPENDS_ON_HIV = frozenset({"sa.5.3", "sa.5.8"})
#: Groups whose amount a single poor parent (art. 5(4)) receives on top: art. 6(2).
STACKS_WITH_SINGLE_PARENT = frozenset(
    {"sa.5.5a", "sa.5.5b", "sa.5.5c", "sa.5.5d", "sa.5.6", "sa.5.8"}
)

LABELS = {
    "sa.5.1": N_("Child under 16 without support (art. 5(1))"),
    "sa.5.2": N_("Aged 16 to 22 and still studying, formerly without support (art. 5(2))"),
    "sa.5.3": N_("Child with HIV/AIDS in a poor household (art. 5(3))"),
    "sa.5.4": N_("Single poor or near-poor parent raising children (art. 5(4))"),
    "sa.5.5a": N_("Elderly in a poor household with no one to support them (art. 5(5)(a))"),
    "sa.5.5b": N_(
        "Aged 75 to 80, poor or near-poor, in an especially difficult area (art. 5(5)(b))"
    ),
    "sa.5.5c": N_("Aged 80 or over without pension or other monthly allowance (art. 5(5)(c))"),
    "sa.5.5d": N_("Elderly with no supporter, taken in by a carer in the community (art. 5(5)(d))"),
    "sa.5.6": N_("Person with a severe or especially severe disability (art. 5(6))"),
    "sa.5.7": N_("Child under 3, poor or near-poor, in an especially difficult area (art. 5(7))"),
    "sa.5.8": N_("Person with HIV/AIDS in a poor household without stable income (art. 5(8))"),
}

R_AGE = N_("Aged %(age)d this month.")
R_POOR = N_("The household is poor this month.")
R_NOT_POOR = N_("The household is not recorded as poor this month.")
R_POOR_OR_NEAR = N_("The household is poor or near-poor this month.")
R_NOT_POOR_OR_NEAR = N_("The household is not recorded as poor or near-poor this month.")
R_DIFFICULT = N_("Lives in an especially difficult ethnic-minority or mountain area.")
R_NOT_DIFFICULT = N_("Does not live in an especially difficult ethnic-minority or mountain area.")
R_COEFFICIENT = N_("Coefficient %(coefficient)s × standard level %(level)s = %(amount)s.")
R_NO_PARAMETER = N_("No amount is in force for this group in this month.")


def money(amount: float) -> str:
    """1234567 → '1.234.567 đ' (the reading officers expect in explanations)."""
    return f"{int(amount):,} đ".replace(",", ".")


def coefficient_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


class Ctx:
    """One evaluation: the facts, the month's law, the age, and whether to explain."""

    __slots__ = ("age", "birth", "explain", "facts", "household", "law", "month", "person")

    def __init__(self, facts: Facts, law: MonthLaw, explain: bool = True) -> None:
        self.facts, self.person, self.household = facts, facts.person, facts.household
        self.law, self.month, self.explain = law, law.month, explain
        self.birth = facts.person.birth_date
        self.age = age_in_month(self.birth, law.month)

    def limit(self, name: str) -> int:
        return self.law.ages[name]

    def under(self, name: str) -> bool:
        """Still within an age limit that ends a benefit (paid through the birthday month)."""
        return still_under(self.birth, self.month, self.law.ages[name])

    def no(self, group: str, message: str, params: dict | None = None) -> Consideration | None:
        """The group does not apply; explained only when asked for."""
        if not self.explain:
            return None
        reasons = (Reason(R_AGE, {"age": self.age}), Reason(message, params or {}))
        return Consideration(SOCIAL_ASSISTANCE, group, LABELS[group], False, reasons)

    def yes(
        self,
        group: str,
        coefficient_name: str,
        *why: str,
        factor: float = 1.0,
        params: dict | None = None,
    ) -> Consideration | None:
        """The group applies: coefficient × the standard level in force this month."""
        level = self.law.values.get("sa.standard_level")
        coefficient = self.law.values.get(coefficient_name)
        if level is None or coefficient is None:
            return self.no(group, R_NO_PARAMETER)
        value = coefficient.amount * factor
        amount = round(value * level.amount)
        reasons: tuple[Reason, ...] = ()
        if self.explain:
            reasons = (
                Reason(R_AGE, {"age": self.age}),
                *(Reason(message, params or {}) for message in why),
                Reason(
                    R_COEFFICIENT,
                    {
                        "coefficient": coefficient_text(value),
                        "level": money(level.amount),
                        "amount": money(amount),
                    },
                ),
            )
        return Consideration(
            SOCIAL_ASSISTANCE,
            group,
            LABELS[group],
            True,
            reasons,
            amount,
            f"{coefficient.reference}; {level.reference}",
            status=weakest(coefficient.status, level.status),
        )


def children_without_support(ctx: Ctx) -> Consideration | None:
    """Art. 5(1): a child under 16 with no source of support; 2.5 under 4, 1.5 from 4
    (art. 6(1)(a)). Paid through the month of the 16th birthday."""
    if not ctx.person.without_support:
        return ctx.no("sa.5.1", N_("Not recorded as a child without a source of support."))
    if not ctx.under("age.child_under"):
        return ctx.no("sa.5.1", N_("Past the month of the 16th birthday."))
    young = ctx.age < ctx.limit("age.coefficient_change_child")
    return ctx.yes("sa.5.1", "sa.5.1.under_4" if young else "sa.5.1.from_4")


def students_formerly_without_support(ctx: Ctx) -> Consideration | None:
    """Art. 5(2): a group-1 person from 16 to 22 still studying; 1.5 (art. 6(1)(b))."""
    person = ctx.person
    if not (
        person.without_support
        and person.studying
        and ctx.age >= ctx.limit("age.child_under")
        and ctx.under("age.student_until")
    ):
        return ctx.no(
            "sa.5.2", N_("Needs to be from 16 to 22, formerly without support, and studying.")
        )
    return ctx.yes("sa.5.2", "sa.5.2")


def children_with_hiv(ctx: Ctx) -> Consideration | None:
    """Art. 5(3): a child with HIV/AIDS in a poor household; 2.5 under 4, 2.0 from 4 to 16."""
    if not (ctx.person.hiv and ctx.under("age.child_under")):
        return ctx.no("sa.5.3", N_("Needs to be a child under 16 living with HIV/AIDS."))
    if ctx.household.poverty != Poverty.POOR:
        return ctx.no("sa.5.3", R_NOT_POOR)
    young = ctx.age < ctx.limit("age.coefficient_change_child")
    return ctx.yes("sa.5.3", "sa.5.3.under_4" if young else "sa.5.3.from_4", R_POOR)


def single_parents(ctx: Ctx) -> Consideration | None:
    """Art. 5(4): a single parent in a poor or near-poor household raising children under 16
    (or 16-22 studying); 1.0 per child (art. 6(1)(d))."""
    children = ctx.person.single_parent_children
    if children < 1:
        return ctx.no("sa.5.4", N_("Not recorded as a single parent raising children."))
    if ctx.household.poverty not in POOR_OR_NEAR:
        return ctx.no("sa.5.4", R_NOT_POOR_OR_NEAR)
    return ctx.yes(
        "sa.5.4",
        "sa.5.4.per_child",
        R_POOR_OR_NEAR,
        N_("Raises %(children)d child(ren) alone."),
        factor=children,
        params={"children": children},
    )


def _is_5a(ctx: Ctx) -> bool:
    return (
        ctx.person.no_supporter
        and ctx.household.poverty == Poverty.POOR
        and ctx.age >= ctx.limit("age.elderly_from")
    )


def elderly_poor_without_supporter(ctx: Ctx) -> Consideration | None:
    """Art. 5(5)(a): elderly in a poor household with no one obliged to support them;
    1.5 from 60, 2.0 from the month of the 80th birthday (art. 6(1)(đ))."""
    if not _is_5a(ctx):
        return ctx.no(
            "sa.5.5a",
            N_("Needs to be 60 or over, in a poor household, with no one to support them."),
        )
    old = ctx.age >= ctx.limit("age.oldest_from")
    return ctx.yes("sa.5.5a", "sa.5.5a.from_80" if old else "sa.5.5a.under_80", R_POOR)


def elderly_in_difficult_areas(ctx: Ctx) -> Consideration | None:
    """Art. 5(5)(b): aged 75 to 80 in a poor or near-poor household, not in 5(a), living in an
    especially difficult ethnic-minority or mountain commune or village; 1.0."""
    if "age.group_5b_from" not in ctx.law.ages:
        return ctx.no("sa.5.5b", R_NO_PARAMETER)
    if not (ctx.age >= ctx.limit("age.group_5b_from") and ctx.under("age.oldest_from")):
        return ctx.no("sa.5.5b", N_("Needs to be from 75 to 80."))
    if _is_5a(ctx):
        return ctx.no("sa.5.5b", N_("Already in group 5(a)."))
    if ctx.household.poverty not in POOR_OR_NEAR:
        return ctx.no("sa.5.5b", R_NOT_POOR_OR_NEAR)
    if not ctx.household.especially_difficult_area:
        return ctx.no("sa.5.5b", R_NOT_DIFFICULT)
    return ctx.yes("sa.5.5b", "sa.5.5b", R_POOR_OR_NEAR, R_DIFFICULT)


def oldest_without_pension(ctx: Ctx) -> Consideration | None:
    """Art. 5(5)(c): aged 80 or over, not in 5(a), with no pension, monthly social-insurance
    benefit or monthly social allowance; 1.0. Paid from the month of the 80th birthday."""
    if ctx.age < ctx.limit("age.oldest_from"):
        return ctx.no("sa.5.5c", N_("Needs to be 80 or over."))
    if _is_5a(ctx):
        return ctx.no("sa.5.5c", N_("Already in group 5(a)."))
    if ctx.person.has_pension:
        return ctx.no("sa.5.5c", N_("Receives a pension or monthly social-insurance benefit."))
    return ctx.yes("sa.5.5c", "sa.5.5c", N_("No pension or monthly social-insurance benefit."))


def elderly_taken_in_by_carer(ctx: Ctx) -> Consideration | None:
    """Art. 5(5)(d): elderly of 5(a)'s situation, eligible for a care facility but taken in by
    a carer in the community; 3.0."""
    if not (ctx.person.taken_in_by_carer and _is_5a(ctx)):
        return ctx.no(
            "sa.5.5d", N_("Needs to be in group 5(a)'s situation and taken in by a carer.")
        )
    return ctx.yes("sa.5.5d", "sa.5.5d", R_POOR)


def people_with_disabilities(ctx: Ctx) -> Consideration | None:
    """Art. 5(6): severe 1.5 (2.0 for a child or elderly person); especially severe 2.0 (2.5
    for a child or elderly person) (art. 6(1)(e)). A child is under 16, elderly from 60; the
    coefficient changes from the birthday month. Paid from the certificate's month (art. 8(1))."""
    disability = ctx.person.disability
    if disability == Disability.NONE:
        return ctx.no("sa.5.6", N_("No severe or especially severe disability."))
    why = [
        N_("Especially severe disability.")
        if disability == Disability.ESPECIALLY_SEVERE
        else N_("Severe disability.")
    ]
    name = (
        "sa.5.6.especially_severe"
        if disability == Disability.ESPECIALLY_SEVERE
        else "sa.5.6.severe"
    )
    if ctx.age < ctx.limit("age.child_under") or ctx.age >= ctx.limit("age.elderly_from"):
        why.append(N_("Higher coefficient for a child or an elderly person."))
        name += "_child_or_elderly"
    return ctx.yes("sa.5.6", name, *why)


def young_children_in_difficult_areas(
    ctx: Ctx, covered: Callable[[str], bool]
) -> Consideration | None:
    """Art. 5(7): a child under 3 in a poor or near-poor household, not in groups 1, 3 or 6,
    living in an especially difficult area; 1.5. Paid through the month of the 3rd birthday."""
    if "age.young_child_under" not in ctx.law.ages:
        return ctx.no("sa.5.7", R_NO_PARAMETER)
    if not ctx.under("age.young_child_under"):
        return ctx.no("sa.5.7", N_("Past the month of the 3rd birthday."))
    if covered("sa.5.1") or covered("sa.5.3") or covered("sa.5.6"):
        return ctx.no("sa.5.7", N_("Already in group 1, 3 or 6."))
    if ctx.household.poverty not in POOR_OR_NEAR:
        return ctx.no("sa.5.7", R_NOT_POOR_OR_NEAR)
    if not ctx.household.especially_difficult_area:
        return ctx.no("sa.5.7", R_NOT_DIFFICULT)
    return ctx.yes("sa.5.7", "sa.5.7", R_POOR_OR_NEAR, R_DIFFICULT)


def people_with_hiv(ctx: Ctx) -> Consideration | None:
    """Art. 5(8): a person with HIV/AIDS in a poor household with no stable monthly income
    (wage, pension, social-insurance benefit, social allowance); 1.5."""
    if not ctx.person.hiv:
        return ctx.no("sa.5.8", N_("Not recorded as living with HIV/AIDS."))
    if ctx.household.poverty != Poverty.POOR:
        return ctx.no("sa.5.8", R_NOT_POOR)
    if ctx.person.has_pension:
        return ctx.no("sa.5.8", N_("Has a stable monthly income (pension)."))
    return ctx.yes("sa.5.8", "sa.5.8", R_POOR)


GROUPS = (
    children_without_support,
    students_formerly_without_support,
    children_with_hiv,
    single_parents,
    elderly_poor_without_supporter,
    elderly_in_difficult_areas,
    oldest_without_pension,
    elderly_taken_in_by_carer,
    people_with_disabilities,
)


def consider_all(ctx: Ctx) -> list[Consideration]:
    """Every national group in the order of art. 5 (only those met, unless explaining)."""
    found = [c for c in (rule(ctx) for rule in GROUPS) if c is not None]
    met = {c.group for c in found if c.met}
    for late in (young_children_in_difficult_areas(ctx, met.__contains__), people_with_hiv(ctx)):
        if late is not None:
            found.append(late)
    return found
