"""``flask people``: register, find by CCCD, and import a commune's list from the server's shell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db, keys
from registry.households.services import get_household_by_code, register_household
from registry.imports.commands import import_actor, read_mapping, run_import, write_file
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


# --- import (issue 5) -------------------------------------------------------------------


@people_cli.command("import-template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def import_template_command(out: Path) -> None:
    """Write the Excel template for ``flask people import`` to OUT (.xlsx)."""
    from registry.imports.template import write_template
    from registry.people.accounts import napas_banks

    write_file(out, write_template(napas_banks()))
    click.echo(f"Template written to {out}.")


@people_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option(
    "--valid-only", is_flag=True, help="Import the valid rows even if others have errors."
)
@click.option(
    "--on-duplicate",
    type=click.Choice(["update", "skip"]),
    default="update",
    show_default=True,
    help="A row whose CCCD is already registered updates that person, or is skipped.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--errors-out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rejected rows, with a column “Lỗi”, to this .xlsx file.",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    help='JSON object {"their header": "our key"} for a file not laid out like the template.',
)
@click.option(
    "--as",
    "username",
    default=None,
    help="Act as this user (their role and area); default: the operator, with no area limit.",
)
@with_appcontext
def import_command(
    file: Path,
    dry_run: bool,
    valid_only: bool,
    on_duplicate: str,
    as_json: bool,
    errors_out: Path | None,
    map_file: Path | None,
    username: str | None,
) -> None:
    """Import households and people from FILE (.xlsx or .csv), one row per person.

    Every cell is checked first; unless --valid-only, nothing is written while any row has
    an error (exit 1). Everything is written in one transaction.
    """
    from registry.imports.planning import OnDuplicate
    from registry.imports.reading import read_sheet
    from registry.imports.services import import_people

    mapping = read_mapping(map_file)
    actor, today = import_actor(username, "people import"), office_today()
    run_import(
        lambda: read_sheet(file.read_bytes(), file.name, mapping=mapping),
        lambda sheet, progress: import_people(
            sheet,
            actor=actor,
            today=today,
            cipher=keys.cipher,
            source=file.name,
            on_duplicate=OnDuplicate(on_duplicate),
            valid_only=valid_only,
            dry_run=dry_run,
            progress=progress,
        ),
        as_json=as_json,
        valid_only=valid_only,
        dry_run=dry_run,
        errors_out=errors_out,
        report_json=_report_json,
        print_report=lambda report, errors: _print_report(report, dry_run=dry_run),
    )


def _report_json(report, errors: list[dict]) -> dict:
    return {
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
        "unchanged": report.unchanged,
        "households_created": report.households_created,
        "rows": report.rows,
        "written": report.written,
        "suspected_duplicates": [
            {
                "row": s.line,
                "full_name": s.full_name,
                "person_id": str(s.person_id) if s.person_id else None,
                "household_code": s.household_code,
                "other_row": s.other_line,
            }
            for s in report.suspected_duplicates
        ],
        "errors": errors,
    }


def _print_report(report, *, dry_run: bool) -> None:
    for s in report.suspected_duplicates:
        other = (
            f"row {s.other_line}" if s.other_line else f"person {s.person_id} ({s.household_code})"
        )
        click.echo(f"Row {s.line}: {s.full_name} may be the same person as {other}.")
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb}: {report.created} people created ({report.households_created} new households),"
        f" {report.updated} updated, {report.unchanged} unchanged, {report.skipped} skipped"
        + (f", {len(report.rejected_lines)} rows rejected" if report.problems else "")
        + "."
    )
