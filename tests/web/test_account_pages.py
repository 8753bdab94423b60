"""The payment account: set on its own form (one active at a time), shown masked and audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.people.models import PaymentAccount, PaymentChannel

NUMBER = "0071001234567"
BANK = {"channel": "bank", "bank_bin": "970436", "account_number": NUMBER, "holder_name": ""}


def accounts_of(person_id: str) -> list[PaymentAccount]:
    return list(
        db.session.scalars(
            select(PaymentAccount)
            .where(PaymentAccount.person_id == uuid.UUID(person_id))
            .order_by(PaymentAccount.created_at)
        )
    )


def events(action: AuditAction, subject_id: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.subject_id == subject_id
            )
        )
    )


@pytest.mark.parametrize("role", ["admin", "labour", "commune_a"])
def test_the_form_offers_the_napas_banks_and_the_name_as_banks_print_it(client, login, world, role):
    login(role)
    response = client.get(f"/people/{world.wife_id}/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<option value="970436">Vietcombank (970436)</option>' in page
    assert 'value="TRAN THI HOA"' in page  # unaccented, in capitals
    assert 'name="channel" value="post_office"' in page


@pytest.mark.parametrize("role", ["accountant", "auditor", "leader"])
def test_read_only_roles_may_not_set_an_account(client, login, world, rows, role):
    login(role)
    assert client.get(f"/people/{world.wife_id}/account").status_code == 403
    before = (rows(PaymentAccount), rows(AuditEvent))
    assert client.post(f"/people/{world.wife_id}/account", data=BANK).status_code == 403
    assert (rows(PaymentAccount), rows(AuditEvent)) == before
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert f"/people/{world.wife_id}/account" not in page


def test_an_officer_of_another_ward_cannot_reach_the_form(client, login, world, rows):
    login("commune_b")
    assert client.get(f"/people/{world.wife_id}/account").status_code == 404
    assert client.post(f"/people/{world.wife_id}/account", data=BANK).status_code == 404
    assert rows(PaymentAccount) == 0


def test_a_bank_account_is_saved_encrypted_and_shown_masked_with_an_audited_read(
    client, login, world
):
    login("commune_a")
    response = client.post(
        f"/people/{world.wife_id}/account",
        data={**BANK, "account_number": "0071 0012 34567", "holder_name": "TRAN THI HOA"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/people/{world.wife_id}"
    [account] = accounts_of(world.wife_id)
    assert account.is_active and account.channel is PaymentChannel.BANK
    assert account.bank_bin == "970436" and account.holder_name == "TRAN THI HOA"
    assert NUMBER.encode() not in account.account_ciphertext
    assert len(events(AuditAction.ACCOUNT_SET, world.wife_id)) == 1
    assert events(AuditAction.ACCOUNT_DECRYPT, world.wife_id) == []
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert "Vietcombank (970436)" in page
    assert "*********4567" in page and NUMBER not in page
    assert "TRAN THI HOA" in page
    [read] = events(AuditAction.ACCOUNT_DECRYPT, world.wife_id)
    assert read.details["purpose"] == "display_masked"


@pytest.mark.parametrize("role", ["accountant", "auditor", "leader"])
def test_read_only_roles_see_the_account_masked(client, login, world, role):
    login("commune_a")
    client.post(f"/people/{world.wife_id}/account", data=BANK)
    client.post("/logout")
    login(role)
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert "*********4567" in page and NUMBER not in page


def test_a_new_account_replaces_the_active_one(client, login, world):
    login("commune_a")
    client.post(f"/people/{world.wife_id}/account", data=BANK)
    form = client.get(f"/people/{world.wife_id}/account").get_data(as_text=True)
    assert 'data-testid="current-account"' in form and "Vietcombank" in form
    assert NUMBER not in form  # the form never shows the stored number
    response = client.post(
        f"/people/{world.wife_id}/account",
        data={
            "channel": "post_office",
            "bank_bin": "970436",
            "account_number": "",
            "holder_name": "",
        },
    )
    assert response.status_code == 302
    old, new = accounts_of(world.wife_id)
    assert not old.is_active and new.is_active
    assert new.channel is PaymentChannel.POST_OFFICE and new.bank_bin is None
    assert new.account_ciphertext is None and new.holder_name == "Trần Thị Hoa"
    page = client.get(f"/people/{world.wife_id}").get_data(as_text=True)
    assert 'data-testid="account-number"' not in page and "*********4567" not in page


def test_an_e_wallet_needs_its_napas_code_too(client, login, world):
    login("commune_a")
    response = client.post(
        f"/people/{world.wife_id}/account",
        data={"channel": "ewallet", "bank_bin": "971005", "account_number": "0912345678"},
    )
    assert response.status_code == 302
    [account] = accounts_of(world.wife_id)
    assert (account.channel, account.bank_bin) == (PaymentChannel.EWALLET, "971005")
    assert "Viettel Money (971005)" in client.get(f"/people/{world.wife_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"bank_bin": "999999"}, "bank_bin", "Mã ngân hàng 999999 không xác định"),
        ({"bank_bin": ""}, "bank_bin", "Mã ngân hàng — không xác định"),
        ({"account_number": "12345@#!"}, "account_number", "chỉ gồm chữ số và chữ cái A–Z"),
        ({"account_number": "123"}, "account_number", "có từ 6 đến 19 ký tự"),
        ({"account_number": ""}, "account_number", "có từ 6 đến 19 ký tự"),
        ({"channel": ""}, "channel", "Mục này bắt buộc phải nhập."),
        ({"channel": "cheque"}, "channel", "Hãy chọn một trong các lựa chọn"),
    ],
)
def test_a_rejected_account_names_the_field_and_writes_nothing(
    client, login, world, rows, overrides, field, message
):
    login("commune_a")
    before = (rows(PaymentAccount), rows(AuditEvent))
    form = {**BANK, "holder_name": "TRAN T HOA", **overrides}
    response = client.post(f"/people/{world.wife_id}/account", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="e-{field}"' in page and message in page
    assert 'value="TRAN T HOA"' in page  # what was typed stays
    assert (rows(PaymentAccount), rows(AuditEvent)) == before


def test_the_account_form_needs_the_csrf_token_when_it_is_enabled(app, client, login, world, rows):
    login("commune_a")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/people/{world.wife_id}/account").get_data(as_text=True)
        refused = client.post(f"/people/{world.wife_id}/account", data=BANK)
        assert refused.status_code == 302 and rows(PaymentAccount) == 0
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        accepted = client.post(
            f"/people/{world.wife_id}/account", data={**BANK, "csrf_token": token}
        )
        assert accepted.status_code == 302 and rows(PaymentAccount) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
