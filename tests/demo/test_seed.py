"""The demo data set: every group it promises, valid and encrypted, deterministic, seeded once."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.auth import passwords
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.demo import names
from registry.demo.plan import Ward
from registry.demo.population import plan_demo
from registry.demo.seed import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoDataPresentError,
    DemoReport,
    demo_wards,
    seed_demo,
)
from registry.extensions import keys
from registry.households.indicators import INDICATORS_2022
from registry.households.models import Area, Household, HouseholdPovertyStatus, PovertyStatus
from registry.identity.cccd import cccd_problems, validate_cmnd
from registry.people.identity import cccd_context, cmnd_context
from registry.people.models import (
    CircumstanceKind,
    DisabilityLevel,
    MeritCategory,
    Person,
    Relation,
    Sex,
)
from tests import factories
from tests.conftest import PASSWORD

HOUSEHOLDS, SEED = 40, 7
POOR_OR_NEAR = {PovertyStatus.POOR, PovertyStatus.NEAR_POOR}


@pytest.fixture()
def demo(session: Session, today: date) -> DemoReport:
    return seed_demo(households=HOUSEHOLDS, seed=SEED, today=today, actor=Actor.system("tests"))


def _people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.household_id.is_not(None))))


def _ages(person: Person, today: date) -> tuple[int, int]:
    """(youngest, oldest) the person can be on ``today``; equal when the full date is known."""
    if person.birth_date is not None:
        born = person.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return age, age
    return today.year - person.birth_year - 1, today.year - person.birth_year


def _status(person: Person, today: date) -> PovertyStatus | None:
    assert person.household is not None
    record = person.household.poverty_on(today)
    return record.status if record else None


def _in_force(person: Person, kind: CircumstanceKind, today: date) -> list:
    return [c for c in person.circumstances if c.kind is kind and c.is_in_force_on(today)]


def _group_checks(today: date):
    months_36_ago = date(today.year - 3, today.month, min(today.day, 28))

    def alive(p: Person) -> bool:
        return p.death_on is None

    def aged(p: Person, low: int, high: int = 200) -> bool:
        youngest, oldest = _ages(p, today)
        return low <= youngest and oldest <= high

    def disabled(level: DisabilityLevel):
        return lambda p: any(
            c.disability_level is level and c.reference and c.started_on <= today
            for c in _in_force(p, CircumstanceKind.DISABILITY, today)
        )

    def single_parent(p: Person) -> bool:
        records = _in_force(p, CircumstanceKind.SINGLE_PARENT, today)
        children = [m for m in p.household.members if m.relation is Relation.CHILD]
        return (
            bool(records)
            and _status(p, today) in POOR_OR_NEAR
            and records[0].children_count == len(children) >= 1
        )

    return {
        "aged 80+ without pension": lambda p: (
            alive(p) and aged(p, 80) and not _in_force(p, CircumstanceKind.PENSION, today)
        ),
        "aged 80+ with a pension": lambda p: (
            alive(p) and aged(p, 80) and bool(_in_force(p, CircumstanceKind.PENSION, today))
        ),
        "aged 60-79, poor, no supporter": lambda p: (
            alive(p)
            and aged(p, 60, 79)
            and _status(p, today) is PovertyStatus.POOR
            and bool(_in_force(p, CircumstanceKind.NO_SUPPORTER, today))
        ),
        "aged 75-79, poor or near-poor, especially difficult area": lambda p: (
            aged(p, 75, 79)
            and _status(p, today) in POOR_OR_NEAR
            and p.household.poverty_on(today).is_especially_difficult_area
        ),
        "elderly taken in by a carer": lambda p: (
            bool(_in_force(p, CircumstanceKind.TAKEN_IN_BY_CARER, today))
            and bool(_in_force(p, CircumstanceKind.NO_SUPPORTER, today))
        ),
        "under 36 months, poor or near-poor": lambda p: (
            p.birth_date is not None
            and p.birth_date > months_36_ago
            and _status(p, today) in POOR_OR_NEAR
        ),
        "under 36 months, especially difficult area": lambda p: (
            p.birth_date is not None
            and p.birth_date > months_36_ago
            and _status(p, today) in POOR_OR_NEAR
            and p.household.poverty_on(today).is_especially_difficult_area
        ),
        "severe disability": disabled(DisabilityLevel.SEVERE),
        "especially severe disability": disabled(DisabilityLevel.ESPECIALLY_SEVERE),
        "single poor parent": single_parent,
        "child under 16 without support": lambda p: (
            aged(p, 0, 15) and bool(_in_force(p, CircumstanceKind.WITHOUT_SUPPORT, today))
        ),
        "orphan aged 16-22 still studying": lambda p: (
            aged(p, 16, 22)
            and bool(_in_force(p, CircumstanceKind.WITHOUT_SUPPORT, today))
            and bool(_in_force(p, CircumstanceKind.STUDYING, today))
        ),
        "student aged 16-22": lambda p: (
            aged(p, 16, 22) and bool(_in_force(p, CircumstanceKind.STUDYING, today))
        ),
        "HIV in a poor household": lambda p: (
            bool(_in_force(p, CircumstanceKind.HIV, today))
            and _status(p, today) is PovertyStatus.POOR
        ),
        "pregnant woman": lambda p: (
            p.sex is Sex.FEMALE and bool(_in_force(p, CircumstanceKind.PREGNANCY, today))
        ),
        "deceased": lambda p: p.death_on is not None,
    }


def test_the_demo_contains_every_beneficiary_group_it_promises(demo, session, today):
    people = _people(session)
    missing = [
        name for name, check in _group_checks(today).items() if not any(check(p) for p in people)
    ]
    assert missing == []


def test_each_merit_category_is_present_with_its_rate_or_number_of_martyrs(demo, session):
    people = _people(session)
    records = [m for p in people for m in p.merit_records]
    by_category: dict[MeritCategory, list] = {}
    for record in records:
        by_category.setdefault(record.category, []).append(record)
    assert {r.martyrs for r in by_category[MeritCategory.MARTYR_RELATIVE]} >= {1, 2}
    assert by_category[MeritCategory.HEROIC_MOTHER]
    assert {r.injury_rate for r in by_category[MeritCategory.WAR_INVALID]} >= {41, 61, 81}
    for category in (
        MeritCategory.WAR_INVALID_CLASS_B,
        MeritCategory.SICK_SOLDIER,
        MeritCategory.AGENT_ORANGE,
    ):
        assert by_category[category]
        assert all(1 <= r.injury_rate <= 100 for r in by_category[category])
    assert all(r.certificate_number for r in records)
    mothers = [
        p for p in people if any(m.category is MeritCategory.HEROIC_MOTHER for m in p.merit_records)
    ]
    assert all(p.sex is Sex.FEMALE and p.birth_date is None for p in mothers)


def test_a_deceased_former_head_leaves_a_living_head(demo, session, today):
    deaths = session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.DEATH_RECORD)
    ).all()
    former_heads = [
        session.get(Person, uuid.UUID(e.subject_id)) for e in deaths if e.details["was_head"]
    ]
    assert former_heads
    for person in former_heads:
        assert person.death_on is not None and person.death_on <= today
        head = person.household.head
        assert head is not None and head.death_on is None and head.id != person.id


def test_every_cccd_decrypts_and_fits_its_person(demo, session, today):
    people = _people(session)
    numbers = []
    for person in people:
        if person.cccd_ciphertext is None:
            continue
        number = keys.cipher.decrypt(person.cccd_ciphertext, cccd_context(person))
        problems = cccd_problems(number, sex=person.sex.value, birth_year=person.birth_year)
        assert problems == [], number
        numbers.append(number)
    assert len(set(numbers)) == len(numbers)
    indexes = [p.cccd_index for p in people if p.cccd_index is not None]
    assert len(set(indexes)) == len(indexes) == len(numbers)
    provinces = Counter(n[:3] for n in numbers)
    assert provinces[names.HUE] > 0.75 * len(numbers)
    assert len(provinces) > 1  # some people were born elsewhere
    children = [p for p in people if _ages(p, today)[1] < 14]
    without = [p for p in children if p.cccd_ciphertext is None]
    assert 0 < len(without) < len(children)
    adults = [p for p in people if _ages(p, today)[0] >= 14]
    assert sum(p.cccd_ciphertext is not None for p in adults) > 0.85 * len(adults)
    cmnds = [
        keys.cipher.decrypt(p.cmnd_ciphertext, cmnd_context(p))
        for p in people
        if p.cmnd_ciphertext is not None
    ]
    assert cmnds and all(validate_cmnd(n) == n for n in cmnds)


def test_households_are_spread_over_every_ward_with_codes_and_addresses(demo, session, today):
    households = session.scalars(select(Household)).all()
    assert len(households) == demo.households == HOUSEHOLDS
    wards = demo_wards(today)
    assert {w.code for w in wards} == {h.commune.code for h in households}
    for household in households:
        assert re.fullmatch(rf"{household.commune.code}-\d{{5}}", household.code)
        if household.commune.name.startswith("Xã"):
            assert re.match(r"(Thôn|Số nhà \d+, thôn) ", household.address)
        else:
            assert re.fullmatch(r"Số [\d/]+ (đường|kiệt \d+) .+, tổ \d+", household.address)
        assert 1 <= len(household.members) <= 7
        assert household.head is not None and household.head.death_on is None
    assert demo.people == len(_people(session))


def test_names_relations_and_ages_are_consistent(demo, session, today):
    people = _people(session)
    families = {family for family, _ in names.FAMILY_NAMES}
    women = [p for p in people if p.sex is Sex.FEMALE]
    for person in people:
        words = person.full_name.split()
        assert len(words) >= 3 and words[0] in families
        assert person.sex is Sex.FEMALE or "Thị" not in words
    thi = sum("Thị" in p.full_name.split() for p in women)
    assert 0.4 * len(women) < thi < len(women)
    for household in session.scalars(select(Household)):
        head = household.head
        father = (
            head
            if head.sex is Sex.MALE
            else next((m for m in household.members if m.relation is Relation.HUSBAND), None)
        )
        for member in household.members:
            gap = member.birth_year - head.birth_year
            if member.relation is Relation.CHILD:
                assert gap >= 16, (household.code, member.full_name)
                if father is not None:
                    assert member.full_name.split()[0] == father.full_name.split()[0]
            elif member.relation is Relation.GRANDCHILD:
                assert gap >= 30
            elif member.relation in (Relation.FATHER, Relation.MOTHER):
                assert gap <= -16
            elif member.relation in (Relation.WIFE, Relation.HUSBAND):
                assert _ages(member, today)[0] >= 18
    year_only = [p for p in people if p.birth_date is None]
    assert year_only and all(p.birth_year <= today.year - 60 for p in year_only)
    assert sum(p.birth_date is not None for p in people) > 0.8 * len(people)


def test_poverty_statuses_follow_the_standard(demo, session, today):
    current = today.year - 1
    records = session.scalars(select(HouseholdPovertyStatus)).all()
    in_force = [r for r in records if r.review_year == current]
    statuses = Counter(r.status for r in in_force)
    assert statuses[PovertyStatus.POOR] and statuses[PovertyStatus.NEAR_POOR]
    assert statuses[PovertyStatus.AVERAGE]
    assert any(r.review_year == current - 1 for r in records)  # history
    assert any(r.is_especially_difficult_area for r in in_force)
    line = {Area.RURAL: 1_500_000, Area.URBAN: 2_000_000}
    for record in records:
        ward = record.household.commune
        assert record.area is (Area.RURAL if ward.name.startswith("Xã") else Area.URBAN)
        assert set(record.deprivations) <= set(INDICATORS_2022)
        if record.status is PovertyStatus.POOR:
            assert len(record.deprivations) >= 3 and record.income_per_head < line[record.area]
        elif record.status is PovertyStatus.NEAR_POOR:
            assert len(record.deprivations) < 3 and record.income_per_head < line[record.area]
        else:
            assert record.income_per_head > line[record.area]
        assert re.fullmatch(r"\d{3}/QĐ-UBND", record.decision_number)
        assert (record.decision_on.year, record.decision_on.month) == (record.review_year, 12)
        assert record.valid_from == date(record.review_year + 1, 1, 1)
        assert record.valid_to == date(record.review_year + 1, 12, 31)


def test_a_full_demo_plan_has_the_quotas_and_each_group_several_times(today):
    wards = [
        Ward("19789", "Phường Thuận Hóa"),
        Ward("19753", "Phường Phú Xuân"),
        Ward("19945", "Xã Phú Vinh"),
    ]
    plans = plan_demo(households=300, seed=2026, today=today, wards=wards)
    current = Counter(p.status for p in plans)
    assert (
        current[PovertyStatus.POOR],
        current[PovertyStatus.NEAR_POOR],
        current[PovertyStatus.AVERAGE],
    ) == (36, 30, 24)
    recipes = Counter(p.recipe for p in plans)
    specials = [
        r
        for r in recipes
        if r
        not in {
            "nuclear",
            "three_generations",
            "with_parents",
            "elderly_couple",
            "elderly_alone",
            "single_adult",
            "young_couple",
        }
    ]
    assert len(specials) == 18
    assert all(recipes[r] >= 2 for r in specials)
    assert sum(recipes[r] >= 3 for r in specials) >= 15
    assert 900 <= sum(len(p.members) for p in plans) <= 1200


def test_the_same_seed_gives_the_same_plan_and_another_seed_another(today):
    wards = [Ward("19789", "Phường Thuận Hóa"), Ward("19945", "Xã Phú Vinh")]
    first = plan_demo(households=60, seed=11, today=today, wards=wards)
    assert plan_demo(households=60, seed=11, today=today, wards=wards) == first
    other = plan_demo(households=60, seed=12, today=today, wards=wards)

    def all_names(plans):
        return [m.full_name for p in plans for m in p.members]

    assert all_names(other) != all_names(first)


def test_seeding_twice_with_the_same_seed_registers_the_same_people(session, today):
    def one_seeding() -> list[tuple[str, str, str, int]]:
        savepoint = session.begin_nested()
        seed_demo(households=15, seed=SEED, today=today, actor=Actor.system("tests"))
        rows = session.execute(
            select(Household.code, Person.full_name, Person.sex, Person.birth_year).join(
                Person, Person.household_id == Household.id
            )
        ).all()
        numbers = sorted(
            keys.cipher.decrypt(p.cccd_ciphertext, cccd_context(p))
            for p in _people(session)
            if p.cccd_ciphertext is not None
        )
        savepoint.rollback()
        # Row ids are reused after the rollback: the next seeding must not meet stale objects.
        session.expunge_all()
        return sorted((code, name, str(sex), year) for code, name, sex, year in rows), numbers

    first = one_seeding()
    assert session.scalar(select(func.count()).select_from(Household)) == 0
    assert one_seeding() == first


def test_one_demo_user_per_role_and_existing_users_are_kept(session, today):
    factories.user("ketoan", role=Role.ACCOUNTANT, unit_code="46", password=PASSWORD)
    kept_hash = session.scalar(select(User.password_hash).where(User.username == "ketoan"))
    report = seed_demo(households=3, seed=SEED, today=today, actor=Actor.system("tests"))
    assert [login.username for login in report.logins] == [d.username for d in DEMO_USERS]
    # "admin" is also a username of the test suite's own users (tests/conftest.py).
    assert {login.username for login in report.logins if not login.created} == {"admin", "ketoan"}
    users = {u.username: u for u in session.scalars(select(User))}
    assert users["ketoan"].password_hash == kept_hash
    created = {login.username for login in report.logins if login.created}
    for demo in DEMO_USERS:
        user = users[demo.username]
        assert user.role is demo.role
        if demo.username in created:
            assert user.unit.code == demo.unit_code and user.full_name == demo.full_name
            assert passwords.verify_password(user.password_hash, DEMO_PASSWORD)
    assert {users[d.username].role for d in DEMO_USERS} == set(Role)
    assert users["canbo.thuanhoa"].unit.name == "Phường Thuận Hóa"
    assert users["canbo.phuxuan"].unit.name == "Phường Phú Xuân"
    assert "commune_a" in users  # the test users are untouched


def test_the_seed_is_audited_with_its_counts_and_the_chain_holds(demo, session):
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.DEMO_SEED))
    assert event.details["households"] == HOUSEHOLDS
    assert event.details["people"] == demo.people
    assert event.details["poverty_statuses"] == demo.poverty_statuses
    creates = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == AuditAction.PERSON_CREATE)
    )
    assert creates == demo.people
    assert verify_chain()[1] is None


def test_seeding_refuses_when_households_exist(session, today):
    factories.household("19789", actor=Actor.system("tests"), today=today)
    with pytest.raises(DemoDataPresentError):
        seed_demo(households=5, seed=SEED, today=today, actor=Actor.system("tests"))


def test_the_command_seeds_once_then_exits_quietly_without_changes(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--households", "12", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "12 households" in first.output
    for demo in DEMO_USERS:
        assert demo.username in first.output
    assert DEMO_PASSWORD in first.output
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert "12" in second.output and "Demo data created" not in second.output
    assert session.scalar(select(func.count()).select_from(Household)) == 12
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_newborn_is_recorded_as_a_birth(demo, session, today):
    births = session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.BIRTH_RECORD)
    ).all()
    recent = [
        p
        for p in _people(session)
        if p.birth_date is not None
        and today - p.birth_date < timedelta(days=365)
        and p.relation in (Relation.CHILD, Relation.GRANDCHILD)
    ]
    assert recent and len(births) == len(recent)


def test_demo_decisions_and_accounts_give_a_payment_run_with_lines(demo, today):
    from registry.decisions.models import BenefitDecision, DecisionStatus
    from registry.eligibility.engine import load_law
    from registry.extensions import db
    from registry.payments.models import PaymentLine
    from registry.payments.services import build_run
    from registry.people.models import PaymentAccount
    from registry.units.services import find_unit

    assert demo.decisions > 0 and demo.accounts > 0
    approved = db.session.scalars(
        select(BenefitDecision).where(BenefitDecision.status == DecisionStatus.APPROVED)
    ).all()
    assert len(approved) == demo.decisions
    people = {d.person_id for d in approved}
    with_account = set(
        db.session.scalars(select(PaymentAccount.person_id).where(PaymentAccount.is_active))
    )
    assert people <= with_account
    run = build_run(
        today.replace(day=1),
        unit=find_unit("46", on=today),
        actor=Actor.system("tests"),
        today=today,
        law=load_law(),
    )
    lines = db.session.scalars(select(PaymentLine).where(PaymentLine.run_id == run.id)).all()
    assert {line.decision_id for line in lines} == {d.id for d in approved}
