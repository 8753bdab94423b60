"""The web import as a job: read the stored upload, check (or import) it, keep the report
and the workbook of rejected rows for the job page.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext

from registry.auth.models import User
from registry.errors import ConflictError, Problem, ValidationError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.imports.errors_workbook import write_errors_workbook
from registry.imports.kinds import BY_JOB_KIND, PEOPLE, POVERTY, ImportKind, import_kind
from registry.imports.planning import OnDuplicate
from registry.imports.poverty_services import import_poverty_review
from registry.imports.reading import Sheet, read_sheet
from registry.imports.services import ImportReport, Progress, import_people
from registry.imports.uploads import in_commune
from registry.jobs.models import Job, JobStatus
from registry.jobs.services import (
    INTERRUPTED,
    JobContext,
    JobFailedError,
    handles,
    is_interrupted,
    submit,
)
from registry.units.models import AdminUnit
from registry.units.scope import communes_in_scope

#: The job kind of the people list (each kind of list has its own: kinds.ImportKind.job_kind).
KIND = PEOPLE.job_kind
#: Every job kind of the web import.
JOB_KINDS = frozenset(BY_JOB_KIND)
#: Problems kept in the job's result for the page; the workbook of rejected rows has them all.
MAX_LISTED_PROBLEMS = 5_000
#: Modes of an import job: a dry run, all-or-nothing, or the valid rows only.
MODES = ("check", "all", "valid_only")
#: Phase names written into the job row, shown translated by the job page.
PHASES = {
    "reading": N_("Reading the file"),
    "checking": N_("Checking every row"),
    "writing": N_("Writing to the registry"),
}


def errors_file(folder: str | Path, job_id: Any) -> Path:
    return Path(folder) / f"{job_id}-errors.xlsx"


@handles(PEOPLE.job_kind)
def run_import(job: Job, context: JobContext) -> dict[str, Any]:
    """Check, or import, a people list (see run_list)."""
    return run_list(job, context, PEOPLE)


@handles(POVERTY.job_kind)
def run_poverty_import(job: Job, context: JobContext) -> dict[str, Any]:
    """Check, or import, a poverty review list (see run_list)."""
    return run_list(job, context, POVERTY)


def run_list(job: Job, context: JobContext, kind: ImportKind) -> dict[str, Any]:
    """Check, or import, the upload of ``job`` (a list of ``kind``) as the officer who submitted
    it, limited to the chosen commune. Raises JobFailedError for a file that cannot be read as
    a whole."""
    params = context.params
    mode = params["mode"]
    assert mode in MODES and context.input_path is not None
    path = Path(context.input_path)
    context.progress("reading")
    try:
        sheet = read_sheet(
            path.read_bytes(), params["filename"], mapping=params["mapping"], columns=kind.columns
        )
    except ValidationError as error:
        raise JobFailedError(
            N_("The file was refused as a whole: nothing was checked or written."),
            result={"file_problems": [_problem_json(p) for p in error.problems]},
        ) from None
    except OSError:
        raise JobFailedError(
            N_("The uploaded file is no longer on the server: upload it again.")
        ) from None
    sheet = in_commune(sheet, params["commune_code"], kind)
    actor = _actor(job, params["commune_id"])
    # End the read transaction the look-ups opened, so SQLite lets progress be written.
    db.session.rollback()
    context.progress("checking", 0, len(sheet.rows))

    def progress(stage: str, done: int, total: int) -> None:
        context.progress("checking" if stage == "check" else "writing", done, total)

    report = _IMPORTS[kind.key](sheet, actor=actor, params=params, progress=progress)
    folder = current_app.config["REGISTRY_IMPORT_DIR"]
    workbook = errors_file(folder, job.id)
    if report.problems:
        with force_locale(params.get("locale") or "vi"):
            content = write_errors_workbook(sheet, report.problems, lambda p: p.render(gettext))
        _write_atomically(workbook, content)
        # Written before the commit: if the commit fails, the job fails and the file is swept.
    if mode != "check" and report.written:
        # Imported: the upload has served its purpose (it holds CCCDs; keep it no longer).
        context.after_commit.append(lambda: _remove_upload(path))
    return _result(sheet, report, has_workbook=bool(report.problems))


def _import_people_list(
    sheet: Sheet, *, actor: Any, params: dict[str, Any], progress: Progress
) -> ImportReport:
    mode = params["mode"]
    return import_people(
        sheet,
        actor=actor,
        today=date.fromisoformat(params["today"]),
        cipher=keys.cipher,
        source=params["filename"],
        on_duplicate=OnDuplicate(params["on_duplicate"]),
        # A check counts what the valid rows would do, so the officer can choose to import them.
        valid_only=mode != "all",
        dry_run=mode == "check",
        progress=progress,
    )


def _import_poverty_list(
    sheet: Sheet, *, actor: Any, params: dict[str, Any], progress: Progress
) -> ImportReport:
    mode = params["mode"]
    return import_poverty_review(
        sheet,
        actor=actor,
        today=date.fromisoformat(params["today"]),
        source=params["filename"],
        valid_only=mode != "all",
        dry_run=mode == "check",
        progress=progress,
    )


#: How each kind of list is checked and written.
_IMPORTS: dict[str, Callable[..., ImportReport]] = {
    PEOPLE.key: _import_people_list,
    POVERTY.key: _import_poverty_list,
}


def _actor(job: Job, commune_id: int):
    """The submitting officer, acting inside the chosen commune only."""
    user = db.session.get(User, job.created_by_id) if job.created_by_id is not None else None
    if user is None or not user.is_active:
        raise JobFailedError(N_("The officer who started this import can no longer act."))
    actor = user.as_actor()
    commune = db.session.scalar(communes_in_scope(actor).where(AdminUnit.id == commune_id))
    if commune is None:
        raise JobFailedError(N_("The commune or ward of this import is outside your area."))
    # Narrowed to the commune: rows and households of any other commune are refused.
    return replace(actor, unit_id=commune.id)


def _remove_upload(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _problem_json(problem: Problem, **extra: Any) -> dict[str, Any]:
    return {"message": problem.message, "params": problem.params, **extra}


def _result(sheet: Sheet, report: ImportReport, *, has_workbook: bool) -> dict[str, Any]:
    rejected = len(report.rejected_lines)
    problems = [
        _problem_json(
            p.problem,
            row=p.line,
            column=p.column,
            header=sheet.header_of(p.column) if p.column else None,
        )
        for p in sorted(report.problems, key=lambda p: p.line)[:MAX_LISTED_PROBLEMS]
    ]
    return {
        "rows": report.rows,
        "valid": report.rows - rejected,
        "invalid": rejected,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "households_created": report.households_created,
        "written": report.written,
        "problems_total": len(report.problems),
        "problems": problems,
        "suspects": [
            {
                "row": s.line,
                "full_name": s.full_name,
                "person_id": str(s.person_id) if s.person_id else None,
                "household_code": s.household_code,
                "other_row": s.other_line,
            }
            for s in report.suspected_duplicates
        ],
        "errors_workbook": has_workbook,
    }


# --- submitting (the view commits, then starts the job) -------------------------------


def submit_import(
    upload: Any,
    commune: AdminUnit,
    *,
    mode: str,
    actor: Any,
    today: date,
    locale: str,
    folder: str | Path,
) -> Job:
    """Queue a check (or an import) of an upload whose mapping the officer confirmed, as a job
    of the upload's kind.

    Raises ValidationError when no mapping was confirmed yet. Flushes; the caller commits.
    """
    if upload.mapping is None:
        raise ValidationError(
            [Problem(None, N_("Confirm which of your columns is which before the check."))]
        )
    params = {
        "mode": mode,
        "upload": upload.token,
        "filename": upload.filename,
        "commune_id": commune.id,
        "commune_code": commune.code,
        "on_duplicate": upload.on_duplicate,
        "mapping": upload.mapping,
        "today": today.isoformat(),
        "locale": locale,
    }
    kind = import_kind(getattr(upload, "kind", None))
    return submit(
        kind.job_kind,
        {**params, "kind": kind.key},
        actor=actor,
        unit_id=commune.id,
        input_path=str(upload.path(folder)),
    )


def submit_import_after(check: Job, *, mode: str, actor: Any) -> Job:
    """Queue the import of a checked file, all rows or the valid ones only, once per check.

    Raises ConflictError when the check did not finish, found errors while ``mode`` is "all",
    or its file was imported (or is being imported) already. Flushes; the caller commits.
    """
    assert mode in ("all", "valid_only")
    # Locked, so two clicks cannot both start an import of the same file (PostgreSQL; SQLite
    # has a single writer, and the second transaction fails instead).
    db.session.refresh(check, with_for_update=True)
    result = check.result or {}
    if (
        check.kind not in JOB_KINDS
        or check.params.get("mode") != "check"
        or check.status != JobStatus.DONE
    ):
        raise ConflictError(N_("Only a finished check can be imported."))
    if mode == "all" and result.get("problems_total"):
        raise ConflictError(
            N_("Some rows have errors: correct the file, or import only the valid rows.")
        )
    earlier = result.get("import_job")
    if earlier is not None:
        previous = db.session.get(Job, uuid.UUID(earlier))
        if (
            previous is not None
            and previous.status is not JobStatus.FAILED
            and not is_interrupted(previous)
        ):
            raise ConflictError(N_("This file is already imported, or being imported."))
    if not check.input_path or not Path(check.input_path).is_file():
        raise ConflictError(N_("The uploaded file is no longer on the server: upload it again."))
    job = submit(
        check.kind,
        {**check.params, "mode": mode, "check_job": str(check.id)},
        actor=actor,
        unit_id=check.unit_id,
        input_path=check.input_path,
    )
    check.result = {**result, "import_job": str(job.id)}
    db.session.flush()
    return job


def submit_again(failed: Job, *, actor: Any) -> Job:
    """Queue a failed (or interrupted) import again with the same file and choices.

    Raises ConflictError when its file is gone. Flushes; the caller commits.
    """
    if not failed.input_path or not Path(failed.input_path).is_file():
        raise ConflictError(N_("The uploaded file is no longer on the server: upload it again."))
    if is_interrupted(failed):  # record what the page already shows
        failed.status, failed.error = JobStatus.FAILED, INTERRUPTED
    elif failed.status is not JobStatus.FAILED:
        raise ConflictError(N_("Only a failed import can be started again."))
    return submit(
        failed.kind,
        {**failed.params, "retry_of": str(failed.id)},
        actor=actor,
        unit_id=failed.unit_id,
        input_path=failed.input_path,
    )
