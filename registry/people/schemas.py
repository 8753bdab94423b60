"""Form input for people: strings from HTML forms → typed values for the people services.

Also home of the form fields every input schema shares (dates typed dd/mm/yyyy, amounts
typed 1.500.000, empty box → None) and of ``load_form``, which turns marshmallow's errors
into the registry's ValidationError so a view handles one kind of rejection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, fields, validates_schema
from marshmallow import ValidationError as SchemaError

from registry.errors import Problem, ValidationError
from registry.i18n import N_
from registry.people.models import CircumstanceKind, DisabilityLevel, MeritCategory, Relation, Sex
from registry.web.formatting import parse_date

FIELD_MESSAGES = {
    "required": N_("This field is required."),
    "null": N_("This field is required."),
    "validator_failed": N_("This value is not accepted."),
}

#: Circumstances entered on the generic form (disability and pension have their own forms).
OTHER_KINDS = tuple(
    k for k in CircumstanceKind if k not in (CircumstanceKind.DISABILITY, CircumstanceKind.PENSION)
)


class BlankIsNone(fields.Field):
    """An empty or blank form value counts as not given (None), so ``required`` applies."""

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class Text(fields.String):
    """A text box: surrounding spaces removed, an empty box read as None."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("This text cannot be read."),
        "too_long": N_("This text is too long."),
    }

    def __init__(self, *, max_length: int = 300, strip: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.strip = strip

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if isinstance(value, str) and not value.strip():
            if not self.required and isinstance(self.load_default, str):
                return self.load_default  # an optional box left empty: the service decides
            value = None
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:  # no keyboard types NUL, and PostgreSQL refuses it
            raise self.make_error("invalid")
        if len(text) > self.max_length:
            raise self.make_error("too_long")
        return text.strip() if self.strip else text


class FormDate(BlankIsNone):
    """A date typed as dd/mm/yyyy (or ISO yyyy-mm-dd); an empty box is None."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("Enter a real date as dd/mm/yyyy, for example 17/05/1990."),
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            day = parse_date(str(value))
        except ValueError:
            raise self.make_error("invalid") from None
        if day.year < 1800:
            raise self.make_error("invalid")
        return day


class FormInteger(BlankIsNone):
    """A whole number; with ``grouped`` the officer may type 1.500.000 or 1 500 000 đ."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("Enter a whole number."),
        "too_large": N_("This number is too large."),
    }
    _GROUPING = re.compile(r"[.,\s\u00a0đĐ]|vnd|VND")

    def __init__(
        self, *, grouped: bool = False, maximum: int = 2_000_000_000, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.grouped = grouped
        self.maximum = maximum

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if self.grouped:
                text = self._GROUPING.sub("", text)
            if not re.fullmatch(r"-?[0-9]{1,12}", text):
                raise self.make_error("invalid")
            number = int(text)
        if abs(number) > self.maximum:
            raise self.make_error("too_large")
        return number


class Choice(BlankIsNone, fields.Enum):
    """A select box holding an enum value; an empty choice is None."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "unknown": N_("Choose one of the options."),
    }

    def __init__(self, enum: Any, **kwargs: Any) -> None:
        super().__init__(enum, by_value=True, **kwargs)


class Checkbox(fields.Boolean):
    """A checkbox: present (ticked) is True, absent is False."""

    default_error_messages: ClassVar[dict[str, str]] = {
        **FIELD_MESSAGES,
        "invalid": N_("This value is not accepted."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=False, **kwargs)


class FormSchema(Schema):
    """Base of the input schemas: the CSRF token and submit buttons are ignored."""

    class Meta:
        unknown = EXCLUDE


def load_form(schema: Schema, form: Any) -> dict[str, Any]:
    """Load an HTML form (a MultiDict or a dict) with ``schema``.

    Raises the registry's ValidationError with one Problem per field, so views catch a
    single exception type for rejected input, whether the schema or a service found it.
    """
    getlist = getattr(form, "getlist", None)
    data: dict[str, Any] = {}
    for key in form:
        if key not in schema.fields:
            continue
        if isinstance(schema.fields[key], fields.List):
            data[key] = getlist(key) if getlist else list(form[key])
        else:
            data[key] = form[key] if getlist is None else form.get(key)
    try:
        return schema.load(data)
    except SchemaError as error:
        raise ValidationError(list(_problems(error.messages))) from None


def _problems(messages: Any, field: str | None = None):
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = field if isinstance(key, int) else (None if key == "_schema" else key)
            yield from _problems(value, name)
    elif isinstance(messages, list):
        for message in messages:
            yield from _problems(message, field)
    else:
        yield Problem(field, str(messages))


def problems_by_field(problems: list[Problem]) -> dict[str | None, list[Problem]]:
    grouped: dict[str | None, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem)
    return grouped


# --- the forms -----------------------------------------------------------------------


class SearchInputSchema(FormSchema):
    q = Text(load_default="", max_length=200)
    page = FormInteger(load_default=1, maximum=100_000)


class PersonInputSchema(FormSchema):
    """A person's details (họ và tên, giới tính, ngày sinh hoặc năm sinh, CCCD, CMND)."""

    full_name = Text(load_default="", max_length=300)
    sex = Choice(Sex, required=True)
    birth_date = FormDate(load_default=None)
    birth_year = FormInteger(load_default=None, maximum=9999)
    cccd = Text(load_default=None, max_length=40)
    cmnd = Text(load_default=None, max_length=40)
    cccd_override_reason = Text(load_default=None, max_length=300)


class MemberInputSchema(PersonInputSchema):
    relation = Choice(Relation, required=True)


class BirthInputSchema(FormSchema):
    full_name = Text(load_default="", max_length=300)
    sex = Choice(Sex, required=True)
    birth_date = FormDate(required=True)
    relation = Choice(Relation, load_default=Relation.CHILD)
    cccd = Text(load_default=None, max_length=40)


class PersonEditInputSchema(PersonInputSchema):
    change_cccd = Checkbox()


class DeathInputSchema(FormSchema):
    died_on = FormDate(required=True)
    reference = Text(load_default=None, max_length=120)


class MoveInputSchema(FormSchema):
    household_code = Text(required=True, max_length=40)
    relation = Choice(Relation, required=True)


class DepartureInputSchema(FormSchema):
    commune_code = Text(load_default=None, max_length=10)
    commune_id = FormInteger(load_default=None)

    @validates_schema
    def one_commune(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("commune_code") is None and data.get("commune_id") is None:
            raise SchemaError(N_("Choose the destination commune, or type its code."), "commune_id")


class DisabilityInputSchema(FormSchema):
    disability_level = Choice(DisabilityLevel, required=True)
    started_on = FormDate(required=True)
    reference = Text(load_default=None, max_length=120)


class PensionInputSchema(FormSchema):
    started_on = FormDate(required=True)
    reference = Text(load_default=None, max_length=120)


class CircumstanceInputSchema(FormSchema):
    kind = Choice(CircumstanceKind, required=True)
    started_on = FormDate(required=True)
    ended_on = FormDate(load_default=None)
    children_count = FormInteger(load_default=None, maximum=100)
    reference = Text(load_default=None, max_length=120)
    note = Text(load_default=None, max_length=500)

    @validates_schema
    def other_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") is not None and data["kind"] not in OTHER_KINDS:
            raise SchemaError(N_("Choose one of the options."), "kind")


class EndCircumstanceInputSchema(FormSchema):
    ended_on = FormDate(required=True)


class MeritInputSchema(FormSchema):
    category = Choice(MeritCategory, required=True)
    recognised_on = FormDate(required=True)
    injury_rate = FormInteger(load_default=None, maximum=1000)
    martyrs = FormInteger(load_default=None, maximum=1000)
    certificate_number = Text(load_default=None, max_length=80)
