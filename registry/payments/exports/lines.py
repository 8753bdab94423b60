"""The writers' input contract (ExportLine, ExportHeader), their FileResult and shared texts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from anyascii import anyascii

from registry.people.names import fold

KINDS = ("regular", "arrears", "correction", "funeral")
CHANNELS = ("bank", "post_office", "ewallet")

#: Programme labels as offices write them in the "Nội dung" (content) of a payment.
PROGRAMME_LABELS = {
    "social_assistance": "Trợ cấp xã hội",
    "social_pension": "Trợ cấp hưu trí xã hội",
    "merit": "Trợ cấp ưu đãi người có công",
}


@dataclass(frozen=True, slots=True)
class ExportLine:
    """One locked payment line (dòng chi trả), already decrypted by the caller."""

    end_to_end_id: str  #: the payment line's id, at most 35 characters
    person_name: str
    cccd: str | None  #: plaintext CCCD; its decryption is audited by the caller
    commune_code: str
    commune_name: str
    household_code: str | None
    programme: str
    month_paid_for: date
    kind: str  #: 'regular' | 'arrears' | 'correction' | 'funeral'
    amount: int  #: integer VND, > 0
    channel: str  #: 'bank' | 'post_office' | 'ewallet'
    bank_bin: str | None
    account_number: str | None
    account_holder: str | None


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """What a file says about the run as a whole; the clock and ids come from the caller."""

    message_id: str
    created_at: datetime  #: timezone-aware; also stamped into XLSX metadata
    run_month: date
    debtor_name: str
    debtor_account: str
    debtor_bank_bin: str
    requested_execution_date: date
    initiating_party: str


@dataclass(frozen=True, slots=True)
class FileResult:
    """A written file: its bytes, how many lines it pays, their sum in VND and its SHA-256."""

    content: bytes
    count: int
    total: int
    sha256: str


def file_result(content: bytes, count: int, total: int) -> FileResult:
    return FileResult(content, count, total, hashlib.sha256(content).hexdigest())


def check_line(line: ExportLine, channels: tuple[str, ...]) -> None:
    """Refuse a line this file cannot carry, naming the line so the accountant can find it."""
    if line.channel not in channels:
        raise ValueError(
            f"payment line {line.end_to_end_id}: channel {line.channel!r} does not belong in "
            f"this file (expected {' or '.join(channels)})"
        )
    if type(line.amount) is not int or line.amount <= 0:
        raise ValueError(
            f"payment line {line.end_to_end_id}: amount must be a positive integer of VND"
        )
    if line.kind not in KINDS:
        raise ValueError(f"payment line {line.end_to_end_id}: unknown kind {line.kind!r}")
    if not 1 <= len(line.end_to_end_id) <= 35:
        raise ValueError(f"payment line {line.end_to_end_id!r}: id must be 1 to 35 characters")


def check_header(header: ExportHeader) -> None:
    if header.created_at.tzinfo is None or header.created_at.utcoffset() is None:
        raise ValueError("export header: created_at must be timezone-aware")


def utc_naive(moment: datetime) -> datetime:
    """The UTC wall time XLSX metadata expects (XlsxWriter writes it with a 'Z')."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def month_text(month: date) -> str:
    return f"{month.month:02d}/{month.year}"


def description(line: ExportLine) -> str:
    """The payment's content (nội dung) in Vietnamese: 'Trợ cấp xã hội tháng 08/2026'."""
    return _description(line.programme, line.kind, line.month_paid_for)


@lru_cache(maxsize=4096)
def _description(programme: str, kind: str, month_paid_for: date) -> str:
    # A run has a handful of (programme, kind, month) triples: cached, not rebuilt per line.
    label = PROGRAMME_LABELS.get(programme, "Trợ cấp")
    month = month_text(month_paid_for)
    if kind == "funeral":
        return "Hỗ trợ chi phí mai táng"
    if kind == "arrears":
        return f"Truy lĩnh {label[0].lower()}{label[1:]} tháng {month}"
    if kind == "correction":
        return f"Điều chỉnh {label[0].lower()}{label[1:]} tháng {month}"
    return f"{label} tháng {month}"


@lru_cache(maxsize=4096)
def unaccented_upper(text: str) -> str:
    """'Trợ cấp tháng 08/2026' -> 'TRO CAP THANG 08/2026' (keeps digits and punctuation)."""
    return " ".join(anyascii(text).upper().split())


@lru_cache(maxsize=1 << 17)
def name_upper(name: str) -> str:
    """'Nguyễn Văn Đức' -> 'NGUYEN VAN DUC': letters, digits and spaces only, as banks match.

    Cached: full names repeat a great deal in a province, and folding costs microseconds."""
    return fold(name).upper()


def payee_name(line: ExportLine) -> str:
    """The name the bank matches against the account: the holder's, else the person's."""
    return name_upper(line.account_holder or line.person_name)
