"""Pages for the monthly payment run: build, lock, export, download and reconcile."""

from __future__ import annotations

import hashlib
import io
import tempfile
from datetime import date
from pathlib import Path, PurePath
from typing import Any, ClassVar

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
from werkzeug.exceptions import RequestEntityTooLarge

from registry.audit.actions import AuditAction
from registry.audit.queries import subject_events
from registry.audit.services import record_event
from registry.auth.permissions import Permission
from registry.decisions.models import Programme
from registry.eligibility.engine import Law, load_law
from registry.eligibility.months import parse_month
from registry.eligibility.parameters import ParameterError
from registry.entitlements.services import PROGRAMME_LABELS, local_policy_paths
from registry.errors import ConflictError, Problem, RegistryError, ValidationError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.payments.exporting import FORMATS, Payer, export_run
from registry.payments.models import LineKind, LineStatus, PaymentRun, RunStatus
from registry.payments.queries import (
    buildable_units,
    run_communes,
    run_file,
    run_files,
    run_lines,
    run_steps,
    run_summary,
    runs_in_scope,
)
from registry.payments.reconciliation import reconcile_run
from registry.payments.results import parse_results
from registry.payments.services import build_run, get_run, lock_run, run_totals
from registry.people.accounts import napas_banks
from registry.people.models import PaymentChannel
from registry.people.schemas import (
    FIELD_MESSAGES,
    BlankIsNone,
    Checkbox,
    Choice,
    FormInteger,
    FormSchema,
    Text,
    load_form,
)
from registry.units.models import AdminUnit
from registry.web.decorators import permission_required, render_rejected
from registry.web.formatting import format_money, format_month
from registry.web.setup import current_actor, today

bp = Blueprint("payments", __name__, url_prefix="/payments")
bp.before_request(login_required(lambda: None))

PER_PAGE = 50
#: Largest bank result file accepted for reconciliation.
RESULTS_MAX_BYTES = 20 * 1024 * 1024

RUN_STATUS_LABELS = {
    RunStatus.DRAFT: N_("Draft"),
    RunStatus.LOCKED: N_("Locked"),
    RunStatus.EXPORTED: N_("Exported"),
    RunStatus.RECONCILED: N_("Reconciled"),
}
KIND_LABELS = {
    LineKind.REGULAR: N_("Regular (this month)"),
    LineKind.ARREARS: N_("Arrears"),
    LineKind.CORRECTION: N_("Correction of an earlier month"),
    LineKind.FUNERAL: N_("Funeral support"),
}
LINE_STATUS_LABELS = {
    LineStatus.PENDING: N_("Awaiting result"),
    LineStatus.PAID: N_("Paid out"),
    LineStatus.FAILED: N_("Failed"),
}
FORMAT_LABELS = {
    "pain001": N_("Bank transfer order, ISO 20022 pain.001 (XML)"),
    "bank-xlsx": N_("Bank list (XLSX)"),
    "bank-csv": N_("Bank list (CSV)"),
    "post-xlsx": N_("Post office list (XLSX)"),
}
CHANNEL_LABELS = {
    PaymentChannel.BANK: N_("Bank account"),
    PaymentChannel.EWALLET: N_("E-wallet"),
    PaymentChannel.POST_OFFICE: N_("Post office (cash)"),
}
#: Labels of the details the payment services write into their audit events.
EVENT_DETAIL_LABELS = {
    "month": N_("Month"),
    "lines": N_("Lines"),
    "total": N_("Total"),
    "carried": N_("Failed lines carried over"),
    "format": N_("File format"),
    "bank": N_("Bank"),
    "sha256": "SHA-256",
    "decrypted": N_("Identifiers decrypted"),
    "source": N_("File"),
    "paid": N_("Paid out"),
    "failed": N_("Failed"),
    "remaining": N_("Without result"),
    "regenerated": N_("Rebuilt from the registry"),
}
_MIMETYPES = {
    ".xml": "application/xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",  # Flask adds "; charset=utf-8" (the files are UTF-8)
}


def event_details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) pairs of a payment event's details, translated and formatted, in the
    order of EVENT_DETAIL_LABELS (unknown keys last, as they are)."""
    order = list(EVENT_DETAIL_LABELS)
    items = []
    for key, value in sorted(
        (details or {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        if value is None:
            continue
        if key == "total":
            text = format_money(value)
        elif key == "month":
            text = format_month(date.fromisoformat(str(value)))
        elif key == "bank":
            text = f"{napas_banks().get(value, value)} ({value})"
        elif key == "format":
            text = gettext(FORMAT_LABELS.get(value, value))
        elif isinstance(value, bool):
            text = "✓" if value else "✗"
        else:
            text = str(value)
        label = gettext(EVENT_DETAIL_LABELS[key]) if key in EVENT_DETAIL_LABELS else key
        items.append((label, text))
    return items


@bp.context_processor
def payment_labels() -> dict:
    return {
        "RUN_STATUS_LABELS": RUN_STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "LINE_STATUS_LABELS": LINE_STATUS_LABELS,
        "FORMAT_LABELS": FORMAT_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "PROGRAMME_LABELS": PROGRAMME_LABELS,
        "BANKS": napas_banks(),
        "event_details": event_details,
        "RunStatus": RunStatus,
    }


# --- form input ----------------------------------------------------------------------


class FormMonth(BlankIsNone):
    """A month as a ``type=month`` input sends it (YYYY-MM)."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("Enter a month as YYYY-MM, for example 2026-11."),
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        try:
            month = parse_month(str(value))
        except ValueError:
            raise self.make_error("invalid") from None
        if not 2000 <= month.year <= 2200:
            raise self.make_error("invalid")
        return month


class BuildInputSchema(FormSchema):
    month = FormMonth(required=True)
    unit_id = FormInteger(required=True)


class LockInputSchema(FormSchema):
    confirm = Checkbox()
    lines = FormInteger(required=True)
    total = FormInteger(required=True, maximum=10**12)


class ExportInputSchema(FormSchema):
    format = Text(required=True, max_length=20)
    bank = Text(load_default=None, max_length=6)


class LineFilterSchema(FormSchema):
    commune = FormInteger(load_default=None)
    programme = Choice(Programme, load_default=None)
    kind = Choice(LineKind, load_default=None)
    status = Choice(LineStatus, load_default=None)
    q = Text(load_default="", max_length=200)
    page = FormInteger(load_default=1, maximum=100_000)


# --- helpers -------------------------------------------------------------------------


def _law() -> Law:
    try:
        return load_law(local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ())))
    except (ParameterError, OSError):
        current_app.logger.exception("cannot load the law to build a payment list")
        raise RegistryError(
            N_("The law parameters could not be loaded; ask the administrator.")
        ) from None


def _payer() -> Payer:
    """The paying office's account from REGISTRY_PAYER_* (as the CLI reads it)."""
    config = current_app.config
    names = ("REGISTRY_PAYER_NAME", "REGISTRY_PAYER_ACCOUNT", "REGISTRY_PAYER_BIN")
    missing = [name for name in names if not config.get(name)]
    if missing:
        raise RegistryError(
            N_("The paying office's account is not set (%(names)s): ask the administrator."),
            names=", ".join(missing),
        )
    return Payer(*(config[name] for name in names))


def _run_dir(run: PaymentRun) -> Path:
    """Where the files of ``run`` are kept: one folder per run, since file names only
    carry the month and two units' runs of a month would otherwise collide."""
    return Path(current_app.config["REGISTRY_EXPORT_DIR"]) / str(run.id)


def _line_filters(commune_ids: set[int]) -> dict[str, Any]:
    try:
        data = load_form(LineFilterSchema(), request.args)
    except ValidationError:
        data = {"commune": None, "programme": None, "kind": None, "status": None, "page": 1}
        data["q"] = request.args.get("q", "")[:200]
    if data["commune"] not in commune_ids:
        data["commune"] = None
    return data


def _show_context(run: PaymentRun, **extra: Any) -> dict[str, Any]:
    actor = current_actor()
    communes = run_communes(run)
    filters = _line_filters({c.id for c in communes})
    lines = run_lines(
        run,
        commune_id=filters["commune"],
        programme=filters["programme"],
        kind=filters["kind"],
        status=filters["status"],
        query=filters["q"] or "",
        page=filters["page"],
        per_page=PER_PAGE,
    )
    banks = napas_banks()
    summary = run_summary(run, banks=banks)
    context = {
        "run": run,
        "unit": db.session.get(AdminUnit, run.unit_id),
        "steps": run_steps(run),
        "summary": summary,
        "lines": lines,
        "filters": {k: ("" if v is None else str(v)) for k, v in filters.items()},
        "commune_options": [(str(c.id), c.name) for c in communes],
        "files": run_files(run),
        "events": subject_events(
            actor=actor, subject_type=PaymentRun.__tablename__, subject_id=str(run.id), limit=100
        ),
        "format_options": [(f, gettext(FORMAT_LABELS[f])) for f in FORMATS],
        # The banks this list's lines are paid into (a file for another bank would be empty).
        "bank_options": list(
            {
                sub.bank_bin: (sub.bank_bin, f"{sub.label} ({sub.bank_bin})")
                for sub in summary.by_channel
                if sub.bank_bin
            }.values()
        ),
        "export_form": {},
        "report": None,
        "section": None,
        "errors": {},
        "problems": [],
        "form_error": None,
    }
    context.update(extra)
    return context


def _rejected(run_id, error: RegistryError, **extra: Any):
    """Undo the failed change and show the run again with what went wrong."""
    db.session.rollback()
    run = get_run(run_id, actor=current_actor())
    return render_rejected("payments/show.html", error, **_show_context(run, **extra))


# --- pages ---------------------------------------------------------------------------


def _index_context() -> dict[str, Any]:
    actor = current_actor()
    units = buildable_units(actor, today()) if actor.can(Permission.PAYMENT_BUILD) else []
    page = request.args.get("page", 1, type=int) or 1
    return {
        "runs": runs_in_scope(actor=actor, page=page, per_page=PER_PAGE),
        "units": units,
        "unit_options": [(str(u.id), f"{u.name} ({u.code})") for u in units],
        "defaults": {"month": today().strftime("%Y-%m"), "unit_id": str(actor.unit_id or "")},
    }


@bp.get("/")
@permission_required(Permission.PAYMENT_READ)
def index():
    return render_template("payments/index.html", form={}, errors={}, **_index_context())


@bp.post("/build")
@permission_required(Permission.PAYMENT_BUILD)
def build():
    """Build the run of a month for a unit, or rebuild it while it is a draft."""
    actor = current_actor()
    context = _index_context()
    try:
        data = load_form(BuildInputSchema(), request.form)
        unit = next((u for u in context["units"] if u.id == data["unit_id"]), None)
        if unit is None:
            raise ValidationError([Problem("unit_id", N_("Choose one of the options."))])
        run = build_run(data["month"], unit=unit, actor=actor, today=today(), law=_law())
        lines, total = run_totals(run)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("payments/index.html", error, form=request.form, **context)
    _flash_built(run, lines, total)
    return redirect(url_for(".show", run_id=run.id))


def _flash_built(run: PaymentRun, lines: int, total: int) -> None:
    flash(
        gettext(
            "Payment list of %(month)s built (draft): %(lines)d lines, %(total)s.",
            month=format_month(run.month),
            lines=lines,
            total=format_money(total),
        ),
        "success",
    )


@bp.get("/<uuid:run_id>")
@permission_required(Permission.PAYMENT_READ)
def show(run_id):
    run = get_run(run_id, actor=current_actor())
    return render_template("payments/show.html", **_show_context(run))


@bp.post("/<uuid:run_id>/rebuild")
@permission_required(Permission.PAYMENT_BUILD)
def rebuild(run_id):
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    try:
        unit = db.session.get(AdminUnit, run.unit_id)
        build_run(run.month, unit=unit, actor=actor, today=today(), law=_law())
        lines, total = run_totals(run)
        db.session.commit()
    except RegistryError as error:
        return _rejected(run_id, error)
    _flash_built(run, lines, total)
    return redirect(url_for(".show", run_id=run.id))


@bp.route("/<uuid:run_id>/lock", methods=["GET", "POST"])
@permission_required(Permission.PAYMENT_LOCK)
def lock(run_id):
    """Confirm the count and sum, then lock (chốt danh sách). The confirmed count and sum
    travel with the form, so a list rebuilt meanwhile is not locked unseen."""
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    if run.status is not RunStatus.DRAFT:
        flash(gettext("This payment list is already locked."), "error")
        return redirect(url_for(".show", run_id=run.id))
    lines, total = run_totals(run)
    context = {
        "run": run,
        "unit": db.session.get(AdminUnit, run.unit_id),
        "lines": lines,
        "total": total,
    }
    if request.method == "GET":
        return render_template("payments/lock.html", form={}, errors={}, **context)
    try:
        data = load_form(LockInputSchema(), request.form)
        if not data["confirm"]:
            raise ValidationError(
                [Problem("confirm", N_("Tick the box to confirm the count and the total."))]
            )
        if (data["lines"], data["total"]) != (lines, total):
            raise ConflictError(
                N_(
                    "The payment list changed since you checked it: "
                    "check the new count and total, then lock it."
                )
            )
        lock_run(run, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("payments/lock.html", error, form=request.form, **context)
    flash(
        gettext(
            "Payment list locked: %(lines)d lines, %(total)s.",
            lines=run.line_count,
            total=format_money(run.total),
        ),
        "success",
    )
    return redirect(url_for(".show", run_id=run.id))


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
            out_dir=_run_dir(run),
            payer=_payer(),
            actor=actor,
            cipher=keys.cipher,
            bank_bin=bank,
        )
        db.session.commit()
    except RegistryError as error:
        return _rejected(run_id, error, export_form=request.form)
    except OSError:
        current_app.logger.exception("cannot write a payment file into REGISTRY_EXPORT_DIR")
        error = RegistryError(
            N_("The file could not be written on the server: ask the administrator.")
        )
        return _rejected(run_id, error, export_form=request.form)
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
    path = _run_dir(run) / PurePath(stored.file_name).name
    regenerated = not path.is_file()
    try:
        if regenerated:
            _, path = export_run(
                run,
                fmt=stored.format,
                out_dir=_run_dir(run),
                payer=_payer(),
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
        return _rejected(run_id, error)
    except OSError:
        current_app.logger.exception("cannot read or write payment file %s", path)
        error = RegistryError(
            N_("The file could not be read on the server: ask the administrator.")
        )
        return _rejected(run_id, error)
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
        return _rejected(run_id, error, section="reconcile")
    return render_template("payments/show.html", **_show_context(run, report=report, source=name))
