"""Pages for the monthly payment run: build, lock, export, download and reconcile."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("payments", __name__, url_prefix="/payments")
bp.before_request(login_required(lambda: None))
