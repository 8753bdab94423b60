"""Which of their columns is which of ours, the preview of the first rows, and the check."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

import registry.imports.jobs as import_jobs
from registry.auth.permissions import Permission
from registry.errors import RegistryError, ValidationError
from registry.extensions import db
from registry.imports.kinds import ImportKind
from registry.imports.mappings import remembered_mapping, save_mapping, suggest
from registry.imports.uploads import Upload, head_rows, header_cells, preview, set_mapping
from registry.imports.views import bp
from registry.imports.views.common import folder, own_upload
from registry.jobs import runner
from registry.units.models import AdminUnit
from registry.web.decorators import permission_required, render_rejected
from registry.web.i18n import select_locale
from registry.web.setup import current_actor, today

#: Data rows shown under the headers on the mapping page, and on the preview.
SAMPLE_ROWS, PREVIEW_ROWS = 5, 10


def _mapping_context(upload: Upload, commune: AdminUnit, kind: ImportKind) -> dict[str, Any]:
    rows = head_rows(upload.path(folder()))
    at, headers = header_cells(rows)
    remembered = (
        upload.mapping if upload.mapping is not None else remembered_mapping(commune.id, kind)
    )
    chosen = suggest(headers, remembered, kind)
    width = len(headers)
    samples = [
        tuple(row[i] if i < len(row) else None for i in range(width))
        for row in rows[at + 1 :]
        if any(c not in (None, "") for c in row)
    ][:SAMPLE_ROWS]
    columns = kind.columns.columns
    return {
        "upload": upload,
        "commune": commune,
        "kind": kind,
        "header_line": at + 1,
        "headers": headers,
        "chosen": chosen,
        "samples": samples,
        "missing": [
            c for c in columns if c.required and c.key not in {k for k in chosen if k is not None}
        ],
        "key_options": [(c.key, f"{c.header}{' *' if c.required else ''}") for c in columns],
    }


@bp.route("/uploads/<token>/mapping", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def mapping(token: str):
    """Which of their columns is which: pre-filled from the commune's last mapping of the
    same kind of list."""
    actor = current_actor()
    upload, commune, kind = own_upload(token)
    try:
        context = _mapping_context(upload, commune, kind)
    except ValidationError as error:  # the file itself cannot be read
        return render_template(
            "imports/unreadable.html", upload=upload, kind=kind, problems=error.problems
        )
    if request.method == "GET":
        return render_template("imports/mapping.html", errors={}, **context)
    headers = context["headers"]
    chosen = [(request.form.get(f"col-{i}") or "").strip() or None for i in range(len(headers))]
    try:
        used = save_mapping(commune, headers, chosen, actor=actor, kind=kind)
        set_mapping(folder(), upload, used)
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
    upload, commune, kind = own_upload(token)
    if upload.mapping is None:
        return redirect(url_for(".mapping", token=upload.token))
    context: dict[str, Any] = {
        "upload": upload,
        "commune": commune,
        "kind": kind,
        "problems": [],
        "rows": [],
    }
    try:
        sheet = preview(head_rows(upload.path(folder())), upload.mapping, commune.code, kind)
    except ValidationError as error:
        context["problems"] = error.problems
        return render_template("imports/preview.html", **context), 422
    columns = [c for c in kind.columns.columns if c.key in sheet.columns]
    context.update(
        headers=[c.header for c in columns],
        rows=[
            (row.line, [_cell(row.cells, sheet.columns[c.key]) for c in columns])
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
    upload, commune, _kind = own_upload(token)
    try:
        job = import_jobs.submit_import(
            upload,
            commune,
            mode="check",
            actor=actor,
            today=today(),
            locale=select_locale(),
            folder=folder(),
        )
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()
        flash(error.render(gettext), "error")
        return redirect(url_for(".mapping", token=upload.token))
    runner.start(job.id)
    return redirect(url_for(".job", job_id=job.id))
