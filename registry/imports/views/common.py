"""What the import pages share: labels, the upload folder, the commune and upload of a request."""

from __future__ import annotations

from typing import Any

from flask import current_app

import registry.imports.jobs as import_jobs
from registry.auth.actors import Actor
from registry.errors import NotFoundError
from registry.extensions import db
from registry.households.queries import commune_choices
from registry.i18n import N_
from registry.imports.kinds import BY_JOB_KIND, KINDS, ImportKind, import_kind
from registry.imports.planning import OnDuplicate
from registry.imports.uploads import Upload, load_upload
from registry.jobs.models import Job, JobStatus
from registry.jobs.services import get_job
from registry.units.models import AdminUnit
from registry.units.scope import communes_in_scope
from registry.web.setup import current_actor, today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ON_DUPLICATE_LABELS = {
    OnDuplicate.UPDATE: N_("Update the registered person with the file's details"),
    OnDuplicate.SKIP: N_("Skip the row, keep the registered details"),
}
STATUS_LABELS = {
    JobStatus.QUEUED: N_("Waiting to start"),
    JobStatus.RUNNING: N_("Running"),
    JobStatus.DONE: N_("Finished"),
    JobStatus.FAILED: N_("Failed"),
}
MODE_LABELS = {
    "check": N_("Check"),
    "all": N_("Import (all rows)"),
    "valid_only": N_("Import (valid rows only)"),
}


def import_labels() -> dict[str, Any]:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "MODE_LABELS": MODE_LABELS,
        "PHASES": import_jobs.PHASES,
        "ON_DUPLICATE_LABELS": ON_DUPLICATE_LABELS,
        "KIND_LABELS": {k.key: k.label for k in KINDS.values()},
        "JOB_KIND_LABELS": {k.job_kind: k.label for k in KINDS.values()},
        "JobStatus": JobStatus,
    }


def folder() -> str:
    return current_app.config["REGISTRY_IMPORT_DIR"]


def communes(actor: Actor) -> list[AdminUnit]:
    return commune_choices(actor, today())


def commune_of(commune_id: int, actor: Actor) -> AdminUnit:
    """The commune, if it lies in the actor's area (else 404: it is not theirs to see)."""
    commune = db.session.scalar(communes_in_scope(actor).where(AdminUnit.id == commune_id))
    if commune is None:
        raise NotFoundError()
    return commune


def own_upload(token: str) -> tuple[Upload, AdminUnit, ImportKind]:
    """The actor's upload named ``token``, its commune and what kind of list it is (else 404)."""
    actor = current_actor()
    upload = load_upload(folder(), token, user_id=actor.user_id or 0)
    kind = import_kind(upload.kind)
    if not actor.can(kind.permission):
        raise NotFoundError()
    return upload, commune_of(upload.commune_id, actor), kind


def own_import_job(job_id) -> tuple[Job, ImportKind]:
    """An import job the actor may see (their own; an administrator's area's), and its kind."""
    found = get_job(job_id, actor=current_actor())
    kind = BY_JOB_KIND.get(found.kind)
    if kind is None:
        raise NotFoundError()
    return found, kind
