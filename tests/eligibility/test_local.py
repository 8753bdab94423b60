"""Local policies as data: a province's own groups and higher levels (Decree 20/2021 art. 4(3))."""

from datetime import date
from pathlib import Path

import pytest

from registry.eligibility.engine import evaluate, load_law
from registry.eligibility.facts import Area, Facts, HouseholdFacts, PersonFacts, Poverty
from registry.eligibility.local import parse_local_policy
from registry.eligibility.parameters import ParameterError, load_parameters

EXAMPLE = Path(__file__).parent / "examples" / "EXAMPLE-local-policy-children-under-36-months.yaml"


def child(born: date, poverty: Poverty) -> Facts:
    return Facts(
        PersonFacts(birth_date=born, sex="male"), HouseholdFacts(poverty=poverty, area=Area.URBAN)
    )


def test_the_example_policy_supports_children_under_36_months_in_poor_households():
    law = load_law((str(EXAMPLE),))
    result = evaluate(child(date(2025, 3, 10), Poverty.NEAR_POOR), date(2026, 3, 1), law=law)
    assert result.amounts["social_assistance"] == 550_000  # coefficient 1.0 × the local level
    [paid] = [c for c in result.considerations if c.paid]
    assert paid.group == "local.children_under_36_months" and paid.status == "example"
    assert evaluate(child(date(2025, 3, 10), Poverty.NONE), date(2026, 3, 1), law=law).total == 0
    # paid in the month the child turns 36 months, not after
    assert (
        evaluate(child(date(2023, 8, 10), Poverty.POOR), date(2026, 8, 1), law=law).total == 600_000
    )
    assert evaluate(child(date(2023, 8, 10), Poverty.POOR), date(2026, 9, 1), law=law).total == 0


def test_a_local_level_raises_every_national_group_and_is_never_used_without_the_file():
    elderly = Facts(
        PersonFacts(birth_date=date(1950, 1, 1), sex="female", no_supporter=True),
        HouseholdFacts(poverty=Poverty.POOR),
    )
    assert (
        evaluate(elderly, date(2026, 8, 1), law=load_law((str(EXAMPLE),))).total == 900_000
    )  # 1.5 × 600k
    assert evaluate(elderly, date(2026, 8, 1), law=load_law()).total == 810_000  # 1.5 × 540k


def test_the_local_group_competes_under_the_highest_amount_rule():
    law = load_law((str(EXAMPLE),))
    disabled = Facts(
        PersonFacts(birth_date=date(2025, 1, 5), sex="female", disability="especially_severe"),
        HouseholdFacts(poverty=Poverty.POOR),
    )
    result = evaluate(disabled, date(2026, 8, 1), law=law)
    assert (
        result.groups_paid() == ["sa.5.6"] and result.total == 1_500_000
    )  # 2.5 × 600k beats 1.0 × 600k


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {
                "name": "x",
                "reference": "r",
                "status": "example",
                "parameters": {
                    "sa.standard_level": {
                        "values": [
                            {
                                "from": "2026-07-01",
                                "value": 400000,
                                "reference": "r",
                                "status": "example",
                            }
                        ]
                    }
                },
            },
            "lower than the national",
        ),
        (
            {
                "name": "x",
                "reference": "r",
                "status": "example",
                "parameters": {
                    "sa.5.6.severe": {
                        "values": [
                            {
                                "from": "2026-07-01",
                                "value": 9,
                                "reference": "r",
                                "status": "example",
                            }
                        ]
                    }
                },
            },
            "cannot be set locally",
        ),
        (
            {
                "name": "x",
                "reference": "r",
                "status": "example",
                "groups": [
                    {
                        "code": "kids",
                        "label": "l",
                        "from": "2026-01-01",
                        "reference": "r",
                        "when": {"hiv": True},
                        "amount": 1,
                    }
                ],
            },
            "starts with 'local.'",
        ),
        (
            {
                "name": "x",
                "reference": "r",
                "status": "example",
                "groups": [
                    {
                        "code": "local.k",
                        "label": "l",
                        "from": "2026-01-01",
                        "reference": "r",
                        "when": {"shoe_size": 3},
                        "amount": 1,
                    }
                ],
            },
            "unknown condition 'shoe_size'",
        ),
        (
            {
                "name": "x",
                "reference": "r",
                "status": "example",
                "groups": [
                    {
                        "code": "local.k",
                        "label": "l",
                        "from": "2026-01-01",
                        "reference": "r",
                        "when": {"hiv": True},
                        "amount": 1,
                        "coefficient": 1,
                    }
                ],
            },
            "either a coefficient or an amount",
        ),
        ({"name": "x", "status": "example"}, "'reference' is missing"),
    ],
)
def test_a_bad_local_policy_is_refused_with_the_reason(document, expected):
    with pytest.raises(ParameterError) as caught:
        parse_local_policy(document, source="hue.yaml", national=load_parameters())
    assert "hue.yaml" in str(caught.value) and expected in str(caught.value)
