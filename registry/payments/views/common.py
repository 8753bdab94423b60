"""What the payment pages share: the law, the payer, the run's folder and page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    current_app,
    request,
)
from flask_babel import gettext

from registry.audit.queries import subject_events
from registry.eligibility.engine import Law, load_law
from registry.eligibility.parameters import ParameterError
from registry.entitlements.services import local_policy_paths
from registry.errors import RegistryError, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.payments.exporting import FORMATS, Payer
from registry.payments.models import PaymentRun
from registry.payments.queries import (
    run_communes,
    run_files,
    run_lines,
    run_steps,
    run_summary,
)
from registry.payments.services import get_run
from registry.payments.views.forms import LineFilterSchema
from registry.payments.views.labels import FORMAT_LABELS
from registry.people.accounts import napas_banks
from registry.people.schemas import (
    load_form,
)
from registry.units.models import AdminUnit
from registry.web.decorators import render_rejected
from registry.web.setup import current_actor

PER_PAGE = 50


def configured_law() -> Law:
    try:
        return load_law(local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ())))
    except (ParameterError, OSError):
        current_app.logger.exception("cannot load the law to build a payment list")
        raise RegistryError(
            N_("The law parameters could not be loaded; ask the administrator.")
        ) from None


def payer_from_config() -> Payer:
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


def run_folder(run: PaymentRun) -> Path:
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


def show_context(run: PaymentRun, **extra: Any) -> dict[str, Any]:
    actor = current_actor()
    banks = napas_banks()
    # The summary first: the communes and the page of lines are counted from its groups.
    summary = run_summary(run, banks=banks)
    communes = run_communes(run, summary)
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
        summary=summary,
    )
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


def rejected(run_id, error: RegistryError, **extra: Any):
    """Undo the failed change and show the run again with what went wrong."""
    db.session.rollback()
    run = get_run(run_id, actor=current_actor())
    return render_rejected("payments/show.html", error, **show_context(run, **extra))
