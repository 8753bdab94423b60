"""A run's files: export, download (checked against the stored SHA-256) and reconciliation."""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path, PurePath

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.permissions import Permission
from registry.errors import ConflictError, Problem, RegistryError, ValidationError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.payments.exporting import export_run
from registry.payments.queries import (
    run_file,
)
from registry.payments.reconciliation import reconcile_run
from registry.payments.results import parse_results
from registry.payments.services import get_run
from registry.payments.views import bp
from registry.payments.views.common import payer_from_config, rejected, run_folder, show_context
from registry.payments.views.forms import ExportInputSchema
from registry.people.schemas import (
    load_form,
)
from registry.web.decorators import permission_required
from registry.web.formatting import format_money
from registry.web.setup import current_actor

#: Largest bank result file accepted for reconciliation.
RESULTS_MAX_BYTES = 20 * 1024 * 1024
_MIMETYPES = {
    ".xml": "application/xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",  # Flask adds "; charset=utf-8" (the files are UTF-8)
}


@bp.post("/<uuid:run_id>/export")
@permission_required(Permission.PAYMENT_LOCK)
def export(run_id):
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    try:
        data = load_form(ExportInputSchema(), request.form)
        fmt = data["format"]
        bank = None if fmt == "post-xlsx" else data["bank"]  # the post office pays every bank
        stored, _ = export_run(
            run,
            fmt=fmt,
            out_dir=run_folder(run),
            payer=payer_from_config(),
            actor=actor,
            cipher=keys.cipher,
            bank_bin=bank,
        )
        db.session.commit()
    except RegistryError as error:
        return rejected(run_id, error, export_form=request.form)
    except OSError:
        current_app.logger.exception("cannot write a payment file into REGISTRY_EXPORT_DIR")
        error = RegistryError(
            N_("The file could not be written on the server: ask the administrator.")
        )
        return rejected(run_id, error, export_form=request.form)
    flash(
        gettext(
            "File %(name)s exported: %(lines)d lines, %(total)s.",
            name=stored.file_name,
            lines=stored.line_count,
            total=format_money(stored.total),
        ),
        "success",
    )
    return redirect(url_for(".show", run_id=run.id, _anchor="files"))


@bp.get("/<uuid:run_id>/files/<uuid:file_id>")
@permission_required(Permission.PAYMENT_LOCK)
def download(run_id, file_id):
    """Serve an exported file, only if its bytes still have the SHA-256 recorded at export.

    A file missing from the export folder is written again from the registry (the same
    bytes by design, or export_run refuses); a file whose bytes differ is never served.
    The file holds account numbers and CCCDs, hence PAYMENT_LOCK and an audit event.
    """
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    stored = run_file(run, file_id)
    path = run_folder(run) / PurePath(stored.file_name).name
    regenerated = not path.is_file()
    try:
        if regenerated:
            _, path = export_run(
                run,
                fmt=stored.format,
                out_dir=run_folder(run),
                payer=payer_from_config(),
                actor=actor,
                cipher=keys.cipher,
                bank_bin=stored.bank_bin or None,
            )
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != stored.sha256:
            current_app.logger.warning("payment file %s differs from its SHA-256", path)
            raise ConflictError(
                N_(
                    "The file %(name)s on the server is not the one exported: its SHA-256 "
                    "differs from %(sha256)s. It was changed or damaged and is not served; "
                    "ask the administrator to remove it so it can be written again."
                ),
                name=stored.file_name,
                sha256=stored.sha256,
            )
    except RegistryError as error:
        return rejected(run_id, error)
    except OSError:
        current_app.logger.exception("cannot read or write payment file %s", path)
        error = RegistryError(
            N_("The file could not be read on the server: ask the administrator.")
        )
        return rejected(run_id, error)
    record_event(
        AuditAction.RUN_DOWNLOAD,
        actor=actor,
        subject=run,
        unit_id=run.unit_id,
        details={
            "format": stored.format,
            "bank": stored.bank_bin or None,
            "sha256": stored.sha256,
            "regenerated": regenerated,
        },
    )
    db.session.commit()
    response = send_file(
        io.BytesIO(content),
        mimetype=_MIMETYPES.get(path.suffix, "application/octet-stream"),
        as_attachment=True,
        download_name=stored.file_name,
        etag=stored.sha256,
        last_modified=stored.created_at,
    )
    response.headers["Cache-Control"] = "no-store"  # account numbers and CCCDs inside
    return response


def _uploaded_results() -> tuple[bytes, str]:
    """The uploaded result file's bytes and plain name, read back from a temporary file;
    a missing or too large file is a ValidationError."""
    too_large = ValidationError(
        [
            Problem(
                "results",
                N_("The file is larger than %(size)s MB: split it or ask the administrator."),
                {"size": RESULTS_MAX_BYTES // (1024 * 1024)},
            )
        ]
    )
    limit = RESULTS_MAX_BYTES + 64 * 1024  # the form's other fields and multipart headers
    if (request.content_length or 0) > limit:
        raise too_large
    request.max_content_length = limit  # effective while the form is not parsed yet
    try:
        upload = request.files.get("results")
    except RequestEntityTooLarge:
        raise too_large from None
    name = PurePath((upload.filename or "") if upload else "").name
    if upload is None or not name:
        raise ValidationError([Problem("results", N_("Choose the bank's result file."))])
    with tempfile.TemporaryDirectory(prefix="registry-results-") as folder:
        saved = Path(folder) / "results"
        upload.save(saved)
        if saved.stat().st_size > RESULTS_MAX_BYTES:
            raise too_large
        return saved.read_bytes(), name


@bp.post("/<uuid:run_id>/reconcile")
@permission_required(Permission.PAYMENT_LOCK)
def reconcile(run_id):
    """Apply the bank's results (đối soát): every line paid or failed, or nothing at all."""
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    try:
        content, name = _uploaded_results()
        report = reconcile_run(run, parse_results(content, name), source=name, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return rejected(run_id, error, section="reconcile")
    return render_template("payments/show.html", **show_context(run, report=report, source=name))
