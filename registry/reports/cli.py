"""``flask reports``: the Resolution 42 indicators from the server's shell (read only).

Runs as the operator (no scope), prints in the office language (Vietnamese by default),
or with ``--json`` a document whose numbers are plain integers.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.entitlements.cli import MONTH
from registry.errors import RegistryError
from registry.extensions import db
from registry.payments.exports.files import atomic_output
from registry.reports.indicators import build_annual_report, indicators_for, unit_for_report
from registry.reports.model import Indicator
from registry.reports.pdf import write_report_pdf
from registry.reports.xlsx import write_report_xlsx
from registry.units.models import AdminUnit
from registry.web.formatting import format_month


@click.group(
    "reports", help="Reports for officers and leaders: Resolution 42 indicators, annual report."
)
def reports_cli() -> None:
    pass


@reports_cli.command("indicators")
@click.option("--month", required=True, type=MONTH, help="The month measured, YYYY-MM.")
@click.option(
    "--unit",
    "unit_code",
    help="Official code of a commune, district or province (default: the whole province).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of a table.")
@with_appcontext
def indicators_command(month: date, unit_code: str | None, as_json: bool) -> None:
    """Every indicator of UNIT in MONTH, with its numerator and denominator."""
    actor, today = Actor.system("reports indicators"), office_today()
    try:
        unit = unit_for_report(db.session, actor=actor, today=today, code=unit_code, month=month)
        indicators = indicators_for(db.session, unit=unit, month=month)
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    if as_json:
        click.echo(json.dumps(indicators_document(unit, month, indicators), ensure_ascii=False))
    else:
        for line in indicator_lines(unit, month, indicators):
            click.echo(line)


def _share(indicator: Indicator) -> float | None:
    share = indicator.share
    return None if share is None else float(share)


def indicators_document(
    unit: AdminUnit, month: date, indicators: list[Indicator]
) -> dict[str, Any]:
    """``{"unit", "month", "indicators": [...]}``: texts translated, share in percent."""
    return {
        "unit": unit.code,
        "month": month.strftime("%Y-%m"),
        "indicators": [
            {
                "code": i.code,
                "title": gettext(i.title),
                "numerator": i.numerator,
                "denominator": i.denominator,
                "share": _share(i),
                "month": i.month.strftime("%Y-%m"),
                "legal_basis": gettext(i.legal_basis),
            }
            for i in indicators
        ],
    }


def _percent(indicator: Indicator) -> str:
    share = indicator.share
    return "—" if share is None else f"{share}%".replace(".", ",")


def indicator_lines(unit: AdminUnit, month: date, indicators: list[Indicator]) -> list[str]:
    """A table officers read: one row per indicator, the numbers right-aligned."""
    heading = gettext(
        "Indicators of %(month)s · %(unit)s", month=format_month(month), unit=unit.name
    )
    header = (gettext("Numerator"), gettext("Denominator"), gettext("Share"))
    rows = [(str(i.numerator), str(i.denominator), _percent(i)) for i in indicators]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    code_width = max(len(i.code) for i in indicators)

    def line(code: str, cells: tuple[str, ...], title: str) -> str:
        numbers = "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        return f"{code.ljust(code_width)}  {numbers}  {title}"

    lines = [f"{heading} ({unit.code})", "", line("", header, gettext("Indicator"))]
    lines += [line(i.code, row, gettext(i.title)) for i, row in zip(indicators, rows, strict=True)]
    return lines


@reports_cli.command("annual")
@click.option("--year", required=True, type=click.IntRange(2000, 2200), help="The year reported.")
@click.option(
    "--unit",
    "unit_code",
    help="Official code of a commune, district or province (default: the whole province).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the XLSX and PDF files (created if missing).",
)
@with_appcontext
def annual_command(year: int, unit_code: str | None, out_dir: Path) -> None:
    """Write the annual report of UNIT for YEAR (Resolution 42-NQ/TW) as XLSX and PDF: the
    same files as the "Annual report" page. Each is written to a temp name and renamed."""
    actor, today = Actor.system("reports annual"), office_today()
    try:
        unit = unit_for_report(db.session, actor=actor, today=today, code=unit_code)
        report = build_annual_report(
            db.session,
            unit=unit,
            year=year,
            today=today,
            office_name=current_app.config.get("REGISTRY_OFFICE_NAME") or unit.name.upper(),
        )
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix, write in (("xlsx", write_report_xlsx), ("pdf", write_report_pdf)):
        path = out_dir / f"bao-cao-nam-{year}-{unit.code}.{suffix}"
        with atomic_output(path) as out:
            write(report, out)
        click.echo(str(path))
