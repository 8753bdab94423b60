"""The officer's home page: their communes with counts, people awaiting a household, quick links."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from registry.households.queries import commune_summaries, people_awaiting_household
from registry.web.decorators import can
from registry.web.setup import current_actor, today

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    return render_template(
        "home/index.html",
        summaries=commune_summaries(actor, today()),
        awaiting=people_awaiting_household(actor),
    )


@bp.app_context_processor
def permission_helpers() -> dict:
    return {"can": can}
