"""Pages for benefit decisions: worklists per role and the propose/appraise/approve forms."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("decisions", __name__, url_prefix="/decisions")
bp.before_request(login_required(lambda: None))
