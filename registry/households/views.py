"""Pages for households: list and search, registration with the head, household page, forms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from registry.audit.queries import subject_events
from registry.auth.permissions import Permission
from registry.errors import Problem, RegistryError, ValidationError
from registry.extensions import db, keys
from registry.households.indicators import INDICATORS_2022
from registry.households.models import Area, Household, PovertyStatus
from registry.households.queries import commune_choices, communes_covered
from registry.households.schemas import (
    AddressInputSchema,
    HeadInputSchema,
    HouseholdFilterSchema,
    HouseholdInputSchema,
    PovertyInputSchema,
)
from registry.households.services import (
    get_household,
    list_households,
    register_household,
    set_head,
    set_poverty_status,
    update_household,
)
from registry.i18n import N_
from registry.people.models import Relation
from registry.people.schemas import BirthInputSchema, MemberInputSchema, load_form
from registry.people.services import record_birth, register_person
from registry.people.views.labels import RELATION_LABELS, SEX_LABELS
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor, today

bp = Blueprint("households", __name__, url_prefix="/households")
bp.before_request(login_required(lambda: None))

PER_PAGE = 50

POVERTY_LABELS = {
    PovertyStatus.POOR: N_("Poor household"),
    PovertyStatus.NEAR_POOR: N_("Near-poor household"),
    PovertyStatus.AVERAGE: N_("Average living standard"),
    PovertyStatus.NONE: N_("Not poor or near-poor"),
}
AREA_LABELS = {Area.RURAL: N_("Rural"), Area.URBAN: N_("Urban")}


@bp.app_context_processor
def household_labels() -> dict:
    return {
        "POVERTY_LABELS": POVERTY_LABELS,
        "AREA_LABELS": AREA_LABELS,
        "INDICATORS": INDICATORS_2022,
    }


def _options(labels: dict, members=None) -> list[tuple[str, str]]:
    return [
        (key.value, gettext(label))
        for key, label in labels.items()
        if members is None or key in members
    ]


def _commune_options(communes) -> list[tuple[str, str]]:
    return [(str(c.id), f"{c.name} ({c.code})") for c in communes]


def _relation_options(household: Household) -> list[tuple[str, str]]:
    has_head = household.head is not None and household.head.death_on is None
    return _options(RELATION_LABELS, [r for r in Relation if not (has_head and r is Relation.HEAD)])


@bp.get("/")
def index():
    actor = current_actor()
    communes = communes_covered(actor)
    try:
        filters = load_form(HouseholdFilterSchema(), request.args)
    except ValidationError:
        filters = {
            "q": request.args.get("q", "")[:200],
            "commune": None,
            "poverty": None,
            "page": 1,
        }
    commune_id = filters["commune"] if filters["commune"] in {c.id for c in communes} else None
    rows, total = list_households(
        actor=actor,
        today=today(),
        query=filters["q"] or "",
        commune_id=commune_id,
        poverty=filters["poverty"],
        page=filters["page"],
        per_page=PER_PAGE,
    )
    return render_template(
        "households/index.html",
        rows=rows,
        total=total,
        page=filters["page"],
        pages=max(1, -(-total // PER_PAGE)),
        q=filters["q"] or "",
        commune_id=commune_id,
        poverty=filters["poverty"].value if filters["poverty"] else "",
        commune_options=_commune_options(communes),
        poverty_options=_options(POVERTY_LABELS),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.HOUSEHOLD_WRITE)
def new():
    actor = current_actor()
    communes = commune_choices(actor, today())
    context = {"commune_options": _commune_options(communes), "sex_options": _options(SEX_LABELS)}
    if request.method == "GET":
        default = {"commune_id": str(communes[0].id)} if len(communes) == 1 else {}
        return render_template("households/new.html", form=default, errors={}, **context)
    try:
        data = load_form(HouseholdInputSchema(), request.form)
        commune = next((c for c in communes if c.id == data["commune_id"]), None)
        if commune is None:
            raise ValidationError([Problem("commune_id", N_("Choose one of the options."))])
        household = register_household(
            code=data["code"], commune=commune, address=data["address"], actor=actor, today=today()
        )
        register_person(
            full_name=data["full_name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            birth_year=data["birth_year"],
            household=household,
            relation=Relation.HEAD,
            cccd=data["cccd"],
            cccd_override_reason=data["cccd_override_reason"],
            cmnd=data["cmnd"],
            actor=actor,
            today=today(),
            cipher=keys.cipher,
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("households/new.html", error, form=request.form, **context)
    flash(gettext("Household %(code)s registered.", code=household.code), "success")
    return redirect(url_for(".show", household_id=household.id))


def _page_context(household: Household) -> dict:
    actor = current_actor()
    living = [m for m in household.members if m.death_on is None]
    return {
        "household": household,
        "members": household.members,
        "head_options": [(str(m.id), m.full_name) for m in living if m.id != household.head_id],
        "events": subject_events(
            actor=actor, subject_type="households", subject_id=str(household.id), limit=20
        ),
        "poverty_now": household.poverty_on(today()),
    }


@bp.get("/<uuid:household_id>")
def show(household_id):
    household = get_household(household_id, actor=current_actor())
    return render_template("households/show.html", form={}, errors={}, **_page_context(household))


@bp.route("/<uuid:household_id>/members/new", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def new_member(household_id):
    actor = current_actor()
    household = get_household(household_id, actor=actor)
    context = {
        "household": household,
        "sex_options": _options(SEX_LABELS),
        "relation_options": _relation_options(household),
    }
    if request.method == "GET":
        return render_template("households/member_form.html", form={}, errors={}, **context)
    try:
        data = load_form(MemberInputSchema(), request.form)
        person = register_person(
            full_name=data["full_name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            birth_year=data["birth_year"],
            household=household,
            relation=data["relation"],
            cccd=data["cccd"],
            cccd_override_reason=data["cccd_override_reason"],
            cmnd=data["cmnd"],
            actor=actor,
            today=today(),
            cipher=keys.cipher,
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("households/member_form.html", error, form=request.form, **context)
    flash(gettext("%(name)s was added to the household.", name=person.full_name), "success")
    return redirect(url_for(".show", household_id=household.id))


@bp.route("/<uuid:household_id>/births/new", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def new_birth(household_id):
    actor = current_actor()
    household = get_household(household_id, actor=actor)
    context = {
        "household": household,
        "sex_options": _options(SEX_LABELS),
        "relation_options": _relation_options(household),
    }
    if request.method == "GET":
        return render_template(
            "households/birth_form.html",
            form={"relation": Relation.CHILD.value},
            errors={},
            **context,
        )
    try:
        data = load_form(BirthInputSchema(), request.form)
        person = record_birth(
            household,
            full_name=data["full_name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            relation=data["relation"],
            cccd=data["cccd"],
            actor=actor,
            today=today(),
            cipher=keys.cipher,
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("households/birth_form.html", error, form=request.form, **context)
    flash(gettext("The birth of %(name)s was recorded.", name=person.full_name), "success")
    return redirect(url_for(".show", household_id=household.id))


@bp.route("/<uuid:household_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.HOUSEHOLD_WRITE)
def edit(household_id):
    actor = current_actor()
    household = get_household(household_id, actor=actor)
    if request.method == "GET":
        return render_template(
            "households/edit.html",
            household=household,
            form={"address": household.address},
            errors={},
        )
    try:
        data = load_form(AddressInputSchema(), request.form)
        update_household(household, address=data["address"], actor=actor)
        db.session.commit()
    except RegistryError as error:
        return render_rejected(
            "households/edit.html", error, household=household, form=request.form
        )
    flash(gettext("The address was saved."), "success")
    return redirect(url_for(".show", household_id=household.id))


@bp.post("/<uuid:household_id>/head")
@permission_required(Permission.HOUSEHOLD_WRITE)
def change_head(household_id):
    actor = current_actor()
    household = get_household(household_id, actor=actor)
    try:
        data = load_form(HeadInputSchema(), request.form)
        person = next((m for m in household.members if m.id == data["person_id"]), None)
        if person is None:
            raise ValidationError(
                [Problem("person_id", N_("The head must be a member of the household."))]
            )
        set_head(household, person, actor=actor)
        db.session.commit()
    except RegistryError as error:
        return render_rejected(
            "households/show.html", error, form=request.form, **_page_context(household)
        )
    flash(gettext("%(name)s is now the head of household.", name=person.full_name), "success")
    return redirect(url_for(".show", household_id=household.id))


@bp.route("/<uuid:household_id>/poverty/new", methods=["GET", "POST"])
@permission_required(Permission.POVERTY_WRITE)
def new_poverty(household_id):
    actor = current_actor()
    household = get_household(household_id, actor=actor)
    context = {
        "household": household,
        "status_options": _options(POVERTY_LABELS),
        "area_options": _options(AREA_LABELS),
    }
    if request.method == "GET":
        return render_template(
            "households/poverty_form.html",
            errors={},
            form={"review_year": str(today().year)},
            **context,
        )
    try:
        data = load_form(PovertyInputSchema(), request.form)
        set_poverty_status(household, **data, actor=actor, today=today())
        db.session.commit()
    except RegistryError as error:
        return render_rejected("households/poverty_form.html", error, form=request.form, **context)
    flash(
        gettext("The poverty review result for %(year)d was saved.", year=data["review_year"]),
        "success",
    )
    return redirect(url_for(".show", household_id=household.id))
