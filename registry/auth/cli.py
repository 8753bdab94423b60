"""``flask users``: create officer accounts from the server's shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.auth.permissions import Role
from registry.auth.services import create_user
from registry.calendar import office_today
from registry.errors import RegistryError
from registry.extensions import db
from registry.units.services import find_unit


@click.group("users", help="Officer accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--unit", "unit_code", required=True, help="Code of the unit the user covers (e.g. 46)."
)
@click.option("--full-name", default=None, help="Defaults to the username.")
@click.password_option(prompt="Password", confirmation_prompt=True)
@with_appcontext
def create_command(
    username: str, role: str, unit_code: str, full_name: str | None, password: str
) -> None:
    """Create a user with ROLE over UNIT; asks for the password twice."""
    try:
        unit = find_unit(unit_code, on=office_today())
        user = create_user(
            username=username,
            full_name=full_name or username,
            role=Role(role),
            unit=unit,
            password=password,
            actor=Actor.system("users create"),
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"User {user.username} ({role}) created for {unit.name} ({unit.code}).")
