"""``flask households``: the annual poverty review list, imported from the server's shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.calendar import office_today
from registry.errors import RegistryError, ValidationError
from registry.extensions import db

# The people import's CLI pieces (acting user, progress bars, atomic file writes) are shared.
from registry.people.cli import _fail, _import_actor, _ProgressBars, _write_atomically


@click.group("households", help="Households and their poverty status.")
def households_cli() -> None:
    pass


@households_cli.command("poverty-template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def poverty_template_command(out: Path) -> None:
    """Write the Excel template for ``flask households import-poverty`` to OUT (.xlsx)."""
    from registry.imports.poverty_template import write_poverty_template

    _write_atomically(out, write_poverty_template())
    click.echo(f"Template written to {out}.")


@households_cli.command("import-poverty")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option(
    "--valid-only", is_flag=True, help="Import the valid rows even if others have errors."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--errors-out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rejected rows, with a column “Lỗi”, to this .xlsx file.",
)
@click.option(
    "--as",
    "username",
    default=None,
    help="Act as this user (their role and area); default: the operator, with no area limit.",
)
@with_appcontext
def import_poverty_command(
    file: Path,
    dry_run: bool,
    valid_only: bool,
    as_json: bool,
    errors_out: Path | None,
    username: str | None,
) -> None:
    """Set the poverty status of the households in FILE (.xlsx or .csv) for its review year.

    Every cell is checked first; unless --valid-only, nothing is written while any row has
    an error (exit 1). Everything is written in one transaction.
    """
    from registry.imports.errors_workbook import write_errors_workbook
    from registry.imports.poverty_columns import POVERTY_COLUMNS
    from registry.imports.poverty_services import import_poverty_review
    from registry.imports.reading import read_sheet

    actor, today = _import_actor(username), office_today()
    bars = _ProgressBars(enabled=not as_json or sys.stderr.isatty())
    try:
        sheet = read_sheet(file.read_bytes(), file.name, columns=POVERTY_COLUMNS)
        report = import_poverty_review(
            sheet,
            actor=actor,
            today=today,
            dry_run=dry_run,
            valid_only=valid_only,
            progress=bars,
            source=file.name,
        )
    except ValidationError as error:  # the file as a whole: unreadable, columns missing
        db.session.rollback()
        bars.close()
        _fail(
            [
                {"row": None, "column": p.field, "message": p.render(gettext)}
                for p in error.problems
            ],
            as_json,
        )
        return
    except RegistryError as error:
        db.session.rollback()
        bars.close()
        raise click.ClickException(error.render(gettext)) from None
    bars.close()
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    if errors_out is not None and report.problems:
        _write_atomically(
            errors_out, write_errors_workbook(sheet, report.problems, lambda p: p.render(gettext))
        )
    errors = [
        {
            "row": p.line,
            "column": p.column,
            "header": sheet.header_of(p.column) if p.column else None,
            "message": p.problem.render(gettext),
        }
        for p in report.problems
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": report.skipped,
                    "written": report.written,
                    "errors": errors,
                },
                ensure_ascii=False,
            )
        )
    else:
        for error in errors:
            where = f"Row {error['row']}" + (f", {error['header']}" if error["header"] else "")
            click.echo(f"{where}: {error['message']}", err=True)
        if report.problems and not report.written and not dry_run:
            rows = len(report.rejected_lines)
            click.echo(f"Nothing imported: {rows} of {report.rows} rows have errors.", err=True)
        else:
            verb = "Would set" if dry_run else "Set"
            click.echo(
                f"{verb} poverty statuses: {report.created} new, {report.updated} corrected,"
                f" {report.unchanged} unchanged"
                + (f", {len(report.rejected_lines)} rows rejected" if report.problems else "")
                + "."
            )
    if report.problems and not valid_only:
        raise click.exceptions.Exit(1)
