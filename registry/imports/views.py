"""Pages of the web import (issue 5): upload, map the columns, preview, check, then import."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required

import registry.imports.jobs as import_jobs
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import NotFoundError, Problem, RegistryError, ValidationError
from registry.extensions import db
from registry.households.queries import commune_choices
from registry.i18n import N_
from registry.imports.columns import BY_KEY, COLUMNS
from registry.imports.mappings import remembered_mapping, save_mapping, suggest
from registry.imports.planning import OnDuplicate
from registry.imports.template import write_template
from registry.imports.uploads import (
    Upload,
    head_rows,
    header_cells,
    load_upload,
    preview,
    set_mapping,
    store_upload,
    sweep,
)
from registry.jobs import runner
from registry.jobs.models import Job, JobStatus
from registry.jobs.services import (
    effective_status,
    error_of,
    get_job,
    recent_jobs,
    shown_progress,
)
from registry.people.accounts import napas_banks
from registry.people.schemas import Choice, FormInteger, FormSchema, load_form
from registry.units.models import AdminUnit
from registry.units.scope import communes_in_scope
from registry.web.decorators import permission_required, render_rejected
from registry.web.i18n import select_locale
from registry.web.setup import current_actor, today

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.before_request(login_required(lambda: None))

#: Problems listed per page of a check report.
PER_PAGE = 100
#: Data rows shown under the headers on the mapping page, and on the preview.
SAMPLE_ROWS, PREVIEW_ROWS = 5, 10
#: Seconds between two automatic reloads of a job page while the job runs.
REFRESH_SECONDS = 2
TEMPLATE_NAME = "mau-nhap-danh-sach.xlsx"
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


@bp.context_processor
def import_labels() -> dict[str, Any]:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "MODE_LABELS": MODE_LABELS,
        "PHASES": import_jobs.PHASES,
        "ON_DUPLICATE_LABELS": ON_DUPLICATE_LABELS,
        "COLUMN_HEADERS": {c.key: c.header for c in COLUMNS},
        "JobStatus": JobStatus,
    }


class UploadInputSchema(FormSchema):
    commune_id = FormInteger(required=True)
    on_duplicate = Choice(OnDuplicate, required=True)


def _folder() -> str:
    return current_app.config["REGISTRY_IMPORT_DIR"]


def _communes(actor: Actor) -> list[AdminUnit]:
    return commune_choices(actor, today())


def _commune(commune_id: int, actor: Actor) -> AdminUnit:
    """The commune, if it lies in the actor's area (else 404: it is not theirs to see)."""
    commune = db.session.scalar(communes_in_scope(actor).where(AdminUnit.id == commune_id))
    if commune is None:
        raise NotFoundError()
    return commune


def _upload(token: str) -> tuple[Upload, AdminUnit]:
    actor = current_actor()
    upload = load_upload(_folder(), token, user_id=actor.user_id or 0)
    return upload, _commune(upload.commune_id, actor)


# --- upload --------------------------------------------------------------------------


def _index_context(actor: Actor) -> dict[str, Any]:
    communes = _communes(actor)
    return {
        "commune_options": [(str(c.id), f"{c.name} ({c.code})") for c in communes],
        "duplicate_options": [
            (choice.value, gettext(label)) for choice, label in ON_DUPLICATE_LABELS.items()
        ],
        "defaults": {
            "commune_id": str(communes[0].id) if len(communes) == 1 else "",
            "on_duplicate": OnDuplicate.UPDATE.value,
        },
        "jobs": recent_jobs(actor=actor, kind=import_jobs.KIND),
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
    """The Excel template to fill in (two header rows, drop-down lists, a guide sheet)."""
    return send_file(
        io.BytesIO(write_template(napas_banks())),
        mimetype=XLSX,
        as_attachment=True,
        download_name=TEMPLATE_NAME,
    )


@bp.post("/upload")
@permission_required(Permission.PERSON_WRITE)
def upload():
    actor = current_actor()
    context = _index_context(actor)
    try:
        data = load_form(UploadInputSchema(), request.form)
        communes = {c.id for c in _communes(actor)}
        if data["commune_id"] not in communes:
            raise ValidationError([Problem("commune_id", N_("Choose one of the options."))])
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise ValidationError([Problem("file", N_("Choose the file to import."))])
        folder = _folder()
        sweep(folder)  # uploads nobody imported, workbooks nobody downloaded
        stored = store_upload(
            folder,
            sent.filename,
            sent.save,
            user_id=actor.user_id or 0,
            commune_id=data["commune_id"],
            on_duplicate=data["on_duplicate"].value,
        )
    except RegistryError as error:
        return render_rejected("imports/index.html", error, form=request.form, **context)
    return redirect(url_for(".mapping", token=stored.token))


# --- mapping and preview ---------------------------------------------------------------


def _mapping_context(upload: Upload, commune: AdminUnit) -> dict[str, Any]:
    rows = head_rows(upload.path(_folder()))
    at, headers = header_cells(rows)
    chosen = (
        suggest(headers, upload.mapping)
        if upload.mapping is not None
        else suggest(headers, remembered_mapping(commune.id))
    )
    width = len(headers)
    samples = [
        tuple(row[i] if i < len(row) else None for i in range(width))
        for row in rows[at + 1 :]
        if any(c not in (None, "") for c in row)
    ][:SAMPLE_ROWS]
    return {
        "upload": upload,
        "commune": commune,
        "header_line": at + 1,
        "headers": headers,
        "chosen": chosen,
        "samples": samples,
        "missing": [
            c for c in COLUMNS if c.required and c.key not in {k for k in chosen if k is not None}
        ],
        "key_options": [(c.key, f"{c.header}{' *' if c.required else ''}") for c in COLUMNS],
    }


@bp.route("/uploads/<token>/mapping", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def mapping(token: str):
    """Which of their columns is which of ours: pre-filled from the commune's last mapping."""
    actor = current_actor()
    upload, commune = _upload(token)
    try:
        context = _mapping_context(upload, commune)
    except ValidationError as error:  # the file itself cannot be read
        return render_template("imports/unreadable.html", upload=upload, problems=error.problems)
    if request.method == "GET":
        return render_template("imports/mapping.html", errors={}, **context)
    headers = context["headers"]
    chosen = [(request.form.get(f"col-{i}") or "").strip() or None for i in range(len(headers))]
    try:
        used = save_mapping(commune, headers, chosen, actor=actor)
        set_mapping(_folder(), upload, used)
        db.session.commit()
    except RegistryError as error:
        context.update(chosen=chosen, missing=[])
        return render_rejected("imports/mapping.html", error, **context)
    flash(gettext("Column mapping saved for %(commune)s.", commune=commune.name), "success")
    return redirect(url_for(".preview_rows", token=upload.token))


@bp.get("/uploads/<token>/preview")
@permission_required(Permission.PERSON_WRITE)
def preview_rows(token: str):
    """The first rows as the import will read them, before the whole file is checked."""
    upload, commune = _upload(token)
    if upload.mapping is None:
        return redirect(url_for(".mapping", token=upload.token))
    context: dict[str, Any] = {"upload": upload, "commune": commune, "problems": [], "rows": []}
    try:
        sheet = preview(head_rows(upload.path(_folder())), upload.mapping, commune.code)
    except ValidationError as error:
        context["problems"] = error.problems
        return render_template("imports/preview.html", **context), 422
    keys = [c.key for c in COLUMNS if c.key in sheet.columns]
    context.update(
        keys=keys,
        rows=[
            (
                row.line,
                [_cell(row.cells, sheet.columns[k]) for k in keys],
            )
            for row in sheet.rows[:PREVIEW_ROWS]
        ],
    )
    return render_template("imports/preview.html", **context)


def _cell(cells: tuple[Any, ...], index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


@bp.post("/uploads/<token>/check")
@permission_required(Permission.PERSON_WRITE)
def check(token: str):
    """Start the check of every row (nothing written): the job page shows its report."""
    actor = current_actor()
    upload, commune = _upload(token)
    try:
        job = import_jobs.submit_import(
            upload,
            commune,
            mode="check",
            actor=actor,
            today=today(),
            locale=select_locale(),
            folder=_folder(),
        )
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()
        flash(error.render(gettext), "error")
        return redirect(url_for(".mapping", token=upload.token))
    runner.start(job.id)
    return redirect(url_for(".job", job_id=job.id))


# --- jobs ------------------------------------------------------------------------------


def _problem_items(result: dict[str, Any], page: int) -> list[dict[str, Any]]:
    listed = result.get("problems") or []
    return [
        {
            "row": p["row"],
            "column": p.get("header")
            or (BY_KEY[p["column"]].header if p.get("column") in BY_KEY else ""),
            "message": Problem(None, p["message"], p.get("params") or {}).render(gettext),
        }
        for p in listed[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]


def _job_context(job: Job) -> dict[str, Any]:
    status = effective_status(job)
    result = job.result or {}
    listed = len(result.get("problems") or [])
    pages = max(1, math.ceil(listed / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    workbook = import_jobs.errors_file(_folder(), job.id)
    upload_kept = bool(job.input_path) and Path(job.input_path or "").is_file()
    mode = (job.params or {}).get("mode")
    running = status in (JobStatus.QUEUED, JobStatus.RUNNING)
    file_problems = [
        Problem(None, p["message"], p.get("params") or {}) for p in result.get("file_problems", [])
    ]
    return {
        "job": job,
        "status": status,
        "running": running,
        "progress": shown_progress(job),
        "job_error": error_of(job),
        "mode": mode,
        "result": result,
        "commune": db.session.get(AdminUnit, job.unit_id) if job.unit_id else None,
        "problem_rows": _problem_items(result, page),
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
    found = get_job(job_id, actor=current_actor())
    if found.kind != import_jobs.KIND:
        raise NotFoundError()
    context = _job_context(found)
    response = current_app.make_response(render_template("imports/job.html", **context))
    if context["refresh"]:
        # The HTTP header, so the page reloads itself with no script (the meta tag is a backup).
        response.headers["Refresh"] = str(context["refresh"])
    return response


def _own_import_job(job_id) -> Job:
    found = get_job(job_id, actor=current_actor())
    if found.kind != import_jobs.KIND:
        raise NotFoundError()
    return found


@bp.post("/jobs/<uuid:job_id>/import")
@permission_required(Permission.PERSON_WRITE)
def import_rows(job_id):
    """Import a checked file: every row (only when none has an error), or the valid rows."""
    actor = current_actor()
    checked = _own_import_job(job_id)
    mode = request.form.get("mode")
    if mode not in ("all", "valid_only"):
        mode = "valid_only" if (checked.result or {}).get("problems_total") else "all"
    try:
        started = import_jobs.submit_import_after(checked, mode=mode, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("imports/job.html", error, **_job_context(_reloaded(job_id)))
    runner.start(started.id)
    return redirect(url_for(".job", job_id=started.id))


def _reloaded(job_id) -> Job:
    db.session.rollback()
    return _own_import_job(job_id)


@bp.post("/jobs/<uuid:job_id>/retry")
@permission_required(Permission.PERSON_WRITE)
def retry(job_id):
    """Start a failed or interrupted import again: it wrote nothing (one transaction)."""
    actor = current_actor()
    failed = _own_import_job(job_id)
    try:
        started = import_jobs.submit_again(failed, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("imports/job.html", error, **_job_context(_reloaded(job_id)))
    runner.start(started.id)
    return redirect(url_for(".job", job_id=started.id))


@bp.get("/jobs/<uuid:job_id>/errors")
@permission_required(Permission.PERSON_WRITE)
def errors_workbook(job_id):
    """The rejected rows with a column "Lỗi". Served once, then removed: it holds CCCDs."""
    found = _own_import_job(job_id)
    path = import_jobs.errors_file(_folder(), found.id)
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
