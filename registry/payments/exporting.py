"""Exporting a locked run's files: read lines with accounts, write the bytes, keep their hash."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import String, and_, cast, null, or_, select

from registry.audit.actions import AuditAction
from registry.audit.services import record_event
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.db import utcnow
from registry.errors import ConflictError, Problem, ValidationError
from registry.extensions import db
from registry.faults import checkpoint
from registry.households.models import Household
from registry.i18n import N_
from registry.identity.crypto import FieldCipher
from registry.payments.bulk import roomy_cache
from registry.payments.exports.files import atomic_output, file_sha256, remove_stale_temps
from registry.payments.exports.lines import ExportHeader, ExportLine
from registry.payments.exports.pain001 import stream_pain001
from registry.payments.exports.post_office import stream_post_office_xlsx
from registry.payments.exports.tabular import stream_bank_csv, stream_bank_xlsx, template_for
from registry.payments.models import PaymentFile, PaymentLine, PaymentRun, RunStatus
from registry.people.accounts import napas_banks
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


class ExportLines:
    """The run's lines ready for a writer, streamed from the database each time they are
    iterated (pain.001 reads them twice), sorted by bank then commune, then by name; people
    without an active bank or e-wallet account are paid in cash at the post office.

    Only plain columns are read (no ORM objects), in batches, so a million lines never sit in
    memory. ``decrypted`` counts the identifiers decrypted by the first full pass (the
    audit event's figure; a second pass decrypts the same ones again).
    """

    def __init__(
        self,
        run: PaymentRun,
        *,
        cipher: FieldCipher,
        transfers: bool,
        bank_bin: str | None,
        with_cccd: bool,
    ) -> None:
        self.cipher, self.transfers, self.with_cccd = cipher, transfers, with_cccd
        self.decrypted = 0
        self._passes = 0
        account = PaymentAccount
        channel = account.channel
        where = [PaymentLine.run_id == run.id]
        if transfers:
            where.append(channel.in_(_TRANSFER))
        else:
            where.append(or_(account.id.is_(None), channel.not_in(_TRANSFER)))
        if bank_bin:
            where.append(or_(account.id.is_(None), account.bank_bin == bank_bin))
        self.statement = (
            # Ids and enum values as their text: a million UUID and enum objects cost seconds.
            select(
                _text(PaymentLine.id),
                _text(Person.id),
                Person.full_name,
                Person.cccd_ciphertext if with_cccd else null(),
                AdminUnit.code,
                AdminUnit.name,
                Household.code,
                _text(PaymentLine.programme),
                PaymentLine.month_paid_for,
                _text(PaymentLine.kind),
                PaymentLine.amount,
                _text(account.id),
                _text(channel),
                account.bank_bin,
                account.account_ciphertext if transfers else null(),
                account.holder_name,
            )
            .join(Person, Person.id == PaymentLine.person_id)
            .join(AdminUnit, AdminUnit.id == PaymentLine.commune_id)
            .outerjoin(Household, Household.id == Person.household_id)
            .outerjoin(account, and_(account.person_id == Person.id, account.is_active))
            .where(*where)
            .order_by(
                account.bank_bin,
                AdminUnit.code,
                Person.given_name_key,
                Person.name_key,
                PaymentLine.id,
            )
        )

    def __iter__(self) -> Iterator[ExportLine]:
        self._passes += 1
        count = self._passes == 1
        post_office = PaymentChannel.POST_OFFICE.value
        # Core execution with a server-side cursor where the database has one: rows arrive
        # in batches instead of all at once.
        with roomy_cache():
            rows = db.session.connection().execute(self.statement.execution_options(yield_per=2000))
            yield from self._lines(rows, count, post_office)

    def _lines(self, rows: Any, count: bool, post_office: str) -> Iterator[ExportLine]:
        # One decryptor per column: the same checks and errors as FieldCipher.decrypt, with
        # the associated data's prefix built once (see crypto.FieldCipher.decryptor).
        account_number = self.cipher.decryptor(*_ACCOUNT)
        cccd_of = self.cipher.decryptor(*_CCCD)
        decrypted = 0
        try:
            for (
                line_id, person_id, full_name, cccd_blob, commune_code, commune_name,
                household_code, programme, month_paid_for, kind, amount, account_id, channel,
                bin_, number_blob, holder,
            ) in rows:  # fmt: skip
                number = cccd = None
                if number_blob is not None:
                    number = account_number(number_blob, _dashed(account_id))
                    decrypted += 1
                if cccd_blob is not None:
                    cccd = cccd_of(cccd_blob, _dashed(person_id))
                    decrypted += 1
                yield ExportLine(
                    line_id if len(line_id) == 32 else line_id.replace("-", ""),
                    full_name,
                    cccd,
                    commune_code,
                    commune_name,
                    household_code,
                    programme,
                    month_paid_for,
                    kind,
                    amount,
                    channel if channel is not None else post_office,
                    bin_,
                    number,
                    holder,
                )
        finally:
            if count:
                self.decrypted += decrypted


_ACCOUNT = ("payment_accounts", "account_number")
_CCCD = ("people", "cccd")


def _text(column: Any) -> Any:
    return cast(column, String).label(column.key)


def _dashed(uuid_text: str) -> str:
    """A UUID as ``str(uuid)`` writes it (the row id in an encryption context), from the
    text a database returns: 32 hex digits (SQLite) or already dashed (PostgreSQL)."""
    if len(uuid_text) == 36:
        return uuid_text
    h = uuid_text
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _write(
    fmt: str, header: ExportHeader, lines: ExportLines, bank_bin: str | None, out: IO[bytes]
) -> tuple[int, int]:
    if fmt == "pain001":
        return stream_pain001(header, lines, out)
    if fmt == "post-xlsx":
        return stream_post_office_xlsx(header, lines, out)
    writer = stream_bank_xlsx if fmt == "bank-xlsx" else stream_bank_csv
    return writer(header, lines, template_for(bank_bin), napas_banks(), out)


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
    lines = ExportLines(
        run,
        cipher=cipher,
        transfers=fmt != "post-xlsx",
        bank_bin=bank_bin,
        with_cccd=fmt != "pain001",
    )
    if db.session.execute(lines.statement.order_by(None).limit(1)).first() is None:
        raise ValidationError(
            [Problem("format", N_("This payment list has no lines for that file."))]
        )
    name = f"chi-tra-{run.month:%Y-%m}-{fmt}{('-' + key) if key else ''}.{_SUFFIX[fmt]}"
    path = Path(out_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    # Streamed into a temp file next to the final name, hashed, and renamed only if it is
    # the same file as any exported before (see exports/files.py for killed exports).
    with atomic_output(path) as out:
        count, total = _write(fmt, header, lines, bank_bin, out)
        sha256 = file_sha256(out)
        if stored is not None and stored.sha256 != sha256:
            raise ConflictError(
                N_("The file would differ from the one exported before: the data changed.")
            )
        checkpoint("export-write")  # the whole file in its temp file: not renamed, not recorded
    if stored is None:
        stored = PaymentFile(
            run_id=run.id,
            format=fmt,
            bank_bin=key,
            file_name=name,
            sha256=sha256,
            line_count=count,
            total=total,
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
            "lines": count,
            "total": total,
            "sha256": sha256,
            "decrypted": lines.decrypted,
        },
    )
    return stored, path
