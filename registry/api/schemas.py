"""The API's marshmallow schemas, every field listed: what goes out, what comes in.

Output schemas never name an encrypted column; a person's CCCD appears only masked, and
only in the person's own resource for roles allowed to see it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, pre_dump, validate

from registry.api.fields import (
    ApiSchema,
    Date,
    Enum,
    Month,
    Str,
    StrictBoolean,
    StrictInteger,
    cursor_field,
    limit_field,
)
from registry.api.problems import in_locale
from registry.decisions.models import DecisionStatus, Programme
from registry.households.models import Area, PovertyStatus
from registry.i18n import N_
from registry.payments.models import LineKind, LineStatus, RunStatus
from registry.people.models import CircumstanceKind, DisabilityLevel, Relation, Sex


def _vi(message: str, params: dict[str, Any] | None = None) -> str:
    return in_locale("vi", message, params or {})


def _en(message: str, params: dict[str, Any] | None = None) -> str:
    return in_locale("en", message, params or {})


# ---- problems -------------------------------------------------------------------------


class FieldProblemSchema(ApiSchema):
    location = fields.String(required=True, metadata={"description": "query, json or path"})
    field = fields.String(required=True, allow_none=True)
    message_vi = fields.String(required=True)
    message_en = fields.String(required=True)


class ProblemSchema(ApiSchema):
    """RFC 9457 problem details, with the message in Vietnamese and in English."""

    type = fields.String(required=True)
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    message_vi = fields.String(required=True)
    message_en = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldProblemSchema))


# ---- shared ---------------------------------------------------------------------------


class UnitSchema(ApiSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


def _page(item: type[ApiSchema], name: str) -> type[ApiSchema]:
    return type(
        name,
        (ApiSchema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Cursor of the next page; null on the last page."},
            ),
        },
    )


# ---- households -----------------------------------------------------------------------


class PovertySchema(ApiSchema):
    review_year = fields.Integer(required=True)
    status = Enum(PovertyStatus, required=True)
    area = Enum(Area, required=True)
    is_especially_difficult_area = fields.Boolean(required=True)
    income_per_head = fields.Integer(required=True, allow_none=True)
    deprivations = fields.List(fields.String(), required=True)
    decision_number = fields.String(required=True, allow_none=True)
    decision_on = fields.Date(required=True, allow_none=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)


class HouseholdSchema(ApiSchema):
    id = fields.UUID(required=True)
    code = fields.String(required=True)
    commune = fields.Nested(UnitSchema, required=True)
    address = fields.String(required=True)
    head_id = fields.UUID(required=True, allow_none=True)
    poverty_now = fields.Nested(
        PovertySchema,
        required=True,
        allow_none=True,
        metadata={"description": "The poverty review result in force today, if any."},
    )


class MemberSchema(ApiSchema):
    id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    relation = Enum(Relation, required=True, allow_none=True)
    birth_year = fields.Integer(required=True)
    death_on = fields.Date(required=True, allow_none=True)


class HouseholdDetailSchema(HouseholdSchema):
    members = fields.List(fields.Nested(MemberSchema), required=True)
    poverty_statuses = fields.List(fields.Nested(PovertySchema), required=True)


HouseholdPageSchema = _page(HouseholdSchema, "HouseholdPageSchema")


def _commune_field() -> Str:
    return Str(
        load_default=None,
        validate=validate.Regexp(r"^[0-9]{1,10}$", error=N_("Expected a unit code (digits).")),
        metadata={"description": "Code of a commune or ward (e.g. 19789)."},
    )


class HouseholdListArgs(ApiSchema):
    commune = _commune_field()
    poverty = Enum(
        PovertyStatus, load_default=None, metadata={"description": "Poverty status in force today."}
    )
    after = cursor_field()
    limit = limit_field()


class PovertyInputSchema(ApiSchema):
    """A poverty review result (kết quả rà soát hộ nghèo, hộ cận nghèo) for one year."""

    review_year = StrictInteger(required=True)
    status = Enum(PovertyStatus, required=True)
    area = Enum(Area, required=True)
    is_especially_difficult_area = StrictBoolean(load_default=False)
    income_per_head = StrictInteger(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=10**10, error=N_("This number is out of range.")),
    )
    deprivations = fields.List(
        Str(validate=validate.Length(max=40, error=N_("This text is too long."))),
        load_default=list,
        validate=validate.Length(max=20, error=N_("Too many values.")),
        error_messages={"invalid": N_("Expected a list.")},
    )
    decision_number = Str(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=80, error=N_("This text is too long.")),
    )
    decision_on = Date(load_default=None, allow_none=True)
    valid_from = Date(load_default=None, allow_none=True)
    valid_to = Date(load_default=None, allow_none=True)


# ---- people ---------------------------------------------------------------------------


class PersonSchema(ApiSchema):
    id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    sex = Enum(Sex, required=True)
    birth_date = fields.Date(required=True, allow_none=True)
    birth_year = fields.Integer(required=True)
    death_on = fields.Date(required=True, allow_none=True)
    commune = fields.Nested(UnitSchema, required=True)
    household_id = fields.UUID(required=True, allow_none=True)
    relation = Enum(Relation, required=True, allow_none=True)


class PersonDetailSchema(PersonSchema):
    cccd_masked = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The CCCD masked (********1234), for roles allowed to see it; "
            "every read is audited. Null without the right or without a CCCD."
        },
    )


PersonPageSchema = _page(PersonSchema, "PersonPageSchema")


class PeopleListArgs(ApiSchema):
    q = Str(
        load_default="",
        validate=validate.Length(max=200, error=N_("This text is too long.")),
        metadata={"description": "Words of the name, accents optional (nguyen van duc)."},
    )
    commune = _commune_field()
    after = cursor_field()
    limit = limit_field()


class CccdSearchSchema(ApiSchema):
    """The CCCD travels in the body only, so it never reaches a URL, a proxy's or a server log."""

    cccd = Str(
        required=True,
        validate=validate.Length(min=1, max=40, error=N_("Enter the 12 digits of the CCCD.")),
    )


class CircumstanceSchema(ApiSchema):
    id = fields.Integer(required=True)
    kind = Enum(CircumstanceKind, required=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(required=True, allow_none=True)
    disability_level = Enum(DisabilityLevel, required=True, allow_none=True)
    children_count = fields.Integer(required=True, allow_none=True)
    reference = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class CircumstanceListSchema(ApiSchema):
    items = fields.List(fields.Nested(CircumstanceSchema), required=True)
    sensitive_left_out = fields.Boolean(
        required=True,
        metadata={"description": "True when the role may not see sensitive kinds (HIV)."},
    )


class EligibilityArgs(ApiSchema):
    month = Month(
        load_default=None, metadata={"description": "YYYY-MM; the current month when absent."}
    )


class ReasonSchema(ApiSchema):
    message_vi = fields.Function(lambda r: _vi(r.message, r.params), required=True)
    message_en = fields.Function(lambda r: _en(r.message, r.params), required=True)


class ConsiderationSchema(ApiSchema):
    programme = fields.String(required=True)
    group = fields.String(required=True)
    label_vi = fields.Function(lambda c: _vi(c.label), required=True)
    label_en = fields.Function(lambda c: _en(c.label), required=True)
    met = fields.Boolean(required=True)
    paid = fields.Boolean(required=True)
    amount = fields.Integer(required=True, metadata={"description": "VND per month."})
    reference = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "verified, secondary, provisional or example"}
    )
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class EligibilitySchema(ApiSchema):
    person_id = fields.UUID(required=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM"})
    amounts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "VND per programme for the month."},
    )
    total = fields.Integer(required=True)
    considerations = fields.List(fields.Nested(ConsiderationSchema), required=True)
    notes = fields.List(fields.Nested(ReasonSchema), required=True)
    sensitive_left_out = fields.Boolean(required=True)


# ---- decisions ------------------------------------------------------------------------


class DecisionSchema(ApiSchema):
    id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    person_name = fields.Function(lambda d: d.person.full_name, required=True)
    commune_id = fields.Integer(required=True)
    programme = Enum(Programme, required=True)
    group_code = fields.String(required=True)
    status = Enum(DecisionStatus, required=True)
    proposed_amount = fields.Integer(required=True)
    reference = fields.String(required=True)
    start_month = fields.Date(required=True)
    end_month = fields.Date(required=True, allow_none=True)
    decision_number = fields.String(required=True, allow_none=True)
    decided_on = fields.Date(required=True, allow_none=True)
    signer = fields.String(required=True, allow_none=True)
    proposed_at = fields.DateTime(required=True)
    appraised_at = fields.DateTime(required=True, allow_none=True)
    approved_at = fields.DateTime(required=True, allow_none=True)
    status_reason = fields.String(required=True, allow_none=True)
    suspended_from = fields.Date(required=True, allow_none=True)


DecisionPageSchema = _page(DecisionSchema, "DecisionPageSchema")


class DecisionListArgs(ApiSchema):
    status = Enum(DecisionStatus, load_default=None)
    group = Str(
        load_default=None,
        validate=validate.Length(min=1, max=60, error=N_("This text is too long.")),
        metadata={"description": "The engine's group code, e.g. sa.5.5a."},
    )
    after = cursor_field()
    limit = limit_field()


# ---- payment runs ---------------------------------------------------------------------


class PaymentRunSchema(ApiSchema):
    id = fields.UUID(required=True)
    month = fields.Date(required=True, metadata={"description": "First day of the month paid."})
    unit = fields.Nested(UnitSchema, required=True)
    status = Enum(RunStatus, required=True)
    line_count = fields.Integer(
        required=True, metadata={"description": "Frozen when locked; counted now in a draft."}
    )
    total = fields.Integer(required=True, metadata={"description": "VND, like line_count."})
    built_at = fields.DateTime(required=True)
    locked_at = fields.DateTime(required=True, allow_none=True)


PaymentRunPageSchema = _page(PaymentRunSchema, "PaymentRunPageSchema")


class PaymentRunListArgs(ApiSchema):
    month = Month(load_default=None)
    status = Enum(RunStatus, load_default=None)
    after = cursor_field()
    limit = limit_field()


class PaymentLineSchema(ApiSchema):
    id = fields.UUID(required=True, metadata={"description": "Also the end-to-end id."})
    decision_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    person_name = fields.String(required=True)
    commune_id = fields.Integer(required=True)
    programme = Enum(Programme, required=True)
    group_code = fields.String(required=True)
    month_paid_for = fields.Date(required=True)
    kind = Enum(LineKind, required=True)
    amount = fields.Integer(required=True)
    status = Enum(LineStatus, required=True)
    failure_reason = fields.String(required=True, allow_none=True)

    @pre_dump
    def flatten(self, row: Any, **kwargs: Any) -> Any:
        """A (line, payee name) row as one record."""
        line, name = row
        return {
            **{key: getattr(line, key) for key in self.fields if key != "person_name"},
            "person_name": name,
        }


PaymentLinePageSchema = _page(PaymentLineSchema, "PaymentLinePageSchema")


class PaymentLineListArgs(ApiSchema):
    status = Enum(LineStatus, load_default=None)
    kind = Enum(LineKind, load_default=None)
    after = cursor_field()
    limit = limit_field()
