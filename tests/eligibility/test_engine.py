"""The engine as a whole: explanations, precedence notes, modes, death and birth months.

Amounts per group are checked by the YAML law cases in tests/law.
"""

import random
from datetime import date

import pytest

from registry.eligibility.engine import evaluate, load_law
from registry.eligibility.facts import (
    Disability,
    Facts,
    HouseholdFacts,
    MeritFact,
    PersonFacts,
    Poverty,
)
from registry.eligibility.months import (
    age_in_month,
    is_alive_in,
    months_old,
    parse_month,
    still_under,
)
from registry.eligibility.results import PROGRAMMES

LAW = load_law()
AUG_2024 = date(2024, 8, 1)


def facts(**person) -> Facts:
    household = person.pop("household", HouseholdFacts())
    person.setdefault("sex", "female")
    return Facts(PersonFacts(**person), household)


def test_an_age_is_reached_in_the_birthday_month():
    born = date(1944, 3, 15)
    assert age_in_month(born, date(2024, 2, 1)) == 79 and age_in_month(born, date(2024, 3, 1)) == 80
    assert still_under(date(2010, 5, 9), date(2026, 5, 1), 16) and not still_under(
        date(2010, 5, 9), date(2026, 6, 1), 16
    )
    assert months_old(date(2023, 11, 30), date(2026, 11, 1)) == 36
    assert is_alive_in(date(2024, 8, 31), AUG_2024) and not is_alive_in(date(2024, 7, 31), AUG_2024)


@pytest.mark.parametrize("text", ["2024-8", "2024/08", "24-08", "2024-13", ""])
def test_a_malformed_month_is_refused(text):
    with pytest.raises(ValueError):
        parse_month(text)


def test_every_programme_and_group_considered_is_explained_with_its_reference():
    result = evaluate(
        facts(
            birth_date=date(1942, 3, 15),
            no_supporter=True,
            household=HouseholdFacts(poverty=Poverty.POOR),
        ),
        AUG_2024,
        law=LAW,
    )
    groups = {c.group for c in result.considerations}
    assert {"sa.5.1", "sa.5.5a", "sa.5.5c", "sa.5.6", "sa.5.8", "sp.75plus"} <= groups
    paid = [c for c in result.considerations if c.paid]
    assert [c.group for c in paid] == ["sa.5.5a"]
    assert "Decree 20/2021/NĐ-CP art. 6(1)(đ)" in paid[0].reference
    assert any("2 × standard level 500.000 đ = 1.000.000 đ" in r.render() for r in paid[0].reasons)
    unmet = next(c for c in result.considerations if c.group == "sa.5.6")
    assert not unmet.met and unmet.reasons


def test_only_the_highest_allowance_is_paid_and_the_note_says_so():
    result = evaluate(
        facts(
            birth_date=date(1940, 1, 1),
            no_supporter=True,
            disability=Disability.ESPECIALLY_SEVERE,
            household=HouseholdFacts(poverty=Poverty.POOR),
        ),
        AUG_2024,
        law=LAW,
    )
    assert result.amounts["social_assistance"] == 1_250_000
    assert result.groups_paid() == ["sa.5.6"]
    assert "only the highest" in result.notes[0].render()


def test_a_single_poor_parent_who_is_disabled_gets_both_amounts():
    result = evaluate(
        facts(
            birth_date=date(1990, 1, 1),
            single_parent_children=2,
            disability=Disability.SEVERE,
            household=HouseholdFacts(poverty=Poverty.NEAR_POOR),
        ),
        AUG_2024,
        law=LAW,
    )
    assert result.amounts["social_assistance"] == 2 * 500_000 + 750_000
    assert sorted(result.groups_paid()) == ["sa.5.4", "sa.5.6"]


def test_provisional_parameters_show_in_the_result():
    result = evaluate(facts(birth_date=date(1930, 1, 1)), date(2026, 8, 1), law=LAW)
    assert [(c.group, c.status) for c in result.considerations if c.paid] == [
        ("sp.75plus", "provisional")
    ]


def test_nothing_is_owed_after_the_month_of_death_or_before_birth():
    merit = (MeritFact("martyr_relative", martyrs=1),)
    assert (
        evaluate(
            facts(birth_date=date(1940, 1, 1), death_date=date(2024, 8, 31), merit=merit),
            AUG_2024,
            law=LAW,
        ).amounts["merit"]
        == 2_789_000
    )
    after = evaluate(
        facts(birth_date=date(1940, 1, 1), death_date=date(2024, 7, 31), merit=merit),
        AUG_2024,
        law=LAW,
    )
    assert after.total == 0 and "Died in 07/2024" in after.notes[0].render()
    assert (
        evaluate(facts(birth_date=date(2024, 9, 2), without_support=True), AUG_2024, law=LAW).total
        == 0
    )


def _random_facts(rng: random.Random) -> Facts:
    return facts(
        birth_date=date(rng.randint(1920, 2026), rng.randint(1, 12), 1),
        sex=rng.choice(["male", "female"]),
        disability=rng.choice(list(Disability)),
        has_pension=rng.random() < 0.3,
        hiv=rng.random() < 0.2,
        studying=rng.random() < 0.3,
        without_support=rng.random() < 0.3,
        single_parent_children=rng.choice([0, 0, 1, 3]),
        no_supporter=rng.random() < 0.3,
        taken_in_by_carer=rng.random() < 0.2,
        merit=rng.choice([(), (MeritFact("war_invalid", injury_rate=rng.randint(1, 100)),)]),
        household=HouseholdFacts(
            poverty=rng.choice(list(Poverty)), especially_difficult_area=rng.random() < 0.5
        ),
    )


def test_the_payment_run_mode_gives_the_same_amounts_and_groups_as_the_explained_one():
    rng = random.Random(42)
    for _ in range(3000):
        subject = _random_facts(rng)
        month = date(rng.randint(2021, 2027), rng.randint(1, 12), 1)
        full = evaluate(subject, month, law=LAW)
        fast = evaluate(subject, month, law=LAW, explain=False)
        assert full.amounts == fast.amounts and full.groups_paid() == fast.groups_paid()
        assert set(full.amounts) == set(PROGRAMMES)
        assert all(c.met for c in fast.considerations) and all(
            not c.reasons for c in fast.considerations
        )


def test_a_month_before_any_parameter_gives_nothing_and_says_why():
    result = evaluate(
        facts(
            birth_date=date(1930, 1, 1),
            no_supporter=True,
            household=HouseholdFacts(poverty=Poverty.POOR),
        ),
        date(2013, 5, 1),
        law=LAW,
    )
    assert result.total == 0 and "no law in force for 05/2013" in result.notes[0].render()
