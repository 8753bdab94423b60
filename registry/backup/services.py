"""Backup and restore use cases: SQLite through its online backup API, PostgreSQL through
pg_dump/pg_restore; each checked against the manifest (registry/backup/manifest.py).

Files are written under a hidden temporary name beside the target and renamed only once
complete and checked, so a crash never leaves a half-written backup under its final name.
The keyring is never part of a backup: without it an encrypted CCCD cannot be read, so it
must be backed up separately.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from registry.audit.actions import AuditAction
from registry.audit.services import record_event, verify_chain
from registry.auth.actors import Actor
from registry.backup import pgtools
from registry.backup.manifest import (
    BackupError,
    Figures,
    Manifest,
    check_file,
    file_sha256,
    has_data,
    load_manifest,
    manifest_path,
    read_figures,
)
from registry.extensions import db
from registry.i18n import N_
from registry.payments.exports.files import write_atomically

__all__ = ["BackupError", "Restored", "create_backup", "record_backup", "restore_backup"]


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(N_("Backups support SQLite and PostgreSQL, not %(name)s."), name=name)
    return name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(N_("An in-memory SQLite database cannot be backed up or restored."))
    return Path(database)


# --- temporary files beside the target --------------------------------------------------


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.backup."


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    """A fresh temporary path in ``target``'s directory, removed (with SQLite's side files)
    unless the block renamed it; leftovers of killed processes are removed first."""
    _remove_stale_temps(target)
    path = target.with_name(f"{_temp_prefix(target)}{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # Owner-only from the start: a backup holds names, birth dates and ciphertexts.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield path
    finally:
        for leftover in (path, *(Path(f"{path}{s}") for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def _remove_stale_temps(target: Path) -> None:
    prefix = _temp_prefix(target)
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(target.parent):
            if not entry.name.startswith(prefix):
                continue
            pid = entry.name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- create ------------------------------------------------------------------------------


def record_backup(out: Path, *, actor: Actor) -> None:
    """Check that ``out`` can be written, then audit the backup about to read everything
    (ciphertexts included). The edge commits before ``create_backup``, so the backup holds
    its own event and the manifest's last audit hash is that event's."""
    _dialect()
    if out.exists() or manifest_path(out).exists():
        raise BackupError(
            N_("%(file)s already exists: a backup never replaces another. Choose a new name."),
            file=str(out),
        )
    if not out.parent.is_dir():
        raise BackupError(N_("The directory %(dir)s does not exist."), dir=str(out.parent))
    figures = read_figures(db.session.connection())
    record_event(
        AuditAction.BACKUP_CREATE,
        actor=actor,
        subject_type="database",
        details={
            "backup_file": out.name,
            "people_count": figures.counts.get("people", 0),
            "households_count": figures.counts.get("households", 0),
            "decisions_count": figures.counts.get("benefit_decisions", 0),
            "payment_lines_count": figures.counts.get("payment_lines", 0),
            "payment_total": figures.payment_total,
        },
    )


def create_backup(out: Path, *, now: datetime) -> Manifest:
    """Write a consistent copy of the database to ``out`` and its manifest to ``out.json``.

    SQLite: the online backup API (one read snapshot), then PRAGMA integrity_check on the
    copy. PostgreSQL: pg_dump --format=custom in an exported snapshot, the figures read in
    that same snapshot, then pg_restore --list as the check. The figures of the manifest
    are those of the copy. Raises BackupError; ``out`` then does not exist.
    """
    dialect = _dialect()
    db.session.close()  # nothing of ours may hold a transaction while the copy is taken
    with _temp_beside(out) as temp:
        figures = _sqlite_copy(temp) if dialect == "sqlite" else _pg_dump(temp)
        _fsync(temp)
        manifest = Manifest(
            database=dialect,
            created_at=now.isoformat(timespec="seconds"),
            file=out.name,
            size=temp.stat().st_size,
            sha256=file_sha256(temp),
            figures=figures,
        )
        os.replace(temp, out)
    # Last: the manifest marks the backup complete.
    write_atomically(manifest_path(out), manifest.to_json().encode("utf-8"))
    return manifest


def _sqlite_copy(temp: Path) -> Figures:
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(temp)
        try:
            raw.driver_connection.backup(target)  # all pages in one step: one snapshot
            # A self-contained file: no -wal beside it is needed to read it.
            target.execute("PRAGMA journal_mode = DELETE")
            _integrity(target, temp)
        finally:
            target.close()
    finally:
        raw.close()
    return _figures_of_file(temp)


def _integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        result = [str(error)]
    if result != ["ok"]:
        raise BackupError(
            N_("%(file)s fails SQLite's integrity check: %(detail)s"),
            file=str(path),
            detail="; ".join(result[:5]),
        )


@contextlib.contextmanager
def _file_engine(path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


def _figures_of_file(path: Path) -> Figures:
    with _file_engine(path) as engine, engine.connect() as connection:
        return read_figures(connection)


def _server_major() -> int:
    number = db.session.execute(text("SHOW server_version_num")).scalar_one()
    db.session.close()
    return int(number) // 10000


def _pg_dump(temp: Path) -> Figures:
    pg_dump = pgtools.find_program("pg_dump", _server_major())
    pg_restore = pgtools.find_program("pg_restore", _server_major())
    uri, env = pgtools.libpq_target(db.engine.url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            figures = read_figures(connection)
            # The snapshot lives as long as this transaction: pg_dump must start inside it.
            pgtools.run_tool(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={temp}", uri],
                env,
                "pg_dump",
            )
    pgtools.run_tool([pg_restore, "--list", str(temp)], env, "pg_restore --list")
    return figures


# --- restore -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore checked: the manifest it matched and the audit events verified."""

    manifest: Manifest
    events_verified: int


def target_figures() -> Figures:
    """The figures of the app's database as it is now."""
    figures = read_figures(db.session.connection())
    db.session.close()
    return figures


def restore_backup(backup: Path, *, replace: bool, actor: Actor) -> Restored:
    """Replace the app's database with ``backup``, after checking it against its manifest.

    Refuses (BackupError, nothing changed) when the manifest is missing, the file differs
    from it, the backup is of the other kind of database, or the target holds data and
    ``replace`` is false. SQLite: the copy is checked (integrity, figures, audit chain)
    before it replaces the database, in one SQLite transaction. PostgreSQL: pg_restore
    --clean --single-transaction, then the same checks on the result; a mismatch then
    raises BackupError saying the database was replaced. Audits the restore (flushed).
    The app must not be running: it would keep writing into the database being replaced.
    """
    dialect = _dialect()
    manifest = load_manifest(backup)
    if manifest.database != dialect:
        raise BackupError(
            N_("%(file)s is a %(kind)s backup: it cannot be restored into %(target)s."),
            file=str(backup),
            kind=manifest.database,
            target=dialect,
        )
    check_file(backup, manifest)
    current = target_figures()
    if has_data(current) and not replace:
        raise BackupError(
            N_(
                "The database already holds data (%(people)s people, %(events)s audit "
                "events): restoring replaces all of it. Stop the app, then run again with --yes."
            ),
            people=current.counts.get("people", 0),
            events=current.counts.get("audit_events", 0),
        )
    if dialect == "sqlite":
        checked = _sqlite_restore(backup, manifest)
    else:
        checked = _pg_restore(backup, manifest)
    record_event(
        AuditAction.BACKUP_RESTORE,
        actor=actor,
        subject_type="database",
        details={
            "backup_file": backup.name,
            "backup_created_at": manifest.created_at,
            "audit_events_count": checked,
            "database_revision": manifest.figures.revision,
        },
    )
    return Restored(manifest, checked)


def _mismatch(backup: Path, differences: list[str], *, replaced: bool) -> BackupError:
    message = (
        N_(
            "The database restored from %(file)s does not match its manifest, and it has "
            "already replaced the previous one: do not use it. %(differences)s"
        )
        if replaced
        else N_("%(file)s does not match its manifest; nothing was changed. %(differences)s")
    )
    return BackupError(message, file=str(backup), differences="; ".join(differences[:10]))


def _check_chain(session: Session | None, manifest: Manifest, backup: Path, replaced: bool) -> int:
    checked, broken = verify_chain(session=session)
    if broken is not None:
        detail = f"audit chain broken at event {broken.event_id}: {broken.reason}"
        raise _mismatch(backup, [detail], replaced=replaced)
    return checked


def _sqlite_restore(backup: Path, manifest: Manifest) -> int:
    target = _sqlite_path()
    db.session.close()
    db.engine.dispose()  # our own connections must not hold the file while it is replaced
    with _temp_beside(target) as temp:
        shutil.copyfile(backup, temp)
        check = sqlite3.connect(temp)
        try:
            _integrity(check, backup)
        finally:
            check.close()
        with _file_engine(temp) as engine:
            with engine.connect() as connection:
                differences = read_figures(connection).differences(manifest.figures)
            if differences:
                raise _mismatch(backup, differences, replaced=False)
            with Session(engine) as session:
                checked = _check_chain(session, manifest, backup, replaced=False)
        source, destination = sqlite3.connect(temp), sqlite3.connect(target, timeout=30)
        try:
            # SQLite copies every page in one write transaction of the target: a crash
            # leaves the old database, and its WAL, if any, stays consistent.
            source.backup(destination)
        except sqlite3.Error as error:
            raise BackupError(
                N_("%(file)s could not be written: %(error)s. Is the app still running?"),
                file=str(target),
                error=str(error),
            ) from None
        finally:
            source.close()
            destination.close()
    differences = target_figures().differences(manifest.figures)
    if differences:
        raise _mismatch(backup, differences, replaced=True)
    return checked


def _pg_restore(backup: Path, manifest: Manifest) -> int:
    pg_restore = pgtools.find_program("pg_restore", _server_major())
    uri, env = pgtools.libpq_target(db.engine.url)
    pgtools.run_tool([pg_restore, "--list", str(backup)], env, "pg_restore --list")
    db.session.close()
    db.engine.dispose()  # an idle connection of ours would block the DROPs of --clean
    pgtools.run_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(backup),
        ],
        env,
        "pg_restore",
    )
    differences = target_figures().differences(manifest.figures)
    if differences:
        raise _mismatch(backup, differences, replaced=True)
    return _check_chain(None, manifest, backup, replaced=True)


def key_ids_in_use() -> set[int]:
    """Key ids of every ciphertext in the database (for the restore's keyring check)."""
    from registry.identity.services import key_usage

    used = {key_id for per_key in key_usage().values() for key_id in per_key}
    db.session.close()
    return used
