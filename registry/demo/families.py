"""Drawing people and ordinary families with consistent names, ages and relations to the head."""

from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import names
from registry.demo.plan import CircumstancePlan, HouseholdPlan, PersonPlan
from registry.people.models import CircumstanceKind, Relation, Sex

MAX_MEMBERS = 7


class FamilyBuilder:
    """Draws people from one seeded generator, so the same seed gives the same population."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self._cccds: set[str] = set()
        self._serial = 0

    # -- small draws -------------------------------------------------------------------

    def year_aged(self, low: int, high: int) -> int:
        """A birth year for someone turning ``low``–``high`` this year."""
        return self.today.year - self.rng.randint(low, high)

    def day_between(self, start: date, end: date) -> date:
        end = min(end, self.today)
        if end <= start:
            return min(start, self.today)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def serial(self) -> int:
        """A running number for certificates and decisions, so references never repeat."""
        self._serial += 1
        return 100 + self._serial

    def birth_date(self, year: int) -> date | None:
        """A full date of birth, or None (year only) as is common for people born before 1955."""
        age = self.today.year - year
        if (age >= 70 and self.rng.random() < 0.6) or (60 <= age < 70 and self.rng.random() < 0.15):
            return None
        last = min(date(year, 12, 31), self.today - timedelta(days=1))
        return self.day_between(date(year, 1, 1), last)

    def cccd(self, sex: Sex, year: int, province: str) -> str:
        while True:
            number = names.cccd_number(self.rng, sex, year, province)
            if number not in self._cccds:
                self._cccds.add(number)
                return number

    # -- people ------------------------------------------------------------------------

    def person(
        self,
        sex: Sex,
        year: int,
        relation: Relation,
        family: str | None = None,
        *,
        moved_in: bool = False,
        born_on: date | None = None,
        year_only: bool | None = None,
    ) -> PersonPlan:
        """A person with a name of their generation and, mostly, a CCCD valid for sex and year.

        ``moved_in``: married in from elsewhere, so more often an ID from another province.
        """
        rng = self.rng
        full_name = names.full_name(rng, family or names.family_name(rng), sex, year)
        if born_on is not None:
            birth = born_on
        elif year_only is True:
            birth = None
        else:
            birth = self.birth_date(year)
            if year_only is False and birth is None:
                birth = self.day_between(date(year, 1, 1), date(year, 12, 31))
        outsider = rng.random() < (0.25 if moved_in else 0.04)
        province = rng.choice(names.OTHER_PROVINCES) if outsider else names.HUE
        age = self.today.year - year
        has_cccd = rng.random() < (0.96 if age >= 14 else 0.35)
        cccd = self.cccd(sex, year, province) if has_cccd else None
        cmnd = names.cmnd_number(rng, province) if age >= 35 and rng.random() < 0.05 else None
        return PersonPlan(
            full_name=full_name,
            sex=sex,
            birth_year=year,
            birth_date=birth,
            relation=relation,
            cccd=cccd,
            cmnd=cmnd,
        )

    def sex(self) -> Sex:
        return Sex.MALE if self.rng.random() < 0.51 else Sex.FEMALE

    def couple(
        self, low: int, high: int, *, wife_heads: bool = False
    ) -> tuple[PersonPlan, PersonPlan]:
        """Husband and wife (the wife usually a little younger); returns (head, spouse)."""
        husband_year = self.year_aged(low, high)
        wife_year = min(husband_year + self.rng.randint(-2, 7), self.today.year - 21)
        if wife_heads:
            wife = self.person(Sex.FEMALE, wife_year, Relation.HEAD)
            return wife, self.person(Sex.MALE, husband_year, Relation.HUSBAND, moved_in=True)
        husband = self.person(Sex.MALE, husband_year, Relation.HEAD)
        return husband, self.person(Sex.FEMALE, wife_year, Relation.WIFE, moved_in=True)

    def children(
        self,
        mother_year: int,
        family: str,
        count: int,
        relation: Relation = Relation.CHILD,
        *,
        last_born_on: date | None = None,
    ) -> list[PersonPlan]:
        """Up to ``count`` children, eldest first, born when the mother was 20–42.

        ``last_born_on`` fixes the youngest child's birth date (a baby under 36 months).
        """
        years: list[int] = []
        year = mother_year + self.rng.randint(20, 30)
        last_year = self.today.year if last_born_on is None else last_born_on.year - 1
        limit = min(mother_year + 42, last_year)
        while len(years) < count - (last_born_on is not None) and year <= limit:
            years.append(year)
            year += self.rng.randint(1, 5)
        kids = [self.person(self.sex(), y, relation, family) for y in years]
        if last_born_on is not None:
            kids.append(
                self.person(self.sex(), last_born_on.year, relation, family, born_on=last_born_on)
            )
        return kids

    def add(self, person: PersonPlan, kind: CircumstanceKind, started_on: date, **values) -> None:
        person.circumstances.append(CircumstancePlan(kind=kind, started_on=started_on, **values))

    def born_on_or_first(self, person: PersonPlan) -> date:
        return person.birth_date or date(person.birth_year, 1, 1)

    def turned(self, person: PersonPlan, age: int) -> date:
        """The day the person reached ``age`` (1 July of that year when only the year is known)."""
        if person.birth_date is None:
            return date(person.birth_year + age, 7, 1)
        born = person.birth_date
        return born.replace(year=born.year + age, day=min(born.day, 28))

    # -- ordinary households -----------------------------------------------------------

    def ordinary(self) -> HouseholdPlan:
        """A household of one of the common shapes, weighted roughly as in a Huế ward."""
        shapes = (
            (self.nuclear, 40),
            (self.three_generations, 18),
            (self.with_parents, 14),
            (self.elderly_couple, 12),
            (self.elderly_alone, 6),
            (self.single_adult, 5),
            (self.young_couple, 5),
        )
        make = self.rng.choices([s for s, _ in shapes], [w for _, w in shapes])[0]
        plan = HouseholdPlan(recipe=make.__name__, members=make()[:MAX_MEMBERS], is_ordinary=True)
        self.everyday_circumstances(plan)
        return plan

    def nuclear(self) -> list[PersonPlan]:
        draw = self.rng.random()
        kids = self.rng.choice((0, 1, 1, 2, 2, 2, 3))
        if draw < 0.15:  # a widow raising her children; the father's family name stays
            head = self.person(Sex.FEMALE, self.year_aged(35, 60), Relation.HEAD)
            father_family = names.family_name(self.rng)
            return [head, *self.children(head.birth_year, father_family, max(kids, 1))]
        head, spouse = self.couple(24, 62, wife_heads=draw < 0.25)
        father, mother = (head, spouse) if head.sex is Sex.MALE else (spouse, head)
        return [head, spouse, *self.children(mother.birth_year, father.family_name, kids)]

    def three_generations(self) -> list[PersonPlan]:
        head, wife = self.couple(58, 80)
        son = self.person(
            Sex.MALE, wife.birth_year + self.rng.randint(20, 32), Relation.CHILD, head.family_name
        )
        in_law_year = min(son.birth_year + self.rng.randint(-1, 6), self.today.year - 20)
        daughter_in_law = self.person(Sex.FEMALE, in_law_year, Relation.OTHER, moved_in=True)
        grandchildren = self.children(
            in_law_year, head.family_name, self.rng.randint(1, 3), Relation.GRANDCHILD
        )
        return [head, wife, son, daughter_in_law, *grandchildren]

    def with_parents(self) -> list[PersonPlan]:
        head, wife = self.couple(32, 55)
        mother_year = head.birth_year - self.rng.randint(22, 35)
        mother = self.person(Sex.FEMALE, mother_year, Relation.MOTHER)
        elders = [mother]
        if self.rng.random() < 0.5:
            elders.insert(
                0,
                self.person(
                    Sex.MALE,
                    mother.birth_year - self.rng.randint(0, 6),
                    Relation.FATHER,
                    head.family_name,
                ),
            )
        kids = self.children(wife.birth_year, head.family_name, self.rng.randint(0, 2))
        return [head, wife, *kids, *elders]

    def elderly_couple(self) -> list[PersonPlan]:
        head, wife = self.couple(62, 85)
        if self.rng.random() < 0.3:
            return [head, wife, *self.children(wife.birth_year, head.family_name, 1)]
        return [head, wife]

    def elderly_alone(self) -> list[PersonPlan]:
        head = self.person(Sex.FEMALE, self.year_aged(65, 92), Relation.HEAD)
        if self.rng.random() < 0.3:
            return [head, self.person(self.sex(), self.year_aged(15, 25), Relation.GRANDCHILD)]
        return [head]

    def single_adult(self) -> list[PersonPlan]:
        head = self.person(self.sex(), self.year_aged(22, 50), Relation.HEAD)
        if self.rng.random() < 0.3 and self.today.year - head.birth_year > 19:
            year = self.rng.randint(head.birth_year + 1, self.today.year - 18)
            return [head, self.person(self.sex(), year, Relation.YOUNGER_SIBLING, head.family_name)]
        return [head]

    def young_couple(self) -> list[PersonPlan]:
        head, wife = self.couple(22, 32)
        if self.rng.random() < 0.15:
            since = self.today - timedelta(days=self.rng.randint(40, 220))
            self.add(wife, CircumstanceKind.PREGNANCY, since)
        return [head, wife]

    def everyday_circumstances(self, plan: HouseholdPlan) -> None:
        """Pensions of retired workers and pupils or students aged 16–22, as any ward has."""
        for member in plan.members:
            age = self.today.year - member.birth_year
            if age >= 62 and self.rng.random() < 0.3:
                self.add(
                    member,
                    CircumstanceKind.PENSION,
                    self.turned(member, 60),
                    reference=f"{self.serial()}/QĐ-BHXH",
                    note="Lương hưu",
                )
            elif 16 <= age <= 22 and self.rng.random() < 0.5:
                self.add(
                    member,
                    CircumstanceKind.STUDYING,
                    self.school_year_start(),
                    note=self.school(age),
                )

    def school_year_start(self) -> date:
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        return date(year, 9, 5)

    def school(self, age: int) -> str:
        if age <= 18:
            return self.rng.choice(
                (
                    "Trường THPT Hai Bà Trưng",
                    "Trường THPT Nguyễn Huệ",
                    "Trường THPT Gia Hội",
                    "Trường THPT Cao Thắng",
                )
            )
        return self.rng.choice(
            (
                "Trường Đại học Sư phạm Huế",
                "Trường Đại học Y - Dược Huế",
                "Trường Đại học Kinh tế Huế",
                "Trường Cao đẳng Công nghiệp Huế",
            )
        )
