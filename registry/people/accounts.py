"""A person's payment account: a bank or e-wallet number encrypted like the CCCD, or cash."""

from __future__ import annotations

import csv
import uuid
from functools import cache
from importlib import resources

from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import Problem, ValidationError
from registry.extensions import db
from registry.i18n import N_
from registry.identity.cccd import mask_tail, validate_account_number
from registry.identity.crypto import FieldCipher, FieldContext
from registry.people.models import PaymentAccount, PaymentChannel, Person


@cache
def napas_banks() -> dict[str, str]:
    """NAPAS member BIN → bank short name (registry/people/data/napas-banks.csv)."""
    with (
        resources.files("registry.people")
        .joinpath("data/napas-banks.csv")
        .open(encoding="utf-8") as fh
    ):
        return {row["bin"]: row["short_name"] for row in csv.DictReader(fh)}


def account_context(account: PaymentAccount) -> FieldContext:
    return account_field(account.id)


def account_field(account_id: uuid.UUID) -> FieldContext:
    """Where an account number is stored, for a row known only by its id (bulk writes)."""
    return FieldContext(table="payment_accounts", column="account_number", row_id=str(account_id))


def account_blind_index(cipher: FieldCipher, bank_bin: str, number: str) -> bytes:
    """The blind index over ``<bin>:<number>``: the same number can exist at two banks."""
    return cipher.blind_index("account", f"{bank_bin}:{number}")


def account_problems(
    channel: PaymentChannel, bank_bin: str | None, account_number: str | None
) -> tuple[str | None, str | None, list[Problem]]:
    """Check a payment account; return the bank BIN and normalised number it keeps (None for
    post office cash) and the problems (shared by set_payment_account and the import).
    """
    problems: list[Problem] = []
    number = None
    if channel is PaymentChannel.POST_OFFICE:
        return None, None, problems
    bank_bin = (bank_bin or "").strip()
    if bank_bin not in napas_banks():
        problems.append(
            Problem(
                "bank_bin",
                N_("Unknown bank code %(bin)s: choose a NAPAS member bank."),
                {"bin": bank_bin or "—"},
            )
        )
    try:
        number = validate_account_number(account_number or "")
    except ValidationError as error:
        problems.extend(error.problems)
    return bank_bin, number, problems


def set_payment_account(
    person: Person,
    *,
    channel: PaymentChannel,
    bank_bin: str | None = None,
    account_number: str | None = None,
    holder_name: str | None = None,
    actor: Actor,
    cipher: FieldCipher,
) -> PaymentAccount:
    """Make this the person's only active payment account; the previous one is deactivated.

    Bank and e-wallet accounts need a known NAPAS bank BIN and a valid account number,
    stored encrypted with a blind index over ``<bin>:<number>`` (the same number can exist
    at two banks). Post office cash needs neither.
    """
    actor.require(Permission.PERSON_WRITE)
    bank_bin, number, problems = account_problems(channel, bank_bin, account_number)
    if problems:
        raise ValidationError(problems)
    for old in db.session.scalars(
        select(PaymentAccount).where(
            PaymentAccount.person_id == person.id, PaymentAccount.is_active
        )
    ):
        old.is_active = False
    db.session.flush()
    account = PaymentAccount(
        id=uuid.uuid4(),
        person_id=person.id,
        channel=channel,
        bank_bin=bank_bin,
        holder_name=(holder_name or person.full_name).strip(),
    )
    if number is not None:
        assert bank_bin is not None
        account.account_index = account_blind_index(cipher, bank_bin, number)
        account.account_ciphertext = cipher.encrypt(number, account_context(account))
    db.session.add(account)
    db.session.flush()
    record_event(
        AuditAction.ACCOUNT_SET,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={"channel": channel.value, "bank_bin": bank_bin, "account": str(account.id)},
    )
    return account


def read_account_masked(
    person: Person, account: PaymentAccount, *, actor: Actor, cipher: FieldCipher
) -> str | None:
    """The account number masked to its last 4 digits; the decryption is audited."""
    if account.account_ciphertext is None:
        return None
    actor.require(Permission.CCCD_VIEW_MASKED)
    number = cipher.decrypt(account.account_ciphertext, account_context(account))
    record_event(
        AuditAction.ACCOUNT_DECRYPT,
        actor=actor,
        subject=person,
        unit_id=person.commune_id,
        details={"purpose": "display_masked", "account": str(account.id)},
    )
    return mask_tail(number)
