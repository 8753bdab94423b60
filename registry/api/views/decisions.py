"""Benefit decisions: list (keyset, by status and group) and one decision."""

from __future__ import annotations

from typing import Any

from registry.api.auth import api_actor
from registry.api.blueprint import api_blueprint
from registry.api.fields import NoQuery
from registry.api.queries import decision_page
from registry.api.schemas import DecisionListArgs, DecisionPageSchema, DecisionSchema
from registry.decisions.services import get_decision
from registry.extensions import db

bp = api_blueprint("api_decisions", "/decisions", "Benefit decisions (quyết định hưởng).")


@bp.get("")
@bp.arguments(DecisionListArgs, location="query", as_kwargs=True)
@bp.response(200, DecisionPageSchema)
@bp.problems(403, 422)
def list_decisions(**args: Any):
    """Decisions in your area in the order they were proposed, a page at a time."""
    page = decision_page(actor=api_actor(), **args)
    db.session.commit()
    return {"items": page.items, "next": page.next}


@bp.get("/<uuid:decision_id>")
@bp.arguments(NoQuery, location="query")
@bp.response(200, DecisionSchema)
@bp.problems(403, 404, 422)
def get(_: dict, decision_id):
    """One benefit decision with who did each step."""
    decision = get_decision(decision_id, actor=api_actor())
    db.session.commit()
    return decision
