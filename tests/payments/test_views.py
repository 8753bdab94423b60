"""The payment pages: build, lock, export, download and reconcile, for the roles allowed."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pytest
from flask import g, request_started
from sqlalchemy import event, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.audit.services import record_event
from registry.auth.permissions import Role
from registry.decisions.services import propose_decision
from registry.extensions import db
from registry.payments.models import LineStatus, PaymentFile, PaymentLine, PaymentRun, RunStatus
from registry.payments.queries import run_summary
from registry.payments.services import build_run, lock_run, run_totals
from registry.payments.views import files as views
from registry.people.accounts import set_payment_account
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, DisabilityLevel, PaymentChannel, Person
from tests import factories
from tests.conftest import PASSWORD, TODAY, WARD_A, WARD_B
from tests.payments.conftest import LAW, NOV, sign

FORMATS = ("pain001", "bank-xlsx", "bank-csv", "post-xlsx")
CONTENT_TYPES = {
    "pain001": "application/xml; charset=utf-8",
    "bank-xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "bank-csv": "text/csv; charset=utf-8",
    "post-xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture(autouse=True)
def office_clock(monkeypatch):
    monkeypatch.setattr("registry.web.setup.office_today", lambda: TODAY)


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """An empty ``g`` per request, as served requests have (see tests/web/conftest.py)."""

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture()
def exports(app, monkeypatch, tmp_path) -> Path:
    """The export folder and the paying office's account, as an installation sets them."""
    folder = tmp_path / "exports"
    monkeypatch.setitem(app.config, "REGISTRY_EXPORT_DIR", str(folder))
    monkeypatch.setitem(app.config, "REGISTRY_PAYER_NAME", "Phong Van hoa - Xa hoi")
    monkeypatch.setitem(app.config, "REGISTRY_PAYER_ACCOUNT", "1234567890")
    monkeypatch.setitem(app.config, "REGISTRY_PAYER_BIN", "970405")
    return folder


def disabled_adult(actor, today, commune: str, officer: str):
    """An approved decision for a severely disabled adult of ``commune`` (no bank account)."""
    person = factories.person(
        actor=actor(officer), today=today, commune_code=commune, birth_date=date(1985, 1, 1)
    )
    add_circumstance(
        person,
        kind=CircumstanceKind.DISABILITY,
        disability_level=DisabilityLevel.SEVERE,
        started_on=date(2026, 11, 3),
        actor=actor(officer),
        today=today,
    )
    decision = propose_decision(
        person, group_code="sa.5.6", month=NOV, actor=actor(officer), today=today, law=LAW
    )
    return sign(decision, actor, today)


@pytest.fixture()
def people(actor, today, cipher, decided):
    """Three beneficiaries: ward A paid by bank, ward A and ward B paid at the post office."""
    set_payment_account(
        decided.person,
        channel=PaymentChannel.BANK,
        bank_bin="970436",
        account_number="0071000612345",
        actor=actor("commune_a"),
        cipher=cipher,
    )
    disabled_adult(actor, today, WARD_A, "commune_a")
    disabled_adult(actor, today, WARD_B, "commune_b")
    db.session.commit()


@pytest.fixture()
def draft(actor, today, people) -> PaymentRun:
    run = build_run(NOV, unit=factories.unit("46"), actor=actor("accountant"), today=today, law=LAW)
    db.session.commit()
    return run


@pytest.fixture()
def locked(actor, draft) -> PaymentRun:
    lock_run(draft, actor=actor("accountant"))
    db.session.commit()
    return draft


def lines_of(run: PaymentRun) -> list[PaymentLine]:
    return list(
        db.session.scalars(
            select(PaymentLine)
            .where(PaymentLine.run_id == run.id)
            .order_by(PaymentLine.amount, PaymentLine.id)
        )
    )


def events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def text_of(page: str, name: str) -> str:
    """The text inside the element with ``data-testid=name`` (tags removed)."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', page, re.S)
    assert match, f"no {name} in the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def money(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


def export(client, run: PaymentRun, fmt: str, bank: str = ""):
    return client.post(f"/payments/{run.id}/export", data={"format": fmt, "bank": bank})


# --- who sees what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("accountant", 200),
        ("auditor", 200),
        ("leader", 200),
        ("labour", 403),
        ("commune_a", 403),
    ],
)
def test_the_payment_pages_answer_each_role_as_its_permissions_say(
    client, login, locked, role, status
):
    login(role)
    assert client.get("/payments/").status_code == status
    assert client.get(f"/payments/{locked.id}").status_code == status
    assert client.get(f"/payments/{locked.id}?status=pending&q=nguyen").status_code == status


def test_the_auditor_reads_but_cannot_build_lock_export_or_download(client, login, locked, exports):
    login("accountant")
    export(client, locked, "bank-csv")
    stored = db.session.scalars(select(PaymentFile)).one()
    client.post("/logout")
    login("auditor")
    page = client.get(f"/payments/{locked.id}").get_data(as_text=True)
    assert 'data-testid="export-form"' not in page and 'data-testid="download"' not in page
    assert 'data-testid="build-form"' not in client.get("/payments/").get_data(as_text=True)
    assert client.post("/payments/build", data={"month": "2026-12"}).status_code == 403
    assert (
        client.post(f"/payments/{locked.id}/export", data={"format": "pain001"}).status_code == 403
    )
    assert client.get(f"/payments/{locked.id}/files/{stored.id}").status_code == 403
    assert client.post(f"/payments/{locked.id}/reconcile").status_code == 403


def test_a_run_outside_the_actors_area_is_not_found(client, login, actor, today, people, exports):
    factories.user("accountant_b", role=Role.ACCOUNTANT, unit_code=WARD_B, password=PASSWORD)
    run = build_run(
        NOV, unit=factories.unit(WARD_A), actor=actor("accountant"), today=today, law=LAW
    )
    lock_run(run, actor=actor("accountant"))
    db.session.commit()
    login("accountant")
    assert export(client, run, "post-xlsx").status_code == 302
    stored = db.session.scalars(select(PaymentFile)).one()
    client.post("/logout")
    login("accountant_b")
    assert str(run.id) not in client.get("/payments/").get_data(as_text=True)
    assert client.get(f"/payments/{run.id}").status_code == 404
    assert client.get(f"/payments/{run.id}/lock").status_code == 404
    assert client.get(f"/payments/{run.id}/files/{stored.id}").status_code == 404
    assert export(client, run, "post-xlsx").status_code == 404
    ward_a = factories.unit(WARD_A).id
    refused = client.post("/payments/build", data={"month": "2026-11", "unit_id": ward_a})
    assert refused.status_code == 422
    assert events(AuditAction.RUN_DOWNLOAD) == []


# --- build and lock ------------------------------------------------------------------


def test_the_build_form_defaults_to_this_month_and_the_officers_unit(client, login):
    login("accountant")
    page = client.get("/payments/").get_data(as_text=True)
    assert 'type="month" id="f-month" name="month" required value="2026-11"' in page
    assert re.search(rf'<option value="{factories.unit("46").id}" selected>', page)


def test_building_then_locking_from_the_pages(client, login, people):
    login("accountant")
    unit = factories.unit("46")
    response = client.post("/payments/build", data={"month": "2026-11", "unit_id": unit.id})
    assert response.status_code == 302
    run = db.session.scalars(select(PaymentRun)).one()
    assert response.headers["Location"] == f"/payments/{run.id}"
    lines, total = run_totals(run)
    assert lines == 3
    page = client.get(f"/payments/{run.id}").get_data(as_text=True)
    assert text_of(page, "run-lines") == "3" and text_of(page, "run-total") == money(total)
    assert 'data-testid="rebuild"' in page and 'data-testid="lock"' in page
    assert client.post(f"/payments/{run.id}/rebuild").status_code == 302
    assert len(events(AuditAction.RUN_BUILD)) == 2

    confirm = client.get(f"/payments/{run.id}/lock").get_data(as_text=True)
    assert text_of(confirm, "lock-lines") == "3" and text_of(confirm, "lock-total") == money(total)
    unticked = client.post(f"/payments/{run.id}/lock", data={"lines": 3, "total": total})
    assert unticked.status_code == 422 and run.status is RunStatus.DRAFT
    stale = client.post(
        f"/payments/{run.id}/lock", data={"lines": 2, "total": total, "confirm": "y"}
    )
    assert stale.status_code == 409 and run.status is RunStatus.DRAFT
    done = client.post(
        f"/payments/{run.id}/lock", data={"lines": 3, "total": total, "confirm": "y"}
    )
    assert done.status_code == 302
    db.session.refresh(run)
    assert (run.status, run.line_count, run.total) == (RunStatus.LOCKED, 3, total)
    assert [e.details for e in events(AuditAction.RUN_LOCK)] == [{"lines": 3, "total": total}]
    index = client.get("/payments/").get_data(as_text=True)
    assert str(run.id) in index and money(total) in index


def test_a_locked_run_cannot_be_rebuilt_and_says_why(client, login, locked):
    login("accountant")
    response = client.post(f"/payments/{locked.id}/rebuild")
    assert response.status_code == 409
    assert "11/2026" in text_of(response.get_data(as_text=True), "form-error")
    again = client.post(
        "/payments/build", data={"month": "2026-11", "unit_id": factories.unit("46").id}
    )
    assert again.status_code == 409 and 'data-testid="form-error"' in again.get_data(as_text=True)
    assert client.get(f"/payments/{locked.id}/lock").status_code == 302


def test_a_month_that_is_not_a_month_is_refused(client, login):
    login("accountant")
    response = client.post(
        "/payments/build", data={"month": "2026-13", "unit_id": factories.unit("46").id}
    )
    assert response.status_code == 422 and 'id="e-month"' in response.get_data(as_text=True)
    assert db.session.scalars(select(PaymentRun)).all() == []


# --- totals and lines ----------------------------------------------------------------


def test_totals_by_commune_and_programme_equal_the_run_totals(client, login, draft):
    lines, total = run_totals(draft)
    summary = run_summary(draft)
    for breakdown in (summary.by_commune, summary.by_programme, summary.by_kind, summary.by_status):
        assert sum(s.lines for s in breakdown) == lines == 3
        assert sum(s.total for s in breakdown) == total
    assert sorted(s.key for s in summary.by_commune) == sorted([WARD_A, WARD_B])
    assert [(s.key, s.lines) for s in summary.by_channel] == [("bank", 1), ("post_office", 2)]
    login("auditor")
    page = client.get(f"/payments/{draft.id}").get_data(as_text=True)
    for table in ("by-commune", "by-programme", "by-kind", "by-status", "by-channel"):
        assert text_of(page, f"{table}-lines") == "3"
        assert text_of(page, f"{table}-total") == money(total)


def draft_bank_payee(run: PaymentRun):
    from registry.people.models import PaymentAccount

    return db.session.scalar(
        select(PaymentAccount.person_id).where(
            PaymentAccount.is_active, PaymentAccount.channel == PaymentChannel.BANK
        )
    )


def test_the_remembered_subtotals_follow_every_audited_change(actor, cipher, draft):
    """run_summary remembers its GROUP BYs per last audited change: asked again after
    nothing or an audited read it reads no line; after an audited change (an account) it
    groups again."""
    sent: list[str] = []

    def keep(conn, cursor, statement, *_):
        sent.append(statement)

    first = run_summary(draft)
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert run_summary(draft) == first
        # An audited read (a log-in, a CCCD shown) changes nothing: still remembered.
        record_event(AuditAction.LOGIN, actor=actor("auditor"))
        assert run_summary(draft) == first
        assert not [s for s in sent if "GROUP BY" in s]
        person = next(
            p
            for p in (db.session.get(Person, line.person_id) for line in lines_of(draft))
            if p.id != draft_bank_payee(draft)
        )
        set_payment_account(
            person,
            channel=PaymentChannel.BANK,
            bank_bin="970436",
            account_number="0071000698765",
            actor=actor("commune_a" if person.commune.code == WARD_A else "commune_b"),
            cipher=cipher,
        )
        db.session.flush()
        after = run_summary(draft)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert [s for s in sent if "GROUP BY" in s]
    assert [(s.key, s.lines) for s in after.by_channel] == [("bank", 2), ("post_office", 1)]


def test_the_lines_are_filtered_by_commune_result_and_name(client, login, draft):
    login("accountant")
    ward_b = factories.unit(WARD_B)
    page = client.get(f"/payments/{draft.id}?commune={ward_b.id}").get_data(as_text=True)
    assert page.count("data-line=") == 1 and text_of(page, "lines-count").startswith("1 ")
    assert (
        client.get(f"/payments/{draft.id}?status=failed").get_data(as_text=True).count("data-line=")
        == 0
    )
    full_name = db.session.get(Person, lines_of(draft)[0].person_id).full_name
    found = client.get(f"/payments/{draft.id}?q={full_name.split()[-1]}").get_data(as_text=True)
    assert full_name in found
    assert client.get(f"/payments/{draft.id}?status=bogus&page=x").status_code == 200


# --- export and download -------------------------------------------------------------


def test_each_format_exports_and_downloads_exactly_the_stored_bytes(client, login, locked, exports):
    login("accountant")
    for fmt in FORMATS:
        assert export(client, locked, fmt).status_code == 302, fmt
    files = {f.format: f for f in db.session.scalars(select(PaymentFile))}
    assert sorted(files) == sorted(FORMATS)
    assert locked.status is RunStatus.EXPORTED
    page = client.get(f"/payments/{locked.id}").get_data(as_text=True)
    for fmt, stored in files.items():
        assert stored.sha256 in page
        on_disk = (exports / str(locked.id) / stored.file_name).read_bytes()
        response = client.get(f"/payments/{locked.id}/files/{stored.id}")
        assert response.status_code == 200, fmt
        assert response.data == on_disk
        assert hashlib.sha256(response.data).hexdigest() == stored.sha256
        assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
        assert response.headers["Content-Disposition"] == f"attachment; filename={stored.file_name}"
        assert response.headers["Cache-Control"] == "no-store"
    downloads = events(AuditAction.RUN_DOWNLOAD)
    assert [(e.details["format"], e.details["sha256"]) for e in downloads] == [
        (fmt, files[fmt].sha256) for fmt in FORMATS
    ]
    assert all(e.subject_id == str(locked.id) and e.details["bank"] is None for e in downloads)


def test_a_file_for_one_bank_records_the_bank(client, login, locked, exports):
    login("accountant")
    assert export(client, locked, "bank-csv", bank="970436").status_code == 302
    stored = db.session.scalars(select(PaymentFile)).one()
    assert stored.bank_bin == "970436" and stored.line_count == 1
    client.get(f"/payments/{locked.id}/files/{stored.id}")
    assert events(AuditAction.RUN_DOWNLOAD)[0].details["bank"] == "970436"


def test_a_missing_file_is_written_again_with_the_same_bytes(client, login, locked, exports):
    login("accountant")
    export(client, locked, "bank-xlsx")
    stored = db.session.scalars(select(PaymentFile)).one()
    path = exports / str(locked.id) / stored.file_name
    path.unlink()
    response = client.get(f"/payments/{locked.id}/files/{stored.id}")
    assert response.status_code == 200
    assert (
        hashlib.sha256(response.data).hexdigest()
        == stored.sha256
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert events(AuditAction.RUN_DOWNLOAD)[0].details["regenerated"] is True


def test_a_file_changed_on_the_server_is_refused(client, login, locked, exports):
    login("accountant")
    export(client, locked, "bank-csv")
    stored = db.session.scalars(select(PaymentFile)).one()
    path = exports / str(locked.id) / stored.file_name
    original = path.read_bytes()
    tampered = original.replace(b"810000", b"910000")
    assert tampered != original
    path.write_bytes(tampered)
    response = client.get(f"/payments/{locked.id}/files/{stored.id}")
    assert response.status_code == 409
    assert stored.sha256 in text_of(response.get_data(as_text=True), "form-error")
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert events(AuditAction.RUN_DOWNLOAD) == []


def test_exporting_without_the_payers_account_says_what_is_missing(
    client, login, locked, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "REGISTRY_EXPORT_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "REGISTRY_PAYER_ACCOUNT", None)
    login("accountant")
    response = export(client, locked, "pain001")
    assert response.status_code == 422
    assert "REGISTRY_PAYER_ACCOUNT" in text_of(response.get_data(as_text=True), "form-error")
    assert db.session.scalars(select(PaymentFile)).all() == []


def test_a_draft_cannot_be_exported_from_the_page(client, login, draft, exports):
    login("accountant")
    assert 'data-testid="export-form"' not in client.get(f"/payments/{draft.id}").get_data(
        as_text=True
    )
    response = export(client, draft, "pain001")
    assert response.status_code == 409 and not exports.exists()


# --- reconciliation ------------------------------------------------------------------


def results_csv(*rows: tuple[str, str, int, str]) -> bytes:
    text = "Mã giao dịch;Trạng thái;Số tiền;Lý do\n" + "".join(
        f"{ref};{status};{amount};{reason}\n" for ref, status, amount, reason in rows
    )
    return text.encode("utf-8-sig")


def upload(client, run, content: bytes, name: str = "ket-qua.csv"):
    return client.post(
        f"/payments/{run.id}/reconcile",
        data={"results": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_result_file_with_paid_and_failed_lines_is_applied_and_reported(client, login, locked):
    first, second, _ = lines_of(locked)
    login("accountant")
    response = upload(
        client,
        locked,
        results_csv(
            (first.id.hex, "Thành công", first.amount, ""),
            (second.id.hex, "Thất bại", second.amount, "Tài khoản đã đóng"),
        ),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    report = text_of(page, "reconcile-report")
    assert "ket-qua.csv" in report
    counts = [text_of(page, f"report-{n}") for n in ("paid", "failed", "remaining")]
    assert counts == ["1", "1", "1"]
    assert "Tài khoản đã đóng" in page
    assert [line.status for line in lines_of(locked)] == [
        LineStatus.PAID,
        LineStatus.FAILED,
        LineStatus.PENDING,
    ]
    assert events(AuditAction.RUN_RECONCILE)[0].details == {
        "source": "ket-qua.csv",
        "paid": 1,
        "failed": 1,
        "remaining": 1,
    }
    failed = client.get(f"/payments/{locked.id}?status=failed").get_data(as_text=True)
    assert failed.count("data-line=") == 1 and second.id.hex in failed


def test_a_bad_result_file_is_refused_with_every_problem_and_nothing_applied(client, login, locked):
    first, second, _ = lines_of(locked)
    stranger = "0" * 32
    login("accountant")
    response = upload(
        client,
        locked,
        results_csv(
            (first.id.hex, "Thành công", first.amount, ""),
            (stranger, "Thành công", 100_000, ""),
            (second.id.hex, "Thành công", second.amount + 1000, ""),
        ),
    )
    assert response.status_code == 422
    refused = response.get_data(as_text=True).split('data-testid="reconcile-refused"')[1]
    refused = refused.split("</div>")[0]
    assert refused.count("<li>") == 2
    assert stranger in refused and second.id.hex in refused
    assert f"{second.amount + 1000:,}".replace(",", ".") in refused
    assert {line.status for line in lines_of(locked)} == {LineStatus.PENDING}
    assert events(AuditAction.RUN_RECONCILE) == []


def test_an_unreadable_or_missing_result_file_is_refused(client, login, locked):
    login("accountant")
    unreadable = upload(client, locked, b"\xff\xfe\x00", "kq.csv")
    assert unreadable.status_code == 422
    assert "kq.csv" in unreadable.get_data(as_text=True).split("reconcile-refused")[1]
    missing = client.post(f"/payments/{locked.id}/reconcile", data={})
    assert missing.status_code == 422 and "reconcile-refused" in missing.get_data(as_text=True)


def test_a_result_file_over_the_size_limit_is_refused(client, login, locked, monkeypatch):
    monkeypatch.setattr(views, "RESULTS_MAX_BYTES", 100)
    first, _, _ = lines_of(locked)
    login("accountant")
    padding = [(first.id.hex, "Thành công", first.amount, "x" * 200)]
    response = upload(client, locked, results_csv(*padding))
    assert response.status_code == 422
    assert "reconcile-refused" in response.get_data(as_text=True)
    assert lines_of(locked)[0].status is LineStatus.PENDING


def test_results_cannot_be_applied_to_a_draft(client, login, draft):
    first, _, _ = lines_of(draft)
    login("accountant")
    response = upload(client, draft, results_csv((first.id.hex, "Thành công", first.amount, "")))
    assert response.status_code == 409
    assert lines_of(draft)[0].status is LineStatus.PENDING


def test_the_run_page_lists_its_audit_events(client, login, locked, exports):
    login("accountant")
    export(client, locked, "post-xlsx")
    page = client.get(f"/payments/{locked.id}").get_data(as_text=True)
    history = page.split('data-testid="events"')[1]
    assert history.count("<tr>") == 4  # header, build, lock, export
    assert money(locked.total) in history
