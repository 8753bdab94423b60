"""Households the demo always contains, one recipe per beneficiary group it must exercise.

Groups of Decree 20/2021/NĐ-CP art. 5 (social assistance) and Ordinance 02/2020/UBTVQH14
art. 3 (merit). Each recipe takes the builder and its running number ``i``, which cycles
through the variants (disability levels, injury rates, number of martyrs…).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from registry.demo import names
from registry.demo.families import FamilyBuilder
from registry.demo.plan import HouseholdPlan, MeritPlan, PersonPlan
from registry.households.models import PovertyStatus
from registry.people.models import CircumstanceKind as Kind
from registry.people.models import DisabilityLevel, MeritCategory, Relation, Sex

POOR, NEAR_POOR = PovertyStatus.POOR, PovertyStatus.NEAR_POOR
Recipe = Callable[[FamilyBuilder, int], HouseholdPlan]


def _poor_or_near(i: int) -> PovertyStatus:
    return POOR if i % 2 == 0 else NEAR_POOR


def elderly_without_supporter(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 5a: elderly aged 60–79 in a poor household with no one obliged to support them."""
    if i % 3 == 2:  # a childless couple
        members = list(b.couple(63, 77))
    else:
        members = [b.person(b.sex(), b.year_aged(62, 78), Relation.HEAD)]
    for person in (p for p in members if b.today.year - p.birth_year >= 61):
        b.add(
            person,
            Kind.NO_SUPPORTER,
            b.day_between(b.turned(person, 60), date(2024, 12, 31)),
            reference=f"{b.serial()}/XN-UBND",
        )
    return HouseholdPlan(recipe="elderly_without_supporter", members=members, status=POOR)


def elderly_in_difficult_village(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 5b: aged 75–79 in a poor or near-poor household of an especially difficult village."""
    members = list(b.couple(76, 78))
    return HouseholdPlan(
        recipe="elderly_in_difficult_village",
        members=members,
        status=_poor_or_near(i),
        needs_difficult_area=True,
    )


def oldest_old_without_pension(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 5c: aged 80 or more with no pension, living with a son's family."""
    elder = b.person(
        Sex.FEMALE if i % 3 else Sex.MALE,
        b.year_aged(82, 96),
        Relation.MOTHER if i % 3 else Relation.FATHER,
    )
    head = b.person(
        Sex.MALE,
        min(elder.birth_year + b.rng.randint(20, 34), b.today.year - 45),
        Relation.HEAD,
        elder.family_name if elder.sex is Sex.MALE else None,
    )
    wife = b.person(Sex.FEMALE, head.birth_year + b.rng.randint(0, 6), Relation.WIFE, moved_in=True)
    kids = b.children(wife.birth_year, head.family_name, b.rng.randint(0, 2))
    members = [head, wife, *kids, elder]
    return HouseholdPlan(recipe="oldest_old_without_pension", members=members)


def oldest_old_with_pension(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Aged 80 or more with a pension (retired teacher or official): not in group 5c."""
    head, wife = b.couple(81, 90)
    b.add(
        head,
        Kind.PENSION,
        b.turned(head, 60),
        reference=f"{b.serial()}/QĐ-BHXH",
        note=b.rng.choice(("Lương hưu (giáo viên nghỉ hưu)", "Lương hưu (cán bộ nghỉ hưu)")),
    )
    members = [head, wife]
    if i % 2:
        members += b.children(wife.birth_year, head.family_name, 1)
    return HouseholdPlan(recipe="oldest_old_with_pension", members=members)


def baby_in_poor_household(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """A child under 36 months in a poor or near-poor household (group 7 when in a difficult
    village). Every third mother is pregnant again; every third baby is a newborn.
    """
    pregnant = i % 3 == 0 or b.rng.random() < 0.15
    if i % 3 == 1:
        born = b.day_between(b.today - timedelta(days=330), b.today - timedelta(days=20))
    else:
        latest = b.today - timedelta(days=400 if pregnant else 30)
        born = b.day_between(b.today - timedelta(days=1020), latest)
    head, wife = b.couple(26, 36)
    kids = b.children(wife.birth_year, head.family_name, b.rng.randint(1, 3), last_born_on=born)
    if pregnant:
        b.add(wife, Kind.PREGNANCY, b.today - timedelta(days=b.rng.randint(40, 200)))
    return HouseholdPlan(
        recipe="baby_in_poor_household",
        members=[head, wife, *kids],
        status=_poor_or_near(i),
        needs_difficult_area=i == 0,
    )


_DISABILITY_TYPES = (
    "Khuyết tật vận động",
    "Khuyết tật nghe, nói",
    "Khuyết tật nhìn",
    "Khuyết tật thần kinh, tâm thần",
    "Khuyết tật trí tuệ",
)


def _disability(b: FamilyBuilder, person: PersonPlan, level: DisabilityLevel) -> None:
    since = max(b.born_on_or_first(person) + timedelta(days=400), date(2016, 1, 1))
    b.add(
        person,
        Kind.DISABILITY,
        b.day_between(since, b.today - timedelta(days=30)),
        disability_level=level,
        reference=f"{b.serial()}/GXNKT",
        note=b.rng.choice(_DISABILITY_TYPES),
    )


def person_with_disability(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 6: severe or especially severe disability, in a child, an adult or an elder."""
    level = (DisabilityLevel.SEVERE, DisabilityLevel.ESPECIALLY_SEVERE)[i % 2]
    who = (i // 2) % 3
    if who == 0:  # a child
        head, wife = b.couple(32, 45)
        kids = b.children(wife.birth_year, head.family_name, 2)
        year = min(max(wife.birth_year + 21, b.today.year - 15), b.today.year - 1)
        disabled = b.person(b.sex(), year, Relation.CHILD, head.family_name)
        members = [head, wife, *kids[:1], disabled]
    elif who == 1:  # an adult son or daughter cared for by elderly parents
        head, wife = b.couple(60, 75)
        disabled = b.person(
            b.sex(), wife.birth_year + b.rng.randint(22, 35), Relation.CHILD, head.family_name
        )
        members = [head, wife, disabled]
    else:  # the elderly head of a three-generation household
        members = b.three_generations()
        disabled = members[0]
    _disability(b, disabled, level)
    return HouseholdPlan(recipe="person_with_disability", members=members[:7])


def single_poor_parent(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 4: a single parent of a poor or near-poor household raising children alone."""
    with_student = i % 2 == 1
    sex = Sex.MALE if i % 4 == 3 else Sex.FEMALE
    year = b.year_aged(40, 46) if with_student else b.year_aged(27, 40)
    head = b.person(sex, year, Relation.HEAD)
    family = head.family_name if sex is Sex.MALE else names.family_name(b.rng)
    kids = []
    if with_student:
        student = b.person(b.sex(), b.year_aged(18, 20), Relation.CHILD, family)
        b.add(student, Kind.STUDYING, b.school_year_start(), note=b.school(19))
        kids.append(student)
    first = max(head.birth_year + 21, b.today.year - 14)
    for _ in range(b.rng.randint(1, 2)):
        if first > b.today.year - 1:
            break
        kids.append(b.person(b.sex(), first, Relation.CHILD, family))
        first += b.rng.randint(2, 4)
    youngest = max(b.born_on_or_first(k) for k in kids)
    b.add(
        head,
        Kind.SINGLE_PARENT,
        b.day_between(youngest, b.today - timedelta(days=60)),
        children_count=len(kids),
        reference=f"{b.serial()}/XN-UBND",
    )
    return HouseholdPlan(
        recipe="single_poor_parent", members=[head, *kids], status=_poor_or_near(i)
    )


def orphans_with_grandmother(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Groups 1 and 2: children without support, the elder aged 16–22 and still studying."""
    grandmother = b.person(Sex.FEMALE, b.year_aged(63, 78), Relation.HEAD)
    family = names.family_name(b.rng)
    younger = b.person(b.sex(), b.year_aged(8, 13), Relation.GRANDCHILD, family)
    elder = b.person(b.sex(), b.year_aged(18, 21), Relation.GRANDCHILD, family)
    # Orphaned while both were under 16 (Decree 20/2021 art. 5(1)).
    orphaned = b.day_between(
        b.born_on_or_first(younger) + timedelta(days=400),
        min(b.today - timedelta(days=365), b.turned(elder, 15)),
    )
    for child in (younger, elder):
        b.add(
            child,
            Kind.WITHOUT_SUPPORT,
            orphaned,
            reference=f"{b.serial()}/QĐ-UBND",
            note="Mồ côi cả cha và mẹ",
        )
    b.add(elder, Kind.STUDYING, b.school_year_start(), note=b.school(20))
    return HouseholdPlan(
        recipe="orphans_with_grandmother",
        members=[grandmother, elder, younger],
        status=_poor_or_near(i + 1),
    )


def elderly_taken_in_by_carer(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Group 5d: a poor elderly person without supporter, taken in by a carer's household."""
    head, wife = b.couple(40, 58)
    kids = b.children(wife.birth_year, head.family_name, b.rng.randint(0, 2))
    elder = b.person(b.sex(), b.year_aged(70, 85), Relation.OTHER)
    b.add(
        elder,
        Kind.NO_SUPPORTER,
        date(2021, 1, 1) + timedelta(days=b.rng.randint(0, 900)),
        reference=f"{b.serial()}/XN-UBND",
    )
    taken_in = b.day_between(date(2024, 1, 1), b.today - timedelta(days=90))
    b.add(
        elder,
        Kind.TAKEN_IN_BY_CARER,
        taken_in,
        reference=f"{b.serial()}/QĐ-UBND",
        note="Nhận chăm sóc, nuôi dưỡng tại cộng đồng",
    )
    return HouseholdPlan(
        recipe="elderly_taken_in_by_carer", members=[head, wife, *kids, elder], status=POOR
    )


def person_with_hiv(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Groups 8 and 3: HIV in a poor household (sensitive: never shown to auditors)."""
    if i % 3 == 2:  # a child (group 3) living with the mother
        mother = b.person(Sex.FEMALE, b.year_aged(30, 42), Relation.HEAD)
        child = b.person(b.sex(), b.year_aged(5, 12), Relation.CHILD, names.family_name(b.rng))
        members, infected = [mother, child], child
    else:
        head = b.person(b.sex(), b.year_aged(25, 48), Relation.HEAD)
        members, infected = [head], head
    b.add(
        infected,
        Kind.HIV,
        b.day_between(
            max(b.born_on_or_first(infected), date(2012, 1, 1)), b.today - timedelta(days=120)
        ),
    )
    return HouseholdPlan(recipe="person_with_hiv", members=members, status=POOR)


def _merit(
    b: FamilyBuilder,
    person: PersonPlan,
    category: MeritCategory,
    start: date,
    end: date,
    prefix: str,
    **values,
) -> None:
    person.merits.append(
        MeritPlan(
            category=category,
            recognised_on=b.day_between(start, end),
            certificate_number=f"{prefix} {b.serial():05d}",
            **values,
        )
    )


def martyr_family(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """Relatives of one or two martyrs (thân nhân liệt sĩ): a mother, a widow or a child."""
    case, martyrs = (("mother", 1), ("mother", 2), ("widow", 1), ("child", 1), ("mother", 2))[i % 5]
    if case == "mother":
        mother = b.person(Sex.FEMALE, b.year_aged(88, 97), Relation.MOTHER, year_only=True)
        head = b.person(Sex.MALE, mother.birth_year + b.rng.randint(25, 33), Relation.HEAD)
        wife = b.person(Sex.FEMALE, head.birth_year + b.rng.randint(0, 5), Relation.WIFE)
        members, relative = [head, wife, mother], mother
    elif case == "widow":
        relative = b.person(Sex.FEMALE, b.year_aged(74, 84), Relation.HEAD)
        members = [relative, b.person(b.sex(), relative.birth_year + 22, Relation.CHILD)]
    else:
        relative = b.person(b.sex(), b.year_aged(51, 57), Relation.HEAD)
        members = [relative]
    _merit(
        b,
        relative,
        MeritCategory.MARTYR_RELATIVE,
        date(1978, 1, 1),
        date(1998, 12, 31),
        "GCN-LS",
        martyrs=martyrs,
    )
    return HouseholdPlan(recipe="martyr_family", members=members)


def heroic_mother(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """A Vietnamese Heroic Mother (Bà mẹ Việt Nam anh hùng) living with her surviving son."""
    mother = b.person(Sex.FEMALE, b.year_aged(95, 101), Relation.MOTHER, year_only=True)
    head = b.person(
        Sex.MALE, mother.birth_year + b.rng.randint(27, 33), Relation.HEAD, names.family_name(b.rng)
    )
    wife = b.person(Sex.FEMALE, head.birth_year + b.rng.randint(0, 5), Relation.WIFE)
    kids = b.children(wife.birth_year, head.family_name, 1)
    _merit(b, mother, MeritCategory.HEROIC_MOTHER, date(1994, 12, 17), date(2015, 12, 31), "BMVNAH")
    _merit(
        b,
        mother,
        MeritCategory.MARTYR_RELATIVE,
        date(1978, 1, 1),
        date(1994, 12, 31),
        "GCN-LS",
        martyrs=2 + i % 2,
    )
    return HouseholdPlan(recipe="heroic_mother", members=[head, wife, *kids, mother])


#: Injury rates to cycle through, recognition period and certificate prefix per category.
_RATED = {
    MeritCategory.WAR_INVALID: (
        (41, 61, 81, 35, 71, 21),
        date(1975, 5, 1),
        date(1995, 12, 31),
        "TB",
    ),
    MeritCategory.WAR_INVALID_CLASS_B: ((31, 45, 61), date(1976, 1, 1), date(1993, 12, 31), "TBB"),
    MeritCategory.SICK_SOLDIER: ((61, 71, 45), date(1976, 1, 1), date(2000, 12, 31), "BB"),
    MeritCategory.AGENT_ORANGE: ((45, 61, 81), date(2001, 1, 1), date(2015, 12, 31), "CĐHH"),
}


def veteran(category: MeritCategory) -> Recipe:
    """Invalids, sick soldiers, Agent Orange fighters: a rated veteran heading his household."""
    rates, start, end, prefix = _RATED[category]

    def recipe(b: FamilyBuilder, i: int) -> HouseholdPlan:
        head, wife = b.couple(68, 80)
        members = [head, wife]
        if i % 2 == 0 or category is MeritCategory.AGENT_ORANGE:
            child = b.person(
                b.sex(), wife.birth_year + b.rng.randint(24, 34), Relation.CHILD, head.family_name
            )
            if category is MeritCategory.AGENT_ORANGE and i == 0:  # a child harmed by the toxin
                _disability(b, child, DisabilityLevel.ESPECIALLY_SEVERE)
            members.append(child)
        _merit(b, head, category, start, end, prefix, injury_rate=rates[i % len(rates)])
        return HouseholdPlan(recipe=category.value, members=members)

    return recipe


def widow_after_head_died(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """The head died (báo tử) and his wife became head of the household."""
    if i % 2:
        members = b.elderly_couple()
    else:
        head, wife = b.couple(45, 70)
        members = [head, wife, *b.children(wife.birth_year, head.family_name, b.rng.randint(1, 2))]
    head = members[0]
    head.died_on = b.day_between(b.today - timedelta(days=6 * 365), b.today - timedelta(days=20))
    head.death_reference = f"{b.serial()}/TLKT"
    return HouseholdPlan(recipe="widow_after_head_died", members=members, new_head=1)


def grandparent_died(b: FamilyBuilder, i: int) -> HouseholdPlan:
    """An elderly parent of the head died and stays on record with the death date."""
    head, wife = b.couple(40, 58)
    father = b.person(
        Sex.MALE, head.birth_year - b.rng.randint(24, 34), Relation.FATHER, head.family_name
    )
    father.died_on = b.day_between(b.today - timedelta(days=4 * 365), b.today - timedelta(days=10))
    father.death_reference = f"{b.serial()}/TLKT"
    kids = b.children(wife.birth_year, head.family_name, b.rng.randint(0, 2))
    return HouseholdPlan(recipe="grandparent_died", members=[head, wife, *kids, father])


#: (recipe, households per 300, minimum): the minimum holds even for a small demo.
SPECIALS: tuple[tuple[Recipe, int, int], ...] = (
    (elderly_without_supporter, 6, 1),
    (oldest_old_without_pension, 8, 1),
    (oldest_old_with_pension, 4, 1),
    (baby_in_poor_household, 10, 2),
    (person_with_disability, 9, 2),
    (single_poor_parent, 5, 2),
    (orphans_with_grandmother, 3, 1),
    (person_with_hiv, 3, 1),
    (martyr_family, 5, 2),
    (heroic_mother, 3, 1),
    (veteran(MeritCategory.WAR_INVALID), 4, 3),
    (veteran(MeritCategory.WAR_INVALID_CLASS_B), 3, 1),
    (veteran(MeritCategory.SICK_SOLDIER), 3, 1),
    (veteran(MeritCategory.AGENT_ORANGE), 3, 1),
    (widow_after_head_died, 4, 1),
    (grandparent_died, 3, 1),
    (elderly_in_difficult_village, 3, 1),
    (elderly_taken_in_by_carer, 2, 1),
)


def special_households(b: FamilyBuilder, households: int) -> list[HouseholdPlan]:
    """Every recipe ``max(minimum, share of households)`` times, in the order above."""
    plans = []
    for recipe, per_300, minimum in SPECIALS:
        count = max(minimum, round(households * per_300 / 300))
        plans.extend(recipe(b, i) for i in range(count))
    return plans
