"""``flask payments``: build and lock the monthly payment run from the server's shell."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.eligibility.months import parse_month
from registry.entitlements.cli import configured_law
from registry.errors import RegistryError, ValidationError
from registry.extensions import db, keys
from registry.payments.exporting import FORMATS, Payer, export_run
from registry.payments.reconciliation import reconcile_run
from registry.payments.results import parse_results
from registry.payments.services import build_run, get_run, lock_run, run_totals
from registry.units.services import find_unit


@click.group("payments", help="The monthly payment run.")
def payments_cli() -> None:
    pass


def _money(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


@payments_cli.command("build")
@click.option("--month", required=True, help="The month paid for, YYYY-MM.")
@click.option(
    "--unit", "unit_code", default="46", show_default=True, help="Unit whose communes are paid."
)
@click.option("--json", "as_json", is_flag=True, help='Print {"id": …, "lines": …, "total": …}.')
@with_appcontext
def build_command(month: str, unit_code: str, as_json: bool) -> None:
    """Create, or refresh while still a draft, the run of MONTH for UNIT."""
    actor, today = Actor.system("payments build"), office_today()
    try:
        paid_for = parse_month(month)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from None
    try:
        run = build_run(
            paid_for,
            unit=find_unit(unit_code, on=today),
            actor=actor,
            today=today,
            law=configured_law(),
        )
        lines, total = run_totals(run)
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"id": str(run.id), "lines": lines, "total": total}))
    else:
        click.echo(f"Run {run.id} for {paid_for:%m/%Y}: {lines} lines, {_money(total)} (draft).")


def _run(run_id: str, actor: Actor):
    """The run with this id in the actor's scope, or a clear error."""
    try:
        return get_run(uuid.UUID(run_id), actor=actor)
    except ValueError:
        raise click.ClickException(f"{run_id} is not a run id.") from None
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None


@payments_cli.command("lock")
@click.argument("run_id")
@with_appcontext
def lock_command(run_id: str) -> None:
    """Freeze RUN: its lines, count and sum can no longer change."""
    actor = Actor.system("payments lock")
    run = _run(run_id, actor)
    try:
        lock_run(run, actor=actor)
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"Run {run.id} locked: {run.line_count} lines, {_money(run.total or 0)}.")


@payments_cli.command("reconcile")
@click.argument("run_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@with_appcontext
def reconcile_command(run_id: str, file: Path) -> None:
    """Mark RUN's lines paid or failed from the bank's result FILE (CSV, XLSX or pain.002).

    Any unknown id, changed amount or repeated result is reported and nothing is applied.
    """
    actor = Actor.system("payments reconcile")
    run = _run(run_id, actor)
    try:
        rows = parse_results(file.read_bytes(), file.name)
        report = reconcile_run(run, rows, source=file.name, actor=actor)
    except ValidationError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem.render(gettext), err=True)
        raise click.exceptions.Exit(1) from None
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(
        f"Run {run.id} reconciled from {file.name}: {report.paid} paid, {report.failed} failed, "
        f"{report.remaining} without result ({run.status.value})."
    )


@payments_cli.command("export")
@click.argument("run_id")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--bank", "bank_bin", default=None, help="Only this bank's lines (NAPAS BIN).")
@with_appcontext
def export_command(run_id: str, fmt: str, out_dir: Path, bank_bin: str | None) -> None:
    """Write a file of a locked RUN into OUT (pain.001, bank XLSX/CSV or the post-office list)."""
    from flask import current_app

    config = current_app.config
    missing = [
        n
        for n in ("REGISTRY_PAYER_NAME", "REGISTRY_PAYER_ACCOUNT", "REGISTRY_PAYER_BIN")
        if not config.get(n)
    ]
    if missing:
        raise click.ClickException(
            f"Set {', '.join(missing)} (the paying office's account): see .env.example."
        )
    payer = Payer(
        config["REGISTRY_PAYER_NAME"],
        config["REGISTRY_PAYER_ACCOUNT"],
        config["REGISTRY_PAYER_BIN"],
    )
    actor = Actor.system("payments export")
    run = _run(run_id, actor)
    try:
        stored, path = export_run(
            run,
            fmt=fmt,
            out_dir=out_dir,
            payer=payer,
            actor=actor,
            cipher=keys.cipher,
            bank_bin=bank_bin,
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"{path}: {stored.line_count} lines, {_money(stored.total)}, sha256 {stored.sha256}")
