"""The start page (what the file is, the templates, the upload) and the templates themselves."""

from __future__ import annotations

import io
from typing import Any

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import Problem, RegistryError, ValidationError
from registry.i18n import N_
from registry.imports.kinds import KINDS, PEOPLE, ImportKind, import_kind
from registry.imports.planning import OnDuplicate
from registry.imports.uploads import store_upload, sweep
from registry.imports.views import bp
from registry.imports.views.common import (
    ON_DUPLICATE_LABELS,
    XLSX,
    communes,
    folder,
)
from registry.jobs.services import effective_status, recent_jobs
from registry.people.schemas import Choice, FormInteger, FormSchema, load_form
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor

#: Imports listed on the start page.
RECENT_JOBS = 10


class UploadInputSchema(FormSchema):
    commune_id = FormInteger(required=True)
    on_duplicate = Choice(OnDuplicate, required=True)


def _recent_jobs(actor: Actor) -> list:
    """The actor's latest imports of every kind, newest first."""
    found = [
        job
        for kind in KINDS.values()
        for job in recent_jobs(actor=actor, kind=kind.job_kind, limit=RECENT_JOBS)
    ]
    return sorted(found, key=lambda j: j.created_at, reverse=True)[:RECENT_JOBS]


def _index_context(actor: Actor) -> dict[str, Any]:
    choices = communes(actor)
    kinds = [k for k in KINDS.values() if actor.can(k.permission)]
    return {
        "kinds": kinds,
        "kind_options": [(k.key, gettext(k.label)) for k in kinds],
        "commune_options": [(str(c.id), f"{c.name} ({c.code})") for c in choices],
        "duplicate_options": [
            (choice.value, gettext(label)) for choice, label in ON_DUPLICATE_LABELS.items()
        ],
        "defaults": {
            "kind": request.args.get("kind") if request.args.get("kind") in KINDS else PEOPLE.key,
            "commune_id": str(choices[0].id) if len(choices) == 1 else "",
            "on_duplicate": OnDuplicate.UPDATE.value,
        },
        "jobs": _recent_jobs(actor),
        "status_of": effective_status,
    }


@bp.get("/")
@permission_required(Permission.PERSON_WRITE)
def index():
    context = _index_context(current_actor())
    return render_template("imports/index.html", form={}, errors={}, **context)


@bp.get("/template")
@permission_required(Permission.PERSON_WRITE)
def template():
    """The Excel template of a kind of list (?kind=poverty; the people list by default): header
    rows, drop-down lists, a guide sheet."""
    kind = import_kind(request.args.get("kind"))
    return send_file(
        io.BytesIO(kind.template()),
        mimetype=XLSX,
        as_attachment=True,
        download_name=kind.template_name,
    )


def _chosen_kind(actor: Actor) -> ImportKind:
    """What the officer says the file is (the people list when the form does not say)."""
    kind = KINDS.get(request.form.get("kind") or PEOPLE.key)
    if kind is None or not actor.can(kind.permission):
        raise ValidationError([Problem("kind", N_("Choose one of the options."))])
    return kind


@bp.post("/upload")
@permission_required(Permission.PERSON_WRITE)
def upload():
    actor = current_actor()
    context = _index_context(actor)
    try:
        kind = _chosen_kind(actor)
        data = load_form(UploadInputSchema(), request.form)
        if data["commune_id"] not in {c.id for c in communes(actor)}:
            raise ValidationError([Problem("commune_id", N_("Choose one of the options."))])
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise ValidationError([Problem("file", N_("Choose the file to import."))])
        where = folder()
        sweep(where)  # uploads nobody imported, workbooks nobody downloaded
        stored = store_upload(
            where,
            sent.filename,
            sent.save,
            user_id=actor.user_id or 0,
            commune_id=data["commune_id"],
            on_duplicate=data["on_duplicate"].value,
            kind=kind.key,
        )
    except RegistryError as error:
        return render_rejected("imports/index.html", error, form=request.form, **context)
    return redirect(url_for(".mapping", token=stored.token))
