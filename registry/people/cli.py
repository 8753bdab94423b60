"""``flask people``: register a person and find one by CCCD from the server's shell."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db, keys
from registry.households.services import get_household_by_code, register_household
from registry.people.identity import read_cccd
from registry.people.models import Relation, Sex
from registry.people.queries import find_by_cccd
from registry.people.services import register_person
from registry.units.services import find_unit


@click.group("people", help="People in the registry.")
def people_cli() -> None:
    pass


@people_cli.command("register")
@click.option("--commune", "commune_code", required=True, help="Official code of the commune/ward.")
@click.option("--name", "full_name", required=True)
@click.option("--birth-date", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--sex", required=True, type=click.Choice([s.value for s in Sex]))
@click.option("--cccd", required=True, help="The 12-digit personal ID number.")
@click.option(
    "--household", "household_code", help="Household code; created with this person as head if new."
)
@click.option(
    "--address", default=None, help="Address for a new household (default: the commune name)."
)
@with_appcontext
def register_command(
    commune_code, full_name, birth_date, sex, cccd, household_code, address
) -> None:
    """Register a person (and a new household); on refusal exit 1 with the reason."""
    _register(commune_code, full_name, birth_date.date(), Sex(sex), cccd, household_code, address)


def _register(
    commune_code: str,
    full_name: str,
    birth_date: date,
    sex: Sex,
    cccd: str,
    household_code: str | None,
    address: str | None,
) -> None:
    actor, today = Actor.system("people register"), office_today()
    try:
        commune = find_unit(commune_code, on=today)
        household, relation = None, None
        if household_code:
            try:
                household = get_household_by_code(household_code, actor=actor)
                relation = Relation.OTHER
            except NotFoundError:
                household = register_household(
                    code=household_code,
                    commune=commune,
                    address=address or commune.name,
                    actor=actor,
                    today=today,
                )
                relation = Relation.HEAD
            if household.commune_id != commune.id:
                raise click.ClickException(
                    f"Household {household_code} is in another commune ({household.commune.code})."
                )
        person = register_person(
            full_name=full_name,
            sex=sex,
            birth_date=birth_date,
            commune=commune,
            household=household,
            relation=relation,
            cccd=cccd,
            actor=actor,
            today=today,
            cipher=keys.cipher,
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(
        f"Registered {person.full_name} (id {person.id}) in {commune.name}"
        + (f", household {household.code}" if household else "")
        + "."
    )


@people_cli.command("find")
@click.option("--cccd", required=True)
@with_appcontext
def find_command(cccd: str) -> None:
    """Print id, masked CCCD, name and commune of the person with this CCCD; exit 1 if none."""
    actor = Actor.system("people find")
    try:
        person = find_by_cccd(cccd, actor=actor, cipher=keys.cipher)
        masked = (
            read_cccd(person, actor=actor, cipher=keys.cipher, purpose="display_masked")
            if person
            else None
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()  # the look-up itself is audited
    if person is None:
        click.echo("No person with this CCCD.", err=True)
        raise SystemExit(1)
    click.echo(
        f"{person.id}\t{masked or '-'}\t{person.full_name}\t"
        f"{person.commune.name} ({person.commune.code})"
    )
