"""The run's set-based path pays exactly what the per-person path pays, line for line."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from registry.auth.actors import Actor
from registry.decisions.models import BenefitDecision
from registry.demo.seed import seed_demo
from registry.eligibility.engine import Law, evaluate, load_law
from registry.eligibility.lawcases import load_case_files
from registry.eligibility.months import shift_month
from registry.eligibility.parameters import Parameters
from registry.extensions import db
from registry.payments import bulk
from registry.payments.services import build_run, funeral_lines, lock_run, owed_lines
from registry.units.scope import units_under
from tests import factories

LAW = load_law()
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
LAW_CASES = Path(__file__).resolve().parents[1] / "law"


def per_person(month: date, law: Law) -> list[tuple]:
    """The reference: the decisions as ORM objects through owed_lines and funeral_lines."""
    area = units_under(factories.unit("46").id)
    decisions = list(
        db.session.scalars(select(BenefitDecision).where(*bulk.decisions_in_run(area, month)))
    )
    owed = owed_lines(decisions, month, law) + funeral_lines(decisions, month, law)
    return sorted((o.decision.id, o.month, o.kind.value, o.amount) for o in owed)


def set_based(month: date, law: Law, page_size: int) -> list[tuple]:
    area = units_under(factories.unit("46").id)
    pages = bulk.owed_pages(area, month, law, uuid.uuid4(), page_size=page_size)
    return sorted((uuid.UUID(r[2]), r[7], r[8], r[9]) for page in pages for r in page)


def raised(law: Law, starting: date, value: int) -> Law:
    """The law with the standard level raised from ``starting`` (a back-dated raise)."""
    level = law.parameters.parameter("sa.standard_level")
    values = (*level.values, replace(level.values[-1], starts=starting, value=value))
    names = law.parameters.names()
    return Law(
        Parameters(
            {
                **{n: law.parameters.parameter(n) for n in names},
                "sa.standard_level": replace(level, values=values),
            }
        )
    )


@pytest.fixture()
def demo(session, today):
    """The demo's households with their approved decisions; a third back-dated by 1 to 5
    months (arrears), and a few beneficiaries who died in October (funeral support)."""
    seed_demo(households=40, seed=7, today=today, actor=Actor.system("tests"))
    decisions = list(db.session.scalars(select(BenefitDecision).order_by(BenefitDecision.id)))
    assert len(decisions) > 20
    for number, decision in enumerate(decisions[::3]):
        decision.start_month = shift_month(NOV, -(number % 5 + 1))
    from registry.decisions.models import Programme

    back_dated = [d for d in decisions[::3] if d.programme is Programme.SOCIAL_ASSISTANCE]
    for decision in back_dated[::2]:
        decision.person.death_on = date(2026, 10, 17)
    db.session.flush()
    return decisions


@pytest.mark.parametrize("page_size", [1, 7, 20_000])
def test_the_set_based_run_pays_the_demo_exactly_as_the_per_person_engine(demo, page_size):
    expected = per_person(NOV, LAW)
    assert {kind for _, _, kind, _ in expected} >= {"regular", "arrears", "funeral"}
    assert set_based(NOV, LAW, page_size) == expected


def test_corrections_and_carried_failures_match_the_per_person_engine(actor, today, demo):
    accountant = actor("accountant")
    november = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    lock_run(november, actor=accountant)
    from registry.payments.models import LineStatus, PaymentLine

    first = db.session.scalar(select(PaymentLine.id).where(PaymentLine.run_id == november.id))
    db.session.execute(
        update(PaymentLine)
        .where(PaymentLine.id == first)
        .values(status=LineStatus.FAILED, failure_reason="Sai số tài khoản")
    )
    later = raised(LAW, shift_month(NOV, -2), 700_000)
    expected = per_person(DEC, later)
    assert "correction" in {kind for _, _, kind, _ in expected}
    assert set_based(DEC, later, 7) == expected


def test_the_law_cases_give_the_same_amounts_with_birth_and_death_read_as_their_month():
    """The set-based path evaluates people by the month of their birth and death (so that
    equal facts collapse); over every law case that reading changes no amount."""
    cases = load_case_files([LAW_CASES])
    assert cases
    for case in cases:
        person = case.facts.person
        monthly = replace(
            case.facts,
            person=replace(
                person,
                birth_date=person.birth_date.replace(day=1),
                death_date=person.death_date and person.death_date.replace(day=1),
            ),
        )
        exact = evaluate(case.facts, case.month, law=LAW, explain=False)
        by_month = evaluate(monthly, case.month, law=LAW, explain=False)
        assert by_month.amounts == exact.amounts, case.label
        assert by_month.groups_paid() == exact.groups_paid(), case.label


LOCAL_EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "eligibility/examples/EXAMPLE-local-policy-children-under-36-months.yaml"
)


def _month_number(day: date) -> int:
    return day.year * 12 + day.month


@pytest.mark.parametrize("local", [(), (str(LOCAL_EXAMPLE),)], ids=["national", "local"])
def test_births_with_the_same_birth_key_get_the_same_amounts_in_every_law_case(local):
    """The set-based path evaluates one person per ``birth_key`` (months old up to the local
    limits, then age and birthday month): over every law case, moving the birth to any month
    of the four years around it with the same key changes no amount, and one with another
    key is evaluated on its own (so birthday months, 3rd/16th/80th, keep their own amounts)."""
    law = load_law(local)
    exact_up_to = bulk.exact_months_up_to(law)
    assert exact_up_to == (36 if local else 0)
    cases = load_case_files([LAW_CASES])
    compared = 0
    for case in cases:
        person, month = case.facts.person, _month_number(case.month)
        key = bulk.birth_key(_month_number(person.birth_date), month, exact_up_to)
        expected = evaluate(case.facts, case.month, law=law, explain=False)
        for shift in range(-24, 25):
            other = shift_month(person.birth_date.replace(day=1), shift)
            if bulk.birth_key(_month_number(other), month, exact_up_to) != key:
                continue
            moved = replace(case.facts, person=replace(person, birth_date=other))
            result = evaluate(moved, case.month, law=law, explain=False)
            assert result.amounts == expected.amounts, (case.label, other)
            compared += 1
    assert compared > len(cases) * 2


def test_the_birth_key_tells_birthday_months_and_young_children_apart():
    nov = _month_number(NOV)
    eighty = bulk.birth_key(_month_number(date(1946, 11, 1)), nov, 0)
    assert eighty == (80, True)
    assert bulk.birth_key(_month_number(date(1946, 12, 1)), nov, 0) == (79, False)
    assert bulk.birth_key(_month_number(date(1946, 10, 1)), nov, 0) == (80, False)
    assert bulk.birth_key(_month_number(date(2024, 3, 1)), nov, 36) == 32
    assert bulk.birth_key(_month_number(date(2026, 12, 1)), nov, 0) == -1  # not yet born


def test_line_ids_are_time_ordered_version_7_uuids_as_32_hex_digits():
    new_id = bulk.LineIds()
    ids = [new_id() for _ in range(50_000)]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    for text in ids[:100]:
        value = uuid.UUID(text)
        assert len(text) == 32 and value.hex == text
        assert value.version == 7 and value.variant == uuid.RFC_4122


def test_copy_text_escapes_what_postgresql_copy_would_misread():
    run_id = uuid.uuid4()
    row = ("a" * 32, run_id, "b" * 32, "c" * 32, 7, "merit", "odd\\group\tcode", NOV,
           "regular", 1_500_000, "pending")  # fmt: skip
    assert bulk._copy_text([row]).decode().split("\t") == [
        "a" * 32, str(run_id), "b" * 32, "c" * 32, "7", "merit", "odd\\\\group\\tcode",
        "2026-11-01", "regular", "1500000", "pending\n",
    ]  # fmt: skip
