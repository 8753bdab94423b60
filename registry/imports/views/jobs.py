"""The job pages: a check's report by row and column, the import of a checked file (all rows or
only the valid ones), a failed import started again, and the workbook of rejected rows."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext

import registry.imports.jobs as import_jobs
from registry.auth.permissions import Permission
from registry.errors import Problem, RegistryError
from registry.extensions import db
from registry.imports.kinds import ImportKind
from registry.imports.views import bp
from registry.imports.views.common import XLSX, folder, own_import_job
from registry.jobs import runner
from registry.jobs.models import Job, JobStatus
from registry.jobs.services import effective_status, error_of, shown_progress
from registry.units.models import AdminUnit
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor

#: Problems listed per page of a check report.
PER_PAGE = 100
#: Seconds between two automatic reloads of a job page while the job runs.
REFRESH_SECONDS = 2


def _problem_items(result: dict[str, Any], page: int, kind: ImportKind) -> list[dict[str, Any]]:
    listed = result.get("problems") or []
    by_key = kind.columns.by_key
    return [
        {
            "row": p["row"],
            "column": p.get("header")
            or (by_key[p["column"]].header if p.get("column") in by_key else ""),
            "message": Problem(None, p["message"], p.get("params") or {}).render(gettext),
        }
        for p in listed[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]


def _job_context(job: Job, kind: ImportKind) -> dict[str, Any]:
    status = effective_status(job)
    result = job.result or {}
    listed = len(result.get("problems") or [])
    pages = max(1, math.ceil(listed / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    workbook = import_jobs.errors_file(folder(), job.id)
    upload_kept = bool(job.input_path) and Path(job.input_path or "").is_file()
    mode = (job.params or {}).get("mode")
    running = status in (JobStatus.QUEUED, JobStatus.RUNNING)
    file_problems = [
        Problem(None, p["message"], p.get("params") or {}) for p in result.get("file_problems", [])
    ]
    return {
        "job": job,
        "kind": kind,
        "status": status,
        "running": running,
        "progress": shown_progress(job),
        "job_error": error_of(job),
        "mode": mode,
        "result": result,
        "commune": db.session.get(AdminUnit, job.unit_id) if job.unit_id else None,
        "problem_rows": _problem_items(result, page, kind),
        "file_problems": file_problems,
        "page": page,
        "pages": pages,
        "has_workbook": result.get("errors_workbook") and workbook.is_file(),
        "workbook_gone": result.get("errors_workbook") and not workbook.is_file(),
        "can_import": mode == "check"
        and status is JobStatus.DONE
        and upload_kept
        and not result.get("import_job"),
        "import_job": result.get("import_job"),
        "can_retry": status is JobStatus.FAILED and upload_kept and mode != "check",
        "refresh": REFRESH_SECONDS if running else None,
    }


@bp.get("/jobs/<uuid:job_id>")
@permission_required(Permission.PERSON_WRITE)
def job(job_id):
    context = _job_context(*own_import_job(job_id))
    response = current_app.make_response(render_template("imports/job.html", **context))
    if context["refresh"]:
        # The HTTP header, so the page reloads itself with no script (the meta tag is a backup).
        response.headers["Refresh"] = str(context["refresh"])
    return response


def _rejected(job_id, error: RegistryError):
    """The job page again with why the action was refused; nothing half-done is kept."""
    db.session.rollback()
    return render_rejected("imports/job.html", error, **_job_context(*own_import_job(job_id)))


@bp.post("/jobs/<uuid:job_id>/import")
@permission_required(Permission.PERSON_WRITE)
def import_rows(job_id):
    """Import a checked file: every row (only when none has an error), or the valid rows."""
    actor = current_actor()
    checked, kind = own_import_job(job_id)
    mode = request.form.get("mode")
    if mode not in ("all", "valid_only"):
        mode = "valid_only" if (checked.result or {}).get("problems_total") else "all"
    try:
        actor.require(kind.permission)
        started = import_jobs.submit_import_after(checked, mode=mode, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return _rejected(job_id, error)
    runner.start(started.id)
    return redirect(url_for(".job", job_id=started.id))


@bp.post("/jobs/<uuid:job_id>/retry")
@permission_required(Permission.PERSON_WRITE)
def retry(job_id):
    """Start a failed or interrupted import again: it wrote nothing (one transaction)."""
    actor = current_actor()
    failed, kind = own_import_job(job_id)
    try:
        actor.require(kind.permission)
        started = import_jobs.submit_again(failed, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return _rejected(job_id, error)
    runner.start(started.id)
    return redirect(url_for(".job", job_id=started.id))


@bp.get("/jobs/<uuid:job_id>/errors")
@permission_required(Permission.PERSON_WRITE)
def errors_workbook(job_id):
    """The rejected rows with a column "Lỗi". Served once, then removed: it holds CCCDs."""
    found, _kind = own_import_job(job_id)
    path = import_jobs.errors_file(folder(), found.id)
    try:
        content = path.read_bytes()
    except OSError:
        flash(
            gettext("The workbook of rejected rows was already downloaded; run the check again."),
            "error",
        )
        return redirect(url_for(".job", job_id=found.id))
    path.unlink(missing_ok=True)
    name = Path((found.params or {}).get("filename") or "import").stem
    response = send_file(
        io.BytesIO(content),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{name}-dong-loi.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
