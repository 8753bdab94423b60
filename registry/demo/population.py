"""Planning the whole demo population: recipes, poverty quotas, wards, codes and reviews."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date

from registry.demo import names
from registry.demo.families import FamilyBuilder
from registry.demo.plan import HouseholdPlan, PovertyPlan, Ward
from registry.demo.recipes import special_households
from registry.households.indicators import INDICATORS_2022
from registry.households.models import Area, PovertyStatus

POOR, NEAR_POOR = PovertyStatus.POOR, PovertyStatus.NEAR_POOR
AVERAGE, NONE = PovertyStatus.AVERAGE, PovertyStatus.NONE

#: Share of households per status in the current review; the rest have none.
SHARES = {POOR: 0.12, NEAR_POOR: 0.10, AVERAGE: 0.08}
#: Income lines 2022–2026 (Decree 07/2021/NĐ-CP art. 3, extended by Decree 351/2025), VND a
#: month per person, and the upper bound of the average living standard.
INCOME_LINE = {Area.RURAL: 1_500_000, Area.URBAN: 2_000_000}
AVERAGE_TOP = {Area.RURAL: 2_250_000, Area.URBAN: 3_000_000}
#: Chance of each status in the previous review, given the current one (None: not listed).
_HISTORY: dict[PovertyStatus | None, tuple[tuple[PovertyStatus | None, float], ...]] = {
    POOR: ((POOR, 0.6), (NEAR_POOR, 0.2), (None, 0.2)),
    NEAR_POOR: ((POOR, 0.35), (NEAR_POOR, 0.35), (None, 0.3)),
    AVERAGE: ((NEAR_POOR, 0.3), (AVERAGE, 0.3), (None, 0.4)),
    None: ((NEAR_POOR, 0.06), (POOR, 0.02), (None, 0.92)),
}


def plan_demo(
    *, households: int, seed: int, today: date, wards: Sequence[Ward]
) -> list[HouseholdPlan]:
    """Draw ``households`` households from ``seed``: the same arguments give the same plan.

    The recipes for the beneficiary groups come first (cut short only when ``households`` is
    too small to hold them all), ordinary families fill the rest; then statuses, wards,
    codes and the poverty reviews of the last two years are drawn.
    """
    if households < 1 or not wards:
        raise ValueError("the demo needs at least one household and one ward")
    rng = random.Random(seed)
    builder = FamilyBuilder(rng, today)
    plans = special_households(builder, households)[:households]
    plans += [builder.ordinary() for _ in range(households - len(plans))]
    for plan in plans:
        _distinct_given_names(rng, plan)
    rng.shuffle(plans)
    _assign_statuses(rng, plans)
    _place(rng, plans, wards)
    _review(rng, plans, today)
    return plans


def _distinct_given_names(rng: random.Random, plan: HouseholdPlan) -> None:
    """Families do not give a child the name of a parent or sibling: redraw such repeats."""
    used: set[str] = set()
    for member in plan.members:
        for _ in range(10):
            given = member.full_name.split()[-1]
            if given not in used:
                break
            member.full_name = names.full_name(
                rng, member.family_name, member.sex, member.birth_year
            )
        used.add(member.full_name.split()[-1])


def _assign_statuses(rng: random.Random, plans: list[HouseholdPlan]) -> None:
    """Fill the quotas of SHARES with the households whose recipe did not fix a status."""
    fixed = Counter(p.status for p in plans if p.status is not None)
    pool: list[PovertyStatus | None] = []
    for status, share in SHARES.items():
        pool += [status] * max(0, round(share * len(plans)) - fixed[status])
    undecided = [p for p in plans if p.status is None]
    pool += [None] * max(0, len(undecided) - len(pool))
    rng.shuffle(pool)
    for plan, status in zip(undecided, pool, strict=False):
        plan.status = status


def _place(rng: random.Random, plans: list[HouseholdPlan], wards: Sequence[Ward]) -> None:
    """Spread households over the wards in turn; codes run per ward (``19789-00001``)."""
    rural = [w for w in wards if w.area is Area.RURAL]
    serials: Counter[str] = Counter()
    turn = 0
    for plan in plans:
        village = rng.choice(names.VILLAGES)
        if plan.needs_difficult_area and rural:
            ward, village = rural[0], names.DIFFICULT_VILLAGE
        else:
            ward = wards[turn % len(wards)]
            turn += 1
        serials[ward.code] += 1
        plan.ward = ward
        plan.code = f"{ward.code}-{serials[ward.code]:05d}"
        if ward.area is Area.RURAL:
            plan.address = names.village_address(rng, village)
            plan.is_especially_difficult_area = village == names.DIFFICULT_VILLAGE
        else:
            plan.address = names.ward_address(rng)
            plan.is_especially_difficult_area = plan.needs_difficult_area


def _review(rng: random.Random, plans: list[HouseholdPlan], today: date) -> None:
    """The reviews of last year (in force this year) and the year before, for history.

    A household listed the year before but not now gets an explicit ``none`` (it left the list).
    """
    current, previous = today.year - 1, today.year - 2
    decisions: dict[tuple[str, int], tuple[str, date]] = {}

    def row(plan: HouseholdPlan, year: int, status: PovertyStatus) -> PovertyPlan:
        assert plan.ward is not None
        key = (plan.ward.code, year)
        if key not in decisions:  # one recognising decision per commune and year
            number = f"{rng.randint(100, 999)}/QĐ-UBND"
            decisions[key] = (number, date(year, 12, rng.randint(15, 28)))
        number, signed_on = decisions[key]
        area = plan.ward.area
        return PovertyPlan(
            review_year=year,
            status=status,
            area=area,
            is_especially_difficult_area=plan.is_especially_difficult_area,
            income_per_head=_income(rng, status, area),
            deprivations=_deprivations(rng, status),
            decision_number=number,
            decision_on=signed_on,
        )

    for plan in plans:
        choices, weights = zip(*_HISTORY[plan.status], strict=True)
        before = rng.choices(choices, weights)[0]
        if before is not None:
            plan.reviews.append(row(plan, previous, before))
        now = plan.status or (NONE if before in (POOR, NEAR_POOR) else None)
        if now is not None:
            plan.reviews.append(row(plan, current, now))


def _income(rng: random.Random, status: PovertyStatus, area: Area) -> int:
    """Income per head consistent with the status: poor and near-poor strictly below the line."""
    line, top = INCOME_LINE[area], AVERAGE_TOP[area]
    low, high = {
        POOR: (line * 35 // 100, line * 85 // 100),
        NEAR_POOR: (line * 70 // 100, line - 10_000),
        AVERAGE: (line + 10_000, top),
        NONE: (top + 10_000, top * 2),
    }[status]
    return rng.randint(low // 10_000, high // 10_000) * 10_000


def _deprivations(rng: random.Random, status: PovertyStatus) -> tuple[str, ...]:
    """Poor: 3 or more indicators short; near-poor fewer than 3 (Decree 07/2021/NĐ-CP art. 3)."""
    count = {
        POOR: rng.randint(3, 6),
        NEAR_POOR: rng.randint(0, 2),
        AVERAGE: rng.randint(0, 1),
        NONE: 0,
    }[status]
    return tuple(sorted(rng.sample(tuple(INDICATORS_2022), count)))
