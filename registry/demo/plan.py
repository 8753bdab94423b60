"""The demo data set as plain values: what will be registered, before any database is touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from registry.households.models import Area, PovertyStatus
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    Relation,
    Sex,
)


class Ward(NamedTuple):
    """A commune-level unit the demo households live in (phường = ward, xã = rural commune)."""

    code: str
    name: str

    @property
    def area(self) -> Area:
        return Area.RURAL if self.name.startswith("Xã") else Area.URBAN


@dataclass
class CircumstancePlan:
    kind: CircumstanceKind
    started_on: date
    disability_level: DisabilityLevel | None = None
    children_count: int | None = None
    reference: str | None = None
    note: str | None = None


@dataclass
class MeritPlan:
    category: MeritCategory
    recognised_on: date
    injury_rate: int | None = None
    martyrs: int | None = None
    certificate_number: str | None = None


@dataclass
class PersonPlan:
    full_name: str
    sex: Sex
    birth_year: int
    #: None for the many elderly people whose papers give only the year of birth.
    birth_date: date | None
    relation: Relation
    cccd: str | None = None
    cmnd: str | None = None
    died_on: date | None = None
    death_reference: str | None = None
    circumstances: list[CircumstancePlan] = field(default_factory=list)
    merits: list[MeritPlan] = field(default_factory=list)

    @property
    def family_name(self) -> str:
        return self.full_name.split()[0]

    def has(self, kind: CircumstanceKind) -> bool:
        return any(c.kind is kind for c in self.circumstances)


@dataclass
class PovertyPlan:
    """One poverty review result (rà soát hộ nghèo, hộ cận nghèo) for a review year."""

    review_year: int
    status: PovertyStatus
    area: Area
    is_especially_difficult_area: bool
    income_per_head: int
    deprivations: tuple[str, ...]
    decision_number: str
    decision_on: date


@dataclass
class HouseholdPlan:
    """A household: members (head first) and, once placed, its ward, code and reviews."""

    recipe: str
    members: list[PersonPlan]
    #: The current review's result when the recipe needs one (None: left to the quotas).
    status: PovertyStatus | None = None
    #: Must live in an especially difficult village (groups 5b and 7 of Decree 20/2021 art. 5).
    needs_difficult_area: bool = False
    #: Member who becomes head after the head's death (index into ``members``).
    new_head: int | None = None
    #: Whether extra everyday circumstances (pension, studying) may be sprinkled on.
    is_ordinary: bool = False
    ward: Ward | None = None
    code: str = ""
    address: str = ""
    is_especially_difficult_area: bool = False
    reviews: list[PovertyPlan] = field(default_factory=list)

    def current_review(self, review_year: int) -> PovertyPlan | None:
        return next((r for r in self.reviews if r.review_year == review_year), None)
