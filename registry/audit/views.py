"""Pages for audit: the audit trail (nhật ký thao tác), for the roles that may read it."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_login import login_required

from registry.audit.actions import AuditAction
from registry.audit.labels import ACTION_LABELS, detail_items
from registry.audit.queries import list_events
from registry.auth.permissions import Permission
from registry.errors import ValidationError
from registry.people.schemas import Choice, FormDate, FormInteger, FormSchema, Text, load_form
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(login_required(lambda: None))

PER_PAGE = 50


class AuditFilterInputSchema(FormSchema):
    """The audit trail's filters (query string). Kept here: the audit domain has no other input."""

    action = Choice(AuditAction, load_default=None)
    actor = Text(load_default=None, max_length=120)
    since = FormDate(load_default=None)
    until = FormDate(load_default=None)
    page = FormInteger(load_default=1, maximum=100_000)


@bp.app_context_processor
def audit_labels() -> dict:
    return {"ACTION_LABELS": ACTION_LABELS, "detail_items": detail_items}


@bp.get("/")
@permission_required(Permission.AUDIT_READ)
def index():
    options = sorted(
        ((a.value, gettext(label)) for a, label in ACTION_LABELS.items()), key=lambda o: o[1]
    )
    try:
        data = load_form(AuditFilterInputSchema(), request.args)
    except ValidationError as error:
        return render_rejected(
            "audit/index.html", error, form=request.args, action_options=options, result=None
        )
    result = list_events(
        actor=current_actor(),
        action=data["action"],
        actor_name=data["actor"],
        since=data["since"],
        until=data["until"],
        page=data["page"],
        per_page=PER_PAGE,
    )
    return render_template(
        "audit/index.html", form=request.args, errors={}, action_options=options, result=result
    )
