"""ISO 20022 pain.001.001.09 credit transfers in VND, one PmtInf per creditor bank (NAPAS BIN).

Written as escaped text, element by element, without building a DOM. The control sums
(NbOfTxs, CtrlSum) precede the transactions they count: ``stream_pain001`` (the exporter's)
reads the lines once and spools the transactions to a temporary file, so a million lines
cost neither memory nor a second read; ``iter_pain001`` makes two passes instead (check
and sum, then write). ``lines`` must be re-iterable either way (a list, a tuple, or an
object whose ``__iter__`` re-runs a streamed query); a one-shot iterator is refused. Lines
of one bank must be contiguous (sort by BIN); PmtInf blocks follow the order in which banks
first appear.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from registry.payments.exports.lines import (
    ExportHeader,
    ExportLine,
    check_header,
    check_line,
    description,
    file_result,
    payee_name,
    unaccented_upper,
)
from registry.payments.exports.lines import FileResult as FileResult

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CHANNELS = ("bank", "ewallet")

#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str, limit: int, what: str) -> str:
    """Escape a Max<limit>Text value; too long or empty is an error, never a silent cut."""
    if not 1 <= len(value) <= limit:
        raise ValueError(f"{what}: must be 1 to {limit} characters, got {value!r}")
    if _NOT_XML.search(value):
        raise ValueError(f"{what}: contains characters XML cannot carry: {value!r}")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bank_groups(header: ExportHeader, lines: Iterable[ExportLine]) -> list[tuple[str, int, int]]:
    """First pass: check each line and return (BIN, count, total) per bank, in file order."""
    groups: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    for line in lines:
        check_line(line, CHANNELS)
        if not line.bank_bin or not (line.account_number or "").strip():
            raise ValueError(f"payment line {line.end_to_end_id}: no bank BIN or account number")
        if not groups or groups[-1][0] != line.bank_bin:
            if line.bank_bin in seen:
                raise ValueError(
                    f"payment line {line.end_to_end_id}: lines of bank {line.bank_bin} are not "
                    "contiguous; sort the lines by bank BIN"
                )
            seen.add(line.bank_bin)
            groups.append((line.bank_bin, 0, 0))
        bin_, count, total = groups[-1]
        groups[-1] = (bin_, count + 1, total + line.amount)
    if not groups:
        raise ValueError("pain.001: no payment lines to write")
    return groups


#: What a value may hold to be written as it is (no escaping, no XML-illegal character).
_PLAIN_XML = re.compile("[^&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]*")


def _transaction(line: ExportLine) -> str:
    """One CdtTrfTxInf. The common line (every value within its length, nothing to escape)
    is checked once and written with one format; any other goes through ``_text`` value by
    value, which escapes or names the value at fault. Both give the same text."""
    ref = line.end_to_end_id
    name = payee_name(line)[:140]
    bin_ = line.bank_bin or ""
    account = (line.account_number or "").strip()
    remittance = unaccented_upper(description(line))[:140]
    if (
        name
        and remittance
        and 1 <= len(ref) <= 35
        and 1 <= len(bin_) <= 35
        and 1 <= len(account) <= 34
        and _PLAIN_XML.fullmatch(f"{ref}{name}{bin_}{account}{remittance}")
    ):
        return (
            f"<CdtTrfTxInf><PmtId><EndToEndId>{ref}</EndToEndId></PmtId>"
            f'<Amt><InstdAmt Ccy="VND">{line.amount}</InstdAmt></Amt>'
            "<CdtrAgt><FinInstnId><ClrSysMmbId>"
            f"<MmbId>{bin_}</MmbId>"
            "</ClrSysMmbId></FinInstnId></CdtrAgt>"
            f"<Cdtr><Nm>{name}</Nm></Cdtr>"
            f"<CdtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></CdtrAcct>"
            f"<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>"
            "</CdtTrfTxInf>\n"
        )
    return _checked_transaction(line)


def _checked_transaction(line: ExportLine) -> str:
    ref = line.end_to_end_id
    name = payee_name(line)[:140]
    if not name:
        raise ValueError(f"payment line {ref}: the payee name has no letters or digits")
    return (
        "<CdtTrfTxInf>"
        f"<PmtId><EndToEndId>{_text(ref, 35, 'EndToEndId')}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="VND">{line.amount}</InstdAmt></Amt>'
        "<CdtrAgt><FinInstnId><ClrSysMmbId>"
        f"<MmbId>{_text(line.bank_bin or '', 35, f'payment line {ref}: BIN')}</MmbId>"
        "</ClrSysMmbId></FinInstnId></CdtrAgt>"
        f"<Cdtr><Nm>{_text(name, 140, f'payment line {ref}: name')}</Nm></Cdtr>"
        "<CdtrAcct><Id><Othr>"
        f"<Id>{_text((line.account_number or '').strip(), 34, f'payment line {ref}: account')}</Id>"
        "</Othr></Id></CdtrAcct>"
        f"<RmtInf><Ustrd>{_text(unaccented_upper(description(line))[:140], 140, ref)}</Ustrd>"
        "</RmtInf>"
        "</CdtTrfTxInf>\n"
    )


def iter_pain001(header: ExportHeader, lines: Iterable[ExportLine]) -> Iterator[str]:
    """The document as text chunks, for a caller that streams to disk (see module docstring)."""
    if iter(lines) is lines:
        raise TypeError("pain.001 needs a re-iterable sequence of lines, not an iterator")
    check_header(header)
    return _chunks(header, lines, _bank_groups(header, lines))


def _debtor(header: ExportHeader) -> str:
    return (
        f"<Dbtr><Nm>{_text(header.debtor_name, 140, 'debtor name')}</Nm></Dbtr>"
        f"<DbtrAcct><Id><Othr><Id>{_text(header.debtor_account, 34, 'debtor account')}</Id>"
        "</Othr></Id></DbtrAcct>"
        "<DbtrAgt><FinInstnId><ClrSysMmbId>"
        f"<MmbId>{_text(header.debtor_bank_bin, 35, 'debtor BIN')}</MmbId>"
        "</ClrSysMmbId></FinInstnId></DbtrAgt>\n"
    )


def _group_header(header: ExportHeader, groups: list[tuple[str, int, int]], msg_id: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NAMESPACE}"><CstmrCdtTrfInitn>\n'
        f"<GrpHdr><MsgId>{msg_id}</MsgId>"
        f"<CreDtTm>{header.created_at.isoformat(timespec='seconds')}</CreDtTm>"
        f"<NbOfTxs>{sum(g[1] for g in groups)}</NbOfTxs>"
        f"<CtrlSum>{sum(g[2] for g in groups)}</CtrlSum>"
        f"<InitgPty><Nm>{_text(header.initiating_party, 140, 'initiating party')}</Nm>"
        "</InitgPty></GrpHdr>\n"
    )


def _block_header(
    header: ExportHeader, msg_id: str, debtor: str, group: tuple[str, int, int]
) -> str:
    return (
        f"<PmtInf><PmtInfId>{_text(f'{msg_id}-{group[0]}', 35, 'PmtInfId')}</PmtInfId>"
        f"<PmtMtd>TRF</PmtMtd><NbOfTxs>{group[1]}</NbOfTxs>"
        f"<CtrlSum>{group[2]}</CtrlSum>"
        f"<ReqdExctnDt><Dt>{header.requested_execution_date.isoformat()}</Dt></ReqdExctnDt>"
        f"{debtor}"
    )


def _chunks(
    header: ExportHeader, lines: Iterable[ExportLine], groups: list[tuple[str, int, int]]
) -> Iterator[str]:
    msg_id = _text(header.message_id, 35, "MsgId")
    debtor = _debtor(header)
    yield _group_header(header, groups, msg_id)
    remaining = iter(groups)
    current: tuple[str, int, int] | None = None
    count = total = 0
    for line in lines:
        if current is None or line.bank_bin != current[0]:
            if current is not None:
                _check_group(current, count, total)
                yield "</PmtInf>\n"
            current = next(remaining, None)
            if current is None or current[0] != line.bank_bin:
                raise RuntimeError("payment lines changed between the two passes")
            count = total = 0
            yield _block_header(header, msg_id, debtor, current)
        count += 1
        total += line.amount
        yield _transaction(line)
    if current is None or next(remaining, None) is not None:
        raise RuntimeError("payment lines changed between the two passes")
    _check_group(current, count, total)
    yield "</PmtInf>\n</CstmrCdtTrfInitn></Document>\n"


def _check_group(group: tuple[str, int, int], count: int, total: int) -> None:
    if (count, total) != group[1:]:
        raise RuntimeError(f"payment lines of bank {group[0]} changed between the two passes")


def write_pain001(header: ExportHeader, lines: Iterable[ExportLine]) -> FileResult:
    """Write a pain.001.001.09 file for bank and e-wallet lines; other channels raise ValueError.

    Amounts are integer VND (``Ccy="VND"``, no fraction digits); the creditor agent is the
    bank's NAPAS BIN in ``ClrSysMmbId/MmbId`` (no ``ClrSysId``: ISO has no external code
    for NAPAS); the creditor account goes in ``Othr/Id``; names are unaccented upper case.
    """
    out = io.BytesIO()  # getvalue() hands over its buffer: one copy of the file, not two
    count, total = stream_pain001(header, lines, out)
    return file_result(out.getvalue(), count, total)


def stream_pain001(
    header: ExportHeader, lines: Iterable[ExportLine], out: IO[bytes]
) -> tuple[int, int]:
    """``write_pain001`` into a binary file in one pass over ``lines``, a few hundred
    transactions per write, so a million lines never sit in memory; returns the count and
    sum written.

    The control sums precede the transactions they count, so the transactions go to an
    anonymous temporary file first (one per bank block, in order), then are copied after
    their headers: one read of the lines instead of two (each read decrypts every account).
    """
    if iter(lines) is lines:
        raise TypeError("pain.001 needs a re-iterable sequence of lines, not an iterator")
    check_header(header)
    groups: list[tuple[str, int, int]] = []
    ends: list[int] = []
    seen: set[str] = set()
    with tempfile.TemporaryFile() as spool:
        buffer: list[str] = []
        for line in lines:
            check_line(line, CHANNELS)
            if not line.bank_bin or not (line.account_number or "").strip():
                raise ValueError(
                    f"payment line {line.end_to_end_id}: no bank BIN or account number"
                )
            if not groups or groups[-1][0] != line.bank_bin:
                if line.bank_bin in seen:
                    raise ValueError(
                        f"payment line {line.end_to_end_id}: lines of bank {line.bank_bin} are "
                        "not contiguous; sort the lines by bank BIN"
                    )
                seen.add(line.bank_bin)
                if groups:
                    spool.write("".join(buffer).encode("utf-8"))
                    buffer = []
                    ends.append(spool.tell())
                groups.append((line.bank_bin, 0, 0))
            bin_, count, total = groups[-1]
            groups[-1] = (bin_, count + 1, total + line.amount)
            buffer.append(_transaction(line))
            if len(buffer) >= 1000:
                spool.write("".join(buffer).encode("utf-8"))
                buffer = []
        if not groups:
            raise ValueError("pain.001: no payment lines to write")
        spool.write("".join(buffer).encode("utf-8"))
        ends.append(spool.tell())
        spool.seek(0)
        start = 0
        for index, chunk in enumerate(_frame(header, groups)):
            out.write(chunk.encode("utf-8"))
            if index < len(groups):
                _copy(spool, out, ends[index] - start)
                start = ends[index]
    return sum(g[1] for g in groups), sum(g[2] for g in groups)


def _frame(header: ExportHeader, groups: list[tuple[str, int, int]]) -> Iterator[str]:
    """The document around the transactions: what goes before each bank's block, then the
    end (the transactions of block i follow the i-th chunk)."""
    msg_id = _text(header.message_id, 35, "MsgId")
    debtor = _debtor(header)
    head = _group_header(header, groups, msg_id)
    for number, (bin_, count, total) in enumerate(groups):
        yield (head if number == 0 else "</PmtInf>\n") + _block_header(
            header, msg_id, debtor, (bin_, count, total)
        )
    yield "</PmtInf>\n</CstmrCdtTrfInitn></Document>\n"


def _copy(source: IO[bytes], target: IO[bytes], size: int) -> None:
    while size > 0:
        chunk = source.read(min(size, 1 << 20))
        if not chunk:
            raise RuntimeError("pain.001: the temporary transactions file is short")
        target.write(chunk)
        size -= len(chunk)
