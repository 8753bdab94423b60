"""A person's identity numbers: set them encrypted with a blind index, read them audited."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import ConflictError, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.identity.cccd import (
    CCCD_OVERRIDABLE_CODES,
    cccd_problems,
    mask_cccd,
    mask_tail,
    normalise_cccd,
    validate_cmnd,
)
from registry.identity.crypto import FieldCipher, FieldContext
from registry.people.models import Person


def cccd_context(person: Person) -> FieldContext:
    return cccd_field(person.id)


def cccd_field(person_id: uuid.UUID) -> FieldContext:
    """Where a person's CCCD is stored, for a row known only by its id (bulk writes)."""
    return FieldContext(table="people", column="cccd", row_id=str(person_id))


def cmnd_context(person: Person) -> FieldContext:
    return FieldContext(table="people", column="cmnd", row_id=str(person.id))


def set_cccd(
    person: Person, raw: str | None, *, cipher: FieldCipher, override_reason: str | None = None
) -> None:
    """Validate a CCCD against the person's sex and birth year, then store it encrypted.

    Structure per Decree 137/2015/NĐ-CP art. 13 and Circular 07/2016/TT-BCA art. 7 (see
    registry.identity.cccd). A mismatch of digit 4 or digits 5–6 may be accepted only with
    ``override_reason`` (as may an unpublished province code of a birth registered abroad);
    length and digits never. Raises ValidationError, or ConflictError when another person already
    has this number (found through the blind index, the database's unique column).
    """
    if raw is None or not str(raw).strip():
        person.cccd_ciphertext = person.cccd_index = None
        person.cccd_override_reason = None
        return
    number = normalise_cccd(raw)
    problems = cccd_problems(number, sex=person.sex.value, birth_year=person.birth_year)
    reason = (override_reason or "").strip()
    blocking = [p for p in problems if not (reason and p.code in CCCD_OVERRIDABLE_CODES)]
    if blocking:
        raise ValidationError(blocking)
    index = cipher.blind_index("cccd", number)
    other = db.session.scalar(
        select(Person.id).where(Person.cccd_index == index, Person.id != person.id)
    )
    if other is not None:
        raise ConflictError(N_("This CCCD number is already registered for another person."))
    person.cccd_index = index
    person.cccd_ciphertext = cipher.encrypt(number, cccd_context(person))
    person.cccd_override_reason = reason if problems else None


def set_cmnd(person: Person, raw: str | None, *, cipher: FieldCipher) -> None:
    """Store the old 9-digit CMND (valid as ID only until 31/12/2024), encrypted."""
    if raw is None or not str(raw).strip():
        person.cmnd_ciphertext = person.cmnd_index = None
        return
    number = validate_cmnd(raw)
    person.cmnd_index = cipher.blind_index("cmnd", number)
    person.cmnd_ciphertext = cipher.encrypt(number, cmnd_context(person))


def read_cccd(
    person: Person,
    *,
    actor: Actor,
    cipher: FieldCipher,
    purpose: Literal["display_masked", "display_full", "export"],
) -> str | None:
    """Decrypt the CCCD for display or export, writing an audit event every time.

    Masked display needs CCCD_VIEW_MASKED; the full number needs CCCD_REVEAL.
    Returns the masked form unless ``purpose`` asks for the full number.
    """
    if person.cccd_ciphertext is None:
        return None
    actor.require(
        Permission.CCCD_VIEW_MASKED if purpose == "display_masked" else Permission.CCCD_REVEAL
    )
    number = cipher.decrypt(person.cccd_ciphertext, cccd_context(person))
    record_event(
        AuditAction.CCCD_DECRYPT,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={"purpose": purpose, "field": "cccd"},
    )
    return number if purpose != "display_masked" else mask_cccd(number)


def read_cmnd_masked(person: Person, *, actor: Actor, cipher: FieldCipher) -> str | None:
    """The old CMND, masked, audited like the CCCD."""
    if person.cmnd_ciphertext is None:
        return None
    actor.require(Permission.CCCD_VIEW_MASKED)
    number = cipher.decrypt(person.cmnd_ciphertext, cmnd_context(person))
    record_event(
        AuditAction.CCCD_DECRYPT,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={"purpose": "display_masked", "field": "cmnd"},
    )
    return mask_tail(number)
