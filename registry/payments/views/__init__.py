"""Pages for the monthly payment run: build, lock, export, download and reconcile."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("payments", __name__, url_prefix="/payments")
bp.before_request(login_required(lambda: None))

from registry.payments.views import files, labels, pages  # noqa: E402, F401

bp.context_processor(labels.payment_labels)
