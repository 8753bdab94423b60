"""Key rotation: re-encrypt every encrypted column under the primary key, in resumable batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.extensions import db
from registry.faults import checkpoint
from registry.identity.crypto import FieldCipher, FieldContext
from registry.identity.keyring import Keyring


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted column: its model, attribute and associated-data name."""

    label: str
    model: Any
    attribute: str
    table: str
    column: str

    @property
    def ciphertext(self) -> Any:
        return getattr(self.model, self.attribute)

    def context(self, row_id: object) -> FieldContext:
        return FieldContext(table=self.table, column=self.column, row_id=str(row_id))


def encrypted_columns() -> list[EncryptedColumn]:
    """Every column holding field ciphertext; rotation and status walk this list."""
    from registry.people.models import PaymentAccount, Person

    return [
        EncryptedColumn("people.cccd", Person, "cccd_ciphertext", "people", "cccd"),
        EncryptedColumn("people.cmnd", Person, "cmnd_ciphertext", "people", "cmnd"),
        EncryptedColumn(
            "payment_accounts.account_number",
            PaymentAccount,
            "account_ciphertext",
            "payment_accounts",
            "account_number",
        ),
    ]


def _key_id_sql(column: Any) -> Any:
    # Bytes 2–3 of the ciphertext header hold the key id; substr works on BLOB and bytea.
    return func.substr(column, 2, 2)


def key_usage() -> dict[str, dict[int, int]]:
    """Rows per key id for each encrypted column (for ``flask keys status``)."""
    usage: dict[str, dict[int, int]] = {}
    for col in encrypted_columns():
        key_id = _key_id_sql(col.ciphertext)
        rows = db.session.execute(
            select(key_id, func.count()).where(col.ciphertext.is_not(None)).group_by(key_id)
        ).all()
        usage[col.label] = {int.from_bytes(bytes(k), "big"): n for k, n in rows}
    return usage


def pending_rows(cipher: FieldCipher) -> int:
    """How many ciphertexts are not yet under the primary key."""
    primary = cipher.keyring.primary_key_id.to_bytes(2, "big")
    return sum(
        db.session.scalar(
            select(func.count()).where(
                col.ciphertext.is_not(None), _key_id_sql(col.ciphertext) != primary
            )
        )
        or 0
        for col in encrypted_columns()
    )


def reencrypt_batches(
    cipher: FieldCipher,
    *,
    actor: Actor,
    batch_size: int = 1000,
    commit: Callable[[], None] = lambda: None,
) -> Iterator[int]:
    """Re-encrypt, batch by batch, every ciphertext not under the primary key.

    Yields the number of rows done after each batch, once ``commit`` (the edge's commit)
    has made the batch durable; an interrupted run resumes where it stopped, since rows
    already under the primary key are skipped. Blind indexes do not change.
    """
    primary = cipher.keyring.primary_key_id
    primary_bytes = primary.to_bytes(2, "big")
    for col in encrypted_columns():
        pk = col.model.id
        last = None
        while True:
            stmt = (
                select(col.model)
                .where(col.ciphertext.is_not(None), _key_id_sql(col.ciphertext) != primary_bytes)
                .order_by(pk)
                .limit(batch_size)
            )
            if last is not None:
                stmt = stmt.where(pk > last)
            rows = db.session.scalars(stmt).all()
            if not rows:
                break
            for row in rows:
                old = getattr(row, col.attribute)
                setattr(row, col.attribute, cipher.reencrypt(old, col.context(row.id)))
            last = rows[-1].id
            db.session.flush()
            record_event(
                AuditAction.KEYS_REENCRYPT,
                actor=actor,
                subject_type="keyring",
                details={"column": col.label, "rows": len(rows), "to_key": primary},
            )
            commit()
            checkpoint("rotate-batch")
            yield len(rows)


def record_rotation(*, actor: Actor, old_primary: int, new_primary: int) -> None:
    record_event(
        AuditAction.KEYS_ROTATE,
        actor=actor,
        subject_type="keyring",
        details={"old_primary": old_primary, "new_primary": new_primary},
    )


def record_rotation_if_missing(*, actor: Actor, keyring: Keyring) -> bool:
    """On ``keys rotate --resume``: a rotation stopped between writing the key file and
    committing its audit event left no trace of the new primary key; record it now (the
    old primary being the newest other key). Returns whether an event was written."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.KEYS_ROTATE)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    ).all()
    primary = keyring.primary_key_id
    if events and (events[0].details or {}).get("new_primary") == primary:
        return False
    older = [key_id for key_id in keyring.encryption_keys if key_id != primary]
    if not older:
        return False  # a keyring that was never rotated
    record_rotation(actor=actor, old_primary=max(older), new_primary=primary)
    return True
