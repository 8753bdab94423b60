"""``flask keys``: create the keyring, show which key encrypts how many rows, rotate."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.extensions import db, keys
from registry.identity import services
from registry.identity.keyring import Keyring, write_keyring_file


@click.group("keys", help="Manage the encryption and blind-index keys.")
def keys_cli() -> None:
    pass


@keys_cli.command("init")
@click.option(
    "--path", type=click.Path(dir_okay=False), help="Where to write it (default REGISTRY_KEYRING)."
)
@with_appcontext
def init_command(path: str | None) -> None:
    """Create a new keyring file; refuses to overwrite an existing one."""
    target = path or current_app.config.get("REGISTRY_KEYRING")
    if not target:
        raise click.ClickException("Set REGISTRY_KEYRING or pass --path.")
    if Path(target).exists() and (path or current_app.config.get("REGISTRY_ENV") != "development"):
        raise click.ClickException(f"{target} exists; a keyring is never overwritten.")
    if not Path(target).exists():
        write_keyring_file(Keyring.generate(), target)
    if inspect(db.engine).has_table("audit_events"):
        record_event(
            AuditAction.KEYS_INIT,
            actor=Actor.system("keys init"),
            subject_type="keyring",
            details={"path_name": Path(target).name},
        )
        db.session.commit()
    click.echo(f"Keyring ready at {target} (mode 600). Back it up: without it no CCCD can be read.")


@keys_cli.command("status")
@with_appcontext
def status_command() -> None:
    """Show the primary key and how many rows each key id encrypts."""
    ring = keys.keyring
    click.echo(
        f"primary key id: {ring.primary_key_id}; key ids held: "
        f"{', '.join(str(k) for k in sorted(ring.encryption_keys))}"
    )
    for label, per_key in services.key_usage().items():
        shown = ", ".join(f"key {k}: {n}" for k, n in sorted(per_key.items())) or "no rows"
        click.echo(f"{label}: {shown}")
    pending = services.pending_rows(keys.cipher)
    click.echo(f"rows not yet under the primary key: {pending}")


@keys_cli.command("rotate")
@click.option("--resume", is_flag=True, help="Only finish re-encrypting; do not add a new key.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def rotate_command(resume: bool, batch_size: int) -> None:
    """Add a new primary key, then re-encrypt every row under it in resumable batches."""
    actor = Actor.system("keys rotate")
    if not resume:
        path = keys.path
        if current_app.config.get("REGISTRY_KEYRING_DATA") or not path:
            raise click.ClickException(
                "The keyring comes from REGISTRY_KEYRING_DATA: add a key there by hand, then run "
                "'flask keys rotate --resume'."
            )
        old = keys.keyring
        new = old.with_new_primary()
        # The file is replaced first: if we stop after this, --resume finishes the job.
        write_keyring_file(new, path)
        keys.replace(new)
        services.record_rotation(
            actor=actor, old_primary=old.primary_key_id, new_primary=new.primary_key_id
        )
        db.session.commit()
        click.echo(f"New primary key {new.primary_key_id} written to {path}.")
    elif services.record_rotation_if_missing(actor=actor, keyring=keys.keyring):
        db.session.commit()
    total = services.pending_rows(keys.cipher)
    with click.progressbar(length=total, label="Re-encrypting") as bar:
        for done in services.reencrypt_batches(
            keys.cipher, actor=actor, batch_size=batch_size, commit=db.session.commit
        ):
            bar.update(done)
    click.echo(f"Done: {total} rows now under key {keys.keyring.primary_key_id}.")
