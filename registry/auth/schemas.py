"""Form input for logging in and choosing the interface language."""

from __future__ import annotations

from marshmallow import fields, validate

from registry.i18n import N_
from registry.people.schemas import FIELD_MESSAGES, FormSchema, Text


class LoginInputSchema(FormSchema):
    username = Text(required=True, max_length=80)
    #: Never stripped or shortened: spaces can be part of a password.
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200, error=N_("This field is required.")),
        error_messages=FIELD_MESSAGES,
    )
    next = Text(load_default=None, max_length=500)


class LocaleInputSchema(FormSchema):
    locale = fields.String(
        required=True,
        error_messages=FIELD_MESSAGES,
        validate=validate.OneOf(("vi", "en"), error=N_("Choose one of the options.")),
    )
    next = Text(load_default=None, max_length=500)
