"""Strict JSON fields and the base schemas of the API: no coercion, no unknown fields."""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, validate

from registry.i18n import N_

#: marshmallow's messages replaced by msgids the catalog translates (see messages.py).
COMMON = {
    "required": N_("This field is required."),
    "null": N_("This field may not be null."),
    "validator_failed": N_("This value is not accepted."),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ApiSchema(Schema):
    """Base of every API schema: an unknown field is an error, never silently dropped."""

    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict[str, str]] = {
        "unknown": N_("Unknown field."),
        "type": N_("Expected a JSON object."),
    }


class Str(fields.String):
    """Text without control characters (PostgreSQL refuses NUL) or unpaired surrogates."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "invalid": N_("Expected a text value."),
        "invalid_utf8": N_("Expected a text value."),
        "control": N_("The text contains control characters."),
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise self.make_error("control")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("invalid_utf8") from None
        return text


class StrictInteger(fields.Integer):
    """A JSON integer: 1.5, "1" and true are refused rather than converted."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "invalid": N_("Expected a whole number."),
        "too_large": N_("This number is too large."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class QueryInteger(fields.Integer):
    """An integer in a query string: digits only, so "1.5" and "1e3" are refused."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "invalid": N_("Expected a whole number."),
        "too_large": N_("This number is too large."),
    }

    def _validated(self, value: Any) -> int:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,9}", value):
            raise self.make_error("invalid")
        return int(value)


class StrictBoolean(fields.Boolean):
    """A JSON true or false; 1, "yes" and "true" are refused."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "invalid": N_("Expected true or false."),
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Date(fields.Date):
    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "invalid": N_("Expected a date as YYYY-MM-DD."),
        "format": N_("Expected a date as YYYY-MM-DD."),
    }


class Month(Str):
    """A month as YYYY-MM (documented with that pattern)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "validate",
            validate.Regexp(
                r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$", error=N_("Expected a month as YYYY-MM.")
            ),
        )
        super().__init__(**kwargs)


class Enum(fields.Enum):
    default_error_messages: ClassVar[dict[str, str]] = {
        **COMMON,
        "unknown": N_("Choose one of the listed values."),
    }

    def __init__(self, enum: Any, **kwargs: Any) -> None:
        super().__init__(enum, by_value=True, **kwargs)


def limit_field() -> QueryInteger:
    from registry.api.pagination import DEFAULT_LIMIT, MAX_LIMIT

    return QueryInteger(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT, error=N_("Expected 1 to 200 rows.")),
        metadata={"description": "Rows per page (1–200)."},
    )


def cursor_field() -> Str:
    return Str(
        load_default=None,
        validate=validate.Length(max=600, error=N_("This page cursor is too long.")),
        metadata={"description": "The `next` cursor of the previous page."},
    )


class NoQuery(ApiSchema):
    """No query parameter is accepted (an unknown one is a 422)."""
