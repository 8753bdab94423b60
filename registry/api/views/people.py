"""People: name search (keyset), one person, look-up by CCCD, circumstances, eligibility."""

from __future__ import annotations

from typing import Any

from flask import current_app

from registry.api.auth import api_actor
from registry.api.blueprint import api_blueprint
from registry.api.fields import NoQuery
from registry.api.queries import people_page
from registry.api.schemas import (
    CccdSearchSchema,
    CircumstanceListSchema,
    EligibilityArgs,
    EligibilitySchema,
    PeopleListArgs,
    PersonDetailSchema,
    PersonPageSchema,
    PersonSchema,
)
from registry.auth.permissions import Permission
from registry.eligibility.engine import load_law
from registry.eligibility.months import month_start, parse_month
from registry.entitlements.services import explain_person, local_policy_paths
from registry.errors import NotFoundError, Problem, ValidationError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.people.circumstances import visible_circumstances
from registry.people.identity import read_cccd
from registry.people.queries import find_by_cccd, get_person
from registry.web.setup import today

bp = api_blueprint("api_people", "/people", "People (nhân khẩu) in your area.")

NO_PERSON_WITH_CCCD = N_("No person with this CCCD in your area.")
#: Said instead of the service's message, which quotes the number's first digits.
NOT_A_PROVINCE = N_("Digits 1–3 of the CCCD are not a known province code.")


@bp.get("")
@bp.arguments(PeopleListArgs, location="query", as_kwargs=True)
@bp.response(200, PersonPageSchema)
@bp.problems(403, 422)
def search(q: str, **args: Any):
    """People in your area whose name has words starting with every word of ``q``
    (accents optional), ordered by given name then full name, a page at a time."""
    page = people_page(actor=api_actor(), query=q, **args)
    db.session.commit()
    return {"items": page.items, "next": page.next}


@bp.post("/search-by-cccd")
@bp.arguments(NoQuery, location="query")
@bp.arguments(CccdSearchSchema)
@bp.response(200, PersonSchema)
@bp.problems(403, 404, 422)
def search_by_cccd(_: dict, data: dict):
    """Find a person by CCCD, sent in the body so it never lands in a URL or a log.

    Every look-up is audited, found or not; another commune's person is not found."""
    actor = api_actor()
    try:
        person = find_by_cccd(data["cccd"], actor=actor, cipher=keys.cipher)
    except ValidationError as error:
        raise ValidationError(
            [
                Problem("cccd", NOT_A_PROVINCE) if p.code == "cccd_province" else p
                for p in error.problems
            ]
        ) from None
    db.session.commit()  # the audit event stays, found or not
    if person is None:
        raise NotFoundError(NO_PERSON_WITH_CCCD)
    return person


@bp.get("/<uuid:person_id>")
@bp.arguments(NoQuery, location="query")
@bp.response(200, PersonDetailSchema)
@bp.problems(403, 404, 422)
def get(_: dict, person_id):
    """One person. The masked CCCD is given to roles allowed to see it, and audited."""
    actor = api_actor()
    person = get_person(person_id, actor=actor)
    masked = None
    if actor.can(Permission.CCCD_VIEW_MASKED):
        masked = read_cccd(person, actor=actor, cipher=keys.cipher, purpose="display_masked")
    body = {name: getattr(person, name) for name in PersonSchema().fields}
    body["cccd_masked"] = masked
    db.session.commit()
    return body


@bp.get("/<uuid:person_id>/circumstances")
@bp.arguments(NoQuery, location="query")
@bp.response(200, CircumstanceListSchema)
@bp.problems(403, 404, 422)
def circumstances(_: dict, person_id):
    """The person's dated circumstances; sensitive kinds only for roles allowed to see them."""
    actor = api_actor()
    items = visible_circumstances(get_person(person_id, actor=actor), actor=actor)
    db.session.commit()
    return {"items": items, "sensitive_left_out": not actor.can(Permission.SENSITIVE_READ)}


@bp.get("/<uuid:person_id>/eligibility")
@bp.arguments(EligibilityArgs, location="query", as_kwargs=True)
@bp.response(200, EligibilitySchema)
@bp.problems(403, 404, 422)
def eligibility(person_id, month: str | None):
    """What the law gives the person in a month, every group considered and explained, with
    the amounts (VND) and legal references. Without the right to see sensitive
    circumstances, the result is computed and explained without them."""
    actor = api_actor()
    chosen = parse_month(month) if month else month_start(today())
    law = load_law(local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ())))
    person, _, result = explain_person(person_id, chosen, actor=actor, law=law)
    db.session.commit()
    return {
        "person_id": person.id,
        "month": chosen.strftime("%Y-%m"),
        "amounts": result.amounts,
        "total": result.total,
        "considerations": result.considerations,
        "notes": result.notes,
        "sensitive_left_out": not actor.can(Permission.SENSITIVE_READ),
    }
