"""The scope's month by columns gives the same summary as the engine run person by person."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pytest

from registry.auth.actors import Actor
from registry.demo.seed import seed_demo
from registry.eligibility.engine import Law, load_law
from registry.entitlements.columns import count_signatures
from registry.entitlements.services import evaluate_scope, scope_communes
from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance, add_merit_record
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    Person,
    Sex,
)
from registry.people.services import record_death
from tests import factories
from tests.conftest import WARD_A, WARD_B

#: A commune ("Xã"): with no poverty review, its people count as rural.
RURAL_COMMUNE = "19945"  # Xã Phú Vinh

LOCAL_EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "eligibility/examples/EXAMPLE-local-policy-children-under-36-months.yaml"
)

MONTHS = [date(2025, 12, 1), date(2026, 1, 1), date(2026, 7, 1), date(2026, 8, 1),
          date(2026, 9, 1), date(2027, 1, 1)]  # fmt: skip


def both_paths(month: date, actor: Actor, law: Law, unit=None) -> tuple[dict, dict]:
    """Both summaries as plain dicts (the unit left out: asdict would copy the ORM object)."""
    by_columns = evaluate_scope(month, actor=actor, law=law, unit=unit)
    per_person = evaluate_scope(month, actor=actor, law=law, unit=unit, by_columns=False)
    assert by_columns.unit is per_person.unit is unit
    return asdict(replace(by_columns, unit=None)), asdict(replace(per_person, unit=None))


@pytest.fixture(params=["national", "local"])
def law(request) -> Law:
    return load_law(() if request.param == "national" else (str(LOCAL_EXAMPLE),))


@pytest.fixture()
def edge_cases(actor, today) -> dict[str, Person]:
    """People on the boundaries the signature must keep apart, in two wards and a commune."""
    officer, other = actor("commune_a"), actor("labour")
    made: dict[str, Person] = {}

    def person(name: str, **details) -> Person:
        details.setdefault("actor", officer)
        made[name] = factories.person(today=today, full_name=name.title(), **details)
        return made[name]

    def circumstance(who: Person, kind: CircumstanceKind, started_on=date(2020, 1, 1), **more):
        add_circumstance(who, kind=kind, started_on=started_on, actor=officer, today=today, **more)

    # Poor in 2025 (review 2024), near-poor in 2026 (review 2025): the review year decides.
    home = factories.household(WARD_A, actor=officer, today=today)
    for year, status in ((2024, PovertyStatus.POOR), (2025, PovertyStatus.NEAR_POOR)):
        set_poverty_status(
            home, review_year=year, status=status, area=Area.URBAN, actor=officer, today=today
        )
    # A rolling review from August 2026 in a second household replaces its yearly one.
    rolling = factories.household(WARD_A, actor=officer, today=today)
    set_poverty_status(
        rolling, review_year=2025, status=PovertyStatus.NEAR_POOR, area=Area.RURAL,
        actor=officer, today=today,
    )  # fmt: skip
    set_poverty_status(
        rolling, review_year=2026, status=PovertyStatus.POOR, area=Area.RURAL,
        is_especially_difficult_area=True, valid_from=date(2026, 8, 15), actor=officer,
        today=today,
    )  # fmt: skip
    # Children around 36 months old (the local group) and their 3rd birthday, in August 2026.
    children = {
        "child 35": date(2023, 9, 30),
        "child 36": date(2023, 8, 1),
        "child 37": date(2023, 7, 31),
        "child 36 b": date(2023, 8, 20),
    }
    for name, born in children.items():
        person(name, household=home, birth_date=born)
    person("newborn", household=rolling, birth_date=date(2026, 8, 31))
    person("born next month", household=home, birth_date=date(2026, 9, 1))
    # Elders: an 80th birthday in August 2026, a birth year only, the same facts several times.
    for number in range(3):
        elder = person(f"elder {number}", household=home, sex=Sex.FEMALE,
                       birth_date=date(1946, 8, 3 + number))  # fmt: skip
        circumstance(elder, CircumstanceKind.NO_SUPPORTER)
    person("year only", household=rolling, birth_date=None, birth_year=1941)
    eighty = person("eighty", commune_code=RURAL_COMMUNE, actor=other, birth_date=date(1946, 8, 9))
    assert eighty.household is None
    person("urban eighty", commune_code=WARD_B, actor=other, birth_date=date(1946, 8, 9))
    # Deaths: during August 2026 (August still counts), in July (not counted from August).
    died = person("died in august", household=home, birth_date=date(1940, 2, 2))
    circumstance(died, CircumstanceKind.NO_SUPPORTER)
    record_death(died, died_on=date(2026, 8, 31), actor=officer, today=today)
    gone = person("died in july", household=home, birth_date=date(1940, 2, 3))
    record_death(gone, died_on=date(2026, 7, 1), actor=officer, today=today)
    # Circumstances: a reassessment within August, a single parent, a student, HIV, a pension.
    disabled = person("disabled", household=rolling, birth_date=date(1980, 8, 5))
    circumstance(disabled, CircumstanceKind.DISABILITY, ended_on=date(2026, 8, 10),
                 disability_level=DisabilityLevel.SEVERE)  # fmt: skip
    circumstance(disabled, CircumstanceKind.DISABILITY, started_on=date(2026, 8, 11),
                 disability_level=DisabilityLevel.ESPECIALLY_SEVERE)  # fmt: skip
    parent = person("single parent", household=home, sex=Sex.FEMALE, birth_date=date(1995, 1, 1))
    circumstance(parent, CircumstanceKind.SINGLE_PARENT, children_count=2)
    student = person("student", household=home, birth_date=date(2004, 8, 1))
    circumstance(student, CircumstanceKind.WITHOUT_SUPPORT)
    circumstance(student, CircumstanceKind.STUDYING, ended_on=date(2026, 12, 31))
    sick = person("hiv", household=rolling, birth_date=date(1984, 1, 1))
    circumstance(sick, CircumstanceKind.HIV)
    retired = person("pensioner", commune_code=RURAL_COMMUNE, actor=other,
                     birth_date=date(1940, 5, 5))  # fmt: skip
    add_circumstance(retired, kind=CircumstanceKind.PENSION, started_on=date(2000, 1, 1),
                     actor=other, today=today)  # fmt: skip
    # Merit records: one recognised in August 2026, two on one person, a martyr's relative.
    invalid = person("invalid", commune_code=WARD_A, birth_date=date(1950, 4, 30))
    add_merit_record(invalid, category=MeritCategory.WAR_INVALID, injury_rate=61,
                     recognised_on=date(1985, 7, 27), actor=officer, today=today)  # fmt: skip
    add_merit_record(invalid, category=MeritCategory.MARTYR_RELATIVE, martyrs=2,
                     recognised_on=date(2026, 8, 20), actor=officer, today=today)  # fmt: skip
    relative = person("relative", household=home, birth_date=date(1950, 4, 30))
    add_merit_record(relative, category=MeritCategory.MARTYR_RELATIVE, martyrs=1,
                     recognised_on=date(1990, 1, 1), actor=officer, today=today)  # fmt: skip
    # A duplicate merged into another record: history only, never counted.
    duplicate = elder_twin = person("merged duplicate", household=home, sex=Sex.FEMALE,
                                    birth_date=date(1946, 8, 3))  # fmt: skip
    circumstance(elder_twin, CircumstanceKind.NO_SUPPORTER)
    duplicate.merged_into_id = made["elder 0"].id
    db.session.flush()
    return made


@pytest.mark.parametrize("month", MONTHS, ids=str)
def test_the_edge_cases_give_the_same_summary_by_columns_as_person_by_person(
    actor, edge_cases, law, month
):
    by_columns, per_person = both_paths(month, actor("labour"), law)
    assert by_columns == per_person
    assert by_columns["people_evaluated"] > 15


def test_the_edge_cases_are_counted_as_the_law_reads_them(actor, edge_cases):
    """August 2026: the child born in September, the man who died in July and the merged
    duplicate are left out; the three alike elders count three times."""
    law = load_law((str(LOCAL_EXAMPLE),))
    summary = evaluate_scope(date(2026, 8, 1), actor=actor("labour"), law=law)
    left_out = {"born next month", "died in july", "merged duplicate"}
    assert summary.people_evaluated == len(edge_cases) - len(left_out)
    local = summary.programmes["social_assistance"].groups["local.children_under_36_months"]
    # 35 and 36 months old (born on the 1st and on the 20th); not 37 months, and not the
    # newborn of a poor household, paid more under a national group (the highest only).
    assert local.people == 3
    signatures = count_signatures(scope_communes(actor("labour")), date(2026, 8, 1), law)
    assert signatures.people == summary.people_evaluated
    assert min(signatures.counts.values()) > 0  # no signature left over with nobody
    # The three elders turning 80 in August, alike but for the day of birth, are one signature.
    assert max(signatures.counts.values()) == 3


def test_a_commune_officer_and_a_unit_get_the_same_summary_both_ways(actor, today, edge_cases):
    law = load_law()
    august = date(2026, 8, 1)
    by_columns, per_person = both_paths(august, actor("commune_a"), law)
    assert by_columns == per_person and by_columns["people_evaluated"] > 10
    rural = factories.unit(RURAL_COMMUNE, today)
    by_columns, per_person = both_paths(august, actor("labour"), law, unit=rural)
    assert by_columns == per_person and by_columns["people_evaluated"] == 2


@pytest.fixture()
def demo(session, today):
    seed_demo(households=40, seed=7, today=today, actor=Actor.system("tests"))


@pytest.mark.parametrize(
    "month", [date(2026, 1, 1), date(2026, 7, 1), date(2026, 11, 1), date(2027, 6, 1)], ids=str
)
def test_the_demo_gives_the_same_summary_by_columns_as_person_by_person(actor, demo, law, month):
    by_columns, per_person = both_paths(month, actor("labour"), law)
    assert by_columns == per_person
    assert by_columns["people_evaluated"] > 50
    assert by_columns["programmes"]["social_assistance"]["amount"] > 0


RURAL_POLICY = """
name: "TEST: rural elders"
reference: "TEST (fictitious)"
status: example
groups:
  - code: local.rural_elders
    label: "TEST: rural elder of 80 or more without a pension"
    from: 2026-01-01
    reference: "TEST (fictitious)"
    when: {area_in: [rural], age_at_least: 80, no_pension: true}
    amount: 5000000
"""


def test_a_local_group_on_the_area_reads_the_commune_of_people_without_a_review(
    actor, edge_cases, tmp_path
):
    """Without a poverty review, the area is the commune's: the man of 80 in a "Xã" is paid,
    the one in a ward is not (nor the pensioner in the "Xã"); with one, the review's (the
    elder known by birth year only, in a household reviewed as rural)."""
    policy = tmp_path / "rural.yaml"
    policy.write_text(RURAL_POLICY, encoding="utf-8")
    law = load_law((str(policy),))
    by_columns, per_person = both_paths(date(2026, 8, 1), actor("labour"), law)
    assert by_columns == per_person
    local = by_columns["programmes"]["social_assistance"]["groups"]["local.rural_elders"]
    assert (local["people"], local["amount"]) == (2, 10_000_000)
