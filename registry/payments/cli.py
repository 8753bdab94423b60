"""``flask payments``: build and lock the monthly payment run from the server's shell."""

from __future__ import annotations

import json
import uuid

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.eligibility.months import parse_month
from registry.entitlements.cli import configured_law
from registry.errors import RegistryError
from registry.extensions import db
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


@payments_cli.command("lock")
@click.argument("run_id")
@with_appcontext
def lock_command(run_id: str) -> None:
    """Freeze RUN: its lines, count and sum can no longer change."""
    actor = Actor.system("payments lock")
    try:
        run = get_run(uuid.UUID(run_id), actor=actor)
    except ValueError:
        raise click.ClickException(f"{run_id} is not a run id.") from None
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    try:
        lock_run(run, actor=actor)
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"Run {run.id} locked: {run.line_count} lines, {_money(run.total or 0)}.")
