"""The facts the rules read about one person and their household in one month."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Disability(enum.StrEnum):
    NONE = "none"
    SEVERE = "severe"  # nặng
    ESPECIALLY_SEVERE = "especially_severe"  # đặc biệt nặng


class Poverty(enum.StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE = "average"
    NONE = "none"


class Area(enum.StrEnum):
    RURAL = "rural"
    URBAN = "urban"


#: Merit categories a law case or the registry may name (Ordinance 02/2020 art. 3).
MERIT_CATEGORIES = frozenset(
    {
        "martyr_relative",
        "heroic_mother",
        "wartime_hero",
        "war_invalid",
        "war_invalid_class_b",
        "sick_soldier",
        "agent_orange",
        "pre1945_revolutionary",
        "aug1945_revolutionary",
        "former_prisoner",
        "resistance_participant",
        "revolution_helper",
    }
)


@dataclass(frozen=True, slots=True)
class MeritFact:
    """One merit record: the category, and the number of martyrs or the injury rate."""

    category: str
    martyrs: int | None = None
    injury_rate: int | None = None


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules know of a person in the month evaluated (circumstances in force then)."""

    birth_date: date
    sex: str
    death_date: date | None = None
    disability: Disability = Disability.NONE
    has_pension: bool = False
    hiv: bool = False
    studying: bool = False
    without_support: bool = False
    single_parent_children: int = 0
    no_supporter: bool = False
    taken_in_by_carer: bool = False
    merit: tuple[MeritFact, ...] = ()


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    """The household's poverty status in force that month and where it lives."""

    poverty: Poverty = Poverty.NONE
    area: Area = Area.RURAL
    especially_difficult_area: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    person: PersonFacts
    household: HouseholdFacts = field(default_factory=HouseholdFacts)
