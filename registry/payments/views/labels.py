"""Labels of the payment enums and audit details, shown in the officer's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext

from registry.entitlements.services import PROGRAMME_LABELS
from registry.i18n import N_
from registry.payments.models import LineKind, LineStatus, RunStatus
from registry.people.accounts import napas_banks
from registry.people.models import PaymentChannel
from registry.web.formatting import format_money, format_month

RUN_STATUS_LABELS = {
    RunStatus.DRAFT: N_("Draft"),
    RunStatus.LOCKED: N_("Locked"),
    RunStatus.EXPORTED: N_("Exported"),
    RunStatus.RECONCILED: N_("Reconciled"),
}
KIND_LABELS = {
    LineKind.REGULAR: N_("Regular (this month)"),
    LineKind.ARREARS: N_("Arrears"),
    LineKind.CORRECTION: N_("Correction of an earlier month"),
    LineKind.FUNERAL: N_("Funeral support"),
}
LINE_STATUS_LABELS = {
    LineStatus.PENDING: N_("Awaiting result"),
    LineStatus.PAID: N_("Paid out"),
    LineStatus.FAILED: N_("Failed"),
}
FORMAT_LABELS = {
    "pain001": N_("Bank transfer order, ISO 20022 pain.001 (XML)"),
    "bank-xlsx": N_("Bank list (XLSX)"),
    "bank-csv": N_("Bank list (CSV)"),
    "post-xlsx": N_("Post office list (XLSX)"),
}
CHANNEL_LABELS = {
    PaymentChannel.BANK: N_("Bank account"),
    PaymentChannel.EWALLET: N_("E-wallet"),
    PaymentChannel.POST_OFFICE: N_("Post office (cash)"),
}
#: Labels of the details the payment services write into their audit events.
EVENT_DETAIL_LABELS = {
    "month": N_("Month"),
    "lines": N_("Lines"),
    "total": N_("Total"),
    "carried": N_("Failed lines carried over"),
    "format": N_("File format"),
    "bank": N_("Bank"),
    "sha256": "SHA-256",
    "decrypted": N_("Identifiers decrypted"),
    "source": N_("File"),
    "paid": N_("Paid out"),
    "failed": N_("Failed"),
    "remaining": N_("Without result"),
    "regenerated": N_("Rebuilt from the registry"),
}


def event_details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) pairs of a payment event's details, translated and formatted, in the
    order of EVENT_DETAIL_LABELS (unknown keys last, as they are)."""
    order = list(EVENT_DETAIL_LABELS)
    items = []
    for key, value in sorted(
        (details or {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        if value is None:
            continue
        if key == "total":
            text = format_money(value)
        elif key == "month":
            text = format_month(date.fromisoformat(str(value)))
        elif key == "bank":
            text = f"{napas_banks().get(value, value)} ({value})"
        elif key == "format":
            text = gettext(FORMAT_LABELS.get(value, value))
        elif isinstance(value, bool):
            text = "✓" if value else "✗"
        else:
            text = str(value)
        label = gettext(EVENT_DETAIL_LABELS[key]) if key in EVENT_DETAIL_LABELS else key
        items.append((label, text))
    return items


def payment_labels() -> dict:
    return {
        "RUN_STATUS_LABELS": RUN_STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "LINE_STATUS_LABELS": LINE_STATUS_LABELS,
        "FORMAT_LABELS": FORMAT_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "PROGRAMME_LABELS": PROGRAMME_LABELS,
        "BANKS": napas_banks(),
        "event_details": event_details,
        "RunStatus": RunStatus,
    }
