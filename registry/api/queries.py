"""Keyset-paged reads for the API, each built on its domain's scoped query (another commune: none).

The domains page their screens by offset; an API client walks whole lists, so these read
the same scoped rows in a stable order from a cursor instead.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.api.pagination import Page, keyset_page
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.decisions.models import BenefitDecision, DecisionStatus
from registry.decisions.services import scoped_decisions
from registry.households.models import Household, PovertyStatus
from registry.households.services import poverty_status_on, scoped_households
from registry.payments.models import LineKind, LineStatus, PaymentLine, PaymentRun, RunStatus
from registry.payments.services import get_run
from registry.people.models import Person
from registry.people.queries import name_matches, scoped_people
from registry.units.models import AdminUnit
from registry.units.scope import in_scope


def _in_commune(column, code: str):
    # A merged commune keeps its code with a new row: every dated row of the code counts.
    return column.in_(select(AdminUnit.id).where(AdminUnit.code == code))


def household_page(
    *,
    actor: Actor,
    today: date,
    commune: str | None,
    poverty: PovertyStatus | None,
    after: str | None,
    limit: int,
) -> Page[Household]:
    """Households in scope by code, optionally of one commune or one poverty status today."""
    stmt = scoped_households(actor).options(selectinload(Household.poverty_statuses))
    if commune:
        stmt = stmt.where(_in_commune(Household.commune_id, commune))
    if poverty is not None:
        stmt = stmt.where(poverty_status_on(today) == poverty)
    return keyset_page(
        stmt,
        columns=[Household.code],
        cursor=after,
        types=[str],
        limit=limit,
        key=lambda h: [h.code],
    )


def people_page(
    *, actor: Actor, query: str, commune: str | None, after: str | None, limit: int
) -> Page[Person]:
    """People in scope whose name has words starting with every query word (accents
    optional), in the offices' order: given name, then full name.
    """
    stmt = scoped_people(actor).where(Person.merged_into_id.is_(None))
    stmt = stmt.where(*name_matches(query))
    if commune:
        stmt = stmt.where(_in_commune(Person.commune_id, commune))
    return keyset_page(
        stmt,
        columns=[Person.given_name_key, Person.name_key, Person.id],
        cursor=after,
        types=[str, str, uuid.UUID],
        limit=limit,
        key=lambda p: [p.given_name_key, p.name_key, p.id],
    )


def decision_page(
    *,
    actor: Actor,
    status: DecisionStatus | None,
    group: str | None,
    after: str | None,
    limit: int,
) -> Page[BenefitDecision]:
    """Decisions in scope in the order they were proposed."""
    stmt = scoped_decisions(actor)
    if status is not None:
        stmt = stmt.where(BenefitDecision.status == status)
    if group:
        stmt = stmt.where(BenefitDecision.group_code == group)
    return keyset_page(
        stmt,
        columns=[BenefitDecision.proposed_at, BenefitDecision.id],
        cursor=after,
        types=[datetime, uuid.UUID],
        limit=limit,
        key=lambda d: [d.proposed_at, d.id],
    )


def run_page(
    *,
    actor: Actor,
    month: date | None,
    status: RunStatus | None,
    after: str | None,
    limit: int,
) -> Page[PaymentRun]:
    """Payment runs in scope, newest month first."""
    actor.require(Permission.PAYMENT_READ)
    stmt = select(PaymentRun).where(in_scope(PaymentRun.unit_id, actor))
    if month is not None:
        stmt = stmt.where(PaymentRun.month == month)
    if status is not None:
        stmt = stmt.where(PaymentRun.status == status)
    return keyset_page(
        stmt,
        columns=[PaymentRun.month, PaymentRun.id],
        cursor=after,
        types=[date, uuid.UUID],
        limit=limit,
        key=lambda r: [r.month, r.id],
        descending=True,
    )


def line_page(
    run_id: uuid.UUID,
    *,
    actor: Actor,
    status: LineStatus | None,
    kind: LineKind | None,
    after: str | None,
    limit: int,
) -> Page[tuple[PaymentLine, str]]:
    """The lines of a run the actor may read, with each payee's name, by end-to-end id."""
    run = get_run(run_id, actor=actor)
    stmt = (
        select(PaymentLine, Person.full_name)
        .join(Person, Person.id == PaymentLine.person_id)
        .where(PaymentLine.run_id == run.id)
    )
    if status is not None:
        stmt = stmt.where(PaymentLine.status == status)
    if kind is not None:
        stmt = stmt.where(PaymentLine.kind == kind)
    return keyset_page(
        stmt,
        columns=[PaymentLine.id],
        cursor=after,
        types=[uuid.UUID],
        limit=limit,
        key=lambda row: [row[0].id],
        scalars=False,
    )
