"""``flask rules explain`` and ``flask rules evaluate``: text, JSON, and clear refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from registry.entitlements.cli import evaluate_command, explain_command
from registry.people.models import Person
from tests import factories
from tests.conftest import WARD_A, WARD_B
from tests.entitlements.test_services import elder_without_supporter, poor_household


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def elders(actor, today) -> dict[str, Person]:
    """One poor elder without a supporter in each of wards A and B, and a younger neighbour."""
    people = {}
    for ward, officer_name in ((WARD_A, "commune_a"), (WARD_B, "commune_b")):
        officer = actor(officer_name)
        household = poor_household(officer, today, ward)
        people[ward] = elder_without_supporter(officer, today, household)
        factories.person(
            actor=officer, today=today, household=household, birth_date=date(1990, 1, 1)
        )
    return people


def test_explain_prints_each_programme_and_every_group_with_its_reasons(runner, elders):
    elder = elders[WARD_A]
    result = runner.invoke(explain_command, ["--person", str(elder.id), "--month", "2024-08"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert elder.full_name in out and "08/2024" in out
    assert "1.000.000 đ" in out
    assert "sa.5.5a" in out and "sa.5.1" in out and "sp.75plus" in out
    assert "Decree 20/2021/NĐ-CP" in out  # the legal reference
    assert "82" in out  # the age the rules read, inside a translated reason


def test_explain_json_holds_the_amounts_in_integer_vnd_and_the_considerations(runner, elders):
    elder = elders[WARD_A]
    result = runner.invoke(
        explain_command, ["--person", str(elder.id), "--month", "2024-08", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["person"]["id"] == str(elder.id)
    assert document["month"] == "2024-08"
    assert document["amounts"] == {"social_assistance": 1_000_000, "social_pension": 0, "merit": 0}
    assert document["facts"]["person"]["birth_date"] == "1942-03-15"
    paid = [c for c in document["considerations"] if c["paid"]]
    assert [(c["group"], c["amount"], c["met"]) for c in paid] == [("sa.5.5a", 1_000_000, True)]
    assert paid[0]["reference"] and paid[0]["status"] in {"verified", "secondary"}
    assert all(r["text"] for r in paid[0]["reasons"])


def test_evaluate_counts_and_totals_everyone_and_says_how_long_it_took(runner, elders):
    result = runner.invoke(evaluate_command, ["--month", "2024-08"])
    assert result.exit_code == 0, result.output
    assert "sa.5.5a" in result.output
    assert "2.000.000 đ" in result.output  # two elders at 1.000.000 đ
    document = json.loads(runner.invoke(evaluate_command, ["--month", "2024-08", "--json"]).output)
    assert (document["people_evaluated"], document["people_entitled"]) == (4, 2)
    group = document["programmes"]["social_assistance"]["groups"]["sa.5.5a"]
    assert (group["people"], group["amount"]) == (2, 2_000_000)
    assert document["total"] == 2_000_000 and document["seconds"] >= 0
    assert document["unit"] is None


def test_evaluate_with_a_unit_counts_only_the_people_inside_it(runner, elders):
    result = runner.invoke(evaluate_command, ["--month", "2024-08", "--unit", WARD_B, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["unit"]["code"] == WARD_B
    assert (document["people_evaluated"], document["total"]) == (2, 1_000_000)
    text = runner.invoke(evaluate_command, ["--month", "2024-08", "--unit", WARD_B]).output
    assert "Phường Phú Xuân" in text and "1.000.000 đ" in text


@pytest.mark.parametrize("month", ["2024-13", "08/2024", "2024-8", "tháng tám"])
def test_a_malformed_month_is_refused_with_a_message(runner, elders, month):
    for command, args in (
        (explain_command, ["--person", str(elders[WARD_A].id)]),
        (evaluate_command, []),
    ):
        result = runner.invoke(command, [*args, "--month", month])
        assert result.exit_code != 0
        assert "YYYY-MM" in result.output


@pytest.mark.parametrize("person_id", ["00000000-0000-0000-0000-000000000000", "not-an-id"])
def test_an_unknown_person_is_refused_with_a_message(runner, elders, person_id):
    result = runner.invoke(explain_command, ["--person", person_id, "--month", "2024-08"])
    assert result.exit_code == 1
    assert person_id in result.output


def test_an_unknown_unit_is_refused_with_a_message(runner, elders):
    result = runner.invoke(evaluate_command, ["--month", "2024-08", "--unit", "99999"])
    assert result.exit_code == 1
    assert "99999" in result.output


def test_both_commands_run_inside_the_rules_group_of_the_app(runner, elders):
    elder = elders[WARD_A]
    explained = runner.invoke(
        args=["rules", "explain", "--person", str(elder.id), "--month", "2024-08", "--json"]
    )
    assert explained.exit_code == 0, explained.output
    assert json.loads(explained.output)["total"] == 1_000_000
    evaluated = runner.invoke(args=["rules", "evaluate", "--month", "2024-08", "--unit", WARD_A])
    assert evaluated.exit_code == 0, evaluated.output
    assert "Phường Thuận Hóa" in evaluated.output and "1.000.000 đ" in evaluated.output
