"""Forms for a person's dated circumstances (disability, pension, others) and merit records."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from registry.auth.permissions import Permission
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db
from registry.people.circumstances import (
    add_circumstance,
    add_merit_record,
    end_circumstance,
    visible_circumstances,
)
from registry.people.models import RATED_CATEGORIES, SENSITIVE_KINDS, CircumstanceKind
from registry.people.queries import get_person
from registry.people.schemas import (
    OTHER_KINDS,
    CircumstanceInputSchema,
    DisabilityInputSchema,
    EndCircumstanceInputSchema,
    MeritInputSchema,
    PensionInputSchema,
    load_form,
)
from registry.people.views import bp
from registry.people.views.labels import CIRCUMSTANCE_LABELS, DISABILITY_LABELS, MERIT_LABELS
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor, today


def _saved(person):
    flash(gettext("The record was saved."), "success")
    return redirect(url_for(".show", person_id=person.id))


@bp.route("/<uuid:person_id>/disability", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def disability(person_id):
    """A disability assessment: level, certificate date (from which it counts) and number."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    context = {
        "person": person,
        "level_options": [(k.value, gettext(v)) for k, v in DISABILITY_LABELS.items()],
    }
    if request.method == "GET":
        return render_template("people/disability.html", form={}, errors={}, **context)
    try:
        data = load_form(DisabilityInputSchema(), request.form)
        add_circumstance(
            person,
            kind=CircumstanceKind.DISABILITY,
            started_on=data["started_on"],
            disability_level=data["disability_level"],
            reference=data["reference"],
            actor=actor,
            today=today(),
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/disability.html", error, form=request.form, **context)
    return _saved(person)


@bp.route("/<uuid:person_id>/pension", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def pension(person_id):
    """A pension or monthly social-insurance benefit, from its start date."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    if request.method == "GET":
        return render_template("people/pension.html", person=person, form={}, errors={})
    try:
        data = load_form(PensionInputSchema(), request.form)
        add_circumstance(
            person,
            kind=CircumstanceKind.PENSION,
            started_on=data["started_on"],
            reference=data["reference"],
            actor=actor,
            today=today(),
        )
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/pension.html", error, person=person, form=request.form)
    return _saved(person)


@bp.route("/<uuid:person_id>/circumstances/new", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def new_circumstance(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    sensitive_ok = actor.can(Permission.SENSITIVE_READ)
    kinds = [k for k in OTHER_KINDS if sensitive_ok or k not in SENSITIVE_KINDS]
    context = {
        "person": person,
        "kind_options": [(k.value, gettext(CIRCUMSTANCE_LABELS[k])) for k in kinds],
    }
    if request.method == "GET":
        return render_template("people/circumstance.html", form={}, errors={}, **context)
    try:
        data = load_form(CircumstanceInputSchema(), request.form)
        add_circumstance(person, **data, actor=actor, today=today())
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/circumstance.html", error, form=request.form, **context)
    return _saved(person)


@bp.post("/<uuid:person_id>/circumstances/<int:cid>/end")
@permission_required(Permission.PERSON_WRITE)
def end(person_id, cid):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    record = next((c for c in visible_circumstances(person, actor=actor) if c.id == cid), None)
    if record is None:
        raise NotFoundError()
    try:
        data = load_form(EndCircumstanceInputSchema(), request.form)
        end_circumstance(person, cid, ended_on=data["ended_on"], actor=actor, today=today())
        db.session.commit()
    except RegistryError as error:
        return render_rejected(
            "people/end_circumstance.html", error, person=person, record=record, form=request.form
        )
    return _saved(person)


@bp.route("/<uuid:person_id>/merit/new", methods=["GET", "POST"])
@permission_required(Permission.PERSON_WRITE)
def new_merit(person_id):
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    context = {
        "person": person,
        "category_options": [(k.value, gettext(v)) for k, v in MERIT_LABELS.items()],
        "rated_labels": [gettext(MERIT_LABELS[k]) for k in MERIT_LABELS if k in RATED_CATEGORIES],
    }
    if request.method == "GET":
        return render_template(
            "people/merit.html", form={"recognised_on": ""}, errors={}, **context
        )
    try:
        data = load_form(MeritInputSchema(), request.form)
        add_merit_record(person, **data, actor=actor, today=today())
        db.session.commit()
    except RegistryError as error:
        return render_rejected("people/merit.html", error, form=request.form, **context)
    return _saved(person)
