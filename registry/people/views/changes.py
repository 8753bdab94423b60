"""Forms that change a person's record: correct details, record a death, move, depart."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from registry.auth.permissions import Permission
from registry.errors import NotFoundError, Problem, RegistryError, ValidationError
from registry.extensions import db, keys
from registry.households.queries import communes_on
from registry.households.services import get_household_by_code
from registry.i18n import N_
from registry.people.queries import get_person
from registry.people.schemas import (
    DeathInputSchema,
    DepartureInputSchema,
    MoveInputSchema,
    PersonEditInputSchema,
    load_form,
)
from registry.people.services import move_person, record_death, record_departure, update_person
from registry.people.views import bp
from registry.people.views.labels import RELATION_LABELS, SEX_LABELS
from registry.units.services import find_unit
from registry.web.decorators import permission_required, render_rejected
from registry.web.formatting import format_date
from registry.web.setup import current_actor, today


def _options(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, gettext(label)) for key, label in labels.items()]


def _as_problem(error: NotFoundError, field: str) -> ValidationError:
    """A code typed in a form that names nothing is a problem with that field, not a 404 page."""
    return ValidationError([Problem(field, error.message, dict(error.params))])


def _done(person, message: str):
    flash(message, "success")
    return redirect(url_for(".show", person_id=person.id))


@bp.route("/<uuid:person_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def edit(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    context = {"person": person, "sex_options": _options(SEX_LABELS)}
    if request.method == "GET":
        form = {
            "full_name": person.full_name,
            "sex": person.sex.value,
            "birth_date": format_date(person.birth_date),
            "birth_year": "" if person.birth_date else str(person.birth_year),
        }
        return render_template("people/edit.html", form=form, errors={}, **context)
    try:
        data = load_form(PersonEditInputSchema(), request.form)
        update_person(person, **data, actor=actor, today=today(), cipher=keys.cipher)
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/edit.html", error, form=request.form, **context)
    return _done(person, gettext("The details were saved."))


@bp.route("/<uuid:person_id>/death", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def death(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    if request.method == "GET":
        return render_template("people/death.html", person=person, form={}, errors={})
    try:
        data = load_form(DeathInputSchema(), request.form)
        record_death(
            person, died_on=data["died_on"], reference=data["reference"], actor=actor, today=today()
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/death.html", error, person=person, form=request.form)
    return _done(person, gettext("The death was recorded."))


@bp.route("/<uuid:person_id>/move", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def move(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    context = {"person": person, "relation_options": _options(RELATION_LABELS)}
    if request.method == "GET":
        return render_template("people/move.html", form={}, errors={}, **context)
    try:
        data = load_form(MoveInputSchema(), request.form)
        try:
            household = get_household_by_code(data["household_code"], actor=actor)
        except NotFoundError as error:
            raise _as_problem(error, "household_code") from None
        move_person(
            person, to_household=household, relation=data["relation"], actor=actor, today=today()
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/move.html", error, form=request.form, **context)
    return _done(
        person,
        gettext(
            "%(name)s moved to household %(code)s.", name=person.full_name, code=household.code
        ),
    )


@bp.route("/<uuid:person_id>/depart", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def depart(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    communes = communes_on(today())
    context = {
        "person": person,
        "commune_options": [
            (str(c.id), f"{c.name} ({c.code})") for c in communes if c.id != person.commune_id
        ],
    }
    if request.method == "GET":
        return render_template("people/depart.html", form={}, errors={}, **context)
    try:
        data = load_form(DepartureInputSchema(), request.form)
        if data["commune_id"] is not None:
            commune = next((c for c in communes if c.id == data["commune_id"]), None)
            if commune is None:
                raise ValidationError([Problem("commune_id", N_("Choose one of the options."))])
        else:
            try:
                commune = find_unit(data["commune_code"], on=today())
            except NotFoundError as error:
                raise _as_problem(error, "commune_code") from None
        record_departure(person, to_commune=commune, actor=actor, today=today())
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/depart.html", error, form=request.form, **context)
    flash(
        gettext(
            "%(name)s was handed over to %(commune)s.", name=person.full_name, commune=commune.name
        ),
        "success",
    )
    # The person has left the actor's area: their page may no longer be visible here.
    return redirect(url_for("home.index"))
