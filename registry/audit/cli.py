"""``flask audit verify``: check that no audit event was edited or deleted."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from registry.audit.services import verify_chain


@click.group("audit", help="The audit trail.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Exit 0 when the hash chain is intact; otherwise name the first bad row and exit 1."""
    checked, broken = verify_chain()
    if broken is None:
        click.echo(f"Audit chain intact: {checked} events verified.")
        return
    click.echo(
        f"Audit chain BROKEN at event id {broken.event_id}: {broken.reason} "
        f"({checked} events before it verified).",
        err=True,
    )
    sys.exit(1)
