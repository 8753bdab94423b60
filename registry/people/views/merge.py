"""Merging a duplicate record: choose the other record, compare them side by side, confirm."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from registry.audit.queries import subject_events
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.decisions.services import person_decisions
from registry.decisions.views import hidden_groups
from registry.errors import NotFoundError, Problem, RegistryError, ValidationError
from registry.extensions import db, keys
from registry.i18n import N_
from registry.people.circumstances import visible_circumstances
from registry.people.identity import read_cccd
from registry.people.merging import likely_duplicates, merge_people, merge_problems, merged_records
from registry.people.models import PaymentAccount, Person
from registry.people.queries import get_person, search_people
from registry.people.schemas import Checkbox, FormSchema, Text, load_form, problems_by_field
from registry.people.views import bp
from registry.people.views.accounts import CHANNEL_LABELS, bank_name
from registry.units.scope import in_scope
from registry.web.decorators import permission_required, render_rejected
from registry.web.formatting import format_date
from registry.web.setup import current_actor, today

#: The one page a merged record still has: its own history.
_MERGED_PAGE = "people.merged_record"


class MergeSearchSchema(FormSchema):
    q = Text(load_default=None, max_length=200)


class MergeConfirmSchema(FormSchema):
    confirm = Checkbox()


@bp.before_request
def _follow_merged_record():
    """Any page of a merged record leads to the kept record, with a notice saying so."""
    person_id = (request.view_args or {}).get("person_id")
    if not isinstance(person_id, uuid.UUID) or request.endpoint == _MERGED_PAGE:
        return None
    merged = db.session.execute(
        select(Person.merged_into_id, Person.merged_at).where(
            Person.id == person_id, in_scope(Person.commune_id, current_actor())
        )
    ).first()
    if merged is None or merged.merged_into_id is None:
        return None
    flash(
        gettext(
            "This record was merged into the record below on %(day)s; its history is kept.",
            day=format_date(merged.merged_at),
        ),
        "info",
    )
    return redirect(url_for("people.show", person_id=merged.merged_into_id))


@bp.app_context_processor
def _merge_helpers() -> dict:
    return {"merged_records": merged_records}


@bp.get("/<uuid:person_id>/merge")
@permission_required(Permission.PERSON_WRITE)
def merge_choose(person_id):
    """Choose the other record: likely duplicates first, or a name search in the commune."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    try:
        q = load_form(MergeSearchSchema(), request.args)["q"] or ""
    except ValidationError as error:
        return render_rejected(
            "people/merge.html", error, person=person, q="", suspects=[], results=None
        )
    results = None
    if q:
        found = search_people(actor=actor, query=q, commune_id=person.commune_id, per_page=30)
        results = [p for p in found.people if p.id != person.id]
    return render_template(
        "people/merge.html",
        person=person,
        q=q,
        suspects=likely_duplicates(person, actor=actor),
        results=results,
    )


def _side(person: Person, actor: Actor) -> dict:
    """One column of the comparison. The masked CCCD read is audited; the caller commits."""
    masked = None
    if actor.can(Permission.CCCD_VIEW_MASKED):
        masked = read_cccd(person, actor=actor, cipher=keys.cipher, purpose="display_masked")
    accounts = db.session.scalars(
        select(PaymentAccount)
        .where(PaymentAccount.person_id == person.id)
        .order_by(PaymentAccount.is_active.desc(), PaymentAccount.created_at.desc())
    ).all()
    return {
        "person": person,
        "cccd_masked": masked,
        "circumstances": visible_circumstances(person, actor=actor),
        "merits": person.merit_records,
        "decisions": person_decisions(person, actor=actor, hidden_groups=hidden_groups(actor)),
        "accounts": [
            {
                "channel": CHANNEL_LABELS[a.channel],
                "bank": bank_name(a.bank_bin),
                "active": a.is_active,
            }
            for a in accounts
        ],
    }


def _compare_context(keep: Person, duplicate: Person, actor: Actor) -> dict:
    return {
        "keep": _side(keep, actor),
        "duplicate": _side(duplicate, actor),
        "refusals": merge_problems(keep, duplicate, cipher=keys.cipher, today=today()),
    }


def _pair(person_id, other_id, actor: Actor) -> tuple[Person, Person]:
    keep = get_person(person_id, actor=actor)
    duplicate = get_person(other_id, actor=actor)
    if keep.id == duplicate.id:
        raise NotFoundError()
    return keep, duplicate


@bp.get("/<uuid:person_id>/merge/<uuid:other_id>")
@permission_required(Permission.PERSON_WRITE)
def merge_compare(person_id, other_id):
    """Both records side by side, why they cannot be merged (if so), and the confirmation."""
    actor = current_actor()
    keep, duplicate = _pair(person_id, other_id, actor)
    page = render_template(
        "people/merge_compare.html",
        form={},
        errors={},
        **_compare_context(keep, duplicate, actor),
    )
    db.session.commit()  # the masked CCCD reads are audited
    return page


@bp.post("/<uuid:person_id>/merge/<uuid:other_id>")
@permission_required(Permission.PERSON_WRITE)
def merge_confirm(person_id, other_id):
    actor = current_actor()
    keep, duplicate = _pair(person_id, other_id, actor)
    try:
        if not load_form(MergeConfirmSchema(), request.form)["confirm"]:
            raise ValidationError(
                [Problem("confirm", N_("Tick the box to confirm that both are the same person."))]
            )
        merge_people(keep, duplicate, actor=actor, today=today(), cipher=keys.cipher)
        db.session.commit()
    except RegistryError as error:
        # Nothing of the refused merge stays; the page is shown again with the reasons.
        db.session.rollback()
        keep, duplicate = _pair(person_id, other_id, actor)
        problems = error.problems if isinstance(error, ValidationError) else []
        page = render_template(
            "people/merge_compare.html",
            form=request.form,
            errors=problems_by_field(problems),
            problems=[p for p in problems if p.field != "duplicate"],
            form_error=None if problems else error.render(gettext),
            **_compare_context(keep, duplicate, actor),
        )
        db.session.commit()  # the masked CCCD reads are audited
        return page, 422
    flash(gettext("The two records were merged into this one."), "success")
    return redirect(url_for("people.show", person_id=keep.id))


@bp.get("/<uuid:person_id>/merged")
def merged_record(person_id):
    """What is left of a merged record: the record it was merged into, and its own history."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    if person.merged_into_id is None:
        return redirect(url_for("people.show", person_id=person.id))
    return render_template(
        "people/merged_record.html",
        person=person,
        events=subject_events(actor=actor, subject_type="people", subject_id=str(person.id)),
    )
