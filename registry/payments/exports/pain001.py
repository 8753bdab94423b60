"""ISO 20022 pain.001.001.09 credit transfers in VND, one PmtInf per creditor bank (NAPAS BIN).

Written as escaped text, element by element, without building a DOM, so a million lines
cost no more memory than the output itself. The control sums (NbOfTxs, CtrlSum) precede
the transactions they count, so the writer makes two passes over ``lines``: the first
checks every line and sums it per bank, the second writes. ``lines`` must therefore be
re-iterable (a list, a tuple, or an object whose ``__iter__`` re-runs a streamed query);
a one-shot iterator is refused. Lines of one bank must be contiguous (sort by BIN); PmtInf
blocks follow the order in which banks first appear.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator

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


def _transaction(line: ExportLine) -> str:
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


def _chunks(
    header: ExportHeader, lines: Iterable[ExportLine], groups: list[tuple[str, int, int]]
) -> Iterator[str]:
    msg_id = _text(header.message_id, 35, "MsgId")
    debtor = (
        f"<Dbtr><Nm>{_text(header.debtor_name, 140, 'debtor name')}</Nm></Dbtr>"
        f"<DbtrAcct><Id><Othr><Id>{_text(header.debtor_account, 34, 'debtor account')}</Id>"
        "</Othr></Id></DbtrAcct>"
        "<DbtrAgt><FinInstnId><ClrSysMmbId>"
        f"<MmbId>{_text(header.debtor_bank_bin, 35, 'debtor BIN')}</MmbId>"
        "</ClrSysMmbId></FinInstnId></DbtrAgt>\n"
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NAMESPACE}"><CstmrCdtTrfInitn>\n'
        f"<GrpHdr><MsgId>{msg_id}</MsgId>"
        f"<CreDtTm>{header.created_at.isoformat(timespec='seconds')}</CreDtTm>"
        f"<NbOfTxs>{sum(g[1] for g in groups)}</NbOfTxs>"
        f"<CtrlSum>{sum(g[2] for g in groups)}</CtrlSum>"
        f"<InitgPty><Nm>{_text(header.initiating_party, 140, 'initiating party')}</Nm>"
        "</InitgPty></GrpHdr>\n"
    )
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
            yield (
                f"<PmtInf><PmtInfId>{_text(f'{msg_id}-{current[0]}', 35, 'PmtInfId')}</PmtInfId>"
                f"<PmtMtd>TRF</PmtMtd><NbOfTxs>{current[1]}</NbOfTxs>"
                f"<CtrlSum>{current[2]}</CtrlSum>"
                f"<ReqdExctnDt><Dt>{header.requested_execution_date.isoformat()}</Dt></ReqdExctnDt>"
                f"{debtor}"
            )
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
    if iter(lines) is lines:
        raise TypeError("pain.001 needs a re-iterable sequence of lines, not an iterator")
    check_header(header)
    groups = _bank_groups(header, lines)
    out = io.BytesIO()  # getvalue() hands over its buffer: one copy of the file, not two
    for chunk in _chunks(header, lines, groups):
        out.write(chunk.encode("utf-8"))
    content = out.getvalue()
    return file_result(content, sum(g[1] for g in groups), sum(g[2] for g in groups))
