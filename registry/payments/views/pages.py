"""The payment list pages: the runs, building, the run page and locking."""

from __future__ import annotations

from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from registry.auth.permissions import Permission
from registry.errors import ConflictError, Problem, RegistryError, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.payments.models import PaymentRun, RunStatus
from registry.payments.queries import (
    buildable_units,
    runs_in_scope,
)
from registry.payments.services import build_run, get_run, lock_run, run_totals
from registry.payments.views import bp
from registry.payments.views.common import PER_PAGE, configured_law, rejected, show_context
from registry.payments.views.forms import BuildInputSchema, LockInputSchema
from registry.people.schemas import (
    load_form,
)
from registry.units.models import AdminUnit
from registry.web.decorators import permission_required, render_rejected
from registry.web.formatting import format_money, format_month
from registry.web.setup import current_actor, today


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
        run = build_run(data["month"], unit=unit, actor=actor, today=today(), law=configured_law())
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
    return render_template("payments/show.html", **show_context(run))


@bp.post("/<uuid:run_id>/rebuild")
@permission_required(Permission.PAYMENT_BUILD)
def rebuild(run_id):
    actor = current_actor()
    run = get_run(run_id, actor=actor)
    try:
        unit = db.session.get(AdminUnit, run.unit_id)
        build_run(run.month, unit=unit, actor=actor, today=today(), law=configured_law())
        lines, total = run_totals(run)
        db.session.commit()
    except RegistryError as error:
        return rejected(run_id, error)
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
