"""``flask rules``: run law cases, explain one person's month, evaluate a whole month."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.eligibility.parameters import ParameterError
from registry.entitlements.cli import configured_law, evaluate_command, explain_command


@click.group("rules", help="The law engine: law cases, explanations, monthly evaluation.")
def rules_cli() -> None:
    pass


@rules_cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def test_command(paths: tuple[Path, ...]) -> None:
    """Run the YAML law cases in PATHS (files or folders); exit 1 if any case fails."""
    from registry.eligibility.lawcases import (
        LawCaseError,
        format_report,
        load_case_files,
        run_cases,
    )

    law = configured_law()
    try:
        cases = load_case_files(paths)
    except (LawCaseError, ParameterError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    report = run_cases(cases, law)
    for line in format_report(report):
        click.echo(line)
    sys.exit(1 if report.failed else 0)


rules_cli.add_command(explain_command)
rules_cli.add_command(evaluate_command)
