"""What the import commands share: the acting user, progress bars, and the run-and-report loop."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask_babel import gettext
from sqlalchemy import select

from registry.auth.actors import Actor
from registry.auth.models import User
from registry.errors import RegistryError, ValidationError
from registry.extensions import db
from registry.payments.exports.files import write_atomically

_STAGES = {"check": "Checking rows", "write": "Writing"}


class ProgressBars:
    """One click progress bar per stage of an import, on stderr (stdout may carry JSON)."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(
                length=total, label=_STAGES.get(stage, stage), file=sys.stderr
            )
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def import_actor(username: str | None, purpose: str) -> Actor:
    """The user named by ``--as`` (their role and area), or the operator with no area limit."""
    if username is None:
        return Actor.system(purpose)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--as")
    return user.as_actor()


def read_mapping(map_file: Path | None) -> dict[str, str | None] | None:
    """The ``--map`` file: a JSON object {"their header": "our key" or null}."""
    if map_file is None:
        return None
    try:
        mapping = json.loads(map_file.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"not a JSON file: {error}", param_hint="--map") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(v, str | None) for v in mapping.values()
    ):
        raise click.BadParameter('expected {"their header": "our key", …}', param_hint="--map")
    return mapping


def write_file(path: Path, data: bytes) -> None:
    """Write a template or an errors workbook through a temp file and a rename."""
    write_atomically(path, data)


def _fail(errors: list[dict], as_json: bool) -> None:
    if as_json:
        empty = {"created": 0, "updated": 0, "skipped": 0, "suspected_duplicates": []}
        click.echo(json.dumps({**empty, "errors": errors}, ensure_ascii=False))
    else:
        for error in errors:
            click.echo(error["message"], err=True)
    raise click.exceptions.Exit(1)


def run_import(
    read: Callable[[], Any],
    run: Callable[[Any, ProgressBars], Any],
    *,
    as_json: bool,
    valid_only: bool,
    dry_run: bool,
    errors_out: Path | None,
    report_json: Callable[[Any, list[dict]], dict],
    print_report: Callable[[Any, list[dict]], None],
) -> None:
    """Read the sheet, run the import, commit once if it wrote, and report.

    A file that cannot be read as a whole (columns missing, not a spreadsheet) prints its
    problems and exits 1; row problems are listed by row and column (and written to
    ``errors_out``), and exit 1 unless ``valid_only``. Nothing is committed on any error.
    """
    from registry.imports.errors_workbook import write_errors_workbook

    bars = ProgressBars(enabled=not as_json or sys.stderr.isatty())
    try:
        sheet = read()
        report = run(sheet, bars)
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
        write_file(
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
        click.echo(json.dumps(report_json(report, errors), ensure_ascii=False))
    else:
        for error in errors:
            where = f"Row {error['row']}" + (f", {error['header']}" if error["header"] else "")
            click.echo(f"{where}: {error['message']}", err=True)
        if report.problems and not report.written and not dry_run:
            rows = len(report.rejected_lines)
            click.echo(f"Nothing imported: {rows} of {report.rows} rows have errors.", err=True)
        else:
            print_report(report, errors)
    if report.problems and not valid_only:
        raise click.exceptions.Exit(1)
