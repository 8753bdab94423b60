"""``flask rules``: run law cases, explain one person's month, evaluate a whole month."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.eligibility.engine import Law, load_law
from registry.eligibility.parameters import ParameterError


def configured_law() -> Law:
    """The national law plus the local-policy files named in REGISTRY_LOCAL_POLICIES."""
    return load_law(tuple(current_app.config.get("REGISTRY_LOCAL_POLICIES") or ()))


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

    try:
        law = configured_law()
        cases = load_case_files(paths)
    except (LawCaseError, ParameterError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    report = run_cases(cases, law)
    for line in format_report(report):
        click.echo(line)
    sys.exit(1 if report.failed else 0)
