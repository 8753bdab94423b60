"""Form input for the decision pages: the worklist filters and each step's form."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from registry.decisions.models import DecisionStatus
from registry.i18n import N_
from registry.people.schemas import (
    FIELD_MESSAGES,
    BlankIsNone,
    Choice,
    FormDate,
    FormInteger,
    FormSchema,
    Text,
)
from registry.web.formatting import parse_date

_MONTH_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{2})$")


class FormMonth(BlankIsNone):
    """A month typed as mm/yyyy (or yyyy-mm as month inputs send it, or a whole date, whose
    month is taken); read as the first day of that month."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("Enter a month as mm/yyyy, for example 08/2026."),
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        if isinstance(value, date):
            return value.replace(day=1)
        text = str(value).strip()
        month = year = None
        if found := _MONTH_FIRST.match(text):
            month, year = int(found[1]), int(found[2])
        elif found := _YEAR_FIRST.match(text):
            year, month = int(found[1]), int(found[2])
        else:
            try:
                day = parse_date(text)
            except ValueError:
                raise self.make_error("invalid") from None
            year, month = day.year, day.month
        if not (1 <= month <= 12 and 1900 <= year <= 2200):
            raise self.make_error("invalid")
        return date(year, month, 1)


def _required(message: str) -> dict[str, str]:
    return {"required": message, "null": message}


class Outcome(enum.StrEnum):
    """The appraisal's answer (kết quả thẩm định)."""

    ELIGIBLE = "eligible"
    REJECTED = "rejected"


class DecisionFilterInputSchema(FormSchema):
    """The worklist's tab and the filters of the full list (query string)."""

    tab = Text(load_default=None, max_length=20)
    status = Choice(DecisionStatus, load_default=None)
    group = Text(load_default=None, max_length=60)
    commune = FormInteger(load_default=None)
    q = Text(load_default="", max_length=200)
    page = FormInteger(load_default=1, maximum=100_000)


class ProposeInputSchema(FormSchema):
    """The "Propose" button of the eligibility panel: who, which group, which month."""

    person_id = Text(required=True, max_length=40)
    group = Text(required=True, max_length=60)
    month = FormMonth(required=True)


class AppraiseInputSchema(FormSchema):
    outcome = Choice(Outcome, required=True, error_messages=_required(N_("Choose the outcome.")))
    note = Text(load_default="", max_length=500)


class ApproveInputSchema(FormSchema):
    """The signed decision: number, signing date, signer (số, ngày ký, người ký)."""

    number = Text(
        required=True, max_length=80, error_messages=_required(N_("Enter the decision number."))
    )
    decided_on = FormDate(required=True)
    signer = Text(
        required=True,
        max_length=200,
        error_messages=_required(N_("Enter who signed the decision.")),
    )


# Each step has its own field names: suspend and end share the page of an approved decision.


class SuspendInputSchema(FormSchema):
    suspend_from = FormMonth(required=True)
    suspend_reason = Text(
        required=True, max_length=500, error_messages=_required(N_("Give the reason."))
    )


class ResumeInputSchema(FormSchema):
    resume_from = FormMonth(required=True)
    resume_reason = Text(
        required=True, max_length=500, error_messages=_required(N_("Give the reason."))
    )


class EndInputSchema(FormSchema):
    last_month = FormMonth(required=True)
    end_reason = Text(
        required=True, max_length=500, error_messages=_required(N_("Give the reason."))
    )
