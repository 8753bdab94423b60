"""``flask demo seed``: fill an empty registry with synthetic demonstration data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.auth.permissions import ROLE_LABELS
from registry.calendar import office_today
from registry.demo.seed import DemoDataPresentError, DemoLogin, existing_demo_logins, seed_demo
from registry.errors import RegistryError
from registry.extensions import db


@click.group("demo", help="Demonstration data.")
def demo_cli() -> None:
    pass


@demo_cli.command("seed")
@click.option(
    "--households",
    default=300,
    show_default=True,
    type=click.IntRange(1, 20_000),
    help="How many households to create.",
)
@click.option(
    "--seed",
    default=2026,
    show_default=True,
    type=int,
    help="Seed of the random draw: the same seed gives the same names and families.",
)
@with_appcontext
def seed_command(households: int, seed: int) -> None:
    """Create synthetic households, people and one user per role in an empty registry.

    Everything goes through the registry's services (validated, encrypted, audited) and is
    committed at the end, or not at all. If any household exists, nothing is changed.
    """
    try:
        report = seed_demo(
            households=households, seed=seed, today=office_today(), actor=Actor.system("demo seed")
        )
    except DemoDataPresentError as error:
        db.session.rollback()
        click.echo(error.render(gettext))
        _echo_logins(existing_demo_logins())
        return
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    if report.units_loaded:
        click.echo(f"Loaded {report.units_loaded} administrative units of Huế.")
    click.echo(
        f"Demo data created: {report.households} households, {report.people} people "
        f"({report.deceased} deceased), {report.circumstances} circumstances, "
        f"{report.merit_records} merit records, {report.poverty_statuses} poverty statuses, "
        f"{report.decisions} approved benefit decisions, {report.accounts} payment accounts."
    )
    _echo_logins(report.logins)


def _echo_logins(logins: tuple[DemoLogin, ...]) -> None:
    if not logins:
        return
    click.echo("\nDemo logins (synthetic data only; never keep these accounts in production):")
    rows = [
        (
            login.username,
            gettext(ROLE_LABELS[login.role]),
            login.unit_name,
            login.password if login.created else f"{login.password} (unless changed since)",
        )
        for login in logins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  " + "  ".join([*cells, row[3]]))
