"""A backup's manifest: what the database held (rows per table, sums, last audit hash).

The manifest is written beside the backup as ``<backup>.json``, after the backup itself:
a backup without its manifest is incomplete. It holds figures, never data, so it can be
read, mailed or compared freely; the SHA-256 of the backup file ties the two together.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

from registry.errors import RegistryError
from registry.i18n import N_

FORMAT = "registry-backup/1"


class BackupError(RegistryError):
    """A backup cannot be made or restored; nothing was changed unless the message says so."""

    message = N_("The backup could not be completed.")


@dataclass(frozen=True)
class Figures:
    """What a database holds, read in one snapshot: enough to tell two copies apart."""

    counts: dict[str, int]
    payment_total: int
    audit_last_hash: str | None
    revision: str | None

    def differences(self, expected: Figures) -> list[str]:
        """Human-readable differences from ``expected`` (empty when they agree)."""
        found = []
        for table in sorted(set(self.counts) | set(expected.counts)):
            mine, theirs = self.counts.get(table), expected.counts.get(table)
            if mine != theirs:
                found.append(f"{table}: {mine} rows, expected {theirs}")
        if self.payment_total != expected.payment_total:
            found.append(
                f"payment lines total {self.payment_total}, expected {expected.payment_total}"
            )
        if self.audit_last_hash != expected.audit_last_hash:
            found.append(
                f"last audit hash {self.audit_last_hash}, expected {expected.audit_last_hash}"
            )
        if self.revision != expected.revision:
            found.append(f"database revision {self.revision}, expected {expected.revision}")
        return found


def read_figures(connection: Connection) -> Figures:
    """Count every table and read the sums on ``connection`` (inside its transaction, so a
    REPEATABLE READ transaction gives the figures of one snapshot)."""
    names = set(inspect(connection).get_table_names())
    quote = connection.dialect.identifier_preparer.quote

    def scalar(sql: str) -> Any:
        return connection.execute(text(sql)).scalar()

    counts = {
        name: int(scalar(f"SELECT count(*) FROM {quote(name)}"))
        for name in sorted(names - {"alembic_version"})
    }
    total = (
        scalar("SELECT coalesce(sum(amount), 0) FROM payment_lines")
        if "payment_lines" in names
        else 0
    )
    last = (
        scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
        if "audit_events" in names
        else None
    )
    revision = (
        scalar("SELECT version_num FROM alembic_version") if "alembic_version" in names else None
    )
    return Figures(counts, int(total or 0), last, revision)


def has_data(figures: Figures) -> bool:
    return any(figures.counts.values())


@dataclass(frozen=True)
class Manifest:
    """The manifest of one backup file."""

    database: str  #: "sqlite" or "postgresql": where the backup can be restored
    created_at: str  #: ISO 8601, UTC
    file: str  #: the backup's file name when it was written
    size: int
    sha256: str
    figures: Figures

    def to_json(self) -> str:
        document = {"format": FORMAT, **asdict(self)}
        document["keyring"] = "not included: back up the key file separately"
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def load_manifest(backup: Path) -> Manifest:
    """The manifest beside ``backup``; BackupError when it is missing or unreadable."""
    path = manifest_path(backup)
    if not path.exists():
        raise BackupError(
            N_(
                "%(manifest)s is missing: every backup is written with its manifest, and a "
                "backup without one is incomplete."
            ),
            manifest=str(path),
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}")
        return Manifest(
            database=document["database"],
            created_at=document["created_at"],
            file=document["file"],
            size=int(document["size"]),
            sha256=document["sha256"],
            figures=Figures(
                counts={str(k): int(v) for k, v in document["figures"]["counts"].items()},
                payment_total=int(document["figures"]["payment_total"]),
                audit_last_hash=document["figures"]["audit_last_hash"],
                revision=document["figures"]["revision"],
            ),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(
            N_("%(manifest)s is not a backup manifest (%(error)s)."),
            manifest=str(path),
            error=str(error),
        ) from None


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_file(backup: Path, manifest: Manifest) -> None:
    """Refuse a backup file that is not, byte for byte, the one the manifest describes."""
    if not backup.is_file():
        raise BackupError(N_("%(file)s does not exist."), file=str(backup))
    size = backup.stat().st_size
    if size != manifest.size or file_sha256(backup) != manifest.sha256:
        raise BackupError(
            N_(
                "%(file)s is damaged or incomplete: its size or checksum differs from its "
                "manifest (%(size)s bytes found, %(expected)s expected). Nothing was changed."
            ),
            file=str(backup),
            size=size,
            expected=manifest.size,
        )
