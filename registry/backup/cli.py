"""``flask backup create OUT`` and ``flask backup restore FILE``: the whole database, checked."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.backup import services
from registry.backup.manifest import Figures, manifest_path
from registry.backup.pgtools import masked
from registry.db import utcnow
from registry.errors import RegistryError
from registry.extensions import db, keys


@click.group("backup", help="Back up the database, or restore it from a backup.")
def backup_cli() -> None:
    pass


def _summary(figures: Figures) -> str:
    counts = figures.counts
    return gettext(
        "%(people)s people, %(households)s households, %(decisions)s benefit decisions, "
        "%(lines)s payment lines (total %(total)s VND), %(events)s audit events",
        people=counts.get("people", 0),
        households=counts.get("households", 0),
        decisions=counts.get("benefit_decisions", 0),
        lines=counts.get("payment_lines", 0),
        total=f"{figures.payment_total:,}".replace(",", "."),
        events=counts.get("audit_events", 0),
    )


def _keyring_note() -> str:
    path = current_app.config.get("REGISTRY_KEYRING")
    if current_app.config.get("REGISTRY_KEYRING_DATA") or not path:
        return gettext(
            "The keyring is NOT in the backup: it comes from REGISTRY_KEYRING_DATA, keep a "
            "copy of it separately. Without it no CCCD or account number can be read."
        )
    return gettext(
        "The keyring is NOT in the backup: the key file must be backed up separately "
        "(%(path)s). Without it no CCCD or account number can be read.",
        path=path,
    )


@backup_cli.command("create")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def create_command(out: Path) -> None:
    """Write a checked copy of the whole database to OUT, and its manifest to OUT.json."""
    out = out.absolute()
    try:
        services.record_backup(out, actor=Actor.system("backup create"))
        db.session.commit()  # the backup must hold its own audit event
        manifest = services.create_backup(out, now=utcnow())
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    click.echo(
        gettext(
            "Backup of %(database)s written to %(file)s (%(size)s bytes, sha256 %(sha256)s).",
            database=masked(db.engine.url),
            file=str(out),
            size=manifest.size,
            sha256=manifest.sha256,
        )
    )
    click.echo(gettext("Manifest: %(file)s", file=str(manifest_path(out))))
    click.echo("  " + _summary(manifest.figures))
    click.echo(
        "  "
        + gettext(
            "last audit hash %(hash)s, database revision %(revision)s",
            hash=manifest.figures.audit_last_hash or "-",
            revision=manifest.figures.revision or "-",
        )
    )
    click.echo(_keyring_note())


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE, checked against FILE.json.

    Stop the web app and any worker first: they would keep writing into the database being
    replaced. Counts, sums and the audit chain are compared with the manifest; any
    difference exits 1.
    """
    click.echo(
        gettext(
            "Restoring into %(database)s. The app and its workers must not be running.",
            database=masked(db.engine.url),
        ),
        err=True,
    )
    try:
        restored = services.restore_backup(
            file.absolute(), replace=yes, actor=Actor.system("backup restore")
        )
    except RegistryError as error:
        db.session.rollback()
        raise click.ClickException(error.render(gettext)) from None
    db.session.commit()
    figures = restored.manifest.figures
    click.echo(
        gettext(
            "Restored %(file)s (made %(created)s): counts, sums and the audit chain "
            "(%(events)s events) match its manifest.",
            file=str(file),
            created=restored.manifest.created_at,
            events=restored.events_verified,
        )
    )
    click.echo("  " + _summary(figures))
    _check_keys()
    _check_revision(figures.revision)


def _check_keys() -> None:
    """Warn when the keyring cannot read what was restored (it is never in a backup)."""
    used = services.key_ids_in_use()
    try:
        held = set(keys.keyring.encryption_keys)
    except RegistryError as error:
        click.echo(error.render(gettext), err=True)
        held = set()
    missing = sorted(used - held)
    if missing:
        click.echo(
            gettext(
                "WARNING: the keyring lacks keys %(missing)s used by the restored data: install "
                "the key file backed up with this database, or no CCCD can be read.",
                missing=", ".join(str(k) for k in missing),
            ),
            err=True,
        )


def _check_revision(revision: str | None) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    migrate: Migrate = current_app.extensions["migrate"].migrate
    heads = ScriptDirectory.from_config(migrate.get_config()).get_heads()
    if revision not in heads:
        click.echo(
            gettext(
                "The backup is at database revision %(revision)s, this version of the registry "
                "at %(head)s: run 'flask db upgrade' before starting the app.",
                revision=revision or "-",
                head=", ".join(heads),
            ),
            err=True,
        )
