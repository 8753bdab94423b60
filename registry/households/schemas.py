"""Form input for households: registration with its head, address, head, poverty review, list."""

from __future__ import annotations

from marshmallow import fields

from registry.households.models import Area, PovertyStatus
from registry.i18n import N_
from registry.people.schemas import (
    FIELD_MESSAGES,
    Checkbox,
    Choice,
    FormDate,
    FormInteger,
    FormSchema,
    PersonInputSchema,
    Text,
)


class HouseholdFilterSchema(FormSchema):
    """The household list's search box and filters (query string)."""

    q = Text(load_default="", max_length=200)
    commune = FormInteger(load_default=None)
    poverty = Choice(PovertyStatus, load_default=None)
    page = FormInteger(load_default=1, maximum=100_000)


class HouseholdInputSchema(PersonInputSchema):
    """A new household (mã hộ, xã/phường, địa chỉ) and its head's details (chủ hộ)."""

    code = Text(load_default=None, max_length=60)
    commune_id = FormInteger(required=True)
    address = Text(load_default="", max_length=300)


class AddressInputSchema(FormSchema):
    address = Text(load_default="", max_length=300)


class HeadInputSchema(FormSchema):
    person_id = fields.UUID(
        required=True,
        error_messages={**FIELD_MESSAGES, "invalid_uuid": N_("Choose one of the options.")},
    )


class PovertyInputSchema(FormSchema):
    """The result of a poverty review (rà soát hộ nghèo, hộ cận nghèo) for one year."""

    review_year = FormInteger(required=True, maximum=9999)
    status = Choice(PovertyStatus, required=True)
    area = Choice(Area, required=True)
    is_especially_difficult_area = Checkbox()
    income_per_head = FormInteger(load_default=None, grouped=True)
    deprivations = fields.List(Text(max_length=40), load_default=list)
    decision_number = Text(load_default=None, max_length=80)
    decision_on = FormDate(load_default=None)
    valid_from = FormDate(load_default=None)
    valid_to = FormDate(load_default=None)
