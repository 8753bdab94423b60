"""Form input of the payment pages: strings from HTML forms → typed values."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from registry.decisions.models import Programme
from registry.eligibility.months import parse_month
from registry.i18n import N_
from registry.payments.models import LineKind, LineStatus
from registry.people.schemas import (
    FIELD_MESSAGES,
    BlankIsNone,
    Checkbox,
    Choice,
    FormInteger,
    FormSchema,
    Text,
)


class FormMonth(BlankIsNone):
    """A month as a ``type=month`` input sends it (YYYY-MM)."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("Enter a month as YYYY-MM, for example 2026-11."),
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        try:
            month = parse_month(str(value))
        except ValueError:
            raise self.make_error("invalid") from None
        if not 2000 <= month.year <= 2200:
            raise self.make_error("invalid")
        return month


class BuildInputSchema(FormSchema):
    month = FormMonth(required=True)
    unit_id = FormInteger(required=True)


class LockInputSchema(FormSchema):
    confirm = Checkbox()
    lines = FormInteger(required=True)
    total = FormInteger(required=True, maximum=10**12)


class ExportInputSchema(FormSchema):
    format = Text(required=True, max_length=20)
    bank = Text(load_default=None, max_length=6)


class LineFilterSchema(FormSchema):
    commune = FormInteger(load_default=None)
    programme = Choice(Programme, load_default=None)
    kind = Choice(LineKind, load_default=None)
    status = Choice(LineStatus, load_default=None)
    q = Text(load_default="", max_length=200)
    page = FormInteger(load_default=1, maximum=100_000)


# --- helpers -------------------------------------------------------------------------
