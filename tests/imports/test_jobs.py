"""The job interface: submit, run to done or failed, interrupted jobs, and upload clean-up."""

from __future__ import annotations

import os
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.auth.actors import Actor
from registry.db import utcnow
from registry.extensions import db
from registry.identity.keyring import Keyring, write_keyring_file
from registry.imports.uploads import header_index, load_upload, store_upload, sweep
from registry.jobs import progress
from registry.jobs.models import Job, JobStatus
from registry.jobs.runner import UNEXPECTED, run_job, start
from registry.jobs.services import (
    HANDLERS,
    INTERRUPTED,
    STALE_AFTER,
    JobFailedError,
    effective_status,
    error_of,
    get_job,
    shown_progress,
    submit,
)
from registry.units.models import AdminUnit, UnitLevel
from tests import factories
from tests.conftest import TODAY, WARD_A


@pytest.fixture()
def handlers(monkeypatch):
    """Register test handlers for the duration of a test."""

    def register(kind, function):
        monkeypatch.setitem(HANDLERS, kind, function)

    return register


def units() -> int:
    return db.session.scalar(select(func.count()).select_from(AdminUnit)) or 0


def test_a_job_runs_to_done_with_its_result_and_progress_seen_while_it_runs(actor, handlers):
    seen = []

    def count_to_three(job, context):
        for done in range(1, 4):
            context.progress("checking", done, 3)
            seen.append(progress.current(job.id))
        return {"counted": 3, "params": context.params}

    handlers("test-count", count_to_three)
    officer = actor("commune_a")
    job = submit("test-count", {"n": 3}, actor=officer, unit_id=officer.unit_id)
    db.session.commit()
    assert job.status is JobStatus.QUEUED and job.created_by_id == officer.user_id

    run_job(job.id, inline=True)
    db.session.refresh(job)
    assert job.status is JobStatus.DONE
    assert job.result == {"counted": 3, "params": {"n": 3}}
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert [p.percent for p in seen] == [33, 66, 100]
    assert progress.current(job.id) is None  # the board forgets a finished job
    run_job(job.id, inline=True)  # a second start of a finished job does nothing
    db.session.refresh(job)
    assert job.status is JobStatus.DONE


def test_a_crashing_handler_fails_the_job_and_its_changes_are_rolled_back(actor, handlers):
    def crash(job, context):
        db.session.add(
            AdminUnit(code="99999", name="Xã thử", level=UnitLevel.COMMUNE, valid_from=TODAY)
        )
        db.session.flush()
        raise ZeroDivisionError("boom with personal data: Nguyễn Văn A")

    handlers("test-crash", crash)
    before = units()
    job = submit("test-crash", {}, actor=actor("commune_a"))
    db.session.commit()
    run_job(job.id, inline=True)
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED and job.error == UNEXPECTED
    assert "Nguyễn" not in job.error
    assert units() == before


def test_a_refusing_handler_keeps_its_message_and_result(actor, handlers):
    def refuse(job, context):
        raise JobFailedError("The file was refused.", result={"file_problems": [1]})

    handlers("test-refuse", refuse)
    job = submit("test-refuse", {}, actor=actor("commune_a"))
    db.session.commit()
    run_job(job.id, inline=True)
    db.session.refresh(job)
    assert (job.status, job.error, job.result) == (
        JobStatus.FAILED,
        "The file was refused.",
        {"file_problems": [1]},
    )


def test_a_running_job_with_a_stale_heartbeat_is_shown_interrupted(actor, handlers):
    handlers("test-stale", lambda job, context: {})
    job = submit("test-stale", {}, actor=actor("commune_a"))
    now = utcnow()
    job.status, job.heartbeat_at = JobStatus.RUNNING, now - STALE_AFTER - timedelta(seconds=1)
    db.session.flush()
    assert effective_status(job, now) is JobStatus.FAILED
    assert error_of(job, now).message == INTERRUPTED
    # A job this process is still running is never declared dead, however old its heartbeat
    # (on SQLite it cannot write one while its transaction holds the database).
    reporter = progress.ProgressReporter(job.id, persist=lambda: False)
    try:
        assert effective_status(job, now) is JobStatus.RUNNING
    finally:
        reporter.close()
    job.heartbeat_at = now - timedelta(seconds=30)
    assert effective_status(job, now) is JobStatus.RUNNING and error_of(job, now) is None


def test_a_job_belongs_to_its_creator_and_to_administrators_of_its_area(actor, handlers):
    handlers("test-own", lambda job, context: {})
    officer = actor("commune_a")
    job = submit("test-own", {}, actor=officer, unit_id=factories.unit(WARD_A).id)
    db.session.flush()
    assert get_job(job.id, actor=officer) is job
    assert get_job(job.id, actor=actor("admin")) is job
    for other in ("commune_b", "labour"):
        with pytest.raises(Exception, match="Not found"):
            get_job(job.id, actor=actor(other))


def test_submit_refuses_an_unknown_kind(actor):
    with pytest.raises(ValueError):
        submit("no-such-kind", {}, actor=actor("commune_a"))


def test_uploads_are_kept_for_their_owner_and_swept_after_a_day(tmp_path):
    stored = store_upload(
        tmp_path,
        "C:\\Users\\xa\\Danh sách.xlsx",
        lambda path: path.write_bytes(b"PK..."),
        user_id=7,
        commune_id=3,
        on_duplicate="skip",
    )
    assert stored.filename == "Danh sách.xlsx" and stored.path(tmp_path).is_file()
    assert load_upload(tmp_path, stored.token, user_id=7) == stored
    with pytest.raises(Exception, match="Not found"):
        load_upload(tmp_path, stored.token, user_id=8)
    with pytest.raises(Exception, match="Not found"):
        load_upload(tmp_path, "../../etc/passwd", user_id=7)
    assert sweep(tmp_path) == 0
    old = time.time() - 2 * 24 * 3600
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert sweep(tmp_path) == 2 and not any(tmp_path.iterdir())


def test_an_upload_of_another_kind_of_file_is_refused(tmp_path):
    with pytest.raises(Exception, match="xlsx"):
        store_upload(
            tmp_path, "list.pdf", lambda p: p.write_bytes(b"%PDF"), user_id=1, commune_id=1,
            on_duplicate="update",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [("DANH SÁCH HỘ",), ("", None), ("Mã hộ", "Họ tên", "Giới"), ("H1", "A", "Nam", 1950)],
            2,
        ),
        ([("Mã hộ", "Họ tên", "Giới"), ("H1", "A", "Nam")], 0),
        ([("Danh sách", None), ("ma", "ten")], 1),
    ],
)  # fmt: skip
def test_the_header_row_is_found_below_title_rows(rows, expected):
    assert header_index(rows) == expected


def test_the_background_runner_writes_progress_that_another_connection_sees(tmp_path: Path):
    """The real thread on a database of its own (the test transaction would hide its rows)."""
    from flask_migrate import upgrade

    keyring = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}",
            "REGISTRY_KEYRING": str(keyring),
            "REGISTRY_KEYRING_DATA": None,
            "SECRET_KEY": secrets.token_hex(16),
            "REGISTRY_JOBS_INLINE": False,
        }
    )
    halfway, release = threading.Event(), threading.Event()

    def slow(job, context):
        context.progress("checking", 1, 4)
        halfway.set()
        assert release.wait(10)
        return {"ok": True}

    HANDLERS["test-thread"] = slow
    try:
        with app.app_context():
            upgrade()
            job_id = submit("test-thread", {}, actor=Actor.system("tests")).id
            db.session.commit()
            start(job_id)
            assert halfway.wait(10)
            with db.engine.connect() as connection:
                row = connection.execute(
                    select(Job.status, Job.phase, Job.progress_done, Job.progress_total).where(
                        Job.id == job_id
                    )
                ).one()
            assert tuple(row) == (JobStatus.RUNNING, "checking", 1, 4)
            db.session.rollback()  # a fresh snapshot: SQLite (WAL) reads are repeatable
            assert shown_progress(db.session.get(Job, job_id)).percent == 25
            release.set()
            for _ in range(100):
                db.session.rollback()
                if db.session.get(Job, job_id).status is JobStatus.DONE:
                    break
                time.sleep(0.05)
            done = db.session.get(Job, job_id)
            assert done.status is JobStatus.DONE and done.result == {"ok": True}
            db.session.remove()
    finally:
        release.set()
        HANDLERS.pop("test-thread", None)
        with app.app_context():
            db.engine.dispose()
