"""``flask units``: load the administrative-unit tree from a CSV file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.errors import RegistryError
from registry.extensions import db
from registry.units.services import load_units

#: The units shipped with the registry (Huế, province code 46) for the demo.
BUNDLED = Path(__file__).parent / "data"


@click.group("units", help="Administrative units (province, district, commune/ward).")
def units_cli() -> None:
    pass


@units_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_command(file: Path) -> None:
    """Create or update units from FILE (code,name,level,parent_code,valid_from,valid_to).

    FILE may also name a file shipped with the registry, e.g. 46-hue.csv.
    """
    if not file.exists() and (BUNDLED / file.name).exists():
        file = BUNDLED / file.name
    if not file.exists():
        shipped = ", ".join(sorted(p.name for p in BUNDLED.glob("*.csv")))
        raise click.ClickException(f"{file}: no such file (shipped with the registry: {shipped}).")
    try:
        report = load_units(
            file.read_text(encoding="utf-8-sig"), source=file.name, actor=Actor.system("units load")
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    click.echo(f"{file.name}: {report.created} units created, {report.updated} updated.")
