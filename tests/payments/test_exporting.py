"""Exporting a locked run: files from the registry's data, same bytes again, audited."""

from datetime import UTC, date, datetime

import pytest
from lxml import etree
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.errors import ConflictError
from registry.extensions import db
from registry.payments.exporting import Payer, export_run
from registry.payments.models import PaymentFile, RunStatus
from registry.payments.services import build_run, lock_run
from registry.people.accounts import set_payment_account
from registry.people.models import PaymentChannel
from tests import factories
from tests.payments.conftest import LAW, NOV

PAYER = Payer(name="Phong Van hoa - Xa hoi", account="1234567890", bank_bin="970405")
MOMENT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture()
def locked(actor, today, cipher, decided):
    set_payment_account(
        decided.person,
        channel=PaymentChannel.BANK,
        bank_bin="970436",
        account_number="0071000612345",
        actor=actor("commune_a"),
        cipher=cipher,
    )
    accountant = actor("accountant")
    return lock_run(
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
        actor=accountant,
    )


def test_a_draft_run_cannot_be_exported(actor, today, cipher, decided, tmp_path):
    accountant = actor("accountant")
    run = build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW)
    with pytest.raises(ConflictError):
        export_run(
            run, fmt="pain001", out_dir=tmp_path, payer=PAYER, actor=accountant, cipher=cipher
        )


def test_pain001_from_the_run_has_the_line_and_the_account(actor, cipher, locked, tmp_path):
    stored, path = export_run(
        locked,
        fmt="pain001",
        out_dir=tmp_path,
        payer=PAYER,
        actor=actor("accountant"),
        cipher=cipher,
        now=MOMENT,
    )
    tree = etree.fromstring(path.read_bytes())
    ns = {"p": tree.nsmap[None]}
    assert tree.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "1"
    assert tree.findtext(".//p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == "0071000612345"
    assert tree.findtext(".//p:CdtrAgt//p:MmbId", namespaces=ns) == "970436"
    assert (stored.line_count, stored.total, locked.status) == (1, 810_000, RunStatus.EXPORTED)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_exporting_again_gives_the_same_bytes(actor, cipher, locked, tmp_path):
    accountant = actor("accountant")
    first, path = export_run(
        locked,
        fmt="bank-xlsx",
        out_dir=tmp_path / "a",
        payer=PAYER,
        actor=accountant,
        cipher=cipher,
        now=MOMENT,
    )
    content = path.read_bytes()
    second, again = export_run(
        locked,
        fmt="bank-xlsx",
        out_dir=tmp_path / "b",
        payer=PAYER,
        actor=accountant,
        cipher=cipher,
        now=datetime(2026, 11, 28, tzinfo=UTC),
    )
    assert second.id == first.id and again.read_bytes() == content
    assert db.session.scalars(select(PaymentFile)).all() == [first]


def test_people_without_a_bank_account_go_on_the_post_office_list(
    actor, today, cipher, decided, tmp_path
):
    accountant = actor("accountant")
    run = lock_run(
        build_run(NOV, unit=factories.unit("46"), actor=accountant, today=today, law=LAW),
        actor=accountant,
    )
    stored, _ = export_run(
        run,
        fmt="post-xlsx",
        out_dir=tmp_path,
        payer=PAYER,
        actor=accountant,
        cipher=cipher,
        now=MOMENT,
    )
    assert (stored.line_count, stored.total) == (1, 810_000)


def test_every_export_is_audited_without_identifiers(actor, cipher, locked, tmp_path):
    export_run(
        locked,
        fmt="bank-csv",
        out_dir=tmp_path,
        payer=PAYER,
        actor=actor("accountant"),
        cipher=cipher,
        now=MOMENT,
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.RUN_EXPORT)
    ).one()
    assert event.details["decrypted"] == 2 and "0071000612345" not in str(event.details)
    assert event.details["total"] == 810_000 and date(2026, 11, 1).isoformat() not in str(
        event.details
    )
