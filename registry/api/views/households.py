"""Households: list (keyset), one household with members and poverty reviews, record a review."""

from __future__ import annotations

from typing import Any

from registry.api.auth import api_actor
from registry.api.blueprint import api_blueprint
from registry.api.fields import NoQuery
from registry.api.queries import household_page
from registry.api.schemas import (
    HouseholdDetailSchema,
    HouseholdListArgs,
    HouseholdPageSchema,
    PovertyInputSchema,
    PovertySchema,
)
from registry.auth.permissions import Permission
from registry.extensions import db
from registry.households.models import Household
from registry.households.services import get_household, set_poverty_status
from registry.web.setup import today

bp = api_blueprint("api_households", "/households", "Households (hộ gia đình) in your area.")


def _household(household: Household) -> dict[str, Any]:
    return {
        "id": household.id,
        "code": household.code,
        "commune": household.commune,
        "address": household.address,
        "head_id": household.head_id,
        "poverty_now": household.poverty_on(today()),
    }


@bp.get("")
@bp.arguments(HouseholdListArgs, location="query", as_kwargs=True)
@bp.response(200, HouseholdPageSchema)
@bp.problems(403, 422)
def list_households(**args: Any):
    """Households in your area, ordered by code, a page at a time."""
    page = household_page(actor=api_actor(), today=today(), **args)
    db.session.commit()
    return {"items": [_household(h) for h in page.items], "next": page.next}


@bp.get("/<uuid:household_id>")
@bp.arguments(NoQuery, location="query")
@bp.response(200, HouseholdDetailSchema)
@bp.problems(403, 404, 422)
def get(_: dict, household_id):
    """One household with its members and every poverty review result."""
    household = get_household(household_id, actor=api_actor())
    body = {
        **_household(household),
        "members": household.members,
        "poverty_statuses": household.poverty_statuses,
    }
    db.session.commit()
    return body


@bp.post("/<uuid:household_id>/poverty-statuses")
@bp.arguments(NoQuery, location="query")
@bp.arguments(PovertyInputSchema)
@bp.response(201, PovertySchema)
@bp.problems(403, 404, 422)
def record_poverty(_: dict, data: dict, household_id):
    """Record (or correct) the poverty review result of one year; audited."""
    actor = api_actor()
    # Refused before the look-up, as the pages do: 403 for the role, whatever the household.
    actor.require(Permission.POVERTY_WRITE)
    household = get_household(household_id, actor=actor)
    record = set_poverty_status(household, **data, actor=actor, today=today())
    db.session.commit()
    return record
