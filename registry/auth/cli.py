"""``flask users``: create officer accounts and their API tokens from the server's shell."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext
from flask_babel import gettext
from sqlalchemy import select

from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.auth.services import create_user
from registry.auth.tokens import create_token, get_token, revoke_token, user_tokens
from registry.calendar import office_today
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db
from registry.i18n import N_
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


@users_cli.group("token", help="Personal API tokens of a user.")
def token_cli() -> None:
    pass


@token_cli.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--expires",
    "expires_on",
    default=None,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day the token works (YYYY-MM-DD); no expiry by default.",
)
@with_appcontext
def token_create_command(username: str, name: str, expires_on: datetime | None) -> None:
    """Create an API token for USERNAME and print it once (only its hash is kept)."""
    try:
        user = _user(username)
        token, raw = create_token(
            user,
            name=name,
            expires_on=expires_on.date() if expires_on else None,
            actor=Actor.system("users token create"),
            today=office_today(),
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(
        f"Token {token.id} “{token.name}” for {user.username}; copy it now, it is not shown again:"
    )
    click.echo(raw)


@token_cli.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke_command(username: str, token_id: int) -> None:
    """Revoke the API token TOKEN_ID of USERNAME."""
    actor = Actor.system("users token revoke")
    try:
        token = get_token(token_id, user=_user(username), actor=actor)
        revoke_token(token, actor=actor, now=datetime.now(UTC))
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"Token {token.id} “{token.name}” of {username} revoked.")


@token_cli.command("list")
@click.argument("username")
@with_appcontext
def token_list_command(username: str) -> None:
    """List the API tokens of USERNAME (never the tokens themselves)."""
    try:
        tokens = user_tokens(_user(username), actor=Actor.system("users token list"))
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    now = datetime.now(UTC)
    for token in tokens:
        state = "revoked" if token.revoked_at else ("active" if token.is_usable(now) else "expired")
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.hint}…\t{state}\tlast used {used}\t{token.name}")


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFoundError(N_("No user %(username)s."), username=username)
    return user
