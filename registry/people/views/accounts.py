"""The person's payment account: shown masked on the person page, set on its own form."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.errors import RegistryError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.people.accounts import napas_banks, read_account_masked, set_payment_account
from registry.people.models import PaymentAccount, PaymentChannel, Person
from registry.people.names import fold
from registry.people.queries import get_person
from registry.people.schemas import Choice, FormSchema, Text, load_form
from registry.people.views import bp
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor

CHANNEL_LABELS = {
    PaymentChannel.BANK: N_("Bank account"),
    PaymentChannel.EWALLET: N_("E-wallet"),
    PaymentChannel.POST_OFFICE: N_("Post office (cash)"),
}


class AccountInputSchema(FormSchema):
    """The payment account form. Kept here: its only user is this page."""

    channel = Choice(PaymentChannel, required=True)
    bank_bin = Text(load_default=None, max_length=20)
    account_number = Text(load_default=None, max_length=60)
    holder_name = Text(load_default=None, max_length=200)


def active_account(person: Person) -> PaymentAccount | None:
    return db.session.scalar(
        select(PaymentAccount).where(
            PaymentAccount.person_id == person.id, PaymentAccount.is_active
        )
    )


def bank_name(bank_bin: str | None) -> str:
    if not bank_bin:
        return ""
    return napas_banks().get(bank_bin, bank_bin)


def bank_holder_name(person: Person) -> str:
    """The name as banks print it: without accents, in capitals ("NGUYEN VAN DUC")."""
    return fold(person.full_name).upper()


def account_context(person: Person, actor: Actor) -> dict:
    """The person page's account box. Reading the masked number is audited; the caller commits."""
    account = active_account(person)
    masked = None
    if account is not None and actor.can(Permission.CCCD_VIEW_MASKED):
        masked = read_account_masked(person, account, actor=actor, cipher=keys.cipher)
    return {
        "account": account,
        "account_masked": masked,
        "account_bank": bank_name(account.bank_bin) if account else "",
        "CHANNEL_LABELS": CHANNEL_LABELS,
    }


def _bank_options() -> list[tuple[str, str]]:
    return sorted(
        ((code, f"{name} ({code})") for code, name in napas_banks().items()),
        key=lambda option: option[1].casefold(),
    )


@bp.route("/<uuid:person_id>/account", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def account(person_id):
    """Set where the person is paid: a bank or e-wallet account, or cash at the post office.
    The previous account stops being used (one active account at a time)."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    current = active_account(person)
    context = {
        "person": person,
        "current": current,
        "current_bank": bank_name(current.bank_bin) if current else "",
        "bank_options": _bank_options(),
        "channel_labels": CHANNEL_LABELS,
        "holder_placeholder": bank_holder_name(person),
    }
    if request.method == "GET":
        form = {
            "channel": current.channel.value if current else PaymentChannel.BANK.value,
            "bank_bin": (current.bank_bin or "") if current else "",
            "holder_name": (current.holder_name if current else None) or bank_holder_name(person),
        }
        return render_template("people/account.html", form=form, errors={}, **context)
    try:
        data = load_form(AccountInputSchema(), request.form)
        set_payment_account(person, **data, actor=actor, cipher=keys.cipher)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/account.html", error, form=request.form, **context)
    flash(gettext("The payment account was saved."), "success")
    return redirect(url_for(".show", person_id=person.id))
