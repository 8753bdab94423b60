"""Pages of the web import (issue 5): upload, map the columns, preview, check, then import.

One flow for every kind of list (registry.imports.kinds): the people list and the annual
poverty review list. upload.py: the start page, templates and the upload; mapping.py: the
column mapping, the preview and the check; jobs.py: the job pages, import and retry.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.before_request(login_required(lambda: None))

from registry.imports.views import common, jobs, mapping, upload  # noqa: E402, F401

bp.context_processor(common.import_labels)
