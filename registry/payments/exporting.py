"""Exporting a locked run's files: read lines with accounts, write the bytes, keep their hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.errors import ConflictError, Problem, ValidationError
from registry.extensions import db
from registry.households.models import Household
from registry.i18n import N_
from registry.identity.crypto import FieldCipher
from registry.payments.exports.files import write_atomically
from registry.payments.exports.lines import ExportHeader, ExportLine, FileResult
from registry.payments.exports.pain001 import write_pain001
from registry.payments.exports.post_office import write_post_office_xlsx
from registry.payments.exports.tabular import template_for, write_bank_csv, write_bank_xlsx
from registry.payments.models import PaymentFile, PaymentLine, PaymentRun, RunStatus
from registry.people.accounts import account_context, napas_banks
from registry.people.identity import cccd_context
from registry.people.models import PaymentAccount, PaymentChannel, Person
from registry.units.models import AdminUnit

FORMATS = ("pain001", "bank-xlsx", "bank-csv", "post-xlsx")
_TRANSFER = (PaymentChannel.BANK.value, PaymentChannel.EWALLET.value)
_SUFFIX = {"pain001": "xml", "bank-xlsx": "xlsx", "bank-csv": "csv", "post-xlsx": "xlsx"}


@dataclass(frozen=True)
class Payer:
    """Who pays: the office's account, from settings (REGISTRY_PAYER_*)."""

    name: str
    account: str
    bank_bin: str


def export_lines(
    run: PaymentRun, *, cipher: FieldCipher, transfers: bool, bank_bin: str | None, with_cccd: bool
) -> tuple[list[ExportLine], int]:
    """The run's lines ready for a writer, sorted by bank then commune; people without an
    active bank or e-wallet account are paid in cash at the post office. Returns the lines
    and how many identifiers were decrypted (for the audit event)."""
    account = PaymentAccount
    rows = db.session.execute(
        select(PaymentLine, Person, AdminUnit, Household.code, account)
        .join(Person, Person.id == PaymentLine.person_id)
        .join(AdminUnit, AdminUnit.id == PaymentLine.commune_id)
        .outerjoin(Household, Household.id == Person.household_id)
        .outerjoin(account, and_(account.person_id == Person.id, account.is_active))
        .where(PaymentLine.run_id == run.id)
        .order_by(
            account.bank_bin, AdminUnit.code, Person.given_name_key, Person.name_key, PaymentLine.id
        )
    ).all()
    lines, decrypted = [], 0
    for line, person, commune, household_code, acct in rows:
        channel = acct.channel.value if acct is not None else PaymentChannel.POST_OFFICE.value
        if (channel in _TRANSFER) != transfers or (
            bank_bin and acct is not None and acct.bank_bin != bank_bin
        ):
            continue
        number = None
        if transfers and acct is not None and acct.account_ciphertext is not None:
            number = cipher.decrypt(acct.account_ciphertext, account_context(acct))
            decrypted += 1
        cccd = None
        if with_cccd and person.cccd_ciphertext is not None:
            cccd = cipher.decrypt(person.cccd_ciphertext, cccd_context(person))
            decrypted += 1
        lines.append(
            ExportLine(
                end_to_end_id=line.id.hex,
                person_name=person.full_name,
                cccd=cccd,
                commune_code=commune.code,
                commune_name=commune.name,
                household_code=household_code,
                programme=line.programme.value,
                month_paid_for=line.month_paid_for,
                kind=line.kind.value,
                amount=line.amount,
                channel=channel,
                bank_bin=acct.bank_bin if acct is not None else None,
                account_number=number,
                account_holder=acct.holder_name if acct is not None else None,
            )
        )
    return lines, decrypted


def _write(
    fmt: str, header: ExportHeader, lines: list[ExportLine], bank_bin: str | None
) -> FileResult:
    if fmt == "pain001":
        return write_pain001(header, lines)
    if fmt == "post-xlsx":
        return write_post_office_xlsx(header, lines)
    writer = write_bank_xlsx if fmt == "bank-xlsx" else write_bank_csv
    return writer(header, lines, template_for(bank_bin), napas_banks())


def export_run(
    run: PaymentRun,
    *,
    fmt: str,
    out_dir: Path,
    payer: Payer,
    actor: Actor,
    cipher: FieldCipher,
    bank_bin: str | None = None,
    now: datetime | None = None,
) -> tuple[PaymentFile, Path]:
    """Write one file of a locked run into ``out_dir`` (temp name, then rename) and record its
    SHA-256, count and sum. Exporting again gives the same bytes: the message id and time of
    the first export are reused, and a different result is refused (the data changed).
    Every decryption (account numbers, CCCDs) is counted in the audit event.
    """
    actor.require(Permission.PAYMENT_LOCK)
    if fmt not in FORMATS:
        raise ValidationError(
            [Problem("format", N_("Unknown file format %(format)s."), {"format": fmt})]
        )
    if run.status is RunStatus.DRAFT:
        raise ConflictError(N_("Lock the payment list before exporting it."))
    if bank_bin and bank_bin not in napas_banks():
        raise ValidationError(
            [
                Problem(
                    "bank",
                    N_("Unknown bank code %(bin)s: choose a NAPAS member bank."),
                    {"bin": bank_bin},
                )
            ]
        )
    key = bank_bin or ""
    stored = db.session.scalar(
        select(PaymentFile).where(
            PaymentFile.run_id == run.id, PaymentFile.format == fmt, PaymentFile.bank_bin == key
        )
    )
    created_at = stored.created_at if stored else (now or utcnow())
    message_id = (
        stored.message_id if stored else f"{run.month:%Y%m}{run.id.hex[:12]}{fmt[:4]}{key}"[:35]
    )
    header = ExportHeader(
        message_id=message_id,
        created_at=created_at,
        run_month=run.month,
        debtor_name=payer.name,
        debtor_account=payer.account,
        debtor_bank_bin=payer.bank_bin,
        requested_execution_date=max(run.month, created_at.date().replace(day=1)),
        initiating_party=payer.name,
    )
    lines, decrypted = export_lines(
        run,
        cipher=cipher,
        transfers=fmt != "post-xlsx",
        bank_bin=bank_bin,
        with_cccd=fmt != "pain001",
    )
    if not lines:
        raise ValidationError(
            [Problem("format", N_("This payment list has no lines for that file."))]
        )
    result = _write(fmt, header, lines, bank_bin)
    if stored is not None and stored.sha256 != result.sha256:
        raise ConflictError(
            N_("The file would differ from the one exported before: the data changed.")
        )
    name = f"chi-tra-{run.month:%Y-%m}-{fmt}{('-' + key) if key else ''}.{_SUFFIX[fmt]}"
    path = Path(out_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, result.content)
    if stored is None:
        stored = PaymentFile(
            run_id=run.id,
            format=fmt,
            bank_bin=key,
            file_name=name,
            sha256=result.sha256,
            line_count=result.count,
            total=result.total,
            message_id=message_id,
            created_at=created_at,
        )
        db.session.add(stored)
    if run.status is RunStatus.LOCKED:
        run.status = RunStatus.EXPORTED
    db.session.flush()
    record_event(
        AuditAction.RUN_EXPORT,
        actor=actor,
        subject=run,
        unit_id=run.unit_id,
        details={
            "format": fmt,
            "bank": key or None,
            "lines": result.count,
            "total": result.total,
            "sha256": result.sha256,
            "decrypted": decrypted,
        },
    )
    return stored, path
