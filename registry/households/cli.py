"""``flask households``: the annual poverty review list, imported from the server's shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.calendar import office_today
from registry.imports.commands import import_actor, run_import, write_file


@click.group("households", help="Households and their poverty status.")
def households_cli() -> None:
    pass


@households_cli.command("poverty-template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def poverty_template_command(out: Path) -> None:
    """Write the Excel template for ``flask households import-poverty`` to OUT (.xlsx)."""
    from registry.imports.poverty_template import write_poverty_template

    write_file(out, write_poverty_template())
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
    from registry.imports.poverty_columns import POVERTY_COLUMNS
    from registry.imports.poverty_services import import_poverty_review
    from registry.imports.reading import read_sheet

    actor, today = import_actor(username, "poverty review import"), office_today()
    run_import(
        lambda: read_sheet(file.read_bytes(), file.name, columns=POVERTY_COLUMNS),
        lambda sheet, progress: import_poverty_review(
            sheet,
            actor=actor,
            today=today,
            dry_run=dry_run,
            valid_only=valid_only,
            progress=progress,
            source=file.name,
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
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "written": report.written,
        "errors": errors,
    }


def _print_report(report, *, dry_run: bool) -> None:
    verb = "Would set" if dry_run else "Set"
    click.echo(
        f"{verb} poverty statuses: {report.created} new, {report.updated} corrected,"
        f" {report.unchanged} unchanged"
        + (f", {len(report.rejected_lines)} rows rejected" if report.problems else "")
        + "."
    )
