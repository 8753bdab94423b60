"""An export killed mid-way leaves no file under its name and records nothing; exporting
again writes the complete file, whose control totals are the locked run's, and no payment
line changes.

``flask payments export`` streams the file into a hidden temp file next to the final name
(``.<name>.<pid>.<random>.tmp``, registry/payments/exports/files.py), renames it, then
records the export (its PaymentFile row, the run's status, the audit event) and commits.
The pause point ``export-write`` stops it once the whole file is in the temp file, before
the rename and before anything is recorded. Nothing can remove the temp file of a process
killed there: it is a dot-file that listings ignore, and the next export of the same file
removes it (its writer is no longer running).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from sqlalchemy import and_, func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.payments.exports.files import is_temp_name
from registry.payments.exports.pain001 import NAMESPACE
from registry.payments.models import PaymentFile, PaymentLine, PaymentRun
from registry.people.models import PaymentAccount
from tests.faults.conftest import Registry

MONTH = "2026-11"
POINT = "export-write"
#: The paying office (the export refuses to run without it).
PAYER = {
    "REGISTRY_PAYER_NAME": "PHONG LAO DONG THUONG BINH VA XA HOI THANH PHO HUE",
    "REGISTRY_PAYER_ACCOUNT": "3761000123456",
    "REGISTRY_PAYER_BIN": "970405",
}
TRANSFER = {"bank", "ewallet"}


@pytest.fixture()
def locked(registry: Registry) -> tuple[Registry, str]:
    """The registry (its commands given the payer's account) and its locked run of MONTH."""
    plain = registry.env
    registry.env = lambda pause=None: {**plain(pause), **PAYER}  # type: ignore[method-assign]
    built = json.loads(registry.run("payments", "build", "--month", MONTH, "--json").stdout)
    registry.run("payments", "lock", built["id"])
    return registry, built["id"]


@dataclass(frozen=True)
class State:
    """What the database says about the run and its exports."""

    status: str
    line_count: int
    total: int
    #: (line id, decision, month, kind, amount, status) of every line of the run.
    lines: frozenset[tuple]
    #: (format, bank, file name, sha256, count, total) of every exported file.
    files: frozenset[tuple]
    #: The details of every export audit event.
    events: tuple[dict, ...]


def _state(registry: Registry, run_id: str) -> State:
    with registry.app():
        run = db.session.get(PaymentRun, uuid.UUID(run_id))
        assert run is not None
        rows = db.session.execute(
            select(
                PaymentLine.id,
                PaymentLine.decision_id,
                PaymentLine.month_paid_for,
                PaymentLine.kind,
                PaymentLine.amount,
                PaymentLine.status,
            ).where(PaymentLine.run_id == run.id)
        ).all()
        lines = [
            (r.id, r.decision_id, r.month_paid_for, str(r.kind), r.amount, str(r.status))
            for r in rows
        ]
        assert len(lines) == len({line[1:4] for line in lines}), "a payment is there twice"
        files = frozenset(
            (f.format, f.bank_bin, f.file_name, f.sha256, f.line_count, f.total)
            for f in db.session.scalars(select(PaymentFile).where(PaymentFile.run_id == run.id))
        )
        events = tuple(
            db.session.scalars(
                select(AuditEvent.details)
                .where(AuditEvent.action == AuditAction.RUN_EXPORT)
                .order_by(AuditEvent.id)
            )
        )
        return State(
            str(run.status), run.line_count or 0, run.total or 0, frozenset(lines), files, events
        )


def _paid_by(registry: Registry, run_id: str) -> dict[str, tuple[str | None, str | None]]:
    """Line id (hex, the files' end-to-end id) → (channel, bank BIN) of its payee's account."""
    with registry.app():
        rows = db.session.execute(
            select(PaymentLine.id, PaymentAccount.channel, PaymentAccount.bank_bin)
            .outerjoin(
                PaymentAccount,
                and_(
                    PaymentAccount.person_id == PaymentLine.person_id,
                    PaymentAccount.is_active,
                ),
            )
            .where(PaymentLine.run_id == uuid.UUID(run_id))
        ).all()
    paid = {r.id.hex: (str(r.channel) if r.channel else None, r.bank_bin) for r in rows}
    assert len(paid) == len(rows), "a person with two active accounts"
    return paid


def _expected(state: State, paid: dict, fmt: str, bank: str | None) -> dict[str, int]:
    """Line id (hex) → amount of the lines the file must hold, from the database."""
    amounts = {line[0].hex: line[4] for line in state.lines}
    if fmt == "post-xlsx":
        return {i: a for i, a in amounts.items() if paid[i][0] not in TRANSFER}
    return {
        i: a
        for i, a in amounts.items()
        if paid[i][0] in TRANSFER and (bank is None or paid[i][1] == bank)
    }


@cache
def _pain001_schema() -> etree.XMLSchema:
    xsd = resources.files("sepaxml").joinpath("schemas", "pain.001.001.09.xsd")
    with resources.as_file(xsd) as path:
        return etree.XMLSchema(etree.parse(str(path)))


@dataclass(frozen=True)
class Totals:
    """A file's control totals, and its transactions as it lists them."""

    count: int
    total: int
    #: (end-to-end id or None where the file has none, amount) of each transaction, in order.
    transactions: tuple[tuple[str | None, int], ...]


def _read(fmt: str, content: bytes) -> Totals:
    """The control totals the file states, and its transactions."""
    if fmt == "pain001":
        doc = etree.fromstring(content)
        schema = _pain001_schema()
        assert schema.validate(doc), schema.error_log
        ns = {"p": NAMESPACE}
        transactions = tuple(
            (
                tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns),
                int(tx.findtext("p:Amt/p:InstdAmt", namespaces=ns)),
            )
            for tx in doc.iterfind(".//p:CdtTrfTxInf", ns)
        )
        return Totals(
            int(doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns)),
            int(doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns)),
            transactions,
        )
    rows = list(openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.values)
    if fmt == "bank-xlsx":  # the DEFAULT template: STT … amount (6th) … end-to-end id (8th)
        assert rows[0][5] == "Số tiền" and rows[0][7] == "Mã giao dịch"
        *body, last = rows[1:]
        assert last[0] == "Tổng cộng"
        return Totals(last[1], last[5], tuple((row[7], row[5]) for row in body))
    # The post-office list: communes' titles, numbered rows and subtotals, then the total.
    body = [row for row in rows[3:] if isinstance(row[0], int)]
    label, total = rows[-1][1], rows[-1][5]
    assert label.startswith("TỔNG CỘNG: ") and label.endswith(" người")
    return Totals(int(label.split()[2]), total, tuple((None, row[5]) for row in body))


def _export(registry: Registry, run_id: str, fmt: str, bank: str | None, out: Path) -> list[str]:
    return [
        "payments",
        "export",
        run_id,
        "--format",
        fmt,
        "--out",
        str(out),
        *(["--bank", bank] if bank else []),
    ]


def _main_bank(paid: dict) -> str:
    """The BIN of the bank (or e-wallet) paying the most lines of the run."""
    bins = [bin_ for channel, bin_ in paid.values() if channel in TRANSFER]
    return max(sorted(set(bins)), key=bins.count)


@pytest.mark.parametrize(
    ("fmt", "per_bank"),
    [("pain001", True), ("bank-xlsx", False), ("post-xlsx", False)],
    ids=["pain001-one-bank", "bank-xlsx", "post-office-xlsx"],
)
def test_a_killed_export_leaves_no_file_records_nothing_and_the_rerun_writes_it_whole(
    locked: tuple[Registry, str], fmt: str, per_bank: bool
):
    registry, run_id = locked
    before = _state(registry, run_id)
    assert before.status == "locked" and not before.files and not before.events
    assert before.line_count == len(before.lines) > 20
    assert before.total == sum(line[4] for line in before.lines)
    paid = _paid_by(registry, run_id)
    bank = _main_bank(paid) if per_bank else None
    expected = _expected(before, paid, fmt, bank)
    assert len(expected) > 1
    out = registry.workdir / "xuat"
    args = _export(registry, run_id, fmt, bank, out)

    killed = registry.start(*args, pause=POINT)
    pid = killed.process.pid
    killed.kill()
    # No file under any name a user would take for the export: only the writer's hidden
    # temp file, which nothing could remove after a SIGKILL, and the file was in it.
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 1 and is_temp_name(left[0]), left
    assert left[0].startswith(".chi-tra-2026-11-") and f".{pid}." in left[0]
    assert (out / left[0]).stat().st_size > 0
    assert _state(registry, run_id) == before  # not exported, no file, no event, same lines
    registry.integrity()

    done = registry.run(*args)
    name = done.stdout.split(":", 1)[0].rsplit("/", 1)[-1]
    assert sorted(p.name for p in out.iterdir()) == [name]  # the dead writer's temp is gone
    content = (out / name).read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    assert done.stdout.rstrip().endswith(f"sha256 {sha256}")

    totals = _read(fmt, content)
    # The file's control totals are those of the run's lines it must hold, each once.
    assert (totals.count, totals.total) == (len(expected), sum(expected.values()))
    assert len(totals.transactions) == totals.count
    assert sum(amount for _, amount in totals.transactions) == totals.total
    if fmt == "post-xlsx":  # no end-to-end id on the list people sign
        assert sorted(a for _, a in totals.transactions) == sorted(expected.values())
    else:
        assert dict(totals.transactions) == expected

    after = _state(registry, run_id)
    assert after.status == "exported"
    assert (after.line_count, after.total, after.lines) == (
        before.line_count,
        before.total,
        before.lines,
    )
    assert after.files == {(fmt, bank or "", name, sha256, totals.count, totals.total)}
    assert len(after.events) == 1
    assert after.events[0]["lines"] == totals.count and after.events[0]["sha256"] == sha256
    registry.integrity()


def test_a_killed_re_export_leaves_the_exported_file_as_it_was(locked: tuple[Registry, str]):
    """A file exported before keeps its name and bytes when its re-export is killed."""
    registry, run_id = locked
    out = registry.workdir / "xuat"
    args = _export(registry, run_id, "pain001", None, out)
    first = registry.run(*args)
    name = first.stdout.split(":", 1)[0].rsplit("/", 1)[-1]
    content = (out / name).read_bytes()
    exported = _state(registry, run_id)
    assert exported.status == "exported" and len(exported.events) == 1

    registry.start(*args, pause=POINT).kill()
    left = sorted(p.name for p in out.iterdir())
    assert name in left and (out / name).read_bytes() == content
    assert [n for n in left if n != name and not is_temp_name(n)] == []
    assert _state(registry, run_id) == exported
    registry.integrity()

    again = registry.run(*args)
    assert sorted(p.name for p in out.iterdir()) == [name]
    assert (out / name).read_bytes() == content  # the same bytes: same message id and time
    assert again.stdout.rstrip().endswith(f"sha256 {hashlib.sha256(content).hexdigest()}")
    after = _state(registry, run_id)
    assert after.files == exported.files and after.lines == exported.lines
    assert len(after.events) == 2  # each export is audited
    with registry.app():
        assert db.session.scalar(select(func.count()).select_from(PaymentFile)) == 1
