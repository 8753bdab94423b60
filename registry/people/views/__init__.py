"""Pages for people: search, the person page, and the forms for every change to a person."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("people", __name__, url_prefix="/people")
bp.before_request(login_required(lambda: None))

from registry.people.views import (  # noqa: E402, F401
    accounts,
    changes,
    circumstances,
    labels,
    merge,
    pages,
)

bp.app_context_processor(labels.template_labels)
